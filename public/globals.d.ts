// What the browser code adds to the page's globals, for the type check of public/*.js
// (public/tsconfig.json). Not served: /assets serves no .ts file.

interface Window {
  /** The iframe client's callbacks, one per forever-frame (clients/iframe.js). */
  wirelabIframe: Record<string, (event: unknown) => void>;
  /** chart.js's UMD build (vendor/chart.js). */
  // biome-ignore lint/suspicious/noExplicitAny: the vendored UMD build comes without types
  Chart: any;
  /** The results page's readiness and layout report, read by the bench's page test. */
  resultsReady: Promise<unknown> | boolean;
  resultsLayoutProblems: () => unknown;
  resultsCharts: unknown;
  /** Set only if the security demo's hostile chat message ever ran as code. */
  __wirelabPwned?: number;
}

interface HTMLIFrameElement {
  /** How the iframe client takes down one forever-frame and its callback. */
  cleanup?: () => void;
}

interface PerformanceEntry {
  /** On navigation and resource entries: the protocol the browser negotiated ("h2", "http/1.1"). */
  readonly nextHopProtocol?: string;
}
