// The header's tools on every page (chrome.js loads it): the large-type toggle, and a
// language switch that keeps the reader's place.

const root = document.documentElement;
const large = document.getElementById('large-toggle');
// Each page's head applies the remembered choice before the first paint; this keeps it.
const sync = () => large?.setAttribute('aria-pressed', String(root.classList.contains('large')));
large?.addEventListener('click', () => {
  root.classList.toggle('large');
  localStorage.setItem('wirelab.large', root.classList.contains('large') ? '1' : '0');
  sync();
});
sync();

// Headings carry the same ids in both languages (server/lessons.ts, results/main.js), so
// the switch links to the section the reader is in now; kept current as the reader
// scrolls, so that opening it in a new tab keeps the place too.
const lang = /** @type {HTMLAnchorElement | null} */ (document.getElementById('lang-switch'));
if (lang) {
  const base = new URL(lang.href);
  let pending = false;
  const update = () => {
    pending = false;
    const headings = [...document.querySelectorAll('main h2[id], main h3[id]')];
    // The header is sticky, so the section under it is the one being read.
    const current = headings.filter((h) => h.getBoundingClientRect().top < 160).pop();
    base.hash = current ? current.id : '';
    lang.href = base.href;
  };
  addEventListener(
    'scroll',
    () => {
      if (!pending) requestAnimationFrame(update);
      pending = true;
    },
    { passive: true },
  );
  lang.addEventListener('click', update); // a click right after a jump, before the next frame
  update();
}
