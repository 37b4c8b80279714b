// Every page built by the server: the header's tools (header-tools.js: large type, a
// language switch that keeps the reader's place) and the protocol switch.
import './header-tools.js';
import { pageProtocol, t } from './lab.js';

// The protocol switch says what the browser really negotiated for this page
// (Resource Timing's nextHopProtocol: "h2" or "http/1.1"), beside what the server saw.
const now = document.getElementById('wire-now');
if (now) {
  const protocol = pageProtocol();
  if (protocol) now.textContent = t('wire.now', { protocol });
  now.dataset.protocol = protocol ?? '';
}
