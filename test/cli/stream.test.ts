// `sluice stream status --format emf`: the consumer's lag as CloudWatch Embedded Metric Format, read from a real
// nats-server. Structure per AWS's EMF specification: `_aws.Timestamp` (ms), `_aws.CloudWatchMetrics` with
// Namespace, Dimensions (arrays of names, each name a top-level string member) and Metrics ({Name, Unit}, each
// name a top-level number member).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { requireNats, startNats } from '../support/nats.js';
import { startSluice, waitFor } from '../support/sluice.js';
import { connect } from '@nats-io/transport-node';
import { jetstream, jetstreamManager, AckPolicy } from '@nats-io/jetstream';

interface EmfLine {
  _aws: { Timestamp: number; CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string; Unit: string }> }> };
  [member: string]: unknown;
}

function assertEmf(line: EmfLine): void {
  assert.equal(typeof line._aws.Timestamp, 'number');
  assert.ok(Number.isInteger(line._aws.Timestamp) && Math.abs(line._aws.Timestamp - Date.now()) < 3_600_000, 'Timestamp is epoch milliseconds');
  assert.equal(line._aws.CloudWatchMetrics.length, 1);
  for (const directive of line._aws.CloudWatchMetrics) {
    assert.ok(directive.Namespace.length > 0 && directive.Namespace.length <= 255);
    assert.ok(directive.Dimensions.length >= 1);
    for (const set of directive.Dimensions) {
      assert.ok(Array.isArray(set) && set.length >= 1 && set.length <= 30);
      for (const d of set) assert.equal(typeof line[d], 'string', `dimension ${d} has a string value`);
    }
    for (const m of directive.Metrics) {
      assert.equal(typeof line[m.Name], 'number', `metric ${m.Name} has a number value`);
      assert.equal(m.Unit, 'Count');
    }
  }
}

async function streamWithLag(server: string, published: number, fetched: number): Promise<void> {
  const nc = await connect({ servers: server });
  try {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: 'LOGS', subjects: ['logs.>'] });
    await jsm.consumers.add('LOGS', { durable_name: 'workers', ack_policy: AckPolicy.Explicit, ack_wait: 60_000_000_000 });
    const js = jetstream(nc);
    for (let i = 0; i < published; i++) await js.publish('logs.x', `m${i}`);
    // Fetched and not acknowledged: ack pending.
    const c = await js.consumers.get('LOGS', 'workers');
    const batch = await c.fetch({ max_messages: fetched, expires: 2000 });
    let n = 0;
    for await (const _m of batch) if (++n >= fetched) break;
  } finally {
    await nc.close();
  }
}

test('stream status --format emf prints the consumer lag as one EMF line per run', async (t) => {
  if (!requireNats(t)) return;
  const nats = await startNats({ jetstream: true });
  t.after(() => nats.stop());
  await streamWithLag(nats.servers[0]!, 10, 3);
  const p = startSluice(['stream', 'status', '--servers', nats.servers[0]!, '--stream', 'LOGS', '--consumer', 'workers', '--format', 'emf', '--namespace', 'Sluice/Test', '--dimension', 'Service=firewall-workers']);
  assert.equal(await p.exited, 0, p.stderr());
  const lines = p.stdout().split('\n').filter(Boolean);
  assert.equal(lines.length, 1);
  const line = JSON.parse(lines[0]!) as EmfLine;
  assertEmf(line);
  const directive = line._aws.CloudWatchMetrics[0]!;
  assert.equal(directive.Namespace, 'Sluice/Test');
  assert.deepEqual(directive.Dimensions, [['Stream', 'Consumer', 'Service']]);
  assert.deepEqual(directive.Metrics.map((m) => m.Name), ['lag', 'pending', 'ack_pending', 'redelivered', 'stream_messages']);
  assert.equal(line.Stream, 'LOGS');
  assert.equal(line.Consumer, 'workers');
  assert.equal(line.Service, 'firewall-workers');
  assert.equal(line.pending, 7);
  assert.equal(line.ack_pending, 3);
  assert.equal(line.lag, 10);
  assert.equal(line.stream_messages, 10);
});

test('stream status --interval repeats until SIGTERM; emf without a consumer is refused', async (t) => {
  if (!requireNats(t)) return;
  const nats = await startNats({ jetstream: true });
  t.after(() => nats.stop());
  await streamWithLag(nats.servers[0]!, 4, 0);
  const p = startSluice(['stream', 'status', '--servers', nats.servers[0]!, '--stream', 'LOGS', '--consumer', 'workers', '--format', 'emf', '--interval', '0.2']);
  t.after(() => p.kill());
  await waitFor(() => p.stdout().split('\n').filter(Boolean).length >= 3, () => `stdout: ${p.stdout()} stderr: ${p.stderr()}`, 30_000);
  assert.equal(await p.stop(), 0, p.stderr());
  const lines = p.stdout().split('\n').filter(Boolean).map((l) => JSON.parse(l) as EmfLine);
  for (const l of lines) {
    assertEmf(l);
    assert.equal(l._aws.CloudWatchMetrics[0]!.Namespace, 'Sluice');
    assert.equal(l.lag, 4);
  }
  const stamps = lines.map((l) => l._aws.Timestamp);
  assert.deepEqual([...stamps].sort((a, b) => a - b), stamps, 'timestamps advance');

  const bad = startSluice(['stream', 'status', '--servers', nats.servers[0]!, '--stream', 'LOGS', '--format', 'emf']);
  assert.equal(await bad.exited, 1);
  assert.match(bad.stderr(), /--format emf needs --consumer/);
});
