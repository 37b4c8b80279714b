// The security demo's sandboxed frame (security.js): a document with an opaque origin,
// whose WebSocket the browser sends with Origin: null. It opens the URL in its fragment
// and tells its parent what the page itself learns of the refusal: an error, then close 1006.
const socket = new WebSocket(decodeURIComponent(location.hash.slice(1)));
socket.onerror = () => parent.postMessage({ wirelabSandbox: 'error' }, '*');
socket.onclose = (close) => parent.postMessage({ wirelabSandbox: 'close', code: close.code, wasClean: close.wasClean }, '*');
