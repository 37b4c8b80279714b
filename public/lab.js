// What every page script shares: the config the server put in the page, strings, and
// where each transport lives (each held transport has a port of its own: server/listeners.ts).
export const config = JSON.parse(document.getElementById('wirelab-config').textContent);
export const TRANSPORTS = config.transports;

/** A UI string in the page's language, with {name} placeholders filled. */
export function t(key, values = {}) {
  const text = config.strings[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ''));
}

/** The origin that serves `transport` (or an experiment port) for this page (over TLS, the page's own). */
export function originFor(name) {
  const port = config.ports?.extra?.[name];
  return port ? `${location.protocol}//${location.hostname}:${port}` : location.origin;
}

/** The lab's main port, over the page's own protocol. */
export function mainOrigin() {
  const port = config.ports?.main;
  return port ? `${location.protocol}//${location.hostname}:${port}` : location.origin;
}

/**
 * How this page reached the lab: `h1` (plain HTTP/1.1), `h1-tls` or `h2`, as the
 * server saw it, and where the same page is over the other protocol.
 */
export const WIRE = config.wire ?? { protocol: 'h1', h1Url: location.href, h2Url: null, experimentStreams: 6 };

/** The protocol the browser used for this page, by its own account (Resource Timing), e.g. "h2" or "http/1.1". */
export function pageProtocol() {
  return performance.getEntriesByType('navigation')[0]?.nextHopProtocol || undefined;
}

/** Creates an element with attributes and children (text children are set as text, never HTML). */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on')) el.addEventListener(name.slice(2), value);
    // Through the CSSOM: the pages' Content-Security-Policy refuses style attributes set as markup (server/security-headers.ts).
    else if (name === 'style') el.style.cssText = String(value);
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) if (child !== undefined && child !== null) el.append(child instanceof Node ? child : String(child));
  return el;
}

/**
 * The feed's last seq now (one short poll on this page's origin), so that a demo's
 * panels can start from a known point and count every seq posted after it; undefined
 * when the lab cannot say.
 * @returns {Promise<number | undefined>}
 */
export async function feedLastSeq() {
  try {
    const answer = await (await fetch('/feed/short-poll', { cache: 'no-store' })).json();
    return typeof answer.lastSeq === 'number' ? answer.lastSeq : undefined;
  } catch {
    return undefined;
  }
}
