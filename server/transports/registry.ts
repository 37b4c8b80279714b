/**
 * The lab's one list of transports: id, human label, and the two facts other
 * parts of the lab need to know about each.
 *
 * A leaf module (it imports nothing), so that stats, limits, listeners, pages
 * and the bench can all read it without pulling in the transports' code. The
 * modules themselves are wired up in ./index.ts, keyed by these ids; browser
 * clients, bench drivers and the pages' labels are checked against this list
 * (registry.test.ts).
 */

export const TRANSPORT_INFO = [
  // Short polling gets a port of its own too: its polls would otherwise queue behind the held streams.
  { id: 'short-poll', label: 'Short polling', held: false, ownPort: true },
  { id: 'long-poll', label: 'Long polling', held: true, ownPort: true },
  { id: 'iframe', label: 'Iframe streaming', held: true, ownPort: true },
  { id: 'sse', label: 'Server-Sent Events', held: true, ownPort: true },
  // A WebSocket does not count against the browser's six connections per host (listeners.ts).
  { id: 'ws', label: 'WebSocket', held: true, ownPort: false },
] as const;

export type TransportId = (typeof TRANSPORT_INFO)[number]['id'];

export const TRANSPORT_IDS: readonly TransportId[] = TRANSPORT_INFO.map((t) => t.id);

/** The human label of each transport, used by the bench report and charts (pages use i18n.json). */
export const LABELS = Object.fromEntries(TRANSPORT_INFO.map((t) => [t.id, t.label])) as Record<TransportId, string>;

/** Transports whose request stays open while the client waits for news: they count against the per-client stream cap. */
export const HELD_TRANSPORTS: ReadonlySet<TransportId> = new Set(TRANSPORT_INFO.filter((t) => t.held).map((t) => t.id));

/** Transports that get a listening port of their own beside the main one (listeners.ts), in port order. */
export const OWN_PORT_TRANSPORTS = TRANSPORT_INFO.filter((t) => t.ownPort).map((t) => t.id);
