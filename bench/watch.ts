/**
 * `npm run watch -- <transport> [since]`: prints the feed as one transport
 * delivers it, through the same Node client the tests and the bench use.
 * Ctrl-C stops it.
 */
import { DRIVERS } from './drivers/index.ts';
import { TRANSPORT_IDS, type TransportId } from '../server/transports/registry.ts';

const [id = 'ws', sinceArg, baseUrl = process.env.WIRELAB_URL ?? 'http://127.0.0.1:3000'] = process.argv.slice(2);
if (!(TRANSPORT_IDS as readonly string[]).includes(id)) {
  console.error(`usage: npm run watch -- <${TRANSPORT_IDS.join('|')}> [since] [base URL]`);
  process.exit(2);
}
const since = sinceArg === undefined ? undefined : Number(sinceArg);
const connection = DRIVERS[id as TransportId]({
  baseUrl,
  since,
  onEvent: (event, receivedAt) => console.log(`${id} seq=${event.seq} ${event.type} ${JSON.stringify(event.data)} (${(receivedAt - event.at).toFixed(2)} ms after publish)`),
  onState: (state, detail) => console.error(`[${id}] ${state}${detail ? `: ${detail}` : ''}`),
  onMessage: (message) => console.error(`[${id}] message: ${JSON.stringify(message)}`),
});
process.on('SIGINT', () => void connection.close().then(() => process.exit(0)));
