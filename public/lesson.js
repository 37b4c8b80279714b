// A lesson page: each [[demo:<name>]] in the lesson text became <div class="demo"
// data-demo="<name>">; this mounts the live demo there. Transport demos are one
// panel; the others live in demos/<name>.js and export mount(element).
import { chatBox, overSocket } from './chat-box.js';
import { TRANSPORTS, config, h, t } from './lab.js';
import { mountPanel } from './panel.js';

for (const element of /** @type {NodeListOf<HTMLElement>} */ (document.querySelectorAll('.demo[data-demo]'))) {
  const name = element.dataset.demo;
  if (TRANSPORTS.includes(name)) {
    // Each transport lesson asks the reader to type a message: the WebSocket one sends
    // it up its own socket, the others POST it as any page would.
    const slot = element.appendChild(h('div'));
    const panel = mountPanel(slot, name);
    element.append(chatBox(name === 'ws' ? { send: overSocket(panel) } : {}));
  } else {
    import(`./demos/${name}.js`).then(
      (demo) => {
        // A demo that reads its own connection's bytes (readsOwnBytes) needs the process serving
        // that connection; behind the cluster's round robin the tap may reach another one.
        if (config.cluster && demo.readsOwnBytes) element.replaceChildren(h('p', { 'data-field': 'one-process' }, t('demo.oneProcess')));
        else demo.mount(element);
      },
      (error) => {
        element.textContent = `This demo failed to load: ${error.message}`;
        throw error;
      },
    );
  }
}
