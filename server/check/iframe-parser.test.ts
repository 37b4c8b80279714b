/** The checker's reading of an iframe stream (iframe-parser.ts): script elements cut as the HTML tokenizer cuts them. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bytesBeforeFirstScript, scriptChunks } from './iframe-parser.ts';

test('each complete script element is one chunk: its callback and its JSON argument', () => {
  const html =
    `${' '.repeat(10)}<script>parent.onEvent({"seq":1});</script><script ` +
    `type="text/javascript">parent.lab.onEvent({"seq":2})</script>`;
  const chunks = scriptChunks(html);
  assert.equal(chunks.length, 2);
  assert.deepEqual([chunks[0].callback, chunks[0].value, chunks[0].offset], ['onEvent', { seq: 1 }, 10]);
  assert.deepEqual([chunks[1].callback, chunks[1].value], ['lab.onEvent', { seq: 2 }]);
  assert.equal(chunks[1].problem, undefined);
});

test('a script runs to the first </script whatever JavaScript quoting says: a raw </script> in data ends it early', () => {
  const [chunk] = scriptChunks('<script>parent.onEvent({"text":"</script><b>"})</script>');
  assert.equal(chunk.content, 'parent.onEvent({"text":"', 'cut at the first </script');
  assert.equal(chunk.problem, 'not a parent.<callback>(...) call');
  assert.equal(scriptChunks('<SCRIPT>parent.f(1)</SCRIPT>')[0].value, 1, 'tags in any case');
});

test('what is not a call, or not JSON, says so; an unfinished script is not a chunk yet', () => {
  assert.equal(scriptChunks('<script>alert(1)</script>')[0].problem, 'not a parent.<callback>(...) call');
  assert.equal(scriptChunks('<script>parent.f({seq: 1})</script>')[0].problem, 'the argument is not JSON');
  assert.deepEqual(scriptChunks('<script>parent.f(1)'), []);
});

test('the padding before the first script is counted in bytes', () => {
  assert.equal(bytesBeforeFirstScript('  é<script>x</script>'), 4, 'é is two bytes');
  assert.equal(bytesBeforeFirstScript('no script yet'), 13, 'the whole body when none came');
});
