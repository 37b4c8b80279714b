// The HTTP/2 lesson's loss demo: this page's five transports twice at once, through
// the lab's stall proxies (server/loss-experiment.ts) at the rate the slider sets:
// over HTTP/1.1, each on a connection of its own; over HTTP/2, all five on one. They
// run in two frames served through the proxies (loss-frame.js says why), which post
// each tick's delay here. A tick late on several streams at once is head-of-line
// blocking; one late on a single stream is a loss that stayed on its own connection.
// A stand-in for loss: each lost segment holds its connection's bytes one
// retransmission timeout, as TCP's recovery would.
import { config, h, t } from '../lab.js';

const WIRES = ['h1', 'h2'];
/** A delivery later than this is late: well above a loopback path, half of one 200 ms stall. */
const LATE_MS = 100;
/** The transports that push each tick as it is published: the ones whose stalls the counts compare. */
const STREAMS = ['iframe', 'sse', 'ws'];
/** Ticks kept per row of cells. */
const SHOWN = 20;
/** Ticks the figures are computed over (the latest). */
const KEPT = 600;

const percentile = (sorted, p) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : undefined);
const msText = (value) => (value === undefined ? '–' : `${Math.round(value)}`);

export function mount(element) {
  const slider = h('input', {
    type: 'range',
    min: '0',
    max: '20',
    step: '1',
    value: '5',
    'data-field': 'loss-rate',
    'aria-label': t('loss.rate'),
  });
  const rateText = h('output', { 'data-field': 'loss-rate-text' }, '5 %');
  const start = h('button', { type: 'button', 'data-action': 'loss-start' }, t('loss.start'));
  const stop = h('button', { type: 'button', 'data-action': 'loss-stop', disabled: true }, t('loss.stop'));
  const status = h('p', { role: 'status', 'aria-live': 'polite', 'data-field': 'loss-status' }, config.tickMs > 0 ? '' : t('loss.noTicks'));
  const pausedLine = h('p', { 'data-field': 'loss-paused' });
  const tables = {};
  const counts = {};
  for (const wire of WIRES) {
    const body = h('tbody');
    counts[wire] = h('p', { 'data-field': `loss-count-${wire}`, 'data-together': '0', 'data-alone': '0' });
    tables[wire] = {
      body,
      section: h(
        'div',
        { 'data-wire': wire },
        h('h4', {}, t(`loss.wire.${wire}`)),
        h(
          'table',
          { class: 'mono frames-table', 'data-field': `loss-${wire}` },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ...['', t('loss.col.received'), 'p50', 'p99', t('loss.col.max'), t('loss.col.last', { n: SHOWN })].map((c) =>
                h('th', { scope: 'col' }, c),
              ),
            ),
          ),
          body,
        ),
        counts[wire],
      ),
    };
  }
  element.replaceChildren(
    h(
      'div',
      { 'data-field': 'loss' },
      h('p', {}, t('loss.intro')),
      h(
        'p',
        { style: 'display:flex;gap:.75rem;align-items:center;flex-wrap:wrap' },
        h('label', {}, t('loss.rate'), ' ', slider),
        rateText,
        start,
        stop,
      ),
      status,
      ...WIRES.map((wire) => tables[wire].section),
      pausedLine,
    ),
  );

  let running;
  const setRate = async () => {
    rateText.textContent = `${slider.value} %`;
    const answer = await fetch(`/experiments/loss?percent=${slider.value}`, { method: 'POST', cache: 'no-store' });
    const body = await answer.json();
    if (!answer.ok) throw new Error(body.error?.message ?? `HTTP ${answer.status}`);
    return body;
  };
  slider.addEventListener('input', () => {
    rateText.textContent = `${slider.value} %`;
    if (running) setRate().catch((error) => (status.textContent = t('loss.failed', { error: error.message })));
  });

  /** Every delivery, by seq then wire then transport: its delay in ms. */
  const seen = new Map();
  // The streams push each tick as it is published; the polls are late for reasons of their own (their pause, their round trips).
  const streams = STREAMS.filter((id) => config.transports.includes(id));
  const render = () => {
    const seqs = [...seen.keys()].sort((a, b) => a - b);
    const tally = { h1: { together: 0, alone: 0 }, h2: { together: 0, alone: 0 } };
    let paused = 0;
    for (const seq of seqs) {
      const got = seen.get(seq);
      if (!WIRES.every((wire) => streams.every((id) => got[wire]?.[id] !== undefined))) continue;
      const late = Object.fromEntries(WIRES.map((wire) => [wire, streams.filter((id) => got[wire][id] > LATE_MS).length]));
      // Late everywhere at once, on both wires: the machine paused (a busy laptop), not a lost segment.
      if (WIRES.every((wire) => late[wire] === streams.length)) {
        paused++;
        continue;
      }
      for (const wire of WIRES) {
        if (late[wire] >= 2) tally[wire].together++;
        else if (late[wire] === 1) tally[wire].alone++;
      }
    }
    pausedLine.textContent = paused ? t('loss.paused', { paused }) : '';
    for (const wire of WIRES) {
      const { together, alone } = tally[wire];
      counts[wire].dataset.together = String(together);
      counts[wire].dataset.alone = String(alone);
      counts[wire].textContent = t('loss.count', { together, alone });
      tables[wire].body.replaceChildren(
        ...config.transports.map((id) => {
          const delays = seqs.map((seq) => seen.get(seq)[wire]?.[id]).filter((ms) => ms !== undefined);
          const sorted = [...delays].sort((a, b) => a - b);
          const cells = seqs.slice(-SHOWN).map((seq) => {
            const ms = seen.get(seq)[wire]?.[id];
            return h(
              'span',
              {
                class: ms === undefined ? 'loss-cell' : ms > LATE_MS ? 'loss-cell bad' : 'loss-cell good',
                title: `#${seq}: ${msText(ms)} ms`,
              },
              ms === undefined ? '·' : ms > LATE_MS ? '■' : '□',
            );
          });
          return h(
            'tr',
            { 'data-transport': id },
            h('th', { scope: 'row' }, t(`label.${id}`)),
            h('td', { 'data-field': 'received' }, String(delays.length)),
            h('td', {}, msText(percentile(sorted, 50))),
            h('td', {}, msText(percentile(sorted, 99))),
            h('td', {}, msText(sorted[sorted.length - 1])),
            h('td', {}, ...cells),
          );
        }),
      );
    }
  };

  // At most one redraw per frame: ten clients each report every tick.
  let drawing = false;
  const scheduleRender = () => {
    if (drawing) return;
    drawing = true;
    requestAnimationFrame(() => {
      drawing = false;
      render();
    });
  };

  // Each wire's five transports run in a frame served through its proxy (loss-frame.js says why).
  const origins = {};
  addEventListener('message', (message) => {
    const data = message.data;
    if (!running || data?.wirelab !== 'loss' || !WIRES.includes(data.wire) || message.origin !== origins[data.wire]) return;
    if (!seen.has(data.seq)) seen.set(data.seq, {});
    (seen.get(data.seq)[data.wire] ??= {})[data.transport] = data.delayMs;
    // The oldest ticks go: the figures are over the last KEPT.
    if (seen.size > KEPT) seen.delete(Math.min(...seen.keys()));
    scheduleRender();
  });

  start.addEventListener('click', async () => {
    start.disabled = true;
    seen.clear();
    try {
      const demo = await setRate();
      const frames = WIRES.map((wire) => {
        origins[wire] = `https://${location.hostname}:${demo.ports[wire]}`;
        return h('iframe', { src: `${origins[wire]}/assets/loss-frame.html?wire=${wire}`, hidden: true, title: t(`loss.wire.${wire}`) });
      });
      element.append(...frames);
      running = { frames };
      status.textContent = t('loss.running', { stall: demo.stallMs });
      stop.disabled = false;
    } catch (error) {
      status.textContent = t('loss.failed', { error: error.message });
      start.disabled = false;
    }
  });
  stop.addEventListener('click', () => {
    for (const frame of running?.frames ?? []) frame.remove();
    running = undefined;
    stop.disabled = true;
    start.disabled = false;
    status.textContent = t('loss.stopped');
  });
}
