// The checker in the page: a URL, Run, and the cases filling in as the lab runs
// them (GET /check/run streams each result as a Server-Sent Event). Each case shows
// what it checks and why, in the page's language, with a link to its lesson. The
// /check page and the "Build your own" lesson both mount it.
import { TRANSPORTS, h, t } from '../lab.js';

/** Where a server of lessons/servers/ listens when run as `npx tsx lessons/servers/<name>.ts`. */
const DEFAULT_URL = 'http://127.0.0.1:3100';

/** @param {HTMLElement} element */
export function mount(element) {
  const url = h('input', { type: 'url', name: 'url', value: DEFAULT_URL, size: 32, required: true, 'aria-label': t('check.url') });
  const boxes = TRANSPORTS.map((id) =>
    h('label', {}, h('input', { type: 'checkbox', name: 'only', value: id, checked: true }), ` ${t(`label.${id}`)}`),
  );
  const heartbeat = h('input', {
    type: 'number',
    name: 'heartbeatMs',
    value: 15000,
    min: 100,
    max: 60000,
    step: 100,
    'aria-label': t('check.heartbeat'),
  });
  const run = h('button', { type: 'submit' }, t('check.run'));
  const status = h('p', { 'data-field': 'status', role: 'status' });
  const body = h('tbody');
  const table = h(
    'table',
    { class: 'check-cases' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', {}, t('check.case')),
        h('th', {}, t('check.verdict')),
        h('th', {}, t('check.why')),
        h('th', {}, t('check.answer')),
      ),
    ),
    body,
  );
  const form = h(
    'form',
    { class: 'check-form' },
    h('label', {}, `${t('check.url')} `, url),
    h('fieldset', {}, h('legend', {}, t('check.only')), ...boxes),
    h('label', {}, `${t('check.heartbeat')} `, heartbeat),
    run,
  );
  /** @type {EventSource | undefined} */
  let source;
  /** @type {Map<string, HTMLElement>} */
  const rows = new Map();

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    source?.close();
    body.replaceChildren();
    rows.clear();
    const only = boxes
      .map((box) => /** @type {HTMLInputElement} */ (box.querySelector('input')))
      .filter((box) => box.checked)
      .map((box) => box.value);
    const query = new URLSearchParams({
      url: /** @type {HTMLInputElement} */ (url).value,
      only: only.join(','),
      heartbeatMs: /** @type {HTMLInputElement} */ (heartbeat).value,
      lang: document.documentElement.lang.startsWith('zh') ? 'zh' : 'en',
    });
    const target = `/check/run?${query}`;
    // A refusal (not loopback, a run already going) is a coded JSON error: read it before streaming.
    const answer = await fetch(`/check/target?${query}`).then(
      async (r) => ({ ok: r.ok, body: await r.json() }),
      (error) => ({ ok: false, body: { error: { message: String(error) } } }),
    );
    if (!answer.ok) {
      status.dataset.state = 'refused';
      status.textContent = `${t('check.refused')}: ${answer.body.error?.message ?? ''}`;
      return;
    }
    status.dataset.state = 'running';
    status.textContent = t('check.running');
    run.setAttribute('disabled', '');
    source = new EventSource(target);
    source.addEventListener('start', (e) => {
      for (const c of JSON.parse(/** @type {MessageEvent} */ (e).data).cases) {
        const row = h(
          'tr',
          { 'data-case': c.id, 'data-verdict': 'pending' },
          h('td', {}, h('code', {}, c.id)),
          h('td', { 'data-field': 'verdict' }, t('verdict.pending')),
          h(
            'td',
            {},
            h('p', {}, c.text ?? c.title),
            h('p', {}, c.lesson ? h('a', { href: c.lesson }, t('check.lesson')) : '', ` · ${c.section}`),
          ),
          h('td', { 'data-field': 'reason' }),
        );
        rows.set(c.id, row);
        body.append(row);
      }
    });
    source.addEventListener('case', (e) => {
      const result = JSON.parse(/** @type {MessageEvent} */ (e).data);
      const row = rows.get(result.id);
      if (!row) return;
      row.dataset.verdict = result.verdict;
      row.className = `verdict-${result.verdict}`;
      /** @type {HTMLElement} */ (row.querySelector('[data-field="verdict"]')).replaceChildren(
        h('strong', { class: `badge verdict-${result.verdict}` }, t(`verdict.${result.verdict}`)),
      );
      /** @type {HTMLElement} */ (row.querySelector('[data-field="reason"]')).replaceChildren(
        h('p', {}, result.reason),
        h('p', {}, `${result.timeMs} ms, ${t('check.protocol', { protocol: result.protocol })}`),
        h(
          'details',
          {},
          h('summary', {}, `${t('check.sent')} / ${t('check.received')}`),
          h('pre', {}, result.sent),
          h('pre', {}, result.received),
        ),
      );
    });
    source.addEventListener('done', (e) => {
      const done = JSON.parse(/** @type {MessageEvent} */ (e).data);
      source?.close();
      run.removeAttribute('disabled');
      status.dataset.state = 'done';
      const c = done.counts;
      status.replaceChildren(
        t('check.done', {
          pass: c.pass,
          nonStrict: c['non-strict'],
          fail: c.fail,
          info: c.info,
          missing: c.missing,
          seconds: (done.durationMs / 1000).toFixed(1),
        }),
        ' ',
        h('a', { href: done.report }, t('check.report')),
      );
    });
    source.addEventListener('error', () => {
      if (status.dataset.state === 'done') return;
      source?.close();
      run.removeAttribute('disabled');
    });
  });
  element.replaceChildren(form, status, table);
}
