/**
 * `npm run watch -- <transport> [since] [base URL] [h1|h2]`: prints the feed as
 * one transport delivers it, through the same Node client the tests and the
 * bench use, over HTTP/1.1 or (with an https URL) HTTP/2. Ctrl-C stops it.
 */
import { DRIVERS } from '../server/clients/index.ts';
import { TRANSPORT_IDS, type TransportId } from '../server/transports/registry.ts';

const USAGE = `usage: npm run watch -- <${TRANSPORT_IDS.join('|')}> [since] [base URL, default http://127.0.0.1:3000] [h1|h2]`;
const [id = 'ws', sinceArg, baseUrl = process.env.WIRELAB_URL ?? 'http://127.0.0.1:3000', protocol = 'h1'] = process.argv.slice(2);
const fail = (why: string) => {
  console.error(`${why}\n${USAGE}`);
  process.exit(2);
};
if (!(TRANSPORT_IDS as readonly string[]).includes(id)) fail(`unknown transport ${JSON.stringify(id)}`);
if (sinceArg !== undefined && !/^\d+$/.test(sinceArg)) fail(`since must be a whole number, got ${JSON.stringify(sinceArg)}`);
if (!/^https?:\/\/[^/]+$/.test(baseUrl)) fail(`the base URL is a scheme, host and port such as https://127.0.0.1:3443, got ${JSON.stringify(baseUrl)}`);
if (protocol !== 'h1' && protocol !== 'h2') fail(`the protocol is h1 or h2, got ${JSON.stringify(protocol)}`);
if (protocol === 'h2' && !baseUrl.startsWith('https:')) fail('HTTP/2 needs an https:// base URL (the lab speaks it on its TLS port)');
const since = sinceArg === undefined ? undefined : Number(sinceArg);
// The lab's certificate is self-signed: this client, on the same machine, does not check it.
const connection = DRIVERS[id as TransportId]({
  baseUrl,
  protocol: protocol as 'h1' | 'h2',
  since,
  onEvent: (event, receivedAt) => console.log(`${id} seq=${event.seq} ${event.type} ${JSON.stringify(event.data)} (${(receivedAt - event.at).toFixed(2)} ms after publish)`),
  onState: (state, detail) => console.error(`[${id}] ${state}${detail ? `: ${detail}` : ''}`),
  onMessage: (message) => console.error(`[${id}] message: ${JSON.stringify(message)}`),
});
process.on('SIGINT', () => void connection.close().then(() => process.exit(0)));
