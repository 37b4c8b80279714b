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
import { ROOT } from './paths.ts';

export const LANGS = ['en', 'zh'] as const;
export type Lang = (typeof LANGS)[number];

/** The lessons in reading order; each exists in every language. */
export const LESSONS = ['intro', 'short-poll', 'long-poll', 'iframe', 'sse', 'ws', 'handshake', 'frames', 'heartbeats', 'security', 'comparison'] as const;
export type LessonName = (typeof LESSONS)[number];

/**
 * The six sections every lesson has (STYLE.md rule 11), per language. They get
 * the same ids in both languages, so the language switch can keep the reader's place.
 */
export const SECTIONS: Record<Lang, string[]> = {
  en: ['Open side by side', 'What to watch', 'The code', 'Try it on the wire', 'How it differs from the previous one', 'Questions to think about'],
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
}

const markdown = new MarkdownIt({ html: false, linkify: false, typographer: false });

// Headings get stable ids: the six standard sections by meaning, others by position.
markdown.renderer.rules.heading_open = (tokens, index, options, rawEnv, self) => {
  const env = rawEnv as { lang: Lang; count: number };
  const token = tokens[index];
  const text = tokens[index + 1]?.content ?? '';
  const standard = SECTIONS[env.lang].indexOf(text);
  token.attrSet('id', standard >= 0 ? SECTION_IDS[standard] : `s${++env.count}`);
  return self.renderToken(tokens, index, options);
};

const DEMO_LINE = /^<p>\[\[demo:([a-z-]+)\]\]<\/p>$/gm;

export function isLessonName(name: string): name is LessonName {
  return (LESSONS as readonly string[]).includes(name);
}

/** Reads and renders one lesson; throws if the file is missing or malformed. */
export function loadLesson(name: LessonName, lang: Lang): Lesson {
  const source = readFileSync(path.join(ROOT, 'lessons', lang, `${name}.md`), 'utf8');
  const match = /^---\n([^]*?)\n---\n/.exec(source);
  if (!match) throw new Error(`lessons/${lang}/${name}.md has no front matter`);
  const meta = Object.fromEntries(match[1].split('\n').map((line) => {
    const colon = line.indexOf(':');
    return [line.slice(0, colon).trim(), line.slice(colon + 1).trim()];
  }));
  const demos: string[] = [];
  const html = markdown
    .render(source.slice(match[0].length), { lang, count: 0 })
    .replace(DEMO_LINE, (_line, demo: string) => {
      demos.push(demo);
      return `<div class="demo" data-demo="${demo}"></div>`;
    });
  return { name, lang, title: meta.title ?? name, summary: meta.summary ?? '', html, demos };
}
