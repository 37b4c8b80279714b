/**
 * Each case's paragraph for a person, in both languages, and the lesson that
 * teaches it (explanations.json, a data file). Cases that test one rule several
 * ways share a paragraph.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Lang } from '../i18n.ts';

interface Explanation {
  lesson: string;
  en: string;
  zh: string;
}

const EXPLANATIONS = JSON.parse(
  readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), 'explanations.json'), 'utf8'),
) as Record<string, Explanation>;

/** Which paragraph explains a case: its own, or the one its rule shares. */
const SHARED: [RegExp, string][] = [
  [/^[\w-]+\.(events|resume|order|ahead|gap)$/, 'common.$1'],
  [/^[\w-]+\.bad-since$/, 'http.bad-since'],
  [/^[\w-]+\.no-cache$/, 'http.no-cache'],
  [/^iframe\.missing-callback$/, 'iframe.bad-callback'],
  [/^ws\.(missing-key|bad-key|post)$/, 'ws.handshake-shape'],
  [/^ws\.(subprotocol|extension)$/, 'ws.negotiation'],
  [/^ws\.rsv\d$/, 'ws.reserved-bits'],
  [/^ws\.opcode-\w$/, 'ws.reserved-opcode'],
  [/^ws\.(length-top-bit|declared-4gib)$/, 'ws.length-limits'],
  [/^ws\.(empty-text|binary|length-16)$/, 'ws.data-frames'],
  [/^ws\.fragmented-bytes$/, 'ws.fragmented'],
  [/^ws\.(continuation-first|text-inside-message)$/, 'ws.fragment-order'],
  [/^ws\.utf8-(overlong|surrogate|too-high|fragmented)$/, 'ws.utf8-invalid'],
  [/^ws\.(ping-empty|ping-125|ping-binary|ping-burst)$/, 'ws.ping'],
  [/^ws\.(ping-126|ping-fragmented)$/, 'ws.control-rules'],
  [/^ws\.close-(empty|3000|4000)$/, 'ws.close'],
  [/^ws\.close-(one-byte|1005|999|bad-utf8)$/, 'ws.close-invalid'],
  [/^ws\.message-(64k|1m)$/, 'ws.message-size'],
];

export function explanationKey(id: string): string {
  if (EXPLANATIONS[id]) return id;
  for (const [pattern, key] of SHARED) if (pattern.test(id)) return id.replace(pattern, key);
  return id;
}

/** The paragraph for case `id` in `lang`, and the lesson's path; undefined for a case nobody explained (a test forbids it). */
export function explain(id: string, lang: Lang): { text: string; lesson: string } | undefined {
  const entry = EXPLANATIONS[explanationKey(id)];
  return entry && { text: entry[lang], lesson: `/lessons/${entry.lesson}` };
}
