/**
 * The lab's pages: the index, the lessons, the board, the results page and a
 * source viewer, in the reader's language.
 *
 * Everything a page loads comes from the lab itself (chart.js included), so the
 * lab works in a classroom with no internet.
 */
import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isAsset } from './assets.ts';
import { clusterPageBody } from './cluster-page.ts';
import { sendError } from './errors.ts';
import { type Html, html, joinHtml, trusted } from './html.ts';
import { I18N, type Lang, chooseLang, langCookie } from './i18n.ts';
import { LESSONS, SECTION_IDS, isLessonName, loadLesson } from './lessons.ts';
import { PUBLIC_DIR, RESULTS_DIR, ROOT } from './paths.ts';
import { resultsPage } from './results-page.ts';
import { labAddresses, localise } from './lab-addresses.ts';
import { TRANSPORT_IDS } from './transports/registry.ts';
import type { LabContext } from './context.ts';
import { type PageWire, pageWire, parseAuthority } from './page-wire.ts';

/** chart.js's own folder: its dist files are not in the package's exports, so resolve the package and walk up. */
function chartJsDist(): string {
  const require = createRequire(import.meta.url);
  return path.dirname(require.resolve('chart.js'));
}

/** The reader's language (i18n.ts chooseLang); a `?lang=` is remembered in a cookie. */
export function pickLang(request: FastifyRequest, reply: FastifyReply): Lang {
  const asked = (request.query as Record<string, unknown>).lang;
  const cookie = langCookie(asked);
  if (cookie) reply.header('set-cookie', cookie);
  return chooseLang(asked, request.headers);
}

export interface PageOptions {
  /** The request the page answers: which protocol and port the reader came by. */
  request: FastifyRequest;
  lang: Lang;
  title: string;
  /** The page's path without `lang`, for the language switch. */
  path: string;
  body: Html;
  /** Module scripts under /assets/. */
  scripts?: string[];
  /** Classic scripts the modules need first (chart.js's UMD build), by URL; deferred, so they run before the modules, in order. */
  vendorScripts?: string[];
  /** Style sheets under /assets/ besides style.css. */
  styles?: string[];
  /** Extra data for the page's scripts. */
  data?: Record<string, unknown>;
  ctx: LabContext;
}

/** Every page's frame: navigation, language switch, large-type toggle, config for scripts. */
export function page(options: PageOptions): string {
  const { request, lang, title, path: pagePath, body, scripts = [], vendorScripts = [], styles = [], data = {}, ctx } = options;
  const t = I18N[lang];
  const other: Lang = lang === 'en' ? 'zh' : 'en';
  const wire = pageWire(request, ctx, pagePath);
  const config = {
    lang,
    strings: t,
    ports: wire.ports,
    wire: { protocol: wire.protocol, h1Url: wire.h1Url, h2Url: wire.h2Url, experimentStreams: wire.experimentStreams },
    transports: TRANSPORT_IDS,
    heartbeatMs: ctx.config.heartbeatMs,
    // The ticker's pace: a client that hears no tick for several intervals may assume its stream died.
    tickMs: ctx.config.tickMs,
    // Several processes behind a balancer: a page's wiretap and its connections land on different processes.
    cluster: ctx.config.feedStore !== 'memory',
    ...data,
  };
  // JSON inside <script> must not be able to close it: the same escaping as iframe chunks. It is
  // not HTML-escaped: a script element's text is not parsed for character references.
  const configJson = trusted(JSON.stringify(config).replace(/</g, '\\u003c'));
  const separator = pagePath.includes('?') ? '&' : '?';
  const langHref = `${pagePath + separator}lang=${other}`;
  return html`<!doctype html>
<html lang="${lang === 'zh' ? 'zh-Hans' : 'en'}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Wirelab</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/assets/style.css">
${joinHtml(
  styles.map((s) => html`<link rel="stylesheet" href="/assets/${s}">`),
  '\n',
)}
<script src="/assets/early.js"></script>
</head>
<body>
<a class="skip" href="#main">${t.skip}</a>
<header class="top">
  <a class="brand" href="/">${t.lab}</a>
  <nav aria-label="Wirelab">
    ${navLink('/', t['nav.index'], pagePath)}
    ${navLink('/board', t['nav.board'], pagePath)}
    ${navLink('/results', t['nav.results'], pagePath)}
    ${navLink('/check', t['nav.check'], pagePath)}
  </nav>
  <span class="tools">
    ${wireSwitch(wire, t)}
    <a id="lang-switch" href="${langHref}" hreflang="${other}" title="${t['lang.otherName']}">${t['lang.other']}</a>
    <button type="button" id="large-toggle" aria-pressed="false">${t.large}</button>
  </span>
</header>
<main id="main" tabindex="-1">
${body}
</main>
<script type="application/json" id="wirelab-config">${configJson}</script>
${joinHtml(
  vendorScripts.map((s) => html`<script src="${s}" defer></script>`),
  '\n',
)}
<script type="module" src="/assets/chrome.js"></script>
${joinHtml(
  scripts.map((s) => html`<script type="module" src="/assets/${s}"></script>`),
  '\n',
)}
</body>
</html>`.toString();
}

/** A header link, marked as the page the reader is on when it is. */
function navLink(href: string, text: string, pagePath: string): Html {
  const here = pagePath === href || pagePath.startsWith(`${href}?`);
  return html`<a href="${href}"${here && html` aria-current="page"`}>${text}</a>`;
}

/** The header's HTTP/1.1 | HTTP/2 switch: the same page over the other protocol. */
function wireSwitch(wire: PageWire, t: Record<string, string>): Html | '' {
  if (!wire.h2Url) return '';
  const link = (href: string, label: string, current: boolean, title: string) =>
    html`<a href="${href}"${current && html` aria-current="page"`} title="${title}">${label}</a>`;
  const onH2 = wire.protocol === 'h2';
  const now = html`<span class="wire-now" id="wire-now"></span>`;
  const inside = [link(wire.h1Url, 'HTTP/1.1', !onH2, t['wire.h1.title']), link(wire.h2Url, 'HTTP/2', onH2, t['wire.h2.title']), now];
  return html`<span class="wire-switch" role="group" aria-label="${t['wire.label']}" data-protocol="${wire.protocol}">${inside}</span>`;
}

/** Files the source viewer may show: the lab's own code and lessons, nothing else. */
const CODE_PATH = /^(server|public|bench|lessons)\/[\w./-]+\.(ts|js|json|md|html|css|example)$/;

export async function registerPages(app: FastifyInstance, ctx: LabContext): Promise<void> {
  // Browser code and styles: /assets/clients/sse.js is public/clients/sse.js. Only what assets.ts lists:
  // public/ also holds the page tests, the pages' type declarations and their tsconfig.json.
  await app.register(fastifyStatic, {
    root: PUBLIC_DIR,
    prefix: '/assets/',
    cacheControl: false,
    setHeaders: noCache,
    allowedPath: isAsset,
  });
  // What the bench wrote: /results/latest.json and the per-run files.
  await app.register(fastifyStatic, {
    root: RESULTS_DIR,
    prefix: '/results/',
    decorateReply: false,
    cacheControl: false,
    setHeaders: noCache,
  });
  await app.register(fastifyStatic, {
    root: chartJsDist(),
    prefix: '/vendor/chart.js/',
    decorateReply: false,
    allowedPath: (p) => p === '/chart.umd.min.js',
  });

  // What a page needs to know to reach each transport on its own port (listeners.ts).
  app.get('/lab.json', async (_request, reply) => {
    reply.header('cache-control', 'no-store');
    return { epoch: ctx.feed.epoch, ports: ctx.ports ?? null, heartbeatMs: ctx.config.heartbeatMs };
  });

  app.get('/results', async (request, reply) => {
    const lang = pickLang(request, reply);
    const results = resultsPage(request.query as Record<string, unknown>, lang);
    return reply.type('text/html; charset=utf-8').send(
      page({
        request,
        lang,
        ctx,
        ...results,
        styles: ['results.css'],
        vendorScripts: ['/vendor/chart.js/chart.umd.min.js'],
        scripts: ['results/main.js'],
      }),
    );
  });

  app.get('/', async (request, reply) => {
    const lang = pickLang(request, reply);
    const t = I18N[lang];
    const lessons = LESSONS.map((name) => {
      const lesson = loadLesson(name, lang);
      return html`<li><a href="/lessons/${name}">${lesson.title}</a><p>${lesson.summary}</p></li>`;
    });
    const body = html`<h1>${t.lab}</h1>
<p class="lead">${t['index.lead']}</p>
<ul class="cards">
  <li><a href="/board">${t['index.board']}</a></li>
  <li><a href="/results">${t['index.results']}</a></li>
  <li><a href="/code/server/transports/index.ts">${t['index.code']}</a></li>
</ul>
<h2>${t['index.lessons']}</h2>
<ol class="lessons">${joinHtml(lessons, '\n')}</ol>`;
    return reply.type('text/html; charset=utf-8').send(page({ request, lang, title: t['index.lessons'], path: '/', body, ctx }));
  });

  app.get('/lessons/:name', async (request, reply) => {
    const { name } = request.params as { name: string };
    if (!isLessonName(name)) return sendError(reply, 'not_found', `There is no lesson ${JSON.stringify(name)}; the index at / lists them.`);
    const lang = pickLang(request, reply);
    const t = I18N[lang];
    const lesson = loadLesson(name, lang);
    // The lesson's commands with this lab's real host and ports (lab-addresses.ts): over TLS the
    // page's own ports are the TLS ones, but curl lines name the plain port too.
    const wire = pageWire(request, ctx, `/lessons/${name}`);
    const { name: hostName } = parseAuthority(String(request.headers.host ?? request.headers[':authority'] ?? ''));
    const addresses = labAddresses(hostName, wire.protocol === 'h1' ? wire.ports : (ctx.ports ?? null));
    const index = LESSONS.indexOf(name);
    const prev = LESSONS[index - 1];
    const next = LESSONS[index + 1];
    const pager = html`<nav class="pager" aria-label="${t['lesson.all']}">
  ${prev ? html`<a rel="prev" href="/lessons/${prev}">← ${t[`lesson.${prev}`]}</a>` : html`<span></span>`}
  <a href="/">${t['lesson.all']}</a>
  ${next ? html`<a rel="next" href="/lessons/${next}">${t[`lesson.${next}`]} →</a>` : html`<span></span>`}
</nav>`;
    // The lesson's head, its contents list and its body are the three areas style.css lays out:
    // one column on a phone, the contents in a rail that stays in view on a wide screen.
    // The contents list and the body are the lesson rendered by markdown-it from the lab's own files (lessons.ts).
    const body = html`<article class="lesson" data-lesson="${name}">
<header class="lesson-head">
<p class="crumb">${index + 1} / ${LESSONS.length}</p>
<h1>${lesson.title}</h1>
<p class="summary">${lesson.summary}</p>
</header>
${trusted(lesson.contents)}<div class="lesson-body">
${trusted(localise(lesson.html, addresses))}
</div>
</article>
${pager}`;
    return reply.type('text/html; charset=utf-8').send(
      page({
        request,
        lang,
        title: lesson.title,
        path: `/lessons/${name}`,
        body,
        ctx,
        // The lessons' ladder diagrams (public/ladder.js) are styled by a sheet of their own.
        styles: ['ladder.css'],
        scripts: ['lesson.js'],
        data: { lesson: name, demos: lesson.demos, sections: SECTION_IDS },
      }),
    );
  });

  app.get('/board', async (request, reply) => {
    const lang = pickLang(request, reply);
    const t = I18N[lang];
    const options = (selected: string) =>
      TRANSPORT_IDS.map((id) => html`<option value="${id}"${id === selected && html` selected`}>${t[`label.${id}`]}</option>`);
    // The five panels right under the chat box: their key figures are what a class reads from the
    // back of the room, on screen without scrolling even in large type; the pictures and the
    // two-way comparison follow them.
    const body = html`<h1>${t['board.title']}</h1>
<p class="lead">${t['board.lead']}</p>
<div id="chat-slot"></div>
<div class="panels" id="board">
${joinHtml(
  TRANSPORT_IDS.map((id) => html`<section class="panel-slot" data-transport="${id}"></section>`),
  '\n',
)}
</div>
<form id="compare" class="compare">
  <span>${t['compare.label']}</span>
  <select name="a" aria-label="A">${options('')}</select>
  <select name="b" aria-label="B">${options('long-poll')}</select>
  <button type="submit">${t['compare.go']}</button>
  <button type="button" name="all">${t['compare.all']}</button>
</form>
<div class="board-charts">
  <section id="byte-bars" class="chart" aria-live="off"></section>
  <section id="timeline" class="chart"></section>
</div>`;
    return reply
      .type('text/html; charset=utf-8')
      .send(page({ request, lang, title: t['board.title'], path: '/board', body, ctx, scripts: ['board.js'] }));
  });

  // The cluster's page: served by any lab process, it drives the launcher's control endpoints (cluster-page.ts).
  app.get('/cluster/', async (request, reply) => {
    const lang = pickLang(request, reply);
    const t = I18N[lang];
    return reply
      .type('text/html; charset=utf-8')
      .send(page({ request, lang, title: t['so.page.title'], path: '/cluster/', body: clusterPageBody(t), ctx, scripts: ['cluster.js'] }));
  });

  // The source viewer: "the code, linked, readable whole".
  app.get('/code/*', async (request, reply) => {
    const file = (request.params as { '*': string })['*'];
    if (!CODE_PATH.test(file) || file.includes('..'))
      return sendError(reply, 'not_found', "The source viewer shows the lab's own server/, public/, bench/ and lessons/ files.");
    const full = path.join(ROOT, file);
    try {
      if (!statSync(full).isFile()) throw new Error('not a file');
    } catch {
      return sendError(reply, 'not_found', `There is no file ${file}.`);
    }
    const lang = pickLang(request, reply);
    const source = readFileSync(full, 'utf8');
    const lines = joinHtml(
      source.split('\n').map((line, i) => html`<span id="L${i + 1}" class="line">${line}</span>`),
      '\n',
    );
    const body = html`<h1><code>${file}</code></h1>
<p>${source.split('\n').length} lines</p>
<pre class="source" tabindex="0"><code>${lines}</code></pre>`;
    return reply.type('text/html; charset=utf-8').send(page({ request, lang, title: file, path: `/code/${file}`, body, ctx }));
  });
}

/** The lab changes while students watch: never serve a stale script or result. */
function noCache(reply: FastifyReply): void {
  reply.header('cache-control', 'no-cache');
}
