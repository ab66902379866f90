// The pipeline model: what the Logstash language and pipelines.yml compile into, and what every
// worker thread rebuilds its filters and encoders from. Plain data only, so it crosses threads as is.

import type { Expr } from '../config/ast.js';
import type { PluginKind } from './plugin.js';

export interface PluginSpec {
  kind: PluginKind;
  name: string;
  /** `id` option or a generated `<name>_<n>`. */
  id: string;
  /** Validated settings, defaults filled in. */
  config: Record<string, unknown>;
  /** `file:line:column` of the plugin block, for messages. */
  where: string;
}

export type ModelNode =
  | { kind: 'plugin'; plugin: PluginSpec }
  | { kind: 'if'; branches: Array<{ condition: Expr | null; body: ModelNode[] }> };

export interface PipelineRunSettings {
  workers: number;
  batchSize: number;
  /** ms an input's partial batch may wait to be filled. */
  batchDelay: number;
  /** `dead_letter_queue.target` when the dead-letter queue is enabled: a URL (nats://host:port/subject). */
  deadLetterQueue?: string;
}

export interface PipelineModel {
  id: string;
  inputs: PluginSpec[];
  filters: ModelNode[];
  outputs: ModelNode[];
  settings: PipelineRunSettings;
  /** Where the config came from (files or `config.string`), for messages and reload. */
  sources: string[];
  /** Directory for state (checkpoints) of this pipeline. */
  dataDir: string;
}

/** Visit every plugin of a node tree in config order. */
export function* plugins(nodes: ModelNode[]): Generator<PluginSpec> {
  for (const n of nodes) {
    if (n.kind === 'plugin') yield n.plugin;
    else for (const b of n.branches) yield* plugins(b.body);
  }
}
