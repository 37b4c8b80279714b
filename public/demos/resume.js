// The scale-out lesson's picture ([[demo:resume]]): one WebSocket client losing its
// connection and resuming from its cursor, drawn from the lab's trace of it (server/trace.ts).
//
// Through `npm run cluster`: the process holding the connection is killed (the launcher's
// Kill, SIGKILL), the client reconnects through nginx with `since` and lands on another
// process. The page's tap sits on one process; the steps of connections served by the
// others reach it through Redis (server/redis/trace-relay.ts), each naming its process,
// so each process has a lane. The stream is placed on a process other than the tap's
// first (a reconnect or two through the round robin), since killing the tap's own
// process would take the picture with it.
// On a single lab (npm start) there is no other process: the page has the lab cut the
// connection with no goodbye, as a dying process would, and the client comes back to the
// same process with its cursor. The picture says which of the two it shows.
import { CLIENTS } from '../clients/index.js';
import { config, feedLastSeq, h, originFor, t } from '../lab.js';
import { mountLadder } from '../ladder.js';
import { preciseNow } from '../ladder-steps.js';
import { openTap } from '../wiretap.js';

const TRANSPORT = 'ws';
/** Reconnects allowed to place the stream on a process other than the tap's (round robin: one is usually enough). */
const PLACEMENT_TRIES = 8;

/**
 * Its tap sees the stream's connection whichever process serves it (in a cluster, steps of a
 * connection served by another process reach the tap through Redis), so lesson.js keeps it on.
 */
export const readsOwnBytes = false;

export function mount(element) {
  const status = h('p', { role: 'status', 'data-field': 'resume-status' }, t('resume.opening'));
  const act = h(
    'button',
    { type: 'button', 'data-action': 'cut', disabled: true },
    config.cluster ? t('resume.kill', { process: '…' }) : t('resume.cut'),
  );
  // In a cluster, a stream that landed on the tap's own process is moved off it before the next kill.
  const move = h('button', { type: 'button', 'data-action': 'move', hidden: true }, t('resume.move'));
  const slot = h('div');
  element.append(h('p', {}, t(config.cluster ? 'resume.leadCluster' : 'resume.leadSingle')), h('p', {}, act, ' ', move), status, slot);
  const ladder = mountLadder(slot, { transport: TRANSPORT, title: t('resume.title'), rows: 14 });
  element.dataset.state = 'opening';

  /** The process serving the stream now (cluster), and what the page knew when the connection was lost. */
  let serving;
  let lost;
  let connection;
  let placements = 0;
  /** The id the lab minted for this page's tap, sent with every request of the stream. */
  let client;

  const tap = openTap(
    () => {},
    (step) => ladder.add(step),
    () => {
      element.dataset.state = 'tap-lost';
      status.textContent = t('resume.tapLost');
      act.disabled = true;
    },
  );

  /**
   * Opens the stream from the feed's last seq. A stream placed again (it had landed on the
   * tap's process) stays in the picture: every arrow is drawn, so that they add up to /stats.
   */
  const start = async () => {
    connection?.close();
    serving = undefined;
    lost = undefined;
    const since = await feedLastSeq();
    connection = CLIENTS[TRANSPORT].connect({
      origin: config.cluster ? location.origin : originFor(TRANSPORT),
      since,
      params: { client },
      onEvent: (event) => onEvent(event),
      onMessage: (/** @type {any} */ message) => {
        if (message?.type === 'process') onProcess(message.process);
      },
      onState: (state) => {
        if (state === 'open' && !config.cluster && element.dataset.state === 'opening') ready();
      },
    });
  };

  const ready = () => {
    element.dataset.state = 'ready';
    element.dataset.process = serving ?? '';
    element.dataset.tap = tap.process ?? '';
    act.disabled = false;
    if (config.cluster) act.textContent = t('resume.kill', { process: serving });
    status.textContent = t(config.cluster ? 'resume.readyCluster' : 'resume.readySingle', { process: serving, tap: tap.process });
  };

  /** In a cluster the stream names its process first: placed away from the tap's, or moved after a kill. */
  const onProcess = (name) => {
    serving = name;
    if (lost) {
      lost.to = name;
      // Resumed, then moved again (a reconnect that landed elsewhere, a process restarting): the controls follow the stream.
      if (lost.resumed !== undefined) {
        Object.assign(element.dataset, { to: name, process: name });
        placeControls(config.lang === 'zh' ? '' : ' ');
      }
      return;
    }
    if (element.dataset.state !== 'opening') return;
    if (name === tap.process && placements++ < PLACEMENT_TRIES) {
      start();
      return;
    }
    ready();
  };

  /** The first event after the loss says where the client resumed: the seq it asked after, the seq it got. */
  const onEvent = (event) => {
    if (!lost || lost.resumed !== undefined) return;
    lost.resumed = event.seq;
    // A gap event names what the feed no longer kept; a jump past the cursor would be a loss the feed did not name.
    const gap =
      event.type === 'gap'
        ? `${event.data.from}–${event.data.to}`
        : event.seq === lost.since + 1
          ? ''
          : `${lost.since + 1}–${event.seq - 1}`;
    Object.assign(element.dataset, {
      state: 'resumed',
      since: String(lost.since),
      resumedSeq: String(event.seq),
      gap: gap || 'none',
      from: lost.from ?? '',
      to: lost.to ?? serving ?? '',
      process: serving ?? '',
    });
    const where = config.cluster ? t('resume.moved', { from: lost.from, to: lost.to ?? serving }) : t('resume.same');
    // Sentences follow one another with a space in English, without one in Chinese.
    const space = config.lang === 'zh' ? '' : ' ';
    status.textContent = `${where}${space}${t(gap ? 'resume.gap' : 'resume.noGap', { since: lost.since, seq: event.seq, gap })}`;
    placeControls(space);
  };

  /** Kill, or Move when the stream sits on the tap's own process: killing that would end the picture with it. */
  const placeControls = (space) => {
    act.disabled = config.cluster && serving === tap.process;
    move.hidden = !act.disabled;
    if (act.disabled) status.textContent += `${space}${t('resume.onTapProcess', { process: serving })}`;
    if (config.cluster) act.textContent = t('resume.kill', { process: serving });
  };

  /** A line across the picture where the page lost the connection: what it did, when. */
  const mark = (label, process) =>
    ladder.add({
      type: 'step',
      transport: TRANSPORT,
      protocol: 'h1',
      connection: 0,
      process,
      dir: 'out',
      at: preciseNow(),
      what: 'mark',
      label,
      head: 0,
      framing: 0,
      payload: 0,
    });

  act.addEventListener('click', async () => {
    act.disabled = true;
    lost = { since: connection.cursor.lastSeq ?? 0, from: serving };
    element.dataset.state = 'lost';
    if (!config.cluster) {
      mark(t('resume.cutMark'), undefined);
      tap.cut();
      status.textContent = t('resume.waiting', { since: lost.since });
      return;
    }
    try {
      // The control token the /cluster/ page kept from the address the launcher printed (public/cluster.js).
      const token = localStorage.getItem('wirelab.clusterToken');
      const response = await fetch(`/cluster/processes/${encodeURIComponent(serving)}/kill`, {
        method: 'POST',
        cache: 'no-store',
        headers: token ? { authorization: `Bearer ${token}` } : {},
      });
      const answer = await response.json();
      if (!response.ok) throw new Error(answer.error?.message ?? `HTTP ${response.status}`);
      mark(t('resume.killMark', { process: lost.from, pid: answer.pid }), lost.from);
      status.textContent = t('resume.waiting', { since: lost.since });
    } catch (error) {
      lost = undefined;
      element.dataset.state = 'ready';
      status.textContent = t('resume.killFailed', { error: error.message });
      act.disabled = false;
    }
  });

  move.addEventListener('click', () => {
    move.hidden = true;
    placements = 0;
    element.dataset.state = 'opening';
    status.textContent = t('resume.opening');
    start();
  });

  tap.ready.then((minted) => {
    client = minted;
    if (!client) {
      element.dataset.state = 'no-tap';
      status.textContent = t('ladder.noTap');
      return;
    }
    start();
  });
}
