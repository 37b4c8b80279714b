/**
 * `npm run bench:heads`: recaptures Chromium's request heads into
 * bench/browser-heads.json, the fallback a run uses when Chromium cannot start:
 * the HTTP/1.1 heads (browser-heads.ts, a server that records raw heads) and the
 * HTTP/2 ones (browser-h2.ts, against a lab started here with its TLS ports).
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { build, listen } from '../server/app.ts';
import { configWith } from '../server/config.ts';
import { captureH2Heads } from './browser-h2.ts';
import { COMMITTED_HEADS, captureHeads } from './browser-heads.ts';
import { launchChromium } from './chromium.ts';

/** Requests of each kind in the committed HTTP/2 capture: a first one and nine repeated. */
const H2_REQUESTS = 10;

/** Captures both and writes bench/browser-heads.json: one header per line, so a diff reads like two heads. */
async function refreshCommittedHeads(): Promise<void> {
  const lab = await build(configWith({ tickMs: 0, chatRate: 0, extraPorts: false, tlsPort: 0 }));
  const ports = await listen(lab, '127.0.0.1', 0);
  if (!ports.tls || !lab.ctx.certificate) throw new Error('the lab did not open its TLS ports');
  const browser = await launchChromium(lab.ctx.certificate.spkiSha256);
  try {
    const h1 = await captureHeads(30_000, browser);
    const h2 = await captureH2Heads(
      browser,
      {
        origin: `https://127.0.0.1:${ports.tls.main}`,
        stats: async () => ({ transports: lab.ctx.stats.snapshot(), tls: lab.ctx.stats.tls.snapshot(), lastSeq: lab.ctx.feed.lastSeq }),
        publish: async (count) => {
          for (let i = 0; i < count; i++) lab.ctx.feed.publish('bench', { t: 'capture' });
        },
      },
      H2_REQUESTS,
    );
    const { source: _source, ...rest } = h1;
    const { source: _source2, ...h2rest } = h2;
    // One header per line, so a diff of two captures reads like two request heads.
    const text = JSON.stringify({ ...rest, h2: h2rest }, null, 2)
      .replace(/\[\n\s+("(?:[^"\\]|\\.)*"),\n\s+("(?:[^"\\]|\\.)*")\n\s+\]/g, '[$1, $2]')
      .replace(/\[\n\s+(\d+(?:,\n\s+\d+)*)\n\s+\]/g, (_all, list: string) => `[${list.split(/,\n\s+/).join(', ')}]`);
    writeFileSync(COMMITTED_HEADS, `${text}\n`);
    for (const [kind, head] of Object.entries(h1.heads))
      console.log(`HTTP/1.1 ${kind.padEnd(10)} ${String(head.bytes).padStart(4)} B  ${head.requestLine}`);
    for (const [kind, head] of Object.entries(h2.heads))
      console.log(
        `HTTP/2   ${kind.padEnd(10)} first ${String(head.firstBytes).padStart(4)} B, ` +
          `repeated ${String(head.repeatedBytes).padStart(4)} B (${head.protocol})`,
      );
    console.log(`wrote ${path.relative(process.cwd(), COMMITTED_HEADS)} (${h1.browser})`);
  } finally {
    await browser.close();
    await lab.app.close();
  }
}

await refreshCommittedHeads().catch((error) => {
  console.error('bench:heads failed:', error);
  process.exitCode = 1;
});
