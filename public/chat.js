// Publishing chat from a page: a POST to the lab's main origin (the contract in README.md).

/** Posts a chat message; resolves with `{ seq }` or throws the server's message. */
export async function postChat(name, text) {
  const response = await fetch('/feed/chat', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, text }),
  });
  const body = await response.json();
  if (!response.ok) throw new Error(body.error?.message ?? `HTTP ${response.status}`);
  return body;
}
