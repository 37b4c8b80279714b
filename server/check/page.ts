/**
 * The checker in the browser: `/check` (a form; the cases fill in live, each
 * with its explanation), `/check/run` (the run itself, as Server-Sent Events) and
 * `/check/<name>.html` (a saved report inside the lab's page frame).
 *
 * The lab only ever checks servers on this machine (loopback) or in CHECK_HOSTS:
 * a page that made it probe any URL would be an open proxy. One run at a time.
 */
import { existsSync, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { LabContext } from '../context.ts';
import { sendError } from '../errors.ts';
import { html } from '../html.ts';
import { I18N } from '../i18n.ts';
import { page, pickLang } from '../pages.ts';
import { CHECK_DIR, reportName, saveReport } from './cli.ts';
import { explain } from './explain.ts';
import { reportSection } from './report-html.ts';
import { runCheck } from './runner.ts';
import { TargetError, parseTargetUrl } from './target.ts';
import { type CheckReport, TRANSPORTS, type TransportId } from './types.ts';

/** Whether the page may check `host`: loopback (127.0.0.0/8, ::1, localhost) or a host the lab's settings allow. */
export function checkable(host: string, allowed: readonly string[]): boolean {
  const name = host.toLowerCase().replace(/^\[|\]$/g, '');
  if (name === 'localhost' || name === '::1' || (net.isIPv4(name) && name.startsWith('127.'))) return true;
  return allowed.includes(name);
}

let running = false;

export async function registerCheckPages(app: FastifyInstance, ctx: LabContext): Promise<void> {
  app.get('/check', async (request, reply) => {
    const lang = pickLang(request, reply);
    const t = I18N[lang];
    const body = html`<h1>${t['check.title']}</h1>
<p class="lead">${t['check.lead']}</p>
<div class="demo" id="check"></div>
<p>${t['check.cli']} <code>npm run check -- http://127.0.0.1:3100</code></p>`;
    return reply
      .type('text/html; charset=utf-8')
      .send(page({ request, lang, title: t['check.title'], path: '/check', body, ctx, scripts: ['check-page.js'] }));
  });

  /** The URL asked for, if the page may check it; otherwise the coded refusal is sent. */
  const targetOf = (query: Record<string, string | undefined>, reply: FastifyReply): string | undefined => {
    let endpoint;
    try {
      endpoint = parseTargetUrl(query.url ?? '').endpoint;
    } catch (error) {
      sendError(reply, 'bad_request', error instanceof TargetError ? error.message : 'Give the URL of a server.');
      return undefined;
    }
    if (!checkable(endpoint.host, ctx.config.checkHosts)) {
      sendError(
        reply,
        'check_refused',
        `${endpoint.host} is not on this machine: the lab checks loopback servers only, and hosts listed in CHECK_HOSTS.`,
      );
      return undefined;
    }
    if (running) {
      sendError(reply, 'check_busy');
      return undefined;
    }
    return query.url;
  };

  // Asked first by the page: an EventSource cannot read a refusal's body.
  app.get('/check/target', async (request, reply) => {
    const url = targetOf(request.query as Record<string, string | undefined>, reply);
    if (url) return reply.header('cache-control', 'no-store').send({ url });
  });

  app.get('/check/run', { exposeHeadRoute: false }, async (request, reply) => {
    const query = request.query as Record<string, string | undefined>;
    const lang = pickLang(request, reply);
    if (!targetOf(query, reply)) return reply;
    const only = (query.only ?? TRANSPORTS.join(','))
      .split(',')
      .filter((id): id is TransportId => (TRANSPORTS as readonly string[]).includes(id));
    const heartbeatMs = query.heartbeatMs && /^\d{3,5}$/.test(query.heartbeatMs) ? Number(query.heartbeatMs) : undefined;
    running = true;
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', 'x-accel-buffering': 'no' });
    const send = (event: string, data: unknown) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    const stop = new AbortController();
    res.on('close', () => stop.abort());
    let report: CheckReport | undefined;
    try {
      report = await runCheck(query.url!, {
        only,
        heartbeatMs,
        signal: stop.signal,
        onStart: (target, cases) =>
          send('start', {
            protocol: target?.protocol ?? null,
            cases: cases.map((c) => ({ id: c.id, transport: c.transport, title: c.title, section: c.section, ...explain(c.id, lang) })),
          }),
        onCase: (result) => send('case', result),
      });
    } finally {
      running = false;
    }
    const name = `page-${reportName(query.url!)}`;
    if (!stop.signal.aborted) saveReport(report, name);
    send('done', { counts: report.counts, durationMs: report.durationMs, report: `/check/${name}.html` });
    res.end();
  });

  app.get('/check/:file', async (request, reply) => {
    const { file } = request.params as { file: string };
    const name = /^([\w.-]{1,100})\.html$/.exec(file)?.[1];
    const json = name && path.join(CHECK_DIR, `${name}.json`);
    if (!json || !existsSync(json))
      return sendError(
        reply,
        'not_found',
        `There is no check report ${JSON.stringify(file)}; npm run check writes them to results/check/.`,
      );
    const report = JSON.parse(readFileSync(json, 'utf8')) as CheckReport;
    const lang = pickLang(request, reply);
    const t = I18N[lang];
    const body = html`<h1>${t['check.reportTitle']}: ${name}</h1>\n${reportSection(report, lang)}`;
    return reply
      .type('text/html; charset=utf-8')
      .send(page({ request, lang, title: `${t['check.reportTitle']}: ${name}`, path: `/check/${file}`, body, ctx }));
  });
}
