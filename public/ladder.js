// A ladder (sequence) diagram of a page's own connection, drawn live from the trace the
// lab records of it (server/trace.ts, through the page's wiretap): every request,
// response, held wait, event, heartbeat, frame, ping, pong, close and reconnect as an
// arrow with its real bytes (head + framing + payload) and its time. Freeze stops the
// drawing to study it; replay draws the last seconds again, one step at a time.
//
// The same steps are listed as text beside the picture (an <ol>), which is also what a
// screen reader is pointed to. The arrows of one picture add up to what /stats counted
// for its connections: the totals line under it says so, in the same words as the bars.
import { h, t } from './lab.js';
import { KINDS, lastRows, stepLog, totalOf } from './ladder-steps.js';
import { drawLadder, heightFor, svgEl } from './ladder-svg.js';

/** The windows a reader may replay, in seconds; `all` is the whole trace the picture holds. */
const REPLAY_WINDOWS = /** @type {const} */ ([10, 30, 60, 'all']);
/** How long a replayed step stays alone on screen, at most. */
const REPLAY_STEP_MS = 450;
/** A replay lasts 120 ms a step, but at least 5 s (few steps go slower) and at most 20 s (a long trace goes faster). */
const REPLAY_TOTAL_MS = { perStep: 120, min: 5000, max: 20_000 };

let ids = 0;

/** Each picture's handle by its <figure>: what a page test or the slide export (bench/export-ladders.ts) reads its steps from. */
export const ladderOf = new WeakMap();

/**
 * The words a picture writes, in the page's language (public/i18n.json `ladder.*`).
 * `named`: each step says which transport it belongs to (a picture of several). `compact`:
 * a narrow picture writes shorter times, pauses and byte labels (parts without their sum);
 * its text alternative and tooltips keep the whole sentences.
 */
export function ladderWords({ named = false, compact = false } = {}) {
  const what = (step) => `${named ? `${t(`label.${step.transport}`)}: ` : ''}${t(`ladder.what.${step.what}`)}`;
  const name = (step, compact = false) => {
    const seqs = step.seqs?.length ? ` ${step.seqs.map((seq) => `#${seq}`).join(' ')}` : '';
    const label = step.label && step.what !== 'event' && !compact ? ` ${step.label}` : '';
    // Over HTTP/2 each step is one frame of one stream: both named, so interleaved streams read apart.
    const frame =
      step.protocol === 'h2' && step.frame
        ? ` [${step.frame}${step.stream !== undefined ? ` · ${t('ladder.stream', { stream: step.stream })}` : ''}]`
        : '';
    return `${what(step)}${label}${seqs}${frame}`;
  };
  const plainBytes = (step) => t('bars.value', { total: totalOf(step), head: step.head, framing: step.framing, payload: step.payload });
  const time = (ms) => t('ladder.time', { seconds: (ms / 1000).toFixed(3) });
  /** An HTTP/2 stream's end is not its connection's; in a cluster a connection is some process's. */
  const closed = (step) =>
    step.stream !== undefined
      ? t('ladder.streamClosed', { stream: step.stream })
      : t(step.process ? 'ladder.closedOn' : 'ladder.closed', { connection: step.connection, process: step.process });
  const opens = (step) => t(step.process ? 'ladder.opensOn' : 'ladder.opens', { connection: step.connection, process: step.process });
  const direction = (step) => (step.dir === 'in' ? t('ladder.up') : t('ladder.down'));
  return {
    browser: t('ladder.browser'),
    server: t('ladder.server'),
    time: compact ? (ms) => t('ladder.time', { seconds: (ms / 1000).toFixed(1) }) : time,
    name,
    // Each part marked, so the drawing can colour it (ladder-svg.js byteText).
    bytes: (step) =>
      t(compact ? 'ladder.parts' : 'bars.value', {
        total: totalOf(step),
        head: `\u0001head:${step.head}\u0002`,
        framing: `\u0001framing:${step.framing}\u0002`,
        payload: `\u0001payload:${step.payload}\u0002`,
      }),
    plainBytes,
    gap: (ms) => t(compact ? 'ladder.gapShort' : 'ladder.gap', { ms: ms.toFixed(0) }),
    held: (ms) => t('ladder.held', { ms: ms.toFixed(0) }),
    closed: (step) => closed(step),
    opens,
    /** One row as a sentence: the text alternative's line and the arrow's tooltip. */
    sentence(row) {
      if (row.kind === 'gap') return t('ladder.gap', { ms: row.ms.toFixed(0) });
      if (row.kind === 'end') return `${time(row.t)} · ${closed(row.step)}`;
      if (row.kind === 'mark') return `${time(row.t)} · ${row.step.label}`;
      const extra = [
        row.opens ? opens(row.step) : '',
        row.heldMs !== undefined ? t('ladder.held', { ms: row.heldMs.toFixed(0) }) : '',
      ].filter(Boolean);
      const parts = [time(row.t), direction(row.step), name(row.step), plainBytes(row.step), ...extra];
      return parts.join(' · ');
    },
  };
}

/** The three byte kinds in their colours, in the same words as the board's bars. */
export function ladderLegend() {
  return h('p', { class: 'legend' }, ...KINDS.map((kind) => h('span', { class: `key ${kind}` }, t(`bars.${kind}`))));
}

/**
 * Mounts a ladder into `element`. Options: transport (the steps it draws, and its
 * title), title, rows (how many the picture shows, the latest), compact (a narrow
 * picture: names cut shorter, held waits without words), controls (freeze and replay
 * buttons, default true), connectionFrames (an HTTP/2 connection's own frames too),
 * named (each step names its transport: a picture of several), totals (false: no
 * line of sums, for a picture of a recorded trace rather than of the page's traffic).
 * The page links ladder.css (server/pages.ts, as every page's stylesheets).
 * Returns { add(step), freeze(on), replay(seconds), clear(), element, log }.
 */
export function mountLadder(element, options = {}) {
  const id = `ladder-${++ids}`;
  const maxRows = options.rows ?? 12;
  const words = ladderWords({ named: options.named, compact: options.compact });
  const log = stepLog({
    accept: (step) => options.transport === undefined || step.transport === options.transport,
    connectionFrames: options.connectionFrames ?? false,
  });
  const title =
    options.title ?? (options.transport ? t('ladder.title', { transport: t(`label.${options.transport}`) }) : t('ladder.titleAll'));
  const svg = /** @type {SVGSVGElement} */ (
    /** @type {unknown} */ (
      svgEl('svg', { role: 'img', class: 'ladder-svg', 'aria-labelledby': `${id}-title`, 'aria-describedby': `${id}-steps` })
    )
  );
  const list = h('ol', { id: `${id}-steps`, class: 'ladder-steps', 'data-field': 'ladder-steps' });
  const totals = h('p', { class: 'ladder-totals', 'data-field': 'ladder-totals' }, t('ladder.waiting'));
  const freezeButton = h('button', { type: 'button', 'aria-pressed': 'false', 'data-action': 'freeze' }, t('ladder.freeze'));
  const replayButton = h('button', { type: 'button', 'data-action': 'replay' }, t('ladder.replay'));
  // How far back a replay goes: the last 10, 30 or 60 s, or the whole trace.
  const replayWindow = h(
    'select',
    { 'data-field': 'replay-window', 'aria-label': t('ladder.replayWindow') },
    ...REPLAY_WINDOWS.map((seconds) =>
      h('option', { value: String(seconds) }, seconds === 'all' ? t('ladder.replayAll') : t('ladder.replayLast', { seconds })),
    ),
  );
  const figure = h(
    'figure',
    { class: `ladder${options.compact ? ' compact' : ''}`, 'data-transport': options.transport, 'data-state': 'live', 'data-steps': '0' },
    h(
      'figcaption',
      {},
      h('span', { class: 'ladder-title', id: `${id}-title` }, title),
      options.controls === false ? undefined : h('span', { class: 'ladder-controls' }, freezeButton, replayButton, replayWindow),
    ),
    svg,
    totals,
    options.compact ? undefined : ladderLegend(),
    h('details', { class: 'ladder-text' }, h('summary', {}, t('ladder.asText')), list),
  );
  element.replaceChildren(figure);
  // Narrow pictures side by side share one legend and leave their sums to the wide one.
  totals.hidden = Boolean(options.compact) || options.totals === false;

  let startAt;
  let frozen = false;
  /** While replaying: the steps being redrawn and how many are shown. */
  let replaying;
  let scheduled = false;

  /** A frozen picture may stop at the step that carried a given event (the intro's three). */
  let upToSeq;
  const shownSteps = () => {
    if (upToSeq === undefined) return log.steps;
    const last = log.steps.findIndex((step) => step.seqs?.includes(upToSeq));
    return last < 0 ? log.steps : log.steps.slice(0, last + 1);
  };

  const draw = () => {
    scheduled = false;
    const steps = replaying ? replaying.steps.slice(0, replaying.shown) : shownSteps();
    const rows = lastRows(steps, { startAt: startAt ?? 0, maxRows });
    const width = Math.max(220, Math.round(figure.clientWidth || element.clientWidth || 600));
    const style = getComputedStyle(svg);
    drawLadder(svg, rows, {
      width,
      fontPx: parseFloat(style.fontSize) || 15,
      fontFamily: style.fontFamily,
      minRows: maxRows,
      compact: options.compact,
      words,
    });
    list.replaceChildren(...rows.map((row) => h('li', { 'data-kind': row.kind }, words.sentence(row))));
    figure.dataset.rows = String(rows.filter((row) => row.kind === 'arrow').length);
    if (!replaying) showTotals();
  };
  const schedule = () => {
    if (scheduled || (frozen && !replaying)) return;
    scheduled = true;
    requestAnimationFrame(draw);
  };

  /** Every byte this picture was handed since it began, both ways: what /stats counted for these connections. */
  const showTotals = () => {
    if (log.steps.length === 0) return;
    const part = (dir) => words.plainBytes(log.totals[dir]);
    totals.replaceChildren(t('ladder.totals', { up: part('in'), down: part('out') }));
    for (const dir of /** @type {const} */ (['in', 'out'])) totals.dataset[dir] = KINDS.map((kind) => log.totals[dir][kind]).join(',');
  };

  // Large type or a new width lays the picture out again.
  const resized = new ResizeObserver(() => (frozen && !replaying ? requestAnimationFrame(draw) : schedule()));
  resized.observe(figure);
  svg.setAttribute('height', String(heightFor(maxRows, 15)));

  /** Freezes (or thaws) the picture; `upTo`: a frozen picture ends at the step that carried that seq. */
  const freeze = (on, { upTo = undefined } = {}) => {
    frozen = on;
    upToSeq = on ? upTo : undefined;
    if (on && upTo !== undefined) requestAnimationFrame(draw);
    freezeButton.setAttribute('aria-pressed', String(on));
    figure.dataset.state = replaying ? 'replaying' : on ? 'frozen' : 'live';
    if (!on) schedule();
  };
  freezeButton.addEventListener('click', () => freeze(!frozen));

  /**
   * Draws the last `seconds` again step by step (`'all'`: every step the picture holds).
   * @param {number | 'all'} [seconds]
   */
  const replay = (seconds = replayWindow.value === 'all' ? 'all' : Number(replayWindow.value)) => {
    const lastAt = shownSteps().at(-1)?.at;
    if (lastAt === undefined) return;
    clearInterval(replaying?.timer);
    const steps = shownSteps()
      .filter((step) => typeof seconds !== 'number' || step.at >= lastAt - seconds * 1000)
      .map((step) => ({ ...step }));
    const total = Math.min(REPLAY_TOTAL_MS.max, Math.max(REPLAY_TOTAL_MS.min, steps.length * REPLAY_TOTAL_MS.perStep));
    const pace = Math.min(REPLAY_STEP_MS, total / steps.length);
    replaying = { steps, shown: 0, timer: 0 };
    figure.dataset.state = 'replaying';
    figure.dataset.replayed = '0';
    const next = () => {
      replaying.shown++;
      figure.dataset.replayed = String(replaying.shown);
      draw();
      if (replaying.shown >= steps.length) {
        clearInterval(replaying.timer);
        replaying = undefined;
        figure.dataset.state = frozen ? 'frozen' : 'live';
        if (!frozen) schedule();
      }
    };
    replaying.timer = setInterval(next, pace);
    next();
  };
  replayButton.addEventListener('click', () => replay());

  const api = {
    element: figure,
    log,
    /** Takes one trace step (wiretap.js openTap's onStep); steps of other transports are left out. */
    add(step) {
      const changed = log.add(step);
      if (!changed) return;
      startAt ??= step.at;
      figure.dataset.steps = String(log.steps.length);
      schedule();
    },
    freeze,
    replay,
    get frozen() {
      return frozen;
    },
    clear() {
      log.clear();
      startAt = undefined;
      figure.dataset.steps = '0';
      totals.replaceChildren(t('ladder.waiting'));
      schedule();
    },
    stop() {
      resized.disconnect();
      clearInterval(replaying?.timer);
    },
  };
  ladderOf.set(figure, api);
  return api;
}
