// The jetstream output and input as plugins, against a real nats-server: publish with PubAck and
// de-duplication, unpacking with the original ids, keeping slow batches alive, handing failed ones back.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { connect, nkeys } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { createPlugin } from '../helpers.js';
import { Event } from '../../src/core/event.js';
import type { Input, InputSink, Output, RawBatch } from '../../src/core/plugin.js';
import { requireNats, startNats } from '../support/nats.js';
import { eventsFromLines } from '../../src/core/stream/batch.js';
import { utf8Lines } from '../../src/core/text_bytes.js';

const events = (n: number, prefix = 'src') =>
  Array.from({ length: n }, (_, i) => {
    const e = new Event({ message: `m${i}`, type: i % 2 ? 'fw' : 'ids' });
    e.metadata._id = `${prefix}:${i}`;
    return e;
  });

async function streamState(servers: string[], stream: string, consumer?: string) {
  const nc = await connect({ servers });
  try {
    const jsm = await jetstreamManager(nc);
    const si = await jsm.streams.info(stream);
    const ci = consumer ? await jsm.consumers.info(stream, consumer) : undefined;
    return { messages: si.state.messages, subjects: si.config.subjects, redelivered: ci?.num_redelivered, ackPending: ci?.num_ack_pending, pending: ci?.num_pending };
  } finally {
    await nc.close();
  }
}

interface Pushed {
  batch: RawBatch;
  ack?: () => void;
  fail?: (e: string) => void;
}

function recordingSink(onPush: (p: Pushed) => void): InputSink & { stopping: boolean } {
  return {
    stopping: false,
    async push(batch, ack, fail) {
      onPush({ batch, ack, fail });
    },
  };
}

test('output: one message per subject, PubAck before deliver resolves, a re-published batch is dropped as a duplicate', async (t) => {
  if (!requireNats(t)) return;
  const nats = await startNats({ jetstream: true });
  t.after(() => nats.stop());
  const settings = { servers: nats.servers, stream: 'T1', subject: 'logs.%{type}' };
  const out = await createPlugin<Output>('output', 'jetstream', settings, { side: 'main' });
  const payload = out.encode(events(10));
  await out.deliver(payload);
  let st = await streamState(nats.servers, 'T1');
  assert.equal(st.messages, 2, 'one message per subject');
  assert.deepEqual(st.subjects, ['logs.>']);
  // The same events again (a front that crashed before its checkpoint): same ids, stored once.
  await out.deliver(out.encode(events(10)));
  st = await streamState(nats.servers, 'T1');
  assert.equal(st.messages, 2);
  await out.deliver(out.encode(events(10, 'other')));
  st = await streamState(nats.servers, 'T1');
  assert.equal(st.messages, 4);
  await out.close!();
});

test('input: events keep their ids; a slow batch is kept alive past ack_wait; a failed one comes again', async (t) => {
  if (!requireNats(t)) return;
  const nats = await startNats({ jetstream: true });
  t.after(() => nats.stop());
  const out = await createPlugin<Output>('output', 'jetstream', { servers: nats.servers, stream: 'T2', subject: 'x.y' }, { side: 'main' });
  await out.deliver(out.encode(events(5)));
  await out.close!();

  const input = await createPlugin<Input>('input', 'jetstream', { servers: nats.servers, stream: 'T2', consumer: 'c', ack_wait: 1, nak_delay: 0.1, max_deliver: 5 }, { side: 'main', pipelineId: 'p', pluginId: 'jetstream_1' });
  const pushes: Pushed[] = [];
  let notify: (() => void) | undefined;
  const sink = recordingSink((p) => {
    pushes.push(p);
    notify?.();
  });
  const running = input.run(sink);
  t.after(() => input.stop()); // a failed assertion must not leave the input pulling (the file would never end)
  const next = async (n: number) => {
    while (pushes.length < n) await new Promise<void>((r) => (notify = r));
    return pushes[n - 1]!;
  };
  const first = await next(1);
  // The message's lines, decompressed, for the worker threads to parse.
  assert.equal(first.batch.kind, 'jsonLines');
  const lines = first.batch as Extract<RawBatch, { kind: 'jsonLines' }>;
  const evs = eventsFromLines(utf8Lines(Buffer.from(lines.data)), lines.idPrefix, lines.baseIndex);
  assert.deepEqual(evs.map((e) => (e['@metadata'] as { _id: string })._id), ['src:0', 'src:1', 'src:2', 'src:3', 'src:4']);
  assert.equal(evs[0]!.message, 'm0');

  // Hold the batch for three times ack_wait: `working` keeps the server from delivering it again.
  await new Promise((r) => setTimeout(r, 3200));
  assert.equal(pushes.length, 1, 'the held message was delivered again');
  assert.equal((await streamState(nats.servers, 'T2', 'c')).redelivered, 0);

  // An output failure: the message comes back (nak) and is acknowledged the second time.
  first.fail!('output down');
  const second = await next(2);
  assert.deepEqual(second.batch, first.batch);
  second.ack!();
  await new Promise((r) => setTimeout(r, 200));
  const st = await streamState(nats.servers, 'T2', 'c');
  assert.equal(st.ackPending, 0);
  assert.equal(st.pending, 0);
  input.stop();
  await running;
  await input.close!();
});

test('credentials: user/password, token and an NKey seed file authenticate; a wrong password is an error', async (t) => {
  if (!requireNats(t)) return;
  const user = nkeys.createUser();
  const seedFile = join(mkdtempSync(join(tmpdir(), 'sluice-nkey-')), 'user.nk');
  writeFileSync(seedFile, new TextDecoder().decode(user.getSeed()) + '\n');
  const nats = await startNats({
    jetstream: true,
    config: `authorization { users: [ { user: "front", password: "s3cret" }, { nkey: "${user.getPublicKey()}" } ] }`,
  });
  t.after(async () => {
    await nats.stop();
    rmSync(dirname(seedFile), { recursive: true, force: true });
  });
  const deliverWith = async (creds: Record<string, unknown>, stream: string) => {
    const out = await createPlugin<Output>('output', 'jetstream', { servers: nats.servers, stream, subject: `${stream}.x`, retry_timeout: 1, ...creds }, { side: 'main' });
    try {
      await out.deliver(out.encode(events(3)));
    } finally {
      await out.close!();
    }
  };
  await deliverWith({ user: 'front', password: 's3cret' }, 'A1');
  await deliverWith({ nkey: seedFile }, 'A2');
  await assert.rejects(deliverWith({ user: 'front', password: 'wrong' }, 'A3'), /authorization|auth/i);
});

test('token authentication', async (t) => {
  if (!requireNats(t)) return;
  const nats = await startNats({ jetstream: true, config: 'authorization { token: "t0ken" }' });
  t.after(() => nats.stop());
  const out = await createPlugin<Output>('output', 'jetstream', { servers: nats.servers, stream: 'TK', subject: 'tk', token: 't0ken' }, { side: 'main' });
  await out.deliver(out.encode(events(2)));
  await out.close!();
});
