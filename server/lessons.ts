/**
 * Lesson pages: Markdown in lessons/<lang>/<name>.md, rendered on request.
 *
 * No build step: a teacher edits a file and reloads. Raw HTML in lessons is off,
 * so a lesson can only add demos through `[[demo:<name>]]` lines, which become
 * mount points for public/lesson.js.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import MarkdownIt from 'markdown-it';
import { type FigureTable, PLACEHOLDER, loadFigures } from './figures.ts';
import { type Html, html, joinHtml } from './html.ts';
import { LANGS, type Lang } from './i18n.ts';
import { ROOT } from './paths.ts';

export { LANGS, type Lang };

/** The lessons in reading order; each exists in every language. */
export const LESSONS = [
  'intro',
  'short-poll',
  'long-poll',
  'iframe',
  'sse',
  'ws',
  'handshake',
  'frames',
  'heartbeats',
  'security',
  'http2',
  'comparison',
  'scale-out',
  'build-your-own',
] as const;
export type LessonName = (typeof LESSONS)[number];

/**
 * The six sections every lesson has, per language. They get
 * the same ids in both languages, so the language switch can keep the reader's place.
 */
export const SECTIONS: Record<Lang, string[]> = {
  en: [
    'Open side by side',
    'What to watch',
    'The code',
    'Try it on the wire',
    'How it differs from the previous one',
    'Questions to think about',
  ],
  zh: ['并排打开', '观察什么', '代码', '动手实验', '与上一课的区别', '思考题'],
};
export const SECTION_IDS = ['open', 'watch', 'code', 'try', 'differs', 'questions'];

export interface Lesson {
  name: LessonName;
  lang: Lang;
  title: string;
  summary: string;
  html: string;
  /** The demos the lesson embeds, in order. */
  demos: string[];
  /** The figure names the lesson quotes (summary and body), in order of first use. */
  figures: string[];
  /** Placeholders that could not be filled, each with the reason; the page marks them. */
  missingFigures: { name: string; reason: string }[];
  /** The lesson's contents list (its sections and their subsections, linked), as HTML. */
  contents: string;
}

/** One heading of a lesson, as its contents list names it. */
interface Heading {
  level: number;
  id: string;
  /** The heading's text as HTML (inline code kept), figures still marked. */
  html: string;
}

const markdown = new MarkdownIt({ html: false, linkify: false, typographer: false });

interface RenderEnv {
  lang: Lang;
  count: number;
  headings: Heading[];
}

// Headings get stable ids: the six standard sections by meaning, others by position. The
// sections (h2) and their subsections (h3) are noted for the contents list.
markdown.renderer.rules.heading_open = (tokens, index, options, rawEnv, self) => {
  const env = rawEnv as unknown as RenderEnv;
  const token = tokens[index];
  const inline = tokens[index + 1];
  const text = inline?.content ?? '';
  const standard = SECTIONS[env.lang].indexOf(text);
  const id = standard >= 0 ? SECTION_IDS[standard] : `s${++env.count}`;
  token.attrSet('id', id);
  const level = Number(token.tag.slice(1));
  if (level === 2 || level === 3) {
    env.headings.push({ level, id, html: markdown.renderer.renderInline(inline?.children ?? [], options, rawEnv) });
  }
  return self.renderToken(tokens, index, options);
};

const CONTENTS_LABEL: Record<Lang, string> = { en: 'On this page', zh: '本页内容' };

/**
 * The contents list: every section, its subsections under it, and the list of figures when
 * the page has one. A wide screen keeps it in view beside the text (style.css).
 */
function contentsList(headings: Heading[], lang: Lang, figuresTitle: string | undefined): string {
  const items: string[] = [];
  let open = false;
  for (const heading of headings) {
    const link = `<a href="#${heading.id}">${heading.html}</a>`;
    if (heading.level === 3 && items.length > 0) {
      items.push(`${open ? '' : '<ol>'}<li>${link}</li>`);
      open = true;
      continue;
    }
    if (open) items.push('</ol>');
    open = false;
    items.push(`${items.length > 0 ? '</li>' : ''}<li>${link}`);
  }
  if (open) items.push('</ol>');
  if (items.length > 0) items.push('</li>');
  if (figuresTitle) items.push(`<li><a href="#figures">${figuresTitle}</a></li>`);
  return `<nav class="contents" aria-label="${CONTENTS_LABEL[lang]}">
<p class="contents-title">${CONTENTS_LABEL[lang]}</p>
<ol>${items.join('')}</ol>
</nav>
`;
}

const DEMO_LINE = /^<p>\[\[demo:([a-z][a-z0-9-]*)\]\]<\/p>$/gm;
/**
 * A timeline figure: `[[timeline]]`, a caption paragraph, an ordered list of steps, `[[/timeline]]`,
 * each on lines of their own. The steps are the figure's text, so a screen reader reads the
 * same timeline a sighted reader sees (style.css draws the line and its marks).
 */
const TIMELINE = /^<p>\[\[timeline\]\]<\/p>\n<p>([\s\S]*?)<\/p>\n(<ol>[\s\S]*?<\/ol>)\n<p>\[\[\/timeline\]\]<\/p>$/gm;
/** `[[lessons]]` on a line of its own: every lesson in reading order, linked, with its title in the page's language. */
const LESSON_LIST_LINE = /^<p>\[\[lessons\]\]<\/p>$/gm;

/** A lesson's title from its front matter, without rendering it (the list above names every lesson). */
function titleOf(name: LessonName, lang: Lang): string {
  const source = readFileSync(path.join(ROOT, 'lessons', lang, `${name}.md`), 'utf8');
  return /^---\n[\s\S]*?^title:(.*)$[\s\S]*?\n---\n/m.exec(source)?.[1].trim() || name;
}

/** The list `[[lessons]]` stands for, taken from LESSONS so that a new lesson appears in it by itself. */
export function lessonList(lang: Lang): string {
  const items = LESSONS.map((name) => html`<li><a href="/lessons/${name}">${titleOf(name, lang)}</a></li>`);
  return html`<ol class="lesson-list">\n${joinHtml(items, '\n')}\n</ol>`.toString();
}

/**
 * Placeholders travel through markdown-it as `\uE000<n>\uE001` (private-use
 * characters around the placeholder's index), which no Markdown rule touches, and
 * become HTML after rendering: a figure can sit in prose, a table or a code sample.
 */
const MARK = /\uE000(\d+)\uE001/g;
/** Anything that starts like a placeholder but is not one (a typo such as `{{fig:name}`). */
const BROKEN_PLACEHOLDER = /\{\{\s*fig\s*:/;

const FOOTNOTE: Record<Lang, { title: string; intro: (file: string, run: string) => Html; figure: string; value: string; path: string }> = {
  en: {
    title: 'Where the figures on this page come from',
    intro: (file, run) =>
      joinHtml(
        [
          html`Every measured figure on this page is read from <code>${file}</code> (run <code>${run}</code>) when the page is served; `,
          html`hover a figure to see its path. <code>npm run bench</code> rewrites that file with your machine's numbers, `,
          html`and <a href="/results">/results</a> draws it.`,
        ],
        '',
      ),
    figure: 'Figure',
    value: 'Value',
    path: 'JSON path',
  },
  zh: {
    title: '本页数字的出处',
    intro: (file, run) =>
      joinHtml(
        [
          html`本页的每个实测数字都在页面生成时从 <code>${file}</code>（运行 <code>${run}</code>）读出；把鼠标停在数字上可以看到它的路径。`,
          html`运行 <code>npm run bench</code> 会用你机器上的数字改写这个文件，<a href="/results">/results</a> 把它画成图表。`,
        ],
        '',
      ),
    figure: '数字',
    value: '值',
    path: 'JSON 路径',
  },
};

/** Fills figures into a lesson: collects the names used and those that could not be filled. */
class FigureFiller {
  readonly used: string[] = [];
  readonly missing: { name: string; reason: string }[] = [];
  private readonly marks: string[] = [];

  constructor(private readonly table: FigureTable) {}

  private note(name: string): string | undefined {
    if (!this.used.includes(name)) this.used.push(name);
    if (this.table.figures.has(name)) return undefined;
    const reason = this.table.unavailable.get(name) ?? `no figure is named ${JSON.stringify(name)} (server/figures.json lists them)`;
    if (!this.missing.some((m) => m.name === name)) this.missing.push({ name, reason });
    return reason;
  }

  /** Plain text (the summary): the figure's text, or a visible marker. */
  text(source: string): string {
    const filled = source.replace(PLACEHOLDER, (_all, raw: string) => {
      const name = raw.trim();
      return this.note(name) === undefined ? this.table.figures.get(name)!.text : `[figure ${name}?]`;
    });
    this.checkBroken(filled);
    return filled;
  }

  /** Markdown source before rendering: placeholders become marks. */
  mark(source: string): string {
    const marked = source.replace(PLACEHOLDER, (_all, raw: string) => `\uE000${this.marks.push(raw.trim()) - 1}\uE001`);
    this.checkBroken(marked);
    return marked;
  }

  /** Rendered HTML: marks become figures, with their source in the title. */
  fill(rendered: string): string {
    return rendered.replace(MARK, (_all, index: string) => {
      const name = this.marks[Number(index)];
      const reason = this.note(name);
      if (reason !== undefined)
        return html`<mark class="figure-missing" data-figure="${name}" title="${reason}">[figure ${name}?]</mark>`.toString();
      const figure = this.table.figures.get(name)!;
      const title = `${name}: ${figure.file} → ${figure.path}`;
      return html`<span class="figure" data-figure="${name}" title="${title}">${figure.text}</span>`.toString();
    });
  }

  /** The list of figures the page quotes, with their paths, for a teacher who wants to check one. */
  footnote(lang: Lang): string {
    const known = this.used.filter((name) => this.table.figures.has(name));
    if (known.length === 0) return '';
    const t = FOOTNOTE[lang];
    const rows = known.map((name) => {
      const figure = this.table.figures.get(name)!;
      // A figure from a focused run names its file; the others come from the file the intro names.
      const where = figure.file === this.table.file ? figure.path : `${figure.file} → ${figure.path}`;
      return html`<tr><td><code>${name}</code></td><td>${figure.text}</td><td><code>${where}</code></td></tr>`;
    });
    return html`<details class="figures" id="figures">
<summary>${t.title}</summary>
<p>${t.intro(this.table.file, this.table.runId ?? '?')}</p>
<table>
<thead><tr><th scope="col">${t.figure}</th><th scope="col">${t.value}</th><th scope="col">${t.path}</th></tr></thead>
<tbody>
${joinHtml(rows, '\n')}
</tbody>
</table>
</details>
`.toString();
  }

  private checkBroken(text: string): void {
    const broken = BROKEN_PLACEHOLDER.exec(text);
    if (broken) {
      const near = text.slice(broken.index, broken.index + 40).split('\n')[0];
      this.missing.push({ name: near, reason: 'a placeholder is written {{fig:<name>}}' });
    }
  }
}

export function isLessonName(name: string): name is LessonName {
  return (LESSONS as readonly string[]).includes(name);
}

/** Reads and renders one lesson; throws if the file is missing or malformed. */
export function loadLesson(name: LessonName, lang: Lang): Lesson {
  const source = readFileSync(path.join(ROOT, 'lessons', lang, `${name}.md`), 'utf8');
  const lesson = renderLesson(source, lang, `lessons/${lang}/${name}.md`);
  return { name, lang, ...lesson, title: lesson.title || name };
}

/**
 * Renders a lesson's source (front matter, then Markdown), filling its figures
 * from `figures` (the reference run by default). Exported for the tests, which
 * render sources of their own.
 */
export function renderLesson(
  source: string,
  lang: Lang,
  where = 'lesson',
  figures: FigureTable = loadFigures(),
): Omit<Lesson, 'name' | 'lang'> {
  const match = /^---\n([\s\S]*?)\n---\n/.exec(source);
  if (!match) throw new Error(`${where} has no front matter`);
  const meta = Object.fromEntries(
    match[1].split('\n').map((line) => {
      const colon = line.indexOf(':');
      return [line.slice(0, colon).trim(), line.slice(colon + 1).trim()];
    }),
  );
  const demos: string[] = [];
  const filler = new FigureFiller(figures);
  const summary = filler.text(meta.summary ?? '');
  const env: RenderEnv = { lang, count: 0, headings: [] };
  const rendered = markdown
    .render(filler.mark(source.slice(match[0].length)), env as unknown as Record<string, unknown>)
    .replace(DEMO_LINE, (_line, demo: string) => {
      demos.push(demo);
      return `<div class="demo" data-demo="${demo}"></div>`;
    })
    .replace(LESSON_LIST_LINE, () => lessonList(lang))
    .replace(
      TIMELINE,
      (_all, caption: string, steps: string) => `<figure class="timeline">\n<figcaption>${caption}</figcaption>\n${steps}\n</figure>`,
    );
  const body = filler.fill(rendered);
  const footnote = filler.footnote(lang);
  const contents = filler.fill(contentsList(env.headings, lang, footnote ? FOOTNOTE[lang].title : undefined));
  return { title: meta.title ?? '', summary, html: body + footnote, demos, figures: filler.used, missingFigures: filler.missing, contents };
}
