/**
 * The lab's languages and the pages' words, as every server-built page uses them:
 * the lab's own pages (pages.ts), the cluster's page at /cluster/ among them.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PUBLIC_DIR } from './paths.ts';

export const LANGS = ['en', 'zh'] as const;
export type Lang = (typeof LANGS)[number];

/** Every page string (public/i18n.json), per language: the browser code reads the same file. */
export const I18N = JSON.parse(readFileSync(path.join(PUBLIC_DIR, 'i18n.json'), 'utf8')) as Record<Lang, Record<string, string>>;

const isLang = (value: unknown): value is Lang => typeof value === 'string' && (LANGS as readonly string[]).includes(value);

/**
 * The reader's language: `asked` (a page's `?lang=`), else the `lang` cookie the
 * pages set, else the first of en or zh in the browser's Accept-Language.
 */
export function chooseLang(asked: unknown, headers: { cookie?: string; 'accept-language'?: string }): Lang {
  if (isLang(asked)) return asked;
  const cookie = /(?:^|;\s*)lang=(en|zh)\b/.exec(headers.cookie ?? '');
  if (cookie) return cookie[1] as Lang;
  const accept = headers['accept-language'] ?? '';
  const first = accept
    .split(',')
    .map((part) => part.trim().toLowerCase())
    .find((part) => /^(zh|en)\b/.test(part));
  return first?.startsWith('zh') ? 'zh' : 'en';
}

/** The cookie that remembers a language asked for with `?lang=`, or undefined if none was. */
export function langCookie(asked: unknown): string | undefined {
  return isLang(asked) ? `lang=${asked}; Path=/; Max-Age=31536000; SameSite=Lax` : undefined;
}
