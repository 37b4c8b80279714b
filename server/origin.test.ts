/** The Origin check (origin.ts) that guards the WebSocket upgrade and chat posts. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkOrigin } from './origin.ts';

const LAB_PORTS = [3000, 3001, 3443];

test('no Origin (curl, Node) is allowed: no page can drive such a client', () => {
  assert.deepEqual(checkOrigin({ host: '127.0.0.1:3000' }, []), { allowed: true });
  assert.deepEqual(checkOrigin({}, []), { allowed: true }, 'not even a Host');
});

test("the lab's own origin, as the client reached it, is allowed on any port, over http and https", () => {
  assert.deepEqual(checkOrigin({ host: '127.0.0.1:3000', origin: 'http://127.0.0.1:3000' }, []), { allowed: true });
  assert.deepEqual(
    checkOrigin({ host: 'LAB.example:8080', origin: 'http://lab.example:8080' }, []),
    { allowed: true },
    'Host compared without case',
  );
  assert.deepEqual(
    checkOrigin({ ':authority': '127.0.0.1:3443', origin: 'https://127.0.0.1:3443' }, []),
    { allowed: true },
    'HTTP/2 names the host in :authority',
  );
});

test("a page from another of the lab's ports, on the same host name, is the lab too", () => {
  assert.deepEqual(checkOrigin({ host: '127.0.0.1:3001', origin: 'http://127.0.0.1:3000' }, [], LAB_PORTS), { allowed: true });
  assert.deepEqual(checkOrigin({ host: '127.0.0.1:3001', origin: 'https://127.0.0.1:3443' }, [], LAB_PORTS), { allowed: true });
  assert.deepEqual(
    checkOrigin({ host: '127.0.0.1:3001', origin: 'http://127.0.0.1:4000' }, [], LAB_PORTS),
    { allowed: false, origin: 'http://127.0.0.1:4000' },
    'not a lab port',
  );
  assert.deepEqual(
    checkOrigin({ host: '127.0.0.1:3001', origin: 'http://evil.example:3000' }, [], LAB_PORTS),
    { allowed: false, origin: 'http://evil.example:3000' },
    'a lab port on another host',
  );
  assert.deepEqual(
    checkOrigin({ host: '127.0.0.1:3001', origin: 'http://127.0.0.1:3000' }, []),
    { allowed: false, origin: 'http://127.0.0.1:3000' },
    'without the port list, only the exact origin',
  );
});

test('ALLOWED_ORIGINS adds origins; anything else is refused with the origin it named', () => {
  const allowed = ['https://teacher.example'];
  assert.deepEqual(checkOrigin({ host: '127.0.0.1:3000', origin: 'https://teacher.example' }, allowed), { allowed: true });
  assert.deepEqual(checkOrigin({ host: '127.0.0.1:3000', origin: 'https://evil.example' }, allowed), {
    allowed: false,
    origin: 'https://evil.example',
  });
});

test('origins that are not web origins are refused, whatever the Host says', () => {
  for (const origin of ['null', 'file://', 'not a url', 'chrome-extension://abc', 'ws://127.0.0.1:3000']) {
    assert.deepEqual(checkOrigin({ host: '127.0.0.1:3000', origin }, [], LAB_PORTS), { allowed: false, origin }, origin);
  }
  assert.deepEqual(
    checkOrigin({ host: 'bad host:3001', origin: 'http://127.0.0.1:3000' }, [], LAB_PORTS),
    { allowed: false, origin: 'http://127.0.0.1:3000' },
    'a Host that is not a host name matches nothing',
  );
});
