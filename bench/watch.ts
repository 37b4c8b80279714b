/**
 * `npm run watch -- <transport> [since] [base URL] [h1|h2]`: prints the feed as
 * one transport delivers it, through the same Node client the tests and the
 * bench use, over HTTP/1.1 or (with an https URL) HTTP/2. Ctrl-C stops it.
 */
import { parseArgs } from 'node:util';
import { DRIVERS } from '../server/clients/index.ts';
import { TRANSPORT_IDS, type TransportId } from '../server/transports/registry.ts';

const USAGE = `usage: npm run watch -- <${TRANSPORT_IDS.join('|')}> [since] [base URL, default http://127.0.0.1:3000] [h1|h2]`;

/** What to watch, from the command line (node:util's parseArgs reads it), or the sentence that refuses it. */
export function watchOptions(
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
):
  | { help: true }
  | { help: false; id: TransportId; since: number | undefined; baseUrl: string; protocol: 'h1' | 'h2' }
  | { problem: string } {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: { help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals: true });
  } catch (error) {
    return { problem: (error as Error).message.split('. ')[0].replace(/\.$/, '') };
  }
  if (parsed.values.help) return { help: true };
  const [id = 'ws', sinceArg, baseUrl = env.WIRELAB_URL ?? 'http://127.0.0.1:3000', protocol = 'h1', ...extra] = parsed.positionals;
  if (!(TRANSPORT_IDS as readonly string[]).includes(id)) return { problem: `unknown transport ${JSON.stringify(id)}` };
  if (sinceArg !== undefined && !/^\d+$/.test(sinceArg)) {
    return { problem: `since must be a whole number, got ${JSON.stringify(sinceArg)}` };
  }
  if (!/^https?:\/\/[^/]+$/.test(baseUrl)) {
    return { problem: `the base URL is a scheme, host and port such as https://127.0.0.1:3443, got ${JSON.stringify(baseUrl)}` };
  }
  if (protocol !== 'h1' && protocol !== 'h2') return { problem: `the protocol is h1 or h2, got ${JSON.stringify(protocol)}` };
  if (protocol === 'h2' && !baseUrl.startsWith('https:')) {
    return { problem: 'HTTP/2 needs an https:// base URL (the lab speaks it on its TLS port)' };
  }
  if (extra.length) return { problem: `one transport, since, base URL and protocol at most; then ${JSON.stringify(extra.join(' '))}` };
  return { help: false, id: id as TransportId, since: sinceArg === undefined ? undefined : Number(sinceArg), baseUrl, protocol };
}

function main(): void {
  const options = watchOptions(process.argv.slice(2));
  if ('problem' in options) {
    console.error(`${options.problem}\n${USAGE}`);
    process.exit(2);
  }
  if (options.help) {
    console.log(USAGE);
    return;
  }
  const { id, since, baseUrl, protocol } = options;
  // The lab's certificate is self-signed: this client, on the same machine, does not check it.
  const connection = DRIVERS[id]({
    baseUrl,
    protocol,
    since,
    onEvent: (event, receivedAt) => {
      const afterMs = (receivedAt - event.at).toFixed(2);
      console.log(`${id} seq=${event.seq} ${event.type} ${JSON.stringify(event.data)} (${afterMs} ms after publish)`);
    },
    onState: (state, detail) => console.error(`[${id}] ${state}${detail ? `: ${detail}` : ''}`),
    onMessage: (message) => console.error(`[${id}] message: ${JSON.stringify(message)}`),
  });
  process.on('SIGINT', () => void connection.close().then(() => process.exit(0)));
}

// Run as `npm run watch`, not when its test imports it.
if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) main();
