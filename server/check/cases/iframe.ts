/**
 * Hidden-iframe streaming: one HTML document that never finishes loading, each
 * event a `<script>` chunk calling `parent.<cb>(event)`.
 */
import type { CaseContext } from '../context.ts';
import type { HttpResponse } from '../http.ts';
import { IFRAME_CB } from '../feed-reader.ts';
import { bytesBeforeFirstScript, scriptChunks } from '../iframe-parser.ts';
import { type CaseDef, fail, nonStrict, pass } from '../types.ts';
import type { FeedEventLike } from '../ws-conn.ts';
import { commonCases } from './common.ts';
import { badSinceCase, cachingOutcome, codedErrorOutcome } from './http-checks.ts';

/** What browsers buffered before rendering a document: sockjs-node pads its htmlfile transport to 1 KiB for Safari and old Chrome. */
const PADDING_BYTES = 1024;

async function open(c: CaseContext, query: string): Promise<HttpResponse> {
  return c.get(`/feed/iframe?cb=${IFRAME_CB}${query}`);
}

const text = (response: HttpResponse) => response.text();
const eventWith = (response: HttpResponse, chat: string) =>
  scriptChunks(text(response)).find((s) => (s.value as FeedEventLike | undefined)?.data?.text === chat);

export const iframeCases: CaseDef[] = [
  {
    id: 'iframe.head',
    transport: 'iframe',
    title: 'chunked text/html that stays open',
    section: 'contract: five transports; RFC 9112 §7.1',
    async run(c) {
      const response = await open(c, '');
      if (response.status !== 200) return fail(`answered ${response.status}, not 200`);
      const type = response.headers['content-type'] ?? '';
      if (!/^text\/html\b/i.test(type))
        return fail(`Content-Type is ${JSON.stringify(type || null)}: an iframe runs scripts only in an HTML document`);
      if (c.protocol !== 'h2' && !response.chunked)
        return fail(
          `no Transfer-Encoding: chunked${
            response.headers['content-length']
              ? ` (Content-Length ${response.headers['content-length']}: a document of known length cannot stream)`
              : ''
          }`,
        );
      if (await response.end(500)) return fail('the response ended at once instead of streaming');
      return pass(`200, ${type}${c.protocol === 'h2' ? ' (HTTP/2 DATA frames instead of chunks)' : ', chunked'}, still open`);
    },
  },
  {
    id: 'iframe.padding',
    transport: 'iframe',
    title: 'about 1 KiB of padding before the first script',
    section: "de facto: browsers buffer a document's start",
    async run(c) {
      const seq = await c.publish(c.nonce('pad'));
      const response = await open(c, `&since=${seq - 1}`);
      if (!(await response.until(() => /<script\b/i.test(text(response)), 2000))) return fail('no <script> came within 2 s');
      const bytes = bytesBeforeFirstScript(text(response));
      if (bytes >= PADDING_BYTES) return pass(`${bytes} bytes before the first <script>`);
      return nonStrict(
        `only ${bytes} bytes before the first <script>: Safari and old Chrome waited for 1 KiB (IE for 256 B) before running anything`,
      );
    },
  },
  {
    id: 'iframe.scripts',
    transport: 'iframe',
    title: 'each event is a script chunk calling parent.cb(event)',
    section: 'contract: five transports',
    async run(c) {
      const seq = await c.publish(c.nonce('before'));
      const response = await open(c, `&since=${seq}`);
      const chat = c.nonce('script');
      await c.publish(chat);
      if (!(await response.until(() => !!eventWith(response, chat), 2000))) {
        const broken = scriptChunks(text(response)).find((s) => s.problem);
        return fail(
          broken
            ? `a script chunk is ${broken.problem}: ${JSON.stringify(broken.content.slice(0, 80))}`
            : 'the event did not arrive as a script within 2 s (buffered, or not a parent.onEvent(...) call)',
        );
      }
      const chunk = eventWith(response, chat)!;
      if (chunk.callback !== IFRAME_CB) return fail(`the script calls parent.${chunk.callback}, not the cb asked for (${IFRAME_CB})`);
      if (c.protocol !== 'h2') {
        const piece = response.pieces.find((p) => p.bytes.toString('utf8').includes(chat));
        if (piece && !/^\s*<script\b/i.test(piece.bytes.toString('utf8')))
          return nonStrict("the event's script shares a chunk with other markup; one chunk per event lets each run on arrival");
      }
      return pass(`<script>parent.${IFRAME_CB}(…)</script> arrived while the document stayed open`);
    },
  },
  {
    id: 'iframe.bad-callback',
    transport: 'iframe',
    title: 'a hostile callback name is refused',
    section: 'contract: five transports',
    async run(c) {
      const response = await c.get(`/feed/iframe?since=0&cb=${encodeURIComponent('alert(document.domain)//')}`);
      await response.end(1000);
      if (response.status === 200)
        return fail(
          'cb=alert(document.domain)// was accepted: the server pastes the name into script, so any page could run code in the iframe',
        );
      return codedErrorOutcome(response, 400, 'bad_callback', 'cb=alert(document.domain)//');
    },
  },
  {
    id: 'iframe.missing-callback',
    transport: 'iframe',
    title: 'a missing callback name is a 400',
    section: 'contract: five transports',
    async run(c) {
      const response = await c.get('/feed/iframe?since=0');
      await response.end(1000);
      return codedErrorOutcome(response, 400, 'bad_callback', 'no cb');
    },
  },
  {
    id: 'iframe.inert',
    transport: 'iframe',
    title: 'chat text with </script>, <!-- and U+2028 stays inert',
    section: 'HTML §4.12.1.3',
    async run(c) {
      const chat = `${c.nonce('inert')} </script><script>parent.pwned=1</script> <!-- \u2028 \u2029 end`;
      const seq = await c.publish(chat);
      const response = await open(c, `&since=${seq - 1}`);
      await response.until(() => !!eventWith(response, chat) || text(response).includes('pwned'), 2000);
      const chunks = scriptChunks(text(response));
      if (chunks.some((s) => s.content.trim().startsWith('parent.pwned')))
        return fail("the chat text closed the script and opened one of its own: any user can run code in every reader's page");
      const mine = eventWith(response, chat);
      if (!mine) return fail(`event ${seq} did not arrive as one intact script: its </script> or <!-- broke it`);
      if (/<!--|<script/i.test(mine.content))
        return fail('the script carries <!-- or <script raw, which switch the HTML tokenizer into its escaped states');
      if (/[\u2028\u2029]/.test(mine.content))
        return nonStrict('U+2028/U+2029 sent raw: line terminators inside strings for JavaScript before ES2019');
      return pass('the text came back exact, every < > and line separator escaped');
    },
  },
  {
    id: 'iframe.keep-alive',
    transport: 'iframe',
    title: 'keep-alive chunks at least every stated interval',
    section: 'de facto: idle proxies cut quiet connections',
    timeoutMs: (options) => Math.round(options.heartbeatMs * 1.5) + 5000,
    async run(c) {
      const boundMs = Math.round(c.target.options.heartbeatMs * 1.5) + 1000;
      const response = await open(c, '');
      const prefix = () => response.pieces.slice(1).some((p) => !/<script\b/i.test(p.bytes.toString('utf8')));
      if (await response.until(prefix, boundMs)) return pass('a chunk that carries no event came within the interval');
      if (response.ended) return fail('the stream ended before any keep-alive');
      return nonStrict(`no keep-alive chunk within ${boundMs} ms (--heartbeat-ms ${c.target.options.heartbeatMs})`);
    },
  },
  {
    id: 'iframe.no-cache',
    transport: 'iframe',
    title: 'the stream is not cacheable',
    section: 'RFC 9111 §5.2.2',
    async run(c) {
      return cachingOutcome(await open(c, ''));
    },
  },
  badSinceCase('iframe', `&cb=${IFRAME_CB}`),
  ...commonCases('iframe'),
];
