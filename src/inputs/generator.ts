// The generator input: emits `lines` (or `message`) `count` times, for tests and benchmarks.
// Each round of lines is one batch of messages (decoded by the input's codec on the workers) carrying,
// as Logstash sets after decoding, the round number in `sequence` ([event][sequence] under ECS) and
// the host name in `host` ([host][name]). Ids are deterministic: `generator:<plugin id>:<sequence>`
// (plus `:<line index>` when there are several lines), so a rerun produces the same ids.

import { hostname } from 'node:os';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { defineInput, type Input, type InputSink, type PluginContext } from '../core/plugin.js';
import { ECS_COMPATIBILITY_OPTION, ecsMode } from '../core/ecs.js';

interface GeneratorConfig {
  message: string;
  lines?: string[];
  count: number;
  threads: number;
  ecs_compatibility?: string;
}

async function readOneLine(stream: Readable): Promise<string> {
  const rl = createInterface({ input: stream, crlfDelay: Infinity });
  try {
    for await (const line of rl) return line;
    return '';
  } finally {
    rl.close();
  }
}

export class GeneratorInput implements Input {
  private stopped = false;

  constructor(
    private readonly config: GeneratorConfig,
    private readonly ctx: PluginContext,
    private readonly stdin: Readable = process.stdin,
  ) {}

  async run(sink: InputSink): Promise<void> {
    const { config } = this;
    let lines = config.lines && config.lines.length > 0 ? config.lines : [config.message];
    if (!(config.lines && config.lines.length > 0) && config.message === 'stdin') {
      this.ctx.logger.info('generator: reading one line from stdin');
      lines = [await readOneLine(this.stdin)];
    }
    const ecs = ecsMode(config.ecs_compatibility) === 'v1';
    const hostField = ecs ? '[host][name]' : 'host';
    const sequenceField = ecs ? '[event][sequence]' : 'sequence';
    const host = hostname();
    const threads = Math.max(1, Math.floor(config.threads));
    const count = config.count;
    for (let n = 0; count <= 0 || n < count; n++) {
      for (let t = 0; t < threads; t++) {
        if (this.stopped || sink.stopping) return;
        const prefix = threads > 1 ? `generator:${this.ctx.pluginId}:${t}:${n}` : `generator:${this.ctx.pluginId}:${n}`;
        const ids = lines.length === 1 ? [prefix] : lines.map((_, i) => `${prefix}:${i}`);
        await sink.push({ kind: 'messages', messages: lines, ids, fields: { [hostField]: host, [sequenceField]: n } });
      }
    }
  }

  stop(): void {
    this.stopped = true;
  }
}

export default defineInput<GeneratorConfig>({
  name: 'generator',
  description: 'Generates events from `lines` or `message`, `count` times (0: forever). For testing and benchmarking pipelines.',
  options: {
    message: {
      type: 'string',
      default: 'Hello world!',
      description: 'Text of each event. The value `stdin` reads one line from standard input and uses it instead.',
    },
    lines: {
      type: 'array',
      items: 'string',
      description: 'Lines to emit in order, one event each, per round (instead of `message`).',
      example: 'lines => ["line 1", "line 2", "line 3"]',
    },
    count: { type: 'number', default: 0, description: 'How many rounds to generate; 0 means unlimited.' },
    threads: { type: 'number', default: 1, description: 'Number of independent generators; each emits `count` rounds with its own sequence.' },
    ecs_compatibility: ECS_COMPATIBILITY_OPTION,
  },
  create(config, ctx) {
    return new GeneratorInput(config, ctx);
  },
});
