import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createPlugin } from '../helpers.js';
import type { Codec } from '../../src/core/plugin.js';
import { Event } from '../../src/core/event.js';
import { createStreamOutput } from '../../src/outputs/stdout.js';
import stdoutDef from '../../src/outputs/stdout.js';
import { validateOptions } from '../../src/core/options.js';

test('stdout: the default codec is rubydebug', () => {
  const { config } = validateOptions('output', 'stdout', stdoutDef.options, {});
  assert.deepEqual(config.codec, { name: 'rubydebug', settings: {} });
});

test('stdout: deliver resolves only once a congested stream took the text and drained', async () => {
  const written: string[] = [];
  const pendingCallbacks: Array<() => void> = [];
  const slow = new Writable({
    highWaterMark: 4,
    write(chunk, _enc, cb) {
      written.push(String(chunk));
      pendingCallbacks.push(cb); // the "terminal" is slow: completes only when the test says so
    },
  });
  const codec = await createPlugin<Codec>('codec', 'line', { format: '%{message}' });
  const out = createStreamOutput(codec, slow);
  const payload = out.encode([new Event({ message: 'one' }), new Event({ message: 'two' })]);
  assert.equal(payload, 'one\ntwo\n');
  let delivered = false;
  const p = out.deliver(payload).then(() => (delivered = true));
  await new Promise((r) => setImmediate(r));
  assert.equal(delivered, false, 'not acknowledged while the stream holds the text');
  pendingCallbacks.shift()!();
  await p;
  assert.equal(delivered, true);
  assert.deepEqual(written, ['one\ntwo\n']);
});
