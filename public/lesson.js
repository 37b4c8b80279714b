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

/**
 * The contents list marks the section being read (aria-current="location"): the last
 * heading that has passed the top third of the window.
 */
function followReading() {
  const links = /** @type {HTMLAnchorElement[]} */ ([...document.querySelectorAll('.contents a[href^="#"]')]);
  const targets = links.map((link) => document.getElementById(decodeURIComponent(link.hash.slice(1))));
  let current = -1;
  const mark = () => {
    const line = innerHeight / 3;
    let reading = -1;
    targets.forEach((target, i) => {
      if (target && target.getBoundingClientRect().top <= line) reading = i;
    });
    if (reading === current) return;
    if (current >= 0) links[current].removeAttribute('aria-current');
    if (reading >= 0) links[reading].setAttribute('aria-current', 'location');
    current = reading;
  };
  let queued = false;
  addEventListener(
    'scroll',
    () => {
      if (queued) return;
      queued = true;
      requestAnimationFrame(() => {
        queued = false;
        mark();
      });
    },
    { passive: true },
  );
  addEventListener('resize', mark);
  mark();
}
followReading();

// The contents list stays in view under the site's header, whose height changes with the
// type size and the window's width (two rows in large type): style.css reads it from here.
const header = document.querySelector('header.top');
if (header) {
  const place = () => document.documentElement.style.setProperty('--header-height', `${header.getBoundingClientRect().height}px`);
  new ResizeObserver(place).observe(header);
  place();
}
