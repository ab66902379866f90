// The lake input: reads the raw archive the s3 output wrote (format => raw) for some types and a time range,
// one object after the other, and hands its lines to the pipeline. `sluice replay` runs a pipeline with this
// input in place of the config's own.
//
// Event ids are `<object key>:<line number>`: a second replay of the same range produces the same ids, so
// outputs that write by id overwrite instead of duplicating. Each event gets `[@metadata][type]` (its
// partition type, which the s3 output uses by default) and `[@metadata][lake_key]`.
// Partition pruning is by hour: `since`/`until` select the hour partitions that overlap the range.

import { EventEmitter } from 'node:events';
import { gunzipSync } from 'node:zlib';
import { defineInput, type Input, type InputSink } from '../core/plugin.js';
import { openStore, type ObjectStore } from '../lake/storage.js';
import { parseTime, sanitizeType } from '../lake/layout.js';
import { parseShard, planReplay, type PlannedObject } from '../lake/plan.js';
import { S3_CONNECTION_OPTIONS } from './s3/options.js';

interface LakeInputConfig {
  url: string;
  type: string[];
  since?: string;
  until?: string;
  shard: string;
  region?: string;
  endpoint?: string;
  access_key_id?: string;
  secret_access_key?: string;
  force_path_style: boolean;
  batch_lines: number;
}

/**
 * Progress of lake inputs in this process (`sluice replay` shows it): `plan` (objects, bytes) once the objects
 * are listed, `acked` (key, bytes, lines) when every output delivered all lines of an object.
 */
export const lakeInputProgress = new EventEmitter();

export class LakeInput implements Input {
  private stopped = false;
  constructor(
    private readonly config: LakeInputConfig,
    private readonly store: ObjectStore,
  ) {}

  async run(sink: InputSink): Promise<void> {
    const c = this.config;
    const plan = await planReplay(this.store, {
      types: c.type.map(sanitizeType),
      since: c.since ? parseTime(c.since) : undefined,
      until: c.until ? parseTime(c.until) : undefined,
      shard: parseShard(c.shard),
    });
    lakeInputProgress.emit('plan', { objects: plan.length, bytes: plan.reduce((n, o) => n + o.size, 0) });
    // Fetch the next object while the current one is being pushed.
    let next: Promise<Uint8Array> | undefined = plan.length ? this.store.get(plan[0]!.key) : undefined;
    for (let i = 0; i < plan.length; i++) {
      if (this.stopped || sink.stopping) return;
      const obj = plan[i]!;
      const data = await next!;
      next = i + 1 < plan.length ? this.store.get(plan[i + 1]!.key) : undefined;
      next?.catch(() => undefined);
      await this.pushObject(sink, obj, data);
    }
  }

  private async pushObject(sink: InputSink, obj: PlannedObject, data: Uint8Array): Promise<void> {
    const text = Buffer.from(obj.key.endsWith('.gz') ? gunzipSync(data) : data).toString('utf8');
    const lines = text.split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    const fields = { '[@metadata][type]': obj.type, '[@metadata][lake_key]': obj.key };
    const step = Math.max(1, this.config.batch_lines);
    let pending = Math.ceil(lines.length / step);
    const acked = () => {
      if (--pending === 0) lakeInputProgress.emit('acked', { key: obj.key, bytes: obj.size, lines: lines.length });
    };
    if (pending === 0) lakeInputProgress.emit('acked', { key: obj.key, bytes: obj.size, lines: 0 });
    for (let start = 0; start < lines.length; start += step) {
      const messages = lines.slice(start, start + step);
      const ids = messages.map((_, j) => `${obj.key}:${start + j}`);
      await sink.push({ kind: 'messages', messages, ids, fields }, acked);
    }
  }

  stop(): void {
    this.stopped = true;
  }
  async close(): Promise<void> {
    await this.store.close();
  }
}

export default defineInput<LakeInputConfig>({
  name: 'lake',
  description: 'Reads the raw archive of a Sluice data lake (written by the s3 output with format => raw) for some types and a time range; `sluice replay` uses it.',
  notes: 'Event ids are `<object key>:<line number>`, so replaying a range twice writes the same ids. Use `shard` to split one range over several processes without overlap.',
  options: {
    url: { type: 'string', required: true, description: 'The lake: `s3://bucket/prefix`, `file:///dir` or a path.' },
    type: { type: 'array', items: 'string', required: true, description: 'Partition types to read.', example: 'type => ["firewall"]' },
    since: { type: 'string', description: 'Start of the range (ISO 8601, or `2h` / `7d` ago); hour partitions overlapping it are read.' },
    until: { type: 'string', description: 'End of the range, exclusive (ISO 8601, or `2h` / `7d` ago).' },
    shard: { type: 'string', default: '0/1', description: '`i/n`: read only the objects whose key hashes to i modulo n (for n processes side by side).' },
    region: { type: 'string', description: 'AWS region of an S3 lake.' },
    endpoint: S3_CONNECTION_OPTIONS.endpoint,
    access_key_id: S3_CONNECTION_OPTIONS.access_key_id,
    secret_access_key: S3_CONNECTION_OPTIONS.secret_access_key,
    force_path_style: { type: 'boolean', default: false, description: 'Path-style bucket addressing (S3-compatible servers).' },
    batch_lines: { type: 'number', default: 1000, description: 'Lines per batch handed to the pipeline.' },
  },
  create(config) {
    parseShard(config.shard);
    if (config.since) parseTime(config.since);
    if (config.until) parseTime(config.until);
    const store = openStore(config.url, {
      region: config.region,
      endpoint: config.endpoint,
      accessKeyId: config.access_key_id,
      secretAccessKey: config.secret_access_key,
      forcePathStyle: config.force_path_style || undefined,
    });
    return new LakeInput(config, store);
  },
});
