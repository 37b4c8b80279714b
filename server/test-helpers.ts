/**
 * What the tests share: the real lab on a loopback port, and patient waiting.
 * Every test talks to a listening server over real sockets.
 */
import { readFileSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import path from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { build, listen, type Lab } from './app.ts';
import { type Config, configWith } from './config.ts';
import { LANGS, LESSONS, type Lang, type LessonName } from './lessons.ts';
import { ROOT } from './paths.ts';

export interface RunningLab extends Lab {
  baseUrl: string;
  port: number;
  /** With TLS on (`tlsPort` given): the HTTPS origins and the certificate to trust. */
  https?: { h2Url: string; h1Url: string; experimentUrl: string; ca: string };
  close(): Promise<void>;
}

/** The three ways a browser can reach the lab; tests run their clients over each. */
export const WIRES = [
  { name: 'HTTP/1.1', protocol: 'h1', tls: false },
  { name: 'HTTP/1.1 over TLS', protocol: 'h1', tls: true },
  { name: 'HTTP/2', protocol: 'h2', tls: true },
] as const;
export type Wire = (typeof WIRES)[number];

/** Where a Node client reaches `lab` over `wire` (the lab must run with TLS on, `tlsPort: 0`, for the TLS wires). */
export function reach(lab: RunningLab, wire: Wire): { baseUrl: string; protocol: 'h1' | 'h2'; ca?: string } {
  if (!wire.tls) return { baseUrl: lab.baseUrl, protocol: 'h1' };
  if (!lab.https) throw new Error('start the lab with { tlsPort: 0 } to reach it over TLS');
  return { baseUrl: wire.protocol === 'h2' ? lab.https.h2Url : lab.https.h1Url, protocol: wire.protocol, ca: lab.https.ca };
}

/**
 * Starts the lab on 127.0.0.1 and a free port (or `port`, to restart a lab where
 * its clients expect it); the ticker is off unless asked for, and so is TLS
 * (`tlsPort: 0` turns it on, on free ports).
 */
export async function startLab(overrides: Partial<Config> = {}, port = 0): Promise<RunningLab> {
  const lab = await build(configWith({ tickMs: 0, chatRate: 0, tlsPort: 'off', ...overrides }));
  const ports = await listen(lab, '127.0.0.1', port);
  const { main, tls } = ports;
  const https =
    tls && lab.ctx.certificate
      ? {
          h2Url: `https://127.0.0.1:${tls.main}`,
          h1Url: `https://127.0.0.1:${tls.h1}`,
          experimentUrl: `https://127.0.0.1:${tls.experiment}`,
          ca: lab.ctx.certificate.cert,
        }
      : undefined;
  return { ...lab, port: main, baseUrl: `http://127.0.0.1:${main}`, https, close: () => lab.app.close() };
}

/** Resolves when `condition()` is true; rejects with `what` after `timeoutMs` (generous: CI runs on 2 busy cores). */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What came back on a connection of its own: the status line's code, the head's fields, the body, and whether the server closed it. */
export interface RawAnswer {
  status: number;
  headers: Record<string, string[]>;
  body: string;
  closed: boolean;
}

/**
 * Writes `bytes` as they are (no client tidies the path or the headers) on a fresh
 * connection to `port`, over TLS with ALPN http/1.1 when `ca` is given, and reads
 * until the server closes or `timeoutMs` passes; parses one HTTP/1.1 answer.
 */
export function rawExchange(
  port: number,
  bytes: string | Buffer,
  { ca, timeoutMs = 5000 }: { ca?: string; timeoutMs?: number } = {},
): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const socket = ca ? tlsConnect({ host: '127.0.0.1', port, ca, ALPNProtocols: ['http/1.1'] }) : netConnect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let settled = false;
    const finish = (closed: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      const text = Buffer.concat(chunks).toString('utf8');
      const match = /^HTTP\/1\.[01] (\d{3})[^\r\n]*\r\n([\s\S]*?)\r\n\r\n([\s\S]*)$/.exec(text);
      const headers: Record<string, string[]> = {};
      for (const line of match?.[2].split('\r\n') ?? []) {
        const colon = line.indexOf(':');
        (headers[line.slice(0, colon).trim().toLowerCase()] ??= []).push(line.slice(colon + 1).trim());
      }
      resolve({ status: match ? Number(match[1]) : 0, headers, body: match?.[3] ?? text, closed });
    };
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('close', () => finish(true));
    socket.on('error', () => finish(true));
    socket.once(ca ? 'secureConnect' : 'connect', () => socket.write(bytes));
    const timer = setTimeout(() => finish(false), timeoutMs);
  });
}

/** A file of the lab as it is on disk, by its path from the lab's folder. */
export function labFile(file: string): string {
  return readFileSync(path.join(ROOT, file), 'utf8');
}

/** A lesson's Markdown as written. */
export function lessonSource(name: LessonName, lang: Lang): string {
  return labFile(path.join('lessons', lang, `${name}.md`));
}

/** Every lesson in every language, with where it is, for tests that read them all. */
export function* eachLessonSource(): Generator<{ name: LessonName; lang: Lang; source: string; where: string }> {
  for (const name of LESSONS)
    for (const lang of LANGS) yield { name, lang, source: lessonSource(name, lang), where: `lessons/${lang}/${name}.md` };
}
