// `sluice dlq list|replay` and `sluice stream status`: operating a scale-out deployment.

import { loadRegistry } from '../core/registry.js';
import { loadPipelines, type LoadOptions } from '../config/load.js';
import { Pipeline } from '../core/pipeline.js';
import { formatSummary } from '../core/agent.js';
import { createLogger } from '../core/logger.js';
import { validateOptions } from '../core/options.js';
import { openDeadLetterTarget } from '../core/dlq/index.js';
import type { InputDef } from '../core/plugin.js';
import type { PipelineModel } from '../core/model.js';
import { natsBehaviour, openNats } from '../core/stream/nats.js';

type Write = (s: string) => void;

/** The dead-letter target: `--target`, else the one configured for the (single or chosen) pipeline. */
async function resolveTarget(target: string | undefined, opts: LoadOptions | undefined): Promise<{ target: string; model?: PipelineModel }> {
  let model: PipelineModel | undefined;
  if (opts) {
    const registry = await loadRegistry();
    const { pipelines, errors } = loadPipelines(opts, registry);
    if (errors.length) throw new Error(`configuration invalid:\n  ${errors.join('\n  ')}`);
    if (pipelines.length !== 1) throw new Error(`choose one pipeline with --pipeline (found ${pipelines.map((p) => p.model.id).join(', ')})`);
    model = pipelines[0]!.model;
  }
  const t = target ?? model?.settings.deadLetterQueue;
  if (!t) throw new Error('no dead-letter queue: give --target nats://host:port/subject or a pipeline with dead_letter_queue.target');
  return { target: t, model };
}

export async function dlqList(target: string | undefined, opts: LoadOptions | undefined, flags: { json?: boolean; pipelineId?: string; limit?: number }, out: Write): Promise<number> {
  natsBehaviour.persistent = false;
  const resolved = await resolveTarget(target, opts);
  const dlq = openDeadLetterTarget(resolved.target, createLogger('sluice.dlq'));
  let n = 0;
  try {
    for await (const { ref, entry } of dlq.list()) {
      if (flags.pipelineId && entry.pipeline !== flags.pipelineId) continue;
      if (flags.limit !== undefined && n >= flags.limit) break;
      n++;
      if (flags.json) out(JSON.stringify({ ref, ...entry }) + '\n');
      else out(`#${ref} ${entry.time} pipeline=${entry.pipeline} plugin=${entry.plugin} error=${JSON.stringify(entry.error)}\n  ${entry.event ?? `raw: ${entry.raw}`}\n`);
    }
  } finally {
    await dlq.close();
  }
  if (!flags.json) out(`${n} entr${n === 1 ? 'y' : 'ies'} in ${dlq.description}\n`);
  return 0;
}

/** Run a pipeline's filters and outputs over the dead-letter entries (its own inputs are not started). */
export async function dlqReplay(target: string | undefined, opts: LoadOptions, flags: { pipelineId?: string; keep?: boolean }, err: Write): Promise<number> {
  const resolved = await resolveTarget(target, opts);
  const model = resolved.model!;
  const registry = await loadRegistry();
  const def = registry.get('input', 'dead_letter_queue') as InputDef;
  const settings: Record<string, unknown> = { target: resolved.target, commit_offsets: !flags.keep };
  const only = flags.pipelineId ?? (target ? undefined : model.id);
  if (only) settings.pipeline_id = only;
  const { config, errors } = validateOptions('input', 'dead_letter_queue', def.options, settings);
  if (errors.length) throw new Error(errors.join('; '));
  model.inputs = [{ kind: 'input', name: 'dead_letter_queue', id: 'dead_letter_queue_replay', config, where: 'sluice dlq replay' }];
  const pipeline = new Pipeline(model, registry, createLogger('sluice'));
  await pipeline.start();
  await pipeline.finished;
  const stats = pipeline.getStats();
  err(formatSummary([stats]));
  return stats.errors.length ? 1 : 0;
}

export interface StreamStatus {
  stream: string;
  messages: number;
  bytes: number;
  consumer?: string;
  /** Messages not yet delivered to any worker: the lag an autoscaler acts on. */
  pending?: number;
  /** Delivered, not yet acknowledged. */
  ack_pending?: number;
  redelivered?: number;
  waiting?: number;
}

export type StatusFormat = 'text' | 'json' | 'emf';

export interface StreamStatusOptions {
  servers: string[];
  stream: string;
  consumer?: string;
  format: StatusFormat;
  /** Repeat every this many seconds until stopped (SIGTERM/SIGINT); 0: print once. */
  interval: number;
  /** CloudWatch namespace of the EMF metrics. */
  namespace: string;
  /** Extra EMF dimensions (name → value) beside Stream and Consumer. */
  dimensions: Record<string, string>;
  /** Stops an `interval` loop (tests, signals). */
  signal?: AbortSignal;
}

/** Metrics of one EMF record: the consumer's lag and its parts (counts of messages, each a batch of events). */
const EMF_METRICS = [
  ['lag', (s: StreamStatus) => (s.pending ?? 0) + (s.ack_pending ?? 0)],
  ['pending', (s: StreamStatus) => s.pending ?? 0],
  ['ack_pending', (s: StreamStatus) => s.ack_pending ?? 0],
  ['redelivered', (s: StreamStatus) => s.redelivered ?? 0],
  ['stream_messages', (s: StreamStatus) => s.messages],
] as const;

/**
 * One line of CloudWatch Embedded Metric Format: the `_aws` metadata (Timestamp in ms, one metric directive with
 * Namespace, one dimension set and the metrics with their Unit) and, at the top level, the dimension values and
 * metric values it names. The awslogs driver ships it to CloudWatch Logs, which extracts the metrics.
 */
export function emfRecord(status: StreamStatus, namespace: string, dimensions: Record<string, string>, now = Date.now()): Record<string, unknown> {
  const dims: Record<string, string> = { Stream: status.stream, ...(status.consumer ? { Consumer: status.consumer } : {}), ...dimensions };
  const record: Record<string, unknown> = {
    _aws: {
      Timestamp: now,
      CloudWatchMetrics: [{ Namespace: namespace, Dimensions: [Object.keys(dims)], Metrics: EMF_METRICS.map(([name]) => ({ Name: name, Unit: 'Count' })) }],
    },
    ...dims,
  };
  for (const [name, value] of EMF_METRICS) record[name] = value(status);
  return record;
}

export async function streamStatus(o: StreamStatusOptions, out: Write, err: Write = (t) => process.stderr.write(t)): Promise<number> {
  natsBehaviour.persistent = false;
  if (o.format === 'emf' && !o.consumer) throw new Error('--format emf needs --consumer (the lag is a consumer\'s)');
  if (!o.namespace || o.namespace.length > 255) throw new Error('--namespace: 1 to 255 characters');
  // CloudWatch allows at most 30 dimensions per metric.
  if (Object.keys(o.dimensions).length + 2 > 30) throw new Error('--dimension: at most 28 extra dimensions');
  const logger = createLogger('sluice.stream');
  const h = await openNats({ servers: o.servers, ssl_enabled: o.servers.some((s) => s.startsWith('tls://')), user: process.env.NATS_USER, password: process.env.NATS_PASSWORD, token: process.env.NATS_TOKEN }, 'sluice stream status', logger);
  const once = async () => {
    const si = await h.jsm.streams.info(o.stream);
    const status: StreamStatus = { stream: o.stream, messages: si.state.messages, bytes: si.state.bytes };
    if (o.consumer) {
      const ci = await h.jsm.consumers.info(o.stream, o.consumer);
      Object.assign(status, { consumer: o.consumer, pending: ci.num_pending, ack_pending: ci.num_ack_pending, redelivered: ci.num_redelivered, waiting: ci.num_waiting });
    }
    if (o.format === 'json') out(JSON.stringify(status) + '\n');
    else if (o.format === 'emf') out(JSON.stringify(emfRecord(status, o.namespace, o.dimensions)) + '\n');
    else {
      out(`stream ${o.stream}: ${status.messages} messages, ${status.bytes} bytes\n`);
      if (o.consumer) out(`consumer ${o.consumer}: pending ${status.pending}, ack pending ${status.ack_pending}, redelivered ${status.redelivered}, waiting pulls ${status.waiting}\n`);
    }
  };
  try {
    if (!o.interval) {
      await once();
      return 0;
    }
    // A sidecar: keep reporting; a failed read (stream leader election, server restart) is logged and retried
    // at the next tick instead of ending the process.
    while (!o.signal?.aborted) {
      try {
        await once();
      } catch (e) {
        err(`sluice stream status: ${(e as Error).message}\n`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, o.interval * 1000);
        o.signal?.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
      });
    }
    return 0;
  } finally {
    await h.nc.close();
  }
}
