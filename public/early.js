// What must happen before the page is drawn, so that it is not drawn twice: large type,
// if the reader chose it (chrome.js has the switch). A file, not an inline script: the
// pages' Content-Security-Policy runs the lab's own script files only (server/security-headers.ts).
if (localStorage.getItem('wirelab.large') === '1') document.documentElement.classList.add('large');
