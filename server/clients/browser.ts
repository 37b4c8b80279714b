/**
 * Headless Chromium for the page tests: Debian's chromium driven by playwright-core.
 *
 * npm cannot download browsers here, so the tests use the system's chromium and,
 * as root on Debian, install it when it is missing. Browser tests never skip
 * silently: without a browser they fail, and say how to get one.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

/** Flags that keep Chromium quiet and self-contained on a machine with no network. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

let installed: string | undefined;

/**
 * A font with Chinese glyphs: without one, Chromium draws the Chinese pages as
 * rows of empty boxes (and a test of them would pass on boxes). Debian's
 * fonts-noto-cjk puts Noto Sans CJK here.
 */
const CJK_FONT = '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc';

/** Whether this process may install Debian packages (root, with apt-get). */
const canInstall = () => process.getuid?.() === 0 && existsSync('/usr/bin/apt-get');

function aptInstall(packages: string[]): void {
  console.error(`Installing Debian's ${packages.join(' and ')} for the browser tests (apt-get install -y ${packages.join(' ')})...`);
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
  execFileSync('apt-get', ['install', '-y', '-qq', ...packages], {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
}

/** The path of a Chromium binary, installing Debian's chromium (and a CJK font) first if needed and possible. */
export function chromiumPath(): string {
  if (installed) return installed;
  const fromEnv = process.env.CHROMIUM_PATH;
  let found = [fromEnv, ...CANDIDATES].find((p): p is string => !!p && existsSync(p));
  const missing = [...(found ? [] : ['chromium']), ...(existsSync(CJK_FONT) ? [] : ['fonts-noto-cjk'])];
  if (missing.length > 0 && canInstall()) {
    aptInstall(missing);
    found ??= existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined;
  }
  if (!found)
    throw new Error(
      'The browser tests need Chromium: install it (Debian: apt-get install -y chromium fonts-noto-cjk) or set CHROMIUM_PATH.',
    );
  if (!existsSync(CJK_FONT))
    console.error(
      `No CJK font at ${CJK_FONT}: the Chinese pages will be checked with whatever font this machine has ` +
        '(Debian: apt-get install -y fonts-noto-cjk).',
    );
  return (installed = found);
}

/**
 * Launches headless Chromium. `trustSpki`: the base64 SHA-256 of a certificate's
 * public key (the lab's self-signed one, ctx.certificate.spkiSha256), accepted as
 * if a user had clicked through the warning once; the page then loads over TLS
 * with no interstitial, and over HTTP/2. `executablePath`: a Chromium found by
 * the caller (the bench, which never installs one), instead of chromiumPath().
 */
export async function launchBrowser({
  trustSpki,
  executablePath,
  timeoutMs,
}: {
  trustSpki?: string;
  executablePath?: string;
  timeoutMs?: number;
} = {}): Promise<Browser> {
  const args = trustSpki ? [...CHROMIUM_ARGS, `--ignore-certificate-errors-spki-list=${trustSpki}`] : CHROMIUM_ARGS;
  return chromium.launch({ executablePath: executablePath ?? chromiumPath(), args, timeout: timeoutMs });
}

/**
 * A page-side expression as a predicate for page.waitForFunction. Playwright evals
 * a string predicate inside the page at every poll, which the pages'
 * Content-Security-Policy refuses (no 'unsafe-eval': server/security-headers.ts);
 * a function's source is evaluated once, through DevTools, which the policy allows.
 */
export function pagePredicate(expression: string): () => unknown {
  return new Function(`return (${expression});`) as () => unknown;
}
