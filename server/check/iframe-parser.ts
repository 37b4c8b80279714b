/**
 * Reads an iframe stream's HTML as a browser's tokenizer would for the parts
 * that matter here (HTML §13.2.5, script data state): a `<script>` element's
 * content runs to the first `</script`, whatever JavaScript quoting says. That is
 * why a chat message must never carry `</script>` raw: it would end the script early.
 */

export interface ScriptChunk {
  /** The script element's content as the tokenizer cuts it. */
  content: string;
  /** Offset of `<script` in the body. */
  offset: number;
  /** The callback path called (`onEvent` of `parent.onEvent(...)`), if the content has that shape. */
  callback?: string;
  /** The argument parsed as JSON, if it is JSON. */
  value?: unknown;
  /** Why the argument is not the event JSON. */
  problem?: string;
}

const CALL = /^\s*parent\.([A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*)\(([\s\S]*)\);?\s*$/;

/** Every complete script element in `html`, in order. */
export function scriptChunks(html: string): ScriptChunk[] {
  const chunks: ScriptChunk[] = [];
  const open = /<script\b[^>]*>/gi;
  let match: RegExpExecArray | null;
  while ((match = open.exec(html))) {
    const start = match.index + match[0].length;
    const close = html.toLowerCase().indexOf('</script', start);
    if (close < 0) break;
    const content = html.slice(start, close);
    const chunk: ScriptChunk = { content, offset: match.index };
    const call = CALL.exec(content);
    if (!call) chunk.problem = 'not a parent.<callback>(...) call';
    else {
      chunk.callback = call[1];
      try {
        chunk.value = JSON.parse(call[2]);
      } catch {
        chunk.problem = 'the argument is not JSON';
      }
    }
    chunks.push(chunk);
    open.lastIndex = close;
  }
  return chunks;
}

/** The bytes before the first `<script` (the padding that makes browsers start rendering), or the whole body when none came. */
export function bytesBeforeFirstScript(html: string): number {
  const index = html.search(/<script\b/i);
  return Buffer.byteLength(index < 0 ? html : html.slice(0, index));
}
