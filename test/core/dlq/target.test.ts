// Dead-letter queue configuration and targets.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkDeadLetterTarget, openDeadLetterTarget } from '../../../src/core/dlq/index.js';
import { parseJetStreamDlqUrl, entryId } from '../../../src/core/dlq/jetstream.js';
import { loadPipelines } from '../../../src/config/load.js';
import { loadRegistry } from '../../../src/core/registry.js';
import { createLogger } from '../../../src/core/logger.js';
import { requireNats, startNats } from '../../support/nats.js';

test('a JetStream dead-letter URL names servers, subject, stream and credentials', () => {
  const a = parseJetStreamDlqUrl(new URL('nats://u:p%40ss@10.0.0.1:4222/sluice.dlq?servers=10.0.0.2:4222,10.0.0.3:4222&replicas=3'));
  assert.deepEqual(a.servers, ['nats://10.0.0.1:4222', 'nats://10.0.0.2:4222', 'nats://10.0.0.3:4222']);
  assert.equal(a.subject, 'sluice.dlq');
  assert.equal(a.stream, 'DLQ_sluice_dlq');
  assert.equal(a.user, 'u');
  assert.equal(a.password, 'p@ss');
  assert.equal(a.replicas, 3);
  assert.equal(parseJetStreamDlqUrl(new URL('tls://h:4222/x?stream=DEAD')).stream, 'DEAD');
  assert.equal(parseJetStreamDlqUrl(new URL('tls://h:4222/x')).servers[0], 'tls://h:4222');
  assert.throws(() => parseJetStreamDlqUrl(new URL('nats://h:4222/')), /must name the subject/);
});

test('unknown schemes and non-URLs are clear errors', () => {
  assert.equal(checkDeadLetterTarget('nats://h:4222/x'), undefined);
  assert.match(checkDeadLetterTarget('ftp://h/x')!, /unsupported scheme 'ftp' \(supported: nats, s3, tls\)/);
  assert.match(checkDeadLetterTarget('/var/dlq')!, /must be a URL/);
});

test('entry ids: a retried write of the same entry has the same id; a later dead-lettering of the same event another', () => {
  const e = { pipeline: 'p', plugin: 'o', time: '2024-01-01T00:00:00.000Z', error: 'x', event: '{}' };
  assert.equal(entryId(e), entryId({ ...e, error: 'other words' }));
  assert.notEqual(entryId(e), entryId({ ...e, time: '2024-01-01T00:00:01.000Z' }));
});

test('pipelines.yml: dead_letter_queue.target enables the queue; enable without a target is an error', async () => {
  const registry = await loadRegistry();
  const dir = mkdtempSync(join(tmpdir(), 'sluice-dlq-'));
  try {
    const yml = join(dir, 'pipelines.yml');
    writeFileSync(
      yml,
      `- pipeline.id: a
  config.string: "input { stdin {} } output { stdout {} }"
  dead_letter_queue.enable: true
  dead_letter_queue.target: nats://127.0.0.1:4222/sluice.dlq
- pipeline.id: b
  config.string: "input { stdin {} } output { stdout {} }"
  dead_letter_queue.target: nats://127.0.0.1:4222/b.dlq
- pipeline.id: c
  config.string: "input { stdin {} } output { stdout {} }"
  dead_letter_queue.enable: false
  dead_letter_queue.target: nats://127.0.0.1:4222/c.dlq
`,
    );
    const ok = loadPipelines({ pipelinesYml: yml, pathData: join(dir, 'data') }, registry);
    assert.deepEqual(ok.errors, []);
    assert.deepEqual(
      ok.pipelines.map((p) => p.model.settings.deadLetterQueue),
      ['nats://127.0.0.1:4222/sluice.dlq', 'nats://127.0.0.1:4222/b.dlq', undefined],
    );
    writeFileSync(yml, `- pipeline.id: a\n  config.string: "input { stdin {} } output { stdout {} }"\n  dead_letter_queue.enable: true\n- pipeline.id: b\n  config.string: "input { stdin {} } output { stdout {} }"\n  dead_letter_queue.target: s4://bucket\n`);
    const bad = loadPipelines({ pipelinesYml: yml, pathData: join(dir, 'data') }, registry);
    assert.equal(bad.errors.length, 2);
    assert.match(bad.errors[0]!, /pipeline 'a': dead_letter_queue.enable needs dead_letter_queue.target/);
    assert.match(bad.errors[1]!, /pipeline 'b': .*unsupported scheme 's4'/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the JetStream target stores entries durably, lists them oldest first, stores a retried write once, removes them', async (t) => {
  if (!requireNats(t)) return;
  const nats = await startNats({ jetstream: true });
  const dlq = openDeadLetterTarget(`${nats.servers[0]}/dead.letters`, createLogger('test'));
  t.after(async () => {
    await dlq.close();
    await nats.stop();
  });
  const time = new Date().toISOString();
  const entries = Array.from({ length: 5 }, (_, i) => ({ pipeline: 'p', plugin: 'out', time, error: 'mapping', event: JSON.stringify({ n: i }) }));
  await dlq.write(entries);
  await dlq.write(entries.slice(0, 2)); // a retry after a failure: not stored twice
  const listed = [];
  for await (const x of dlq.list()) listed.push(x);
  assert.deepEqual(listed.map((x) => x.entry), entries);
  await dlq.remove(listed.slice(0, 3).map((x) => x.ref));
  const left = [];
  for await (const x of dlq.list()) left.push(x.entry);
  assert.deepEqual(left, entries.slice(3));
});
