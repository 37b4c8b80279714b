/**
 * The lab's pages and the files behind them.
 *
 * Everything a page loads comes from the lab itself (chart.js included), so the
 * lab works in a classroom with no internet.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { LabContext } from './transports/index.ts';
import { TRANSPORTS } from './transports/index.ts';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const PUBLIC_DIR = path.join(ROOT, 'public');
export const RESULTS_DIR = path.join(ROOT, 'results');

/** chart.js's own folder: its dist files are not in the package's exports, so resolve the package and walk up. */
function chartJsDist(): string {
  const require = createRequire(import.meta.url);
  return path.dirname(require.resolve('chart.js'));
}

export async function registerPages(app: FastifyInstance, ctx: LabContext): Promise<void> {
  // What a page needs to know to reach each transport on its own port (listeners.ts).
  app.get('/lab.json', async (_request, reply) => {
    reply.header('cache-control', 'no-store');
    return { epoch: ctx.feed.epoch, ports: ctx.ports ?? null, heartbeatMs: ctx.config.heartbeatMs };
  });

  // Browser code and styles: /assets/clients/sse.js is public/clients/sse.js.
  await app.register(fastifyStatic, { root: PUBLIC_DIR, prefix: '/assets/', cacheControl: false, setHeaders: noCache });
  // What the bench wrote: /results/latest.json and the per-run files.
  await app.register(fastifyStatic, { root: RESULTS_DIR, prefix: '/results/', decorateReply: false, cacheControl: false, setHeaders: noCache, index: false });
  await app.register(fastifyStatic, { root: chartJsDist(), prefix: '/vendor/chart.js/', decorateReply: false, allowedPath: (p) => p === '/chart.umd.min.js' });

  app.get('/results', async (_request, reply) => reply.type('text/html; charset=utf-8').sendFile('results.html'));

  app.get('/', async (_request, reply) => {
    const rows = TRANSPORTS.map((t) => `<li><a href="/feed/${t.id}?since=0${t.id === 'iframe' ? '&amp;cb=onEvent' : ''}">${t.label}</a> <code>/feed/${t.id}</code></li>`).join('\n');
    reply.type('text/html; charset=utf-8');
    return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Wirelab</title></head><body>
<h1>Wirelab</h1><p>One live feed, five transports.</p><ul>
${rows}
<li><a href="/stats">/stats</a>: wire statistics</li>
<li><a href="/results">/results</a>: the bench's numbers</li></ul></body></html>`;
  });
}

/** The lab changes while students watch: never serve a stale script or result. */
function noCache(reply: FastifyReply): void {
  reply.header('cache-control', 'no-cache');
}
