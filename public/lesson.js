// A lesson page: each [[demo:<name>]] in the lesson text became <div class="demo"
// data-demo="<name>">; this mounts the live demo there. Transport demos are one
// panel; the others live in demos/<name>.js and export mount(element).
import { chatBox, overSocket } from './chat-box.js';
import { TRANSPORTS, config, h, t } from './lab.js';
import { mountPanel } from './panel.js';

/**
 * Demos that show the raw bytes of their own connection, read from the process that
 * serves it (wiretap.js). Behind the cluster's round robin the tap and the connection
 * may reach different processes, so there they say where to run them instead.
 */
const ONE_PROCESS_DEMOS = ['frames', 'handshake', 'heartbeats', 'http2', 'security'];

for (const element of /** @type {NodeListOf<HTMLElement>} */ (document.querySelectorAll('.demo[data-demo]'))) {
  const name = element.dataset.demo;
  if (config.cluster && ONE_PROCESS_DEMOS.includes(name)) {
    element.replaceChildren(h('p', { 'data-field': 'one-process' }, t('demo.oneProcess')));
  } else if (TRANSPORTS.includes(name)) {
    // Each transport lesson asks the reader to type a message: the WebSocket one sends
    // it up its own socket, the others POST it as any page would.
    const slot = element.appendChild(h('div'));
    const panel = mountPanel(slot, name);
    element.append(chatBox(name === 'ws' ? { send: overSocket(panel) } : {}));
  } else {
    import(`./demos/${name}.js`).then(
      (demo) => demo.mount(element),
      (error) => {
        element.textContent = `This demo failed to load: ${error.message}`;
        throw error;
      },
    );
  }
}
