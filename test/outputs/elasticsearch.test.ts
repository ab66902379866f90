// The elasticsearch/opensearch output against the Elasticsearch/OpenSearch stand-in (test/outputs/support):
// no real cluster can run here, so every test name says "stand-in".

import { movableBuffers } from '../../src/core/byte_pool.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPlugin, repoRoot } from '../helpers.js';
import { Event } from '../../src/core/event.js';
import type { DeliveryResult, Output } from '../../src/core/plugin.js';
import type { BulkSender } from '../../src/outputs/elasticsearch/bulk_sender.js';
import type { BulkPayload } from '../../src/outputs/elasticsearch/bulk_encoder.js';
import { ClusterClient, NetworkError } from '../../src/outputs/elasticsearch/http_client.js';
import { loadRegistry } from '../../src/core/registry.js';
import { createLogger } from '../../src/core/logger.js';
import { Agent } from '../../src/core/agent.js';
import { EsStandin, applyFilterPath, type StandinOptions } from './support/es_standin.js';
import { makeTestPki, type TestPki } from './support/tls.js';
import { setLogLevel } from '../../src/core/logger.js';

// Retries are logged as warnings; the tests provoke hundreds of them.
setLogLevel('error');

type EsOutput = Output & { sender: BulkSender };

const FIXED_TS = '2026-11-28T11:55:50.000Z';

async function withStandin(opts: StandinOptions, fn: (s: EsStandin) => Promise<void>): Promise<void> {
  const s = await EsStandin.start(opts);
  try {
    await fn(s);
  } finally {
    await s.close();
  }
}

async function esOutput(settings: Record<string, unknown>, name = 'elasticsearch'): Promise<EsOutput> {
  return createPlugin<EsOutput>('output', name, { retry_initial_interval: 0.01, retry_max_interval: 0.05, ...settings }, { side: 'main' });
}

function makeEvents(n: number, fields: (i: number) => Record<string, unknown> = () => ({}), idPrefix = 'src:'): Event[] {
  return Array.from({ length: n }, (_, i) => new Event({ '@timestamp': FIXED_TS, message: `line ${i}`, '@metadata': { _id: `${idPrefix}${i}` }, ...fields(i) }));
}

async function write(out: EsOutput, events: Event[]): Promise<DeliveryResult> {
  const payload = out.encode(events);
  // The pipeline moves payloads between threads by structured clone: deliver what a clone gives.
  return (await out.deliver(structuredClone(payload))) ?? {};
}

let pki: TestPki | undefined;
function testPki(): TestPki {
  pki ??= makeTestPki();
  return pki;
}

test('stand-in: filter_path keeps only the listed paths, as Elasticsearch does', () => {
  const r = { took: 3, errors: true, items: [{ index: { _index: 'a', status: 201, result: 'created' } }, { create: { status: 409, error: { type: 't', reason: 'r' } } }] };
  assert.deepEqual(applyFilterPath(r, 'errors,items.*.error,items.*.status'), { errors: true, items: [{ index: { status: 201 } }, { create: { status: 409, error: { type: 't', reason: 'r' } } }] });
});

test('encode: NDJSON bulk body with action lines, ids from [@metadata][_id], daily index from @timestamp, a body that moves between threads', async () => {
  const out = await esOutput({ hosts: ['127.0.0.1:1'], index: 'logs-fw-%{+yyyy.MM.dd}', routing: '%{host}', pipeline: 'geoip' });
  const events = makeEvents(2, (i) => ({ host: `h${i}`, '@timestamp': i === 0 ? '2026-11-28T23:59:59Z' : '2026-11-29T00:00:00Z', text: 'é' }));
  const [body, layout, extras, rejected] = out.encode(events) as BulkPayload;
  assert.deepEqual(movableBuffers([body]), [body.buffer], 'the body moves to the main thread whole (transferred, not copied)');
  const lines = new TextDecoder().decode(body).split('\n');
  assert.equal(lines.length, 5, 'two items, two lines each, final newline');
  assert.deepEqual(JSON.parse(lines[0]!), { index: { _index: 'logs-fw-2026.11.28', _id: 'src:0', routing: 'h0', pipeline: 'geoip' } });
  assert.deepEqual(JSON.parse(lines[2]!), { index: { _index: 'logs-fw-2026.11.29', _id: 'src:1', routing: 'h1', pipeline: 'geoip' } });
  const doc = JSON.parse(lines[1]!);
  assert.equal(doc.message, 'line 0');
  assert.equal(doc['@metadata'], undefined, '@metadata is not indexed');
  assert.equal(layout.length, 6);
  assert.equal(layout[3], body.byteLength, 'the last item ends at the end of the body (byte offsets, not characters)');
  assert.deepEqual(extras, ['{"_id":"src:0"}', '{"_id":"src:1"}']);
  assert.deepEqual(rejected, []);
  await out.close?.();
});

test('encode: update with doc_as_upsert, delete, an event without id, and an invalid action per event', async () => {
  const out = await esOutput({ hosts: ['127.0.0.1:1'], index: 'x', action: '%{op}', doc_as_upsert: true, retry_on_conflict: 3 });
  const events = [
    new Event({ op: 'update', '@metadata': { _id: 'a' } }),
    new Event({ op: 'delete', '@metadata': { _id: 'b' } }),
    new Event({ op: 'index' }),
    new Event({ op: 'destroy', '@metadata': { _id: 'c' } }),
  ];
  const [body, layout, , rejected] = out.encode(events) as BulkPayload;
  const lines = new TextDecoder().decode(body).split('\n');
  assert.deepEqual(JSON.parse(lines[0]!), { update: { _index: 'x', _id: 'a', retry_on_conflict: 3 } });
  // layout: [end, docStart, docEnd] per item; the source document's bytes are what a retry resends
  const doc = (i: number) => JSON.parse(Buffer.from(body).subarray(layout[i * 3 + 1], layout[i * 3 + 2]).toString());
  assert.deepEqual(doc(0), { op: 'update', '@timestamp': events[0]!.timestamp.toISOString() });
  assert.deepEqual(layout.slice(3, 6).slice(1), [-1, -1], 'delete has no source document');
  assert.deepEqual(doc(2), { op: 'index', '@timestamp': events[2]!.timestamp.toISOString() });
  assert.equal(layout[6], body.byteLength);
  const upd = JSON.parse(lines[1]!);
  assert.equal(upd.doc_as_upsert, true);
  assert.equal(upd.doc.op, 'update');
  assert.deepEqual(JSON.parse(lines[2]!), { delete: { _index: 'x', _id: 'b' } });
  assert.deepEqual(JSON.parse(lines[3]!), { index: { _index: 'x' } }, 'no id: the cluster generates one');
  assert.equal(lines.length, 6);
  assert.equal(rejected.length, 1);
  assert.match(rejected[0]!.error, /action "destroy" is not one of/);
  assert.equal(JSON.parse(rejected[0]!.event)['@metadata']._id, 'c');
  await out.close?.();
});

test('stand-in: idempotent redelivery, the same ids twice leave one document per id', async () => {
  await withStandin({}, async (s) => {
    // Not `logs-*-*`: Elasticsearch 8's built-in template makes such names data streams (create only).
    const out = await esOutput({ hosts: [s.url], index: 'firewall-%{+yyyy.MM.dd}' });
    const events = makeEvents(250);
    assert.deepEqual(await write(out, events), {});
    assert.deepEqual(await write(out, makeEvents(250)), {});
    const docs = s.docs('firewall-2026.11.28');
    assert.equal(docs.length, 250);
    assert.deepEqual(new Set(docs.map((d) => d.id)), new Set(events.map((_, i) => `src:${i}`)));
    assert.ok(docs.every((d) => d.doc.version === 2), 'each document was overwritten once, not duplicated');
    assert.ok(s.log.every((r) => r.method !== 'POST' || r.path.startsWith('/_bulk?filter_path=')), 'bulk requests ask for a filtered response');
    await out.close?.();
  });
});

test('stand-in: partial failures, items answered 429 or 503 are retried alone until written', async () => {
  await withStandin({}, async (s) => {
    const attempts = new Map<string, number>();
    s.faults.itemFailure = ({ id }) => {
      const n = (attempts.get(id!) ?? 0) + 1;
      attempts.set(id!, n);
      const k = Number(id!.split(':')[1]);
      if (k % 10 === 0 && n <= 2) return { status: 429, type: 'es_rejected_execution_exception', reason: 'rejected execution of primary operation' };
      if (k % 10 === 5 && n === 1) return { status: 503, type: 'unavailable_shards_exception', reason: 'primary shard is not active' };
      return undefined;
    };
    const out = await esOutput({ hosts: [s.url], index: 'partial' });
    const result = await write(out, makeEvents(100));
    assert.deepEqual(result, {});
    assert.equal(s.docs('partial').length, 100);
    assert.equal(attempts.get('src:0'), 3, 'a 429 item is sent again until accepted');
    assert.equal(attempts.get('src:5'), 2);
    assert.equal(attempts.get('src:1'), 1, 'items that were written are not sent again');
    assert.equal(out.sender.stats.retriedItems, 20 + 10);
    await out.close?.();
  });
});

test('stand-in: a mapping error on some items rejects exactly those, with the server\'s reason and the event\'s @metadata', async () => {
  await withStandin({}, async (s) => {
    const out = await esOutput({ hosts: [s.url], index: 'mapped' });
    // The first event maps `bytes` as long; every 25th event then sends a word there.
    const events = makeEvents(200, (i) => ({ bytes: i % 25 === 24 ? `lots-${i}` : i }));
    const result = await write(out, events);
    const rejected = result.rejected ?? [];
    assert.equal(rejected.length, 8);
    assert.deepEqual(
      rejected.map((r) => JSON.parse(r.event)['@metadata']._id),
      events.filter((_, i) => i % 25 === 24).map((e) => (e.data['@metadata'] as { _id: string })._id),
    );
    const first = rejected[0]!;
    assert.match(first.error, /^HTTP 400: document_parsing_exception: .*failed to parse field \[bytes\] of type \[long\].*caused by illegal_argument_exception/);
    const ev = JSON.parse(first.event);
    assert.equal(ev.bytes, 'lots-24');
    assert.equal(ev.message, 'line 24');
    assert.equal(s.docs('mapped').length, 192);
    await out.close?.();
  });
});

test('stand-in: a 429 storm on whole requests, then success: nothing lost, nothing rejected', async () => {
  await withStandin({}, async (s) => {
    s.faults.failRequests = 12;
    s.faults.failStatus = 429;
    const out = await esOutput({ hosts: [s.url], index: 'storm' });
    const result = await write(out, makeEvents(300));
    assert.deepEqual(result, {});
    assert.equal(s.docs('storm').length, 300);
    assert.equal(s.faults.failRequests, 0);
    assert.ok(out.sender.stats.failedRequests >= 12);
    await out.close?.();
  });
});

test('stand-in: 5xx answers, connection resets and an unreachable host: retried and failed over', async () => {
  await withStandin({}, async (s) => {
    s.faults.failRequests = 2;
    s.faults.failStatus = 503;
    s.faults.resetConnections = 2;
    // Port 1 refuses connections: requests fail over to the stand-in.
    const out = await esOutput({ hosts: ['127.0.0.1:1', s.url], index: 'flaky', resurrect_delay: 60 });
    assert.deepEqual(await write(out, makeEvents(50)), {});
    assert.deepEqual(await write(out, makeEvents(50, () => ({}), 'second:')), {});
    assert.equal(s.docs('flaky').length, 100);
    await out.close?.();
  });
});

test('stand-in: slow answers beyond `timeout` are retried; requests are bounded in events and bytes and sent several at once', async () => {
  await withStandin({}, async (s) => {
    const out = await esOutput({ hosts: [s.url], index: 'sized', bulk_max_events: 10, max_in_flight_requests: 3 });
    s.faults.delayMs = 30;
    assert.deepEqual(await write(out, makeEvents(95)), {});
    assert.equal(s.stats.bulkRequests, 10, '95 events in requests of at most 10');
    assert.equal(s.stats.maxConcurrentBulk, 3, 'three requests in flight at once, never more');
    await out.close?.();

    const byBytes = await esOutput({ hosts: [s.url], index: 'sized-bytes', target_bulk_bytes: 1000 });
    s.faults.delayMs = 0;
    const before = s.log.length;
    const big = makeEvents(20, () => ({ pad: 'x'.repeat(300) }));
    assert.deepEqual(await write(byBytes, big), {});
    const bulks = s.log.slice(before).filter((r) => r.method === 'POST');
    assert.ok(bulks.length >= 7, `${bulks.length} requests`);
    assert.ok(bulks.every((r) => r.bodyBytes <= 1000), 'no request beyond target_bulk_bytes');
    assert.equal(s.docs('sized-bytes').length, 20);
    await byBytes.close?.();

    const slow = await esOutput({ hosts: [s.url], index: 'slow', timeout: 0.2 });
    s.faults.delayMs = 0;
    let calls = 0;
    s.onBulk = () => {
      s.faults.delayMs = ++calls === 1 ? 1000 : 0;
    };
    assert.deepEqual(await write(slow, makeEvents(5)), {});
    assert.ok(calls >= 2, 'the timed-out request was sent again');
    assert.equal(s.docs('slow').length, 5);
    await slow.close?.();
  });
});

test('stand-in: a request too large for the cluster (413) is split; a lone oversized document is rejected', async () => {
  await withStandin({ maxContentLength: 4000 }, async (s) => {
    const out = await esOutput({ hosts: [s.url], index: 'big' });
    const events = makeEvents(30, (i) => ({ pad: 'y'.repeat(i === 7 ? 5000 : 200) }));
    const result = await write(out, events);
    assert.equal(result.rejected?.length, 1);
    assert.match(result.rejected![0]!.error, /HTTP 413/);
    assert.equal(JSON.parse(result.rejected![0]!.event)['@metadata']._id, 'src:7');
    assert.equal(s.docs('big').length, 29);
    await out.close?.();
  });
});

test('stand-in: basic auth, right credentials write, wrong ones are refused and retried (never dropped)', async () => {
  await withStandin({ basicAuth: { user: 'etl', password: 's3cret' } }, async (s) => {
    const ok = await esOutput({ hosts: [s.url], index: 'authed', user: 'etl', password: 's3cret' });
    assert.deepEqual(await write(ok, makeEvents(10)), {});
    assert.equal(s.docs('authed').length, 10);
    await ok.close?.();

    const bad = await esOutput({ hosts: [s.url], index: 'authed2', user: 'etl', password: 'wrong' });
    let refused = 0;
    const pending = write(bad, makeEvents(3)).then(
      () => 'resolved',
      (e: Error) => e.message,
    );
    while (s.stats.authFailures < 3) await new Promise((r) => setTimeout(r, 10));
    refused = s.stats.authFailures;
    await bad.close?.();
    assert.match(await pending, /output closed with 3 item\(s\) not yet written/);
    assert.ok(refused >= 3);
    assert.equal(s.docs('authed2').length, 0);
  });
});

test('stand-in: TLS with a generated CA and an API key; verification refuses a certificate from another CA', async () => {
  const p = testPki();
  const { readFileSync } = await import('node:fs');
  await withStandin({ tls: { key: readFileSync(p.serverKey), cert: readFileSync(p.serverCert) }, apiKey: 'key-id:key-secret' }, async (s) => {
    const out = await esOutput({ hosts: [s.url], index: 'tls', api_key: 'key-id:key-secret', ssl_certificate_authorities: [p.caCert] });
    assert.deepEqual(await write(out, makeEvents(10)), {});
    assert.equal(s.docs('tls').length, 10);
    await out.close?.();

    const wrongCa = new ClusterClient({ hosts: [s.url], sslCertificateAuthorities: [p.otherCaCert], apiKey: 'key-id:key-secret' });
    await assert.rejects(wrongCa.json('GET', '/'), (e: Error) => e instanceof NetworkError && /certificate/i.test(e.message));
    wrongCa.close();

    const noVerify = new ClusterClient({ hosts: [s.url], sslVerificationMode: 'none', apiKey: 'key-id:key-secret' });
    const info = (await noVerify.json('GET', '/')) as { tagline: string; version: { number: string } };
    assert.equal(info.tagline, 'You Know, for Search');
    noVerify.close();

    assert.throws(() => new ClusterClient({ hosts: [s.url.replace('https', 'http')], apiKey: 'a:b' }), /api_key requires TLS/);
  });
});

test('stand-in: gzip-compressed request bodies (compression_level)', async () => {
  await withStandin({}, async (s) => {
    const out = await esOutput({ hosts: [s.url], index: 'zipped', compression_level: 6 });
    assert.deepEqual(await write(out, makeEvents(40)), {});
    assert.equal(s.stats.gzipRequests, 1);
    assert.equal(s.log.at(-1)!.headers['content-encoding'], 'gzip');
    assert.equal(s.docs('zipped').length, 40);
    await out.close?.();
    const plain = await esOutput({ hosts: [s.url], index: 'zipped', compression_level: 0 });
    await write(plain, makeEvents(1));
    assert.equal(s.log.at(-1)!.headers['content-encoding'], undefined);
    await plain.close?.();
  });
});

test('stand-in: data streams, action create into logs-<dataset>-<namespace>, redelivery conflicts count as written', async () => {
  await withStandin({}, async (s) => {
    const out = await esOutput({ hosts: [s.url], data_stream: true, data_stream_dataset: 'firewall' });
    const events = makeEvents(20, (i) => (i === 3 ? { data_stream: { dataset: 'ids' } } : {}));
    assert.deepEqual(await write(out, events), {});
    assert.equal(s.docs('logs-firewall-default').length, 19);
    assert.equal(s.docs('logs-ids-default').length, 1, 'auto routing took the event\'s [data_stream][dataset]');
    const backing = [...s.indices.values()].filter((i) => i.dataStream === 'logs-firewall-default');
    assert.equal(backing.length, 1);
    assert.match(backing[0]!.name, /^\.ds-logs-firewall-default-\d{4}\.\d{2}\.\d{2}-000001$/);
    const doc = s.docs('logs-firewall-default')[0]!.doc.source as { data_stream: unknown };
    assert.deepEqual(doc.data_stream, { type: 'logs', dataset: 'firewall', namespace: 'default' }, 'data_stream fields synced');
    const bulkBody = s.log.filter((r) => r.method === 'POST');
    assert.equal(bulkBody.length, 1);
    // Redelivery: create answers 409 for every item; they exist, so nothing is rejected or duplicated.
    assert.deepEqual(await write(out, makeEvents(20, (i) => (i === 3 ? { data_stream: { dataset: 'ids' } } : {}))), {});
    assert.equal(out.sender.stats.conflicts, 20);
    assert.equal(s.docs('logs-firewall-default').length, 19);
    await out.close?.();
    await assert.rejects(esOutput({ hosts: [s.url], data_stream: true, index: 'foo' }), /index cannot be used with data_stream/);
  });
});

test('stand-in: index into a data stream is refused by the cluster and dead-lettered with its reason', async () => {
  await withStandin({}, async (s) => {
    const out = await esOutput({ hosts: [s.url], index: 'logs-app-default', action: 'index' });
    const r = await write(out, makeEvents(2));
    assert.equal(r.rejected?.length, 2);
    assert.match(r.rejected![0]!.error, /only write ops with an op_type of create are allowed in data streams/);
    await out.close?.();
  });
});

test('stand-in: OpenSearch 2 flavour through the `opensearch` output, its error format and cluster info', async () => {
  await withStandin({ flavor: 'opensearch' }, async (s) => {
    const out = await esOutput({ hosts: [s.url], index: 'os-%{+yyyy.MM}' }, 'opensearch');
    const events = makeEvents(10, (i) => ({ status: i === 9 ? 'ok' : i }));
    const r = await write(out, events);
    assert.equal(r.rejected?.length, 1);
    assert.match(r.rejected![0]!.error, /^HTTP 400: mapper_parsing_exception: failed to parse field \[status\] of type \[long\].*caused by number_format_exception/);
    assert.equal(s.docs('os-2026.11').length, 9);
    assert.deepEqual(await write(out, makeEvents(10, (i) => ({ status: i }))), {}, 'redelivery overwrites');
    assert.equal(s.docs('os-2026.11').length, 10);
    s.faults.failRequests = 3;
    assert.deepEqual(await write(out, makeEvents(3, () => ({}), 'more:')), {}, 'OpenSearch\'s 429 body retried too');
    await out.close?.();
    const c = new ClusterClient({ hosts: [s.url] });
    const info = (await c.json('GET', '/')) as { version: { distribution: string } };
    assert.equal(info.version.distribution, 'opensearch');
    c.close();
  });
});

test('stand-in: while the cluster answers 429, the pipeline holds back its input (memory bounded), then indexes every event once', async () => {
  await withStandin({}, async (s) => {
    const total = 20_000;
    const lines = JSON.stringify(Array.from({ length: 100 }, (_, i) => `storm line ${i}`));
    s.faults.failRequests = 1_000_000;
    const registry = await loadRegistry();
    const dir = mkdtempSync(join(tmpdir(), 'sluice-es-storm-'));
    const config = `input { generator { lines => ${lines} count => ${total / 100} } }
      output { elasticsearch { hosts => ["${s.url}"] index => "storm" retry_initial_interval => 0.01 retry_max_interval => 0.02 } }`;
    const agent = new Agent({ configString: config, pathData: join(dir, 'data'), workers: 2, batchSize: 100 }, registry, createLogger('test'));
    let seenDuringStorm = -1;
    s.onBulk = (n) => {
      if (n === 60) {
        seenDuringStorm = agent.stats()[0]!.in;
        s.faults.failRequests = 0; // the storm ends
      }
    };
    await agent.start();
    await agent.whenIdle();
    assert.ok(seenDuringStorm >= 0, 'the storm was observed');
    assert.ok(seenDuringStorm <= 2_000, `at most a bounded window of events was read during the storm (${seenDuringStorm} of ${total})`);
    assert.equal(s.docs('storm').length, total);
    const st = agent.stats()[0]!;
    assert.equal(st.outputs[0]!.in, total);
  });
});

test('stand-in: `sluice run` from a file input to the stand-in writes every line once, batches delivered concurrently', async () => {
  await withStandin({}, async (s) => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-es-run-'));
    const input = join(dir, 'in.log');
    const n = 3000;
    writeFileSync(input, Array.from({ length: n }, (_, i) => `2026-11-28T10:00:00Z host${i % 7} event ${i}`).join('\n') + '\n');
    const config = join(dir, 'p.conf');
    writeFileSync(
      config,
      `input { file { path => "${input}" mode => "read" exit_after_read => true sincedb_path => "${join(dir, 'sincedb')}" file_completed_action => "log" file_completed_log_path => "${join(dir, 'done.log')}" } }
       filter { dissect { mapping => { "message" => "%{ts} %{host} %{rest}" } } date { match => ["ts", "ISO8601"] } }
       output { elasticsearch { hosts => ["\${ES_HOSTS}"] index => "run-%{+yyyy.MM.dd}" user => "etl" password => "\${ES_PASSWORD}" } }`,
    );
    await s.close();
    await withStandin({ basicAuth: { user: 'etl', password: 'pw' } }, async (s2) => {
      // Slow answers: the bulk requests of different batches overlap (the output's concurrency, default 4).
      s2.faults.delayMs = 300;
      const child = spawn(process.execPath, [join(repoRoot, 'bin', 'sluice.js'), 'run', '-f', config, '--path.data', join(dir, 'data'), '-w', '2', '-b', '250'], {
        env: { ...process.env, ES_HOSTS: s2.url, ES_PASSWORD: 'pw' },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      assert.equal(code, 0, stderr);
      const docs = s2.docs('run-2026.11.28');
      assert.equal(docs.length, n);
      assert.equal(new Set(docs.map((d) => (d.doc.source as { rest: string }).rest)).size, n);
      assert.ok(docs.every((d) => /^file:\d+:\d+:\d+:\d+$/.test(d.id)), `documents carry the input's ids (${docs[0]!.id})`);
      assert.equal(new Set(docs.map((d) => d.id)).size, n);
      assert.ok(s2.stats.maxConcurrentBulk > 1, `batches' bulk requests overlapped (at most ${s2.stats.maxConcurrentBulk} at once)`);
      assert.ok(s2.stats.maxConcurrentBulk <= 4 * 4, 'bounded by max_in_flight_requests per batch and across batches');
    });
  });
});
