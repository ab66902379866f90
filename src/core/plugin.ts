// The plugin model: every input, filter, output and codec declares its options beside its code
// (type, default, description, example). Validation, `sluice check` and the README reference are
// all generated from these declarations, so they cannot drift apart.

import type { Event, EventData } from './event.js';
import type { Logger } from './logger.js';
import type { TextBytes } from './text_bytes.js';

export type PluginKind = 'input' | 'filter' | 'output' | 'codec';

export type OptionType =
  | 'string'
  | 'number'
  | 'boolean'
  | 'array' // a list; a single value is accepted and wrapped, as Logstash does
  | 'hash'
  | 'codec' // `codec => json` or `codec => json { … }`
  | 'password'
  | 'path'
  | 'bytes' // `10MiB`, `512kb` or a number of bytes
  | 'any';

export interface OptionSpec {
  type: OptionType;
  description: string;
  default?: unknown;
  required?: boolean;
  /** Allowed values of a string option. */
  enum?: readonly string[];
  /** Element type of an `array` option (checked and coerced). */
  items?: 'string' | 'number' | 'any';
  example?: string;
}

export type OptionsSchema = Record<string, OptionSpec>;

/** A codec reference after validation. */
export interface CodecSpec {
  name: string;
  settings: Record<string, unknown>;
}

export interface PluginContext {
  pipelineId: string;
  /** The `id` option, or `<name>_<n>` numbered in config order. */
  pluginId: string;
  logger: Logger;
  /** Directory for this pipeline's state (checkpoints); `<path.data>/<pipeline>`. */
  dataDir: string;
  /** Directory of the config file the plugin came from (relative paths resolve against the cwd, as in Logstash). */
  configDir?: string;
  /** Instantiate a codec from a `codec` option value. */
  createCodec(spec: CodecSpec): Codec;
  /** Which side this instance lives on: `main` (inputs, output delivery) or `worker` (filters, encoding). */
  side: 'main' | 'worker';
  /** Main side: whether the pipeline has a dead-letter queue (`dead_letter_queue.target`). */
  hasDeadLetterQueue?: boolean;
  /**
   * Main side: store entries in the pipeline's dead-letter queue (resolves once stored; throws to be retried).
   * Used by inputs that give up on data (a jetstream message over `max_deliver`). Without a dead-letter queue
   * the entries are logged and counted, never silently lost.
   */
  deadLetter?(entries: Array<{ event?: string; raw?: string; error: string }>): Promise<void>;
}

interface PluginDefBase<C> {
  name: string;
  description: string;
  options: OptionsSchema;
  /** Free-form notes for the docs. */
  notes?: string;
  /** Only for the type checker. */
  readonly _config?: C;
}

export type Emit = (event: Event) => void;

export interface Filter {
  /**
   * Process one event in place. Return true when the filter succeeded/matched: the common options
   * (add_field, add_tag, remove_field, remove_tag) are then applied, as Logstash's filter_matched does.
   * Events created by the filter (split, clone) go to `emit`; they get the common options and continue
   * through the filters after this one. Set `event.cancelled` to drop the event.
   */
  filter(event: Event, emit: Emit): boolean;
  /** When set, a watchdog interrupts a call running longer than this and calls `onTimeout` instead. */
  readonly timeoutMillis?: number;
  /** Called in place of `filter` for an event whose earlier run exceeded `timeoutMillis` (grok: tag `_groktimeout`). */
  onTimeout?(event: Event): void;
  /** Tag a failure adds (for accounting: events carrying it count as failed). */
  readonly failureTags?: readonly string[];
  close?(): void | Promise<void>;
}

export interface FilterDef<C = Record<string, unknown>> extends PluginDefBase<C> {
  kind: 'filter';
  create(config: C, ctx: PluginContext): Filter | Promise<Filter>;
}

/** Raw data an input hands to the pipeline. Decoding and filtering happen on the workers. */
export type RawBatch =
  | {
      /** Whole lines (the last may lack its '\n'), decoded by the input's codec line by line. */
      kind: 'bytes';
      data: Uint8Array;
      /** Event id = idPrefix + byte offset of the line, or + line number when `baseLine` is set (stdin). */
      idPrefix: string;
      baseOffset: number;
      /** Number of the batch's first line; when set, ids count lines instead of bytes. */
      baseLine?: number;
      /** Byte offsets (absolute) of lines that were cut at the input's maximum line size. */
      truncated?: number[];
      /** Fields set on every event of the batch (e.g. `[log][file][path]`), by field reference. */
      fields?: Record<string, unknown>;
      /**
       * Last batch of its source (idPrefix): a file read to its end in read mode, or a rotated file finished.
       * A joining codec (multiline) flushes that source's pending message after it. May carry no data.
       */
      final?: boolean;
    }
  | {
      /** Framed messages (already joined by a multiline codec), one event source each. */
      kind: 'messages';
      messages: string[];
      ids: string[];
      truncated?: boolean[];
      fields?: Record<string, unknown>;
      /**
       * Every message is the text of one JSON object the input has already checked (an Elasticsearch `_bulk`
       * source line): the worker parses it (integers beyond 2^53 kept exact, as strings) instead of running the
       * input's codec. Strings cross to the workers far more cheaply than the parsed objects would.
       */
      json?: boolean;
    }
  | {
      /**
       * JSON lines of events that carry their own `[@metadata][_id]` (a stream message), cut and parsed by the
       * worker: a line without an id, or not a JSON object, gets `idPrefix:<index of the line>`. Bytes cross to the
       * workers far more cheaply than the parsed events would.
       */
      kind: 'jsonLines';
      /** UTF-8 JSON lines (a decompressed message, or whole lines of it). */
      data: Uint8Array;
      idPrefix: string;
      /** Index of the first line in its message (a message cut into several batches). */
      baseIndex: number;
    }
  | {
      /** Structured events; `[@metadata][_id]` should already be set. */
      kind: 'events';
      events: EventData[];
    };

export interface InputSink {
  /**
   * Hand a batch to the pipeline. Resolves when there is room for more (backpressure: await it).
   * `ack` runs once every output has delivered every event that came from this batch.
   * With `fail`, an input that can have a batch redelivered later (jetstream: nak) takes it back when an output
   * keeps failing on it, instead of the pipeline retrying it in place; then `fail` runs instead of `ack`.
   * The batch's bytes are the pipeline's to read until the promise resolves, and the input's again after it:
   * an input may read the next bytes into the same memory (the pipeline copies what it keeps).
   */
  push(batch: RawBatch, ack?: () => void, fail?: (error: string) => void): Promise<void>;
  /** True once the pipeline asked inputs to stop. */
  readonly stopping: boolean;
}

export interface Input {
  /** Read until done (end of stdin, read mode finished, generator count) or until `stop()`. */
  run(sink: InputSink): Promise<void>;
  /** Stop reading soon; `run` then resolves. Checkpoints are written by the input when acks arrive and on close. */
  stop(): void;
  close?(): Promise<void>;
  /** Input-specific counters (connections, rejected frames, datagrams dropped by the kernel), shown in the pipeline's stats. */
  metrics?(): Record<string, number>;
}

/** Worker side: finishes each decoded event of an input (e.g. the syslog input parses the syslog header). */
export type EventParser = (event: Event) => void;

export interface InputDef<C = Record<string, unknown>> extends PluginDefBase<C> {
  kind: 'input';
  create(config: C, ctx: PluginContext): Input | Promise<Input>;
  /**
   * Optional per-event parsing that runs on the worker threads after the codec and the common options, so
   * per-event work of an input (syslog header parsing) does not load the main thread.
   */
  createEventParser?(config: C, ctx: PluginContext): EventParser;
}

/**
 * An event an output rejected for good (a mapping error, a 400): it goes to the pipeline's dead-letter queue
 * instead of being retried forever or dropped silently.
 */
export interface RejectedEvent {
  /** The event as JSON, `@metadata` included (so a replay keeps its `_id`). */
  event: string;
  /** Why it was rejected, in the destination's words where it gave any. */
  error: string;
}

export interface DeliveryResult {
  /** Events of the payload that will never be accepted; the rest were written. */
  rejected?: RejectedEvent[];
}

/** Encodes a batch a part at a time, so that the events of a part can be collected once encoded. */
export interface BatchEncoder {
  add(events: Event[]): void;
  /** The payload of everything added (at least one event). */
  finish(): unknown;
}

export interface Output {
  /** Worker side: turn a batch of events into a payload for `deliver` (must survive structured cloning). */
  encode(events: Event[]): unknown;
  /**
   * Worker side, optional: the same payload as `encode`, built a part at a time. A batch's filtered events then
   * need not all be alive at once (young-generation collections copy every live event, twice).
   */
  encoder?(): BatchEncoder;
  /**
   * Main side: write the payload; resolve once written (this is what acknowledges the input). Throwing means
   * "retry the whole payload later"; events that can never be written are returned as `rejected`.
   */
  deliver(payload: unknown): Promise<void | DeliveryResult>;
  /**
   * Deliveries of different batches this output may run at the same time (default 1: one after another, in the
   * order batches finished). Outputs that write idempotently over the network raise it to overlap round trips.
   */
  readonly concurrency?: number;
  /**
   * True when, once `deliver` has settled, the output keeps no reference to the payload's bytes: the pipeline
   * then hands the buffers back to the worker that encoded them, to be filled again.
   */
  readonly releasesPayload?: boolean;
  close?(): Promise<void>;
}

export interface OutputDef<C = Record<string, unknown>> extends PluginDefBase<C> {
  kind: 'output';
  create(config: C, ctx: PluginContext): Output | Promise<Output>;
}

/** Joins lines into messages (multiline); runs on the input's side so order is kept. */
export interface LineJoiner {
  /** Feed one line and its id; completed messages (text, id of the first line) are appended to `out`. */
  push(line: string, id: string, out: Array<[string, string]>): void;
  /** Flush the pending message, if any. */
  flush(out: Array<[string, string]>): void;
  /** ms timestamp since which a message is pending, or null (drives `auto_flush_interval`). */
  readonly pendingSince: number | null;
  /** Idle time after which a pending message is flushed; 0 = only at end of input. */
  readonly autoFlushMillis: number;
}

export interface Codec {
  /** Decode one framed message (a line) into zero or more events. */
  decode(message: string, emit: (data: EventData) => void): void;
  /** Encode one event, including its delimiter (line codecs end with '\n'). */
  encode(event: Event): string;
  /** Encode one event into bytes: the UTF-8 of what `encode` returns, without a string per event (outputs that gather bytes). */
  encodeTo?(event: Event, out: TextBytes): void;
  /** Present on codecs that join lines (multiline). */
  createJoiner?(): LineJoiner;
  /** Character encoding of input bytes (see codecs/support/charset.ts); UTF-8 when absent. */
  charset?: string;
}

export interface CodecDef<C = Record<string, unknown>> extends PluginDefBase<C> {
  kind: 'codec';
  create(config: C, ctx: PluginContext): Codec;
}

export type PluginDef = InputDef<any> | FilterDef<any> | OutputDef<any> | CodecDef<any>;

/** Helper that keeps a plugin's declared options and its config type together. */
export function defineFilter<C>(def: Omit<FilterDef<C>, 'kind'>): FilterDef<C> {
  return { kind: 'filter', ...def };
}
export function defineInput<C>(def: Omit<InputDef<C>, 'kind'>): InputDef<C> {
  return { kind: 'input', ...def };
}
export function defineOutput<C>(def: Omit<OutputDef<C>, 'kind'>): OutputDef<C> {
  return { kind: 'output', ...def };
}
export function defineCodec<C>(def: Omit<CodecDef<C>, 'kind'>): CodecDef<C> {
  return { kind: 'codec', ...def };
}

/** Options every plugin of a kind accepts (Logstash's common options). */
export const COMMON_OPTIONS: Record<PluginKind, OptionsSchema> = {
  input: {
    id: { type: 'string', description: 'Unique id of this plugin in metrics and logs.' },
    enable_metric: { type: 'boolean', default: true, description: 'Count this plugin in metrics.' },
    type: { type: 'string', description: 'Value of the `type` field set on each event (if not already set).' },
    tags: { type: 'array', items: 'string', description: 'Tags added to each event.' },
    add_field: { type: 'hash', default: {}, description: 'Fields added to each event (values are sprintf templates).' },
    codec: { type: 'codec', default: 'plain', description: 'Codec that decodes the input data.' },
  },
  filter: {
    id: { type: 'string', description: 'Unique id of this plugin in metrics and logs.' },
    enable_metric: { type: 'boolean', default: true, description: 'Count this plugin in metrics.' },
    add_field: { type: 'hash', default: {}, description: 'On success: add these fields (keys and values are sprintf templates).', example: 'add_field => { "foo_%{host}" => "bar %{message}" }' },
    add_tag: { type: 'array', items: 'string', default: [], description: 'On success: add these tags (sprintf templates).' },
    remove_field: { type: 'array', items: 'string', default: [], description: 'On success: remove these fields (sprintf templates).' },
    remove_tag: { type: 'array', items: 'string', default: [], description: 'On success: remove these tags (sprintf templates).' },
    periodic_flush: { type: 'boolean', default: false, description: 'Call the filter\'s flush periodically (accepted for compatibility).' },
  },
  output: {
    id: { type: 'string', description: 'Unique id of this plugin in metrics and logs.' },
    enable_metric: { type: 'boolean', default: true, description: 'Count this plugin in metrics.' },
    codec: { type: 'codec', default: 'plain', description: 'Codec that encodes events.' },
    workers: { type: 'number', default: 1, description: 'Accepted for compatibility; delivery concurrency is managed by the runtime.' },
  },
  codec: {
    id: { type: 'string', description: 'Unique id of this codec.' },
    enable_metric: { type: 'boolean', default: true, description: 'Count this plugin in metrics.' },
  },
};
