// The page's top and bottom: the run's line and banners, the headline table, the
// targets against what this run measured, and the machine and parameters.
import { EXPORT } from './chart-kit.js';
import { $, bytes, el, ms, nf, table } from './format.js';
import { R, runWires, schema2, wireFanoutClients } from './run.js';
import { LANG, escapeHtml, hasWord, label, t, tt, wireLabel } from './words.js';
import { config } from '../lab.js';

/** The run's line under the title, the quick-run banner, failures, the note on an older schema, and the other run. */
export function renderMeta() {
  const env = R.environment;
  const m = env.machine;
  const when = new Date(R.startedAt).toLocaleString(LANG === 'zh' ? 'zh-CN' : 'en-GB', {
    dateStyle: 'medium',
    timeStyle: 'short',
    timeZone: 'UTC',
  });
  $('run-meta').textContent = tt('meta.line', {
    quick: R.quick ? tt('meta.quick') : '',
    id: R.id,
    when,
    seconds: nf(R.durationSeconds),
    cpu: m.cpuModel,
    cores: m.cores,
    memory: nf(m.memoryBytes / 2 ** 30),
    node: env.node,
    commit: (env.git.commit || 'unknown').slice(0, 10),
    command: R.command,
  });
  const banner = $('quick-banner');
  banner.hidden = !R.quick;
  banner.innerHTML = R.quick ? t('quick.banner', { id: R.id }) : '';
  if (R.errors?.length) {
    const problem = $('problem');
    problem.hidden = false;
    problem.textContent = tt('problem.failed', { list: R.errors.map((e) => `${e.scenario} (${e.message.split('\n')[0]})`).join('; ') });
  }
  const old = $('schema-note');
  old.hidden = schema2();
  if (!schema2()) old.innerHTML = t('schema1.note', { schema: R.schema });
  // The other run: the last quick one beside the reference, or the reference beside any other.
  // No request to find out whether a quick run exists (a 404 in the console of every visit): the page at the link says.
  if (EXPORT) return;
  const here = (file) => {
    const q = new URLSearchParams(location.search);
    if (file === 'latest.json') q.delete('run');
    else q.set('run', file);
    const s = q.toString();
    return `/results${s ? `?${s}` : ''}`;
  };
  $('run-switch').innerHTML =
    config.results.runFile === 'latest.json'
      ? t('switch.toQuick', { href: here('quick/latest.json') })
      : t('switch.toReference', { href: here('latest.json') });
  // Focused runs measured what the reference run does not hold (the lessons quote them too).
  const focused = (config.results.focused ?? []).filter((dir) => `${dir}/latest.json` !== config.results.runFile);
  if (focused.length > 0) {
    const links = focused.map((dir) => `<a href="${escapeHtml(here(`${dir}/latest.json`))}">${escapeHtml(dir)}</a>`).join(' · ');
    $('run-switch').innerHTML += ` ${t('switch.focused', { links }, { raw: true })}`;
  }
}

/**
 * The headline table, one column per transport (as the board shows them side by side),
 * one row per figure, with HTTP/2 rows when the run has them: five columns fit a
 * projector in large type, where thirteen would not.
 */
export function renderHeadline(node) {
  const d = R.derived;
  const h2 = schema2() && runWires().includes('h2');
  const onH2 = (h) => (h.byWire ? h.byWire.h2 : null) || {};
  const held = (h) =>
    h.maxClientsHeld === null
      ? 'n/a'
      : `${nf(h.maxClientsHeld)}${h.capacityStopReason && h.capacityStopReason !== 'last step' ? ` (${h.capacityStopReason})` : ''}`;
  /** @type {[string, (h: any) => string, boolean?][]} */
  const figures = [
    [t('col.overheadNode'), (h) => bytes(h.overheadBytesPerEventMinimal)],
    [t('col.overheadBrowser'), (h) => bytes(h.overheadBytesPerEventBrowser)],
    [t('col.overheadBrowserH2'), (h) => bytes(onH2(h).overheadBytesPerEventBrowser), true],
    [t('col.oneOffBrowser'), (h) => bytes(h.oneOffBytesBrowser)],
    [t('col.requestsPerEvent'), (h) => nf(h.requestsPerEvent, 2)],
    [t('col.idleP50'), (h) => ms(h.idleP50Ms)],
    [t('col.idleP50H2'), (h) => ms(onH2(h).idleP50Ms), true],
    [t('col.p99At', { n: nf(d.headlineFanoutClients) }), (h) => ms(h.fanoutP99Ms)],
    [t('col.p99AtH2', { n: nf(wireFanoutClients('h2')) }), (h) => ms(onH2(h).fanoutP99Ms), true],
    [t('col.held'), held],
    [t('col.memory'), (h) => (h.rssBytesPerConnection === null ? 'n/a' : `${nf(h.rssBytesPerConnection / 1000, 1)} KB`)],
  ];
  const rows = figures.filter(([, , needsH2]) => !needsH2 || h2).map(([name, value]) => [name, ...d.headline.map(value)]);
  node.replaceChildren(table([t('col.figure'), ...d.headline.map((h) => label(h.transport))], rows));
}

/** The targets table; a quick run's verdicts all read "not judged". */
export function renderTargets(node) {
  const d = R.derived;
  const capacity = R.scenarios.capacity;
  const ramp = capacity ? Math.max(...capacity.runs.flatMap((r) => r.steps.map((s) => s.clients))) : null;
  const rows = d.targets.map((x) => {
    const measured =
      x.measured === null
        ? 'n/a'
        : x.unit === 'ms'
          ? `${ms(x.measured)} ms`
          : x.unit === 'x'
            ? `${nf(x.measured, 2)}x`
            : `${nf(x.measured, x.unit === 'B' && x.measured % 1 ? 2 : 0)} ${x.unit}`;
    const note = x.note === 'quick run' ? tt('targets.quick') : x.note;
    const verdict =
      x.met === null
        ? el('span', { class: 'met-na' }, `${tt('targets.notJudged')}${note ? ` (${note})` : ''}`)
        : x.met
          ? el('span', { class: 'met-yes' }, tt('targets.met'))
          : el('span', { class: 'met-no' }, `${tt('targets.notMet')}${note ? ` (${note})` : ''}`);
    // The target's words by its kind (the id without its transport), in the reader's language,
    // with what this run did: its own number of clients, its own ramp.
    const kind = x.id.replace(/-(short-poll|long-poll|iframe|sse|ws)$/, '');
    const text = hasWord(`targetText.${kind}`) ? tt(`targetText.${kind}`, { n: nf(d.headlineFanoutClients), ramp: nf(ramp) }) : x.text;
    // A quick run judges nothing: its clients and ramp are smaller than the targets are stated for.
    const aim = R.quick ? `${x.target} ${tt('targets.statedForReference')}` : x.target;
    return [text, x.transport ? label(x.transport) : '', aim, measured, verdict];
  });
  node.replaceChildren(table([t('col.target'), t('col.transport'), t('col.aim'), t('col.measured'), t('col.verdict')], rows));
}

/** The machine, versions, settings and parameters of the run. */
export function renderEnvironment(node) {
  const env = R.environment;
  const heads = R.browserHeads;
  const facts = [
    [tt('env.run'), `${R.id}${R.quick ? ` (${tt('env.quick')})` : ''}`],
    [tt('env.command'), R.command],
    [tt('env.started'), `${R.startedAt} (${nf(R.durationSeconds)} s)`],
    ...(R.timings
      ? [
          [
            tt('env.timings'),
            Object.entries(R.timings)
              .map(([k, v]) => `${k} ${nf(v)} s`)
              .join(', '),
          ],
        ]
      : []),
    [tt('env.cpu'), `${env.machine.cpuModel}, ${env.machine.cores} cores (load ${env.machine.loadAverage1m} at start)`],
    [tt('env.memory'), `${nf(env.machine.memoryBytes / 2 ** 30, 1)} GiB`],
    [tt('env.system'), `${env.machine.platform} ${env.machine.osRelease} ${env.machine.arch}`],
    ['Node', `${env.node} (V8 ${env.v8})`],
    [
      tt('env.packages'),
      Object.entries(env.packages)
        .map(([k, v]) => `${k} ${v}`)
        .join(', '),
    ],
    [tt('env.commit'), `${env.git.commit || 'unknown'}${env.git.ref ? ` (${env.git.ref})` : ''}`],
    [tt('env.limits'), `${nf(env.limits.openFilesPerProcess)} open files per process; somaxconn ${nf(env.limits.somaxconn)}`],
    [
      tt('env.wires'),
      runWires()
        .map((w) => wireLabel(w))
        .join(', '),
    ],
    [
      tt('env.heads'),
      `${heads.note}; ${heads.browser}, captured ${heads.capturedAt}; ${Object.entries(heads.bytes)
        .map(([k, v]) => `${k === 'navigation' ? 'page' : label(k)} ${v} B`)
        .join(', ')}`,
    ],
    ...(heads.h2
      ? [[tt('env.headsH2'), `${heads.h2.note}; ${heads.h2.browser}, ${heads.h2.requestsPerKind} requests per kind after ${heads.h2.page}`]]
      : []),
    [tt('env.clocks'), tt('env.clocksText', { us: nf(env.clockSkewMaxMs * 1000, 1) })],
    [
      tt('env.settings'),
      Object.entries(R.serverSettings)
        .map(([k, v]) => `${k}=${v}`)
        .join(' '),
    ],
  ];
  const details = el(
    'details',
    { id: 'parameters-details' },
    el('summary', {}, tt('env.parameters')),
    el('pre', {}, JSON.stringify(R.parameters, null, 2)),
  );
  const raw = el('p', { class: 'explain' });
  raw.innerHTML = t('explain.environment', { json: `/results/${config.results.runFile}` });
  node.replaceChildren(
    el(
      'dl',
      { id: 'environment-list', class: 'facts' },
      facts.flatMap(([term, value]) => [el('dt', {}, term), el('dd', {}, value)]),
    ),
    details,
    raw,
  );
}
