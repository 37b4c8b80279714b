// Served from the iframe transport's own port: the forever-frame below is on the
// same origin as this relay, so its parent.onEvent(...) calls land here, and the
// relay forwards them to the lab page with postMessage (the page checks our origin).
// `doc` numbers this document, so the page can ignore a replaced relay's last messages.
// A file of its own, not an inline script: the relay's Content-Security-Policy runs
// the lab's own script files only (server/security-headers.ts).
var target = '*';
var doc = Number(new URLSearchParams(location.search).get('doc'));
// biome-ignore lint/correctness/noUnusedVariables: called by the forever-frame as parent.onEvent(...)
function onEvent(event) {
  parent.postMessage({ wirelab: 'iframe', doc: doc, event: event }, target);
}
var frame = document.createElement('iframe');
frame.onload = () => {
  parent.postMessage({ wirelab: 'iframe', doc: doc, loaded: true }, target);
};
frame.src = decodeURIComponent(location.hash.slice(1));
document.body.appendChild(frame);
