/** The HTTP versions a transport can ride on: HTTP/1.1 (plain or over TLS) and HTTP/2 (over TLS). */
export const PROTOCOLS = ['h1', 'h2'] as const;
export type Protocol = (typeof PROTOCOLS)[number];
