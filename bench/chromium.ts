/**
 * Headless Chromium for the bench: Debian's chromium driven by playwright-core
 * (npm cannot download browsers here), with the flags that keep it
 * quiet on a machine with no network.
 *
 * Over TLS Chromium must accept the lab's self-signed certificate. Two switches
 * together do it: `--ignore-certificate-errors-spki-list` trusts exactly the lab's
 * key (the flag alone needs a user-data-dir policy that playwright does not set up),
 * and the context's `ignoreHTTPSErrors` lets playwright's own checks pass.
 */
import { existsSync } from 'node:fs';
import type { Browser, BrowserContext } from 'playwright-core';

const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Starts Chromium, trusting the certificate whose key hashes to `spkiSha256` (the
 * lab's), if given: the page tests' launch (same flags), but never installing one,
 * so that a bench without Chromium falls back to the committed capture.
 */
export async function launchChromium(spkiSha256?: string, timeoutMs = 30_000): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`no Chromium at ${CHROMIUM_PATH} (set CHROMIUM_PATH, or install Debian's chromium)`);
  const { launchBrowser } = await import('../server/clients/browser.ts');
  return launchBrowser({ trustSpki: spkiSha256, executablePath: CHROMIUM_PATH, timeoutMs });
}

/**
 * A fresh browser context: its own connections and its own HPACK tables, as a
 * new browser profile would have (contexts never share sockets).
 */
export function freshContext(browser: Browser): Promise<BrowserContext> {
  return browser.newContext({ ignoreHTTPSErrors: true });
}

/** "Chromium 156.0.8078.114", as the results name it. */
export const browserName = (browser: Browser) => `Chromium ${browser.version()}`;
