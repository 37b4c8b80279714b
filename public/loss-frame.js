// The http2 lesson's loss demo opens this page twice, each through one of the lab's
// stall proxies (server/loss-experiment.ts): once before the HTTP/2 port, once before
// the HTTP/1.1-only port. Served from the proxy's origin, the five transports below are
// same-origin requests, all sent with credentials: a browser keeps requests with and
// without credentials on separate connections, so only this way do all five share the
// one HTTP/2 connection a page's own requests would. Each tick's delay goes to the
// lesson page (demos/loss.js), which checks where the message came from.
import { CLIENTS } from './clients/index.js';

const wire = new URLSearchParams(location.search).get('wire');
const ids = Object.keys(CLIENTS);
const clients = ids.map((id) =>
  CLIENTS[id].connect({
    origin: location.origin,
    params: { types: 'tick', client: `loss-${wire}` },
    intervalMs: 100,
    container: document.body,
    onEvent: (event, receivedAt) => {
      if (event.type === 'tick')
        parent.postMessage({ wirelab: 'loss', wire, transport: id, seq: event.seq, delayMs: receivedAt - event.at }, '*');
    },
  }),
);
addEventListener('pagehide', () => {
  for (const client of clients) client.close();
});
