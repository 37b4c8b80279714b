/**
 * The lab's pages. For now the index lists what the lab serves; lessons, the
 * board and the results page hang off this module.
 */
import type { FastifyInstance } from 'fastify';
import type { LabContext } from './transports/index.ts';
import { TRANSPORTS } from './transports/index.ts';

export async function registerPages(app: FastifyInstance, _ctx: LabContext): Promise<void> {
  app.get('/', async (_request, reply) => {
    const rows = TRANSPORTS.map((t) => `<li><a href="/feed/${t.id}?since=0${t.id === 'iframe' ? '&amp;cb=onEvent' : ''}">${t.label}</a> <code>/feed/${t.id}</code></li>`).join('\n');
    reply.type('text/html; charset=utf-8');
    return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Wirelab</title></head><body>
<h1>Wirelab</h1><p>One live feed, five transports.</p><ul>
${rows}
<li><a href="/stats">/stats</a>: wire statistics</li></ul></body></html>`;
  });
}
