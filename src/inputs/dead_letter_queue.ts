// The dead_letter_queue input: reads the entries of a dead-letter queue (as Logstash's input of the same name
// reads its DLQ files) so they can go through a pipeline again, typically after the cause was fixed.
// `sluice dlq replay` runs a pipeline with this input in place of its own. Entries are removed from the queue
// once the pipeline acknowledged them (`commit_offsets`); events keep their `[@metadata][_id]`, so outputs
// overwrite what may already be there. Reading stops at the entries present when it started.

import { defineInput, type Input, type InputSink, type PluginContext } from '../core/plugin.js';
import type { EventData } from '../core/event.js';
import { parseJson } from '../core/serialize.js';
import { openDeadLetterTarget, type DeadLetterTarget } from '../core/dlq/index.js';

interface DeadLetterQueueInputConfig {
  target: string;
  pipeline_id?: string;
  commit_offsets: boolean;
  batch_size: number;
}

export class DeadLetterQueueInput implements Input {
  private stopped = false;
  private dlq?: DeadLetterTarget;
  private readonly removals: Promise<void>[] = [];

  constructor(
    private readonly config: DeadLetterQueueInputConfig,
    private readonly ctx: PluginContext,
  ) {}

  async run(sink: InputSink): Promise<void> {
    const { config, ctx } = this;
    const dlq = (this.dlq = openDeadLetterTarget(config.target, ctx.logger));
    let events: EventData[] = [];
    let refs: number[] = [];
    const flush = async () => {
      if (!events.length) return;
      const done = refs;
      await sink.push({ kind: 'events', events }, () => {
        if (config.commit_offsets) this.removals.push(dlq.remove(done).catch((err: Error) => ctx.logger.error('could not remove replayed entries', { error: err.message })));
      });
      events = [];
      refs = [];
    };
    for await (const { ref, entry } of dlq.list()) {
      if (this.stopped || sink.stopping) break;
      if (config.pipeline_id && entry.pipeline !== config.pipeline_id) continue;
      let data: EventData;
      const parsed = entry.event !== undefined ? safeParse(entry.event) : undefined;
      if (parsed) data = parsed;
      else data = { message: entry.event ?? entry.raw ?? '' };
      const meta = (data['@metadata'] && typeof data['@metadata'] === 'object' ? data['@metadata'] : (data['@metadata'] = {})) as Record<string, unknown>;
      if (typeof meta._id !== 'string') meta._id = `dead_letter_queue:${ref}`;
      meta.dead_letter_queue = { reason: entry.error, plugin_id: entry.plugin, pipeline_id: entry.pipeline, entry_time: entry.time };
      events.push(data);
      refs.push(ref);
      if (events.length >= config.batch_size) await flush();
    }
    await flush();
  }

  stop(): void {
    this.stopped = true;
  }

  async close(): Promise<void> {
    await Promise.all(this.removals);
    await this.dlq?.close();
  }
}

function safeParse(text: string): EventData | undefined {
  try {
    const v = parseJson(text);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as EventData) : undefined;
  } catch {
    return undefined;
  }
}

export default defineInput<DeadLetterQueueInputConfig>({
  name: 'dead_letter_queue',
  description: 'Reads the entries of a dead-letter queue (events outputs rejected, batches over `max_deliver`) to run them through a pipeline again; stops after the last entry.',
  notes: 'Each event gets `[@metadata][dead_letter_queue]` with `reason`, `plugin_id`, `pipeline_id` and `entry_time`, as Logstash\'s input does.',
  options: {
    target: { type: 'string', required: true, description: 'The dead-letter queue, as in `dead_letter_queue.target`.', example: 'target => "nats://127.0.0.1:4222/sluice.dlq"' },
    pipeline_id: { type: 'string', description: 'Only entries dead-lettered by this pipeline.' },
    commit_offsets: { type: 'boolean', default: true, description: 'Remove entries from the queue once the pipeline acknowledged them.' },
    batch_size: { type: 'number', default: 500, description: 'Entries per batch handed to the pipeline.' },
  },
  create(config, ctx) {
    return new DeadLetterQueueInput(config, ctx);
  },
});
