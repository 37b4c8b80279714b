// A chat box: name, message, send, and what came of it. The board has one, and so
// does every lesson demo that asks the reader to type a message. It publishes the
// way its transport would: a POST to /feed/chat (the contract in README.md), or, for a WebSocket
// demo, a frame on the demo's own open socket.
import { postChat } from './chat.js';
import { h, t } from './lab.js';

/**
 * A chat form. `send(name, text)` publishes and resolves with a line for the
 * reader; by default it POSTs and reports the new seq. `id` for the board's form.
 * @param {{ id?: string, send?: (name: string, text: string) => Promise<string> }} [options]
 * @returns {HTMLFormElement}
 */
export function chatBox({ id, send = postAndReport } = {}) {
  const result = h('output', { name: 'result', 'aria-live': 'polite' });
  const form = /** @type {HTMLFormElement} */ (
    h(
      'form',
      { class: 'chat', id },
      h('label', {}, t('chat.name'), ' ', h('input', { name: 'name', maxlength: '64', autocomplete: 'nickname' })),
      h('label', { class: 'grow' }, t('chat.text'), ' ', h('input', { name: 'text', maxlength: '2000', required: true })),
      h('button', { type: 'submit' }, t('chat.send')),
      result,
    )
  );
  const field = (name) => /** @type {HTMLInputElement} */ (form.elements.namedItem(name));
  form.addEventListener('submit', async (submit) => {
    submit.preventDefault();
    const text = field('text');
    try {
      result.textContent = await send(field('name').value, text.value);
      result.className = 'ok';
      text.value = '';
    } catch (error) {
      result.textContent = t('chat.failed', { error: error.message });
      result.className = 'bad';
    }
  });
  return form;
}

async function postAndReport(name, text) {
  const { seq } = await postChat(name, text);
  return t('chat.sent', { seq });
}

/** A `send` for a WebSocket demo: the message goes up the panel's own socket. */
export function overSocket(panel) {
  return async (name, text) => {
    if (!panel.connection?.send({ type: 'chat', name, text })) throw new Error(t('chat.socketClosed'));
    return t('chat.sentOverSocket');
  };
}
