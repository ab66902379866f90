// The worker side of a pipeline: decode raw batches into events, run the filter program, route events to
// outputs and encode them. Runs inside each worker thread (and nowhere else), so it may take all the CPU.
//
// Filters and output routing are flattened into small programs of FILTER / IF / JUMP ops. An event created
// by a filter (split, clone) continues at the op after the one that created it, even across conditionals.

import { Event, METADATA, TIMESTAMP, type EventData } from './event.js';
import { parseFieldRef, formatFieldRef, getPath, setPath, setterFor, type FieldPath, type Setter } from './fieldref.js';
import { compileSprintf, isTemplate, type Template } from './sprintf.js';
import { compileCondition } from '../config/conditions.js';
import type { Expr } from '../config/ast.js';
import { charsetDecoder, type TextDecodeFn } from '../codecs/support/charset.js';
import { JSON_PARSE_FAILURE } from '../codecs/support/common.js';
import { parseJsonExact } from './serialize.js';
import { plugins, type ModelNode, type PipelineModel, type PluginSpec } from './model.js';
import type { Codec, CodecSpec, EventParser, Filter, FilterDef, InputDef, Output, OutputDef, PluginContext, RawBatch } from './plugin.js';
import type { Registry } from './registry.js';
import type { Logger } from './logger.js';
import { segmentEnd, utf8Lines } from './text_bytes.js';
import { eventsFromLines } from './stream/batch.js';

export const LINE_TRUNCATED_TAG = '_line_truncated';
export const FILTER_EXCEPTION_TAG = '_filter_exception';

/** Per-batch accounting, summed by the main thread. Filters and outputs are indexed in config order. */
export interface BatchCounts {
  in: number;
  created: number;
  dropped: number;
  out: number;
  failed: number;
  truncated: number;
  filterIn: number[];
  filterFailed: number[];
  filterDropped: number[];
  outputIn: number[];
}

const enum OpCode {
  Filter,
  If,
  Jump,
  Output,
  Switch,
}
interface Op {
  code: OpCode;
  /** filter/output index, or jump target */
  arg: number;
  cond?: (e: Event) => boolean;
  /** Switch: the field tested by every branch, the first branch body per string value, and where no branch matches. */
  path?: FieldPath;
  table?: Map<string, number>;
  otherwise?: number;
}

/**
 * One message of a `json` batch as event data. The input checked it was a JSON object; should it not be after
 * all, the text is kept in `message` with the tag `_jsonparsefailure` rather than failing the batch.
 */
function jsonMessage(text: string): EventData {
  try {
    const v = parseJsonExact(text);
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) return v as EventData;
  } catch {
    // below
  }
  return { message: text, tags: [JSON_PARSE_FAILURE] };
}

/**
 * The field and string values a branch condition selects, when it is `[field] == "x"`, `"x" == [field]` or
 * `[field] in ["x", "y"]`: for a string field these are exact membership tests.
 */
function dispatchKey(cond: Expr): { ref: string; values: string[] } | undefined {
  if (cond.type === 'compare' && cond.op === '==') {
    const [f, c] = cond.left.type === 'field' ? [cond.left, cond.right] : [cond.right, cond.left];
    if (f.type !== 'field') return undefined;
    if (c.type === 'string') return { ref: canonicalRef(f.ref), values: [c.value] };
    if (c.type === 'number') return { ref: canonicalRef(f.ref), values: [] }; // never equal to a string
    return undefined;
  }
  if (cond.type === 'in' && !cond.negate && cond.left.type === 'field' && cond.right.type === 'list') {
    const values: string[] = [];
    for (const item of cond.right.items) {
      if (item.type !== 'string' && item.type !== 'number') return undefined;
      values.push(String(item.value));
    }
    return { ref: canonicalRef(cond.left.ref), values };
  }
  return undefined;
}

function canonicalRef(ref: string): string {
  try {
    return formatFieldRef(parseFieldRef(ref));
  } catch {
    return ref; // compileCondition reports the bad reference
  }
}

function compileProgram(nodes: ModelNode[], code: OpCode.Filter | OpCode.Output, index: Map<PluginSpec, number>): Op[] {
  const ops: Op[] = [];
  const emit = (list: ModelNode[]) => {
    for (const n of list) {
      if (n.kind === 'plugin') {
        ops.push({ code, arg: index.get(n.plugin)! });
        continue;
      }
      const endJumps: Op[] = [];
      // An else-if chain that tests one field against strings (dispatch on a message id, a log type) gets a
      // Switch in front: one lookup instead of a condition per branch. Values that are not strings take the
      // ordinary chain behind it, so the semantics are the conditions' own.
      const keys = n.branches.map((b) => (b.condition ? dispatchKey(b.condition) : undefined));
      const conditional = n.branches.filter((b) => b.condition).length;
      const sw =
        conditional >= 3 && n.branches.every((b, i) => !b.condition || (keys[i] && keys[i]!.ref === keys[0]?.ref))
          ? ({ code: OpCode.Switch, arg: -1, path: parseFieldRef(keys[0]!.ref), table: new Map<string, number>(), otherwise: -1 } as Op)
          : undefined;
      if (sw) ops.push(sw);
      for (const [bi, b] of n.branches.entries()) {
        if (b.condition) {
          const test: Op = { code: OpCode.If, arg: -1, cond: compileCondition(b.condition) };
          ops.push(test);
          if (sw) for (const v of keys[bi]!.values) if (!sw.table!.has(v)) sw.table!.set(v, ops.length);
          emit(b.body);
          const j: Op = { code: OpCode.Jump, arg: -1 };
          ops.push(j);
          endJumps.push(j);
          test.arg = ops.length;
          if (sw) sw.otherwise = ops.length; // after the last conditional branch: the else body, or the end
        } else emit(b.body);
      }
      for (const j of endJumps) j.arg = ops.length;
    }
  };
  emit(nodes);
  return ops;
}

/** The path of a field name without `%{…}` (resolved once), else undefined: resolved per event. */
function constantPath(name: string): FieldPath | undefined {
  if (isTemplate(name)) return undefined;
  try {
    return parseFieldRef(name);
  } catch {
    return undefined; // an invalid reference fails per event, as before
  }
}

/** Logstash's filter_matched: add_field, remove_field, add_tag, remove_tag, applied only on success. */
class Decorations {
  private readonly addFields: Array<[FieldPath | undefined, Template, Template[] | Template]>;
  private readonly addTags: Template[];
  private readonly removeFields: Array<[FieldPath | undefined, Template]>;
  private readonly removeTags: Template[];
  readonly empty: boolean;

  constructor(config: Record<string, unknown>) {
    const af = (config.add_field ?? {}) as Record<string, unknown>;
    this.addFields = Object.entries(af).map(([k, v]) => [
      constantPath(k),
      compileSprintf(k),
      Array.isArray(v) ? v.map((x) => compileSprintf(String(x))) : compileSprintf(String(v)),
    ]);
    this.addTags = ((config.add_tag ?? []) as string[]).map((t) => compileSprintf(t));
    this.removeFields = ((config.remove_field ?? []) as string[]).map((t) => [constantPath(t), compileSprintf(t)]);
    this.removeTags = ((config.remove_tag ?? []) as string[]).map((t) => compileSprintf(t));
    this.empty = !this.addFields.length && !this.addTags.length && !this.removeFields.length && !this.removeTags.length;
  }

  apply(e: Event): void {
    for (const [kp, kt, vt] of this.addFields) {
      const path = kp ?? parseFieldRef(kt(e));
      const value = Array.isArray(vt) ? vt.map((t) => t(e)) : vt(e);
      const cur = getPath(e.data, path);
      if (cur === undefined) setPath(e.data, path, value);
      else if (Array.isArray(cur)) Array.isArray(value) ? cur.push(...value) : cur.push(value);
      else setPath(e.data, path, Array.isArray(value) ? [cur, ...value] : [cur, value]);
    }
    for (const t of this.addTags) e.tag(t(e));
    for (const [p, t] of this.removeFields) {
      if (p !== undefined) e.removePath(p);
      else e.remove(t(e));
    }
    for (const t of this.removeTags) e.untag(t(e));
  }
}

/** Per-input decoding: codec, and the input's common options (type, tags, add_field). */
class InputDecoder {
  private readonly type: string | undefined;
  private readonly tags: string[];
  private readonly addFields: Array<[FieldPath, Template | string]>;
  readonly decodeText: TextDecodeFn;

  constructor(
    readonly codec: Codec,
    config: Record<string, unknown>,
    private readonly parser?: EventParser,
  ) {
    this.decodeText = charsetDecoder(codec.charset);
    this.type = config.type as string | undefined;
    this.tags = (config.tags as string[] | undefined) ?? [];
    this.addFields = Object.entries((config.add_field ?? {}) as Record<string, unknown>).map(([k, v]) => {
      const s = String(v);
      return [parseFieldRef(k), isTemplate(s) ? compileSprintf(s) : s];
    });
  }

  decorate(e: Event): void {
    if (this.type !== undefined && e.data.type === undefined) e.data.type = this.type;
    for (const t of this.tags) e.tag(t);
    for (const [path, v] of this.addFields) if (getPath(e.data, path) === undefined) setPath(e.data, path, typeof v === 'string' ? v : v(e));
    if (this.parser !== undefined) this.parser(e);
  }
}

/** Events filtered and encoded together (see process). */
const PART_EVENTS = 128;

export interface ExecutorResult {
  payloads: unknown[];
  counts: BatchCounts;
}

export class PipelineExecutor {
  private readonly filterOps: Op[];
  private readonly outputOps: Op[];
  private readonly failureTags: Set<string>;
  /** Skips for timed-out calls: ordinal * 4096 + filter index. */
  private skips: Set<number> | undefined;
  private ordinal = 0;
  private counts!: BatchCounts;
  private routed!: Event[][];

  private constructor(
    private readonly filters: Filter[],
    private readonly decorations: Decorations[],
    private readonly outputs: Output[],
    private readonly decoders: InputDecoder[],
    filterNodes: ModelNode[],
    outputNodes: ModelNode[],
    filterIndex: Map<PluginSpec, number>,
    outputIndex: Map<PluginSpec, number>,
    private readonly logger: Logger,
    /** [batch seq, event ordinal, filter index or -1] for the main thread's watchdog. */
    private readonly watch: Int32Array,
  ) {
    this.filterOps = compileProgram(filterNodes, OpCode.Filter, filterIndex);
    this.outputOps = compileProgram(outputNodes, OpCode.Output, outputIndex);
    this.failureTags = new Set(['_jsonparsefailure', FILTER_EXCEPTION_TAG]);
    for (const f of filters) for (const t of f.failureTags ?? []) this.failureTags.add(t);
  }

  get filterTimeouts(): Array<number | undefined> {
    return this.filters.map((f) => f.timeoutMillis);
  }

  static async create(model: PipelineModel, registry: Registry, logger: Logger, watch: Int32Array = new Int32Array(3)): Promise<PipelineExecutor> {
    const ctxFor = (p: PluginSpec): PluginContext => {
      const base = { pipelineId: model.id, pluginId: p.id, logger: logger.child(p.id), dataDir: model.dataDir, side: 'worker' as const };
      return { ...base, createCodec: (spec: CodecSpec) => registry.createCodec(spec, base) };
    };
    const filterSpecs = [...plugins(model.filters)];
    const outputSpecs = [...plugins(model.outputs)];
    const filters: Filter[] = [];
    for (const p of filterSpecs) filters.push(await (registry.get('filter', p.name) as FilterDef).create(p.config as never, ctxFor(p)));
    const outputs: Output[] = [];
    for (const p of outputSpecs) outputs.push(await (registry.get('output', p.name) as OutputDef).create(p.config as never, ctxFor(p)));
    const decoders = model.inputs.map((p) => {
      const ctx = ctxFor(p);
      const def = registry.get('input', p.name) as InputDef | undefined;
      return new InputDecoder(ctx.createCodec(p.config.codec as CodecSpec), p.config, def?.createEventParser?.(p.config, ctx));
    });
    return new PipelineExecutor(
      filters,
      filterSpecs.map((p) => new Decorations(p.config)),
      outputs,
      decoders,
      model.filters,
      model.outputs,
      new Map(filterSpecs.map((p, i) => [p, i])),
      new Map(outputSpecs.map((p, i) => [p, i])),
      logger,
      watch,
    );
  }

  /** Turn a raw batch from input `inputIndex` into events. */
  decode(raw: RawBatch, inputIndex: number): Event[] {
    const dec = this.decoders[inputIndex]!;
    const events: Event[] = [];
    const codec = dec.codec;
    // One clock read per batch: a system call per event is measurable, and events read together share it.
    const now = Date.now();
    let id = '';
    let sub = 0;
    const emit = (data: EventData) => {
      if (data[TIMESTAMP] === undefined) data[TIMESTAMP] = new Date(now);
      const e = new Event(data);
      const sid = sub === 0 ? id : `${id}.${sub}`;
      const meta = data[METADATA];
      if (meta === undefined) data[METADATA] = { _id: sid };
      else e.metadata._id = sid;
      sub++;
      events.push(e);
    };
    if (raw.kind === 'bytes') {
      const buf = Buffer.from(raw.data.buffer, raw.data.byteOffset, raw.data.byteLength);
      const truncated = raw.truncated && raw.truncated.length ? new Set(raw.truncated) : undefined;
      const byLine = raw.baseLine !== undefined;
      let line = raw.baseLine ?? 0;
      let start = 0;
      const n = buf.length;
      // Decode the batch in a few calls, one per segment of whole lines. When a segment has as many characters
      // as bytes (ASCII, the usual case for logs, or a single-byte charset), character positions are byte
      // offsets and lines are cut from its string; otherwise line by line. Segments stay below V8's large-object
      // size: a string past 128 KiB per batch cost more than the grok filters (bench/stages.mjs).
      const decodeText = dec.decodeText;
      while (start < n) {
        const segEnd = segmentEnd(buf, start);
        const text = decodeText(buf, start, segEnd);
        const base = start;
        const ascii = text.length === segEnd - start;
        while (start < segEnd) {
          let end = ascii ? text.indexOf('\n', start - base) + base : buf.indexOf(10, start);
          if (end < start || end >= segEnd) end = segEnd; // indexOf's -1, or a last line without its newline
          const next = end < segEnd ? end + 1 : segEnd;
          let stop = end;
          if (stop > start && buf[stop - 1] === 13) stop--; // CRLF
          const offset = raw.baseOffset + start;
          id = raw.idPrefix + (byLine ? line : offset);
          sub = 0;
          const before = events.length;
          codec.decode(ascii ? text.slice(start - base, stop - base) : decodeText(buf, start, stop), emit);
          if (truncated?.has(offset)) for (let i = before; i < events.length; i++) events[i]!.tag(LINE_TRUNCATED_TAG);
          start = next;
          line++;
        }
      }
    } else if (raw.kind === 'messages' && raw.json) {
      for (let i = 0; i < raw.messages.length; i++) {
        id = raw.ids[i]!;
        sub = 0;
        emit(jsonMessage(raw.messages[i]!));
      }
    } else if (raw.kind === 'messages') {
      for (let i = 0; i < raw.messages.length; i++) {
        id = raw.ids[i]!;
        sub = 0;
        const before = events.length;
        codec.decode(raw.messages[i]!, emit);
        if (raw.truncated?.[i]) for (let j = before; j < events.length; j++) events[j]!.tag(LINE_TRUNCATED_TAG);
      }
    } else if (raw.kind === 'jsonLines') {
      const lines = utf8Lines(Buffer.from(raw.data.buffer, raw.data.byteOffset, raw.data.byteLength));
      for (const data of eventsFromLines(lines, raw.idPrefix, raw.baseIndex)) events.push(new Event(data));
    } else {
      for (const data of raw.events) events.push(new Event(data));
    }
    // The input's fields for every event of the batch (path, host, ...): resolved once, not per event.
    const fields = raw.kind === 'events' || raw.kind === 'jsonLines' ? undefined : raw.fields;
    const top: Array<[string, Setter, unknown]> = [];
    const nested: Array<[FieldPath, unknown]> = [];
    if (fields)
      for (const [k, v] of Object.entries(fields)) {
        const p = parseFieldRef(k);
        if (p.length === 1) top.push([p[0]!, setterFor(p[0]!), v]);
        else nested.push([p, v]);
      }
    for (const e of events) {
      const data = e.data;
      for (let i = 0; i < top.length; i++) {
        const [key, set, v] = top[i]!;
        if (data[key] === undefined) set(data, v);
      }
      for (let i = 0; i < nested.length; i++) {
        const [p, v] = nested[i]!;
        if (getPath(data, p) === undefined) setPath(data, p, v);
      }
      dec.decorate(e);
    }
    return events;
  }

  /** Run filters and output routing over a batch, then encode per output. */
  process(events: Event[], seq: number, skips?: number[]): ExecutorResult {
    this.watch[0] = seq;
    this.skips = skips && skips.length ? new Set(skips) : undefined;
    this.ordinal = 0;
    const nf = this.filters.length;
    const no = this.outputs.length;
    this.counts = {
      in: events.length,
      created: 0,
      dropped: 0,
      out: 0,
      failed: 0,
      truncated: 0,
      filterIn: new Array(nf).fill(0),
      filterFailed: new Array(nf).fill(0),
      filterDropped: new Array(nf).fill(0),
      outputIn: new Array(no).fill(0),
    };
    this.routed = Array.from({ length: no }, () => []);
    const encoders = this.collect === undefined ? this.outputs.map((o) => o.encoder?.()) : [];
    const outputIn = this.counts.outputIn;
    // A part at a time: once a part's events are encoded by the outputs that encode in parts, nothing refers to
    // them and they are garbage before the next collection, which would otherwise copy the whole batch.
    for (let start = 0; start < events.length; start += PART_EVENTS) {
      const end = Math.min(start + PART_EVENTS, events.length);
      for (let i = start; i < end; i++) {
        this.runEvent(events[i]!, 0);
        if (encoders.length) (events as Array<Event | undefined>)[i] = undefined;
      }
      for (let o = 0; o < encoders.length; o++) {
        const enc = encoders[o];
        const list = this.routed[o]!;
        if (enc === undefined || list.length === 0) continue;
        enc.add(list);
        outputIn[o]! += list.length;
        this.routed[o] = [];
      }
    }
    this.watch[2] = -1;
    const payloads = new Array<unknown>(no);
    for (let i = 0; i < no; i++) {
      const enc = encoders[i];
      if (enc !== undefined) {
        payloads[i] = outputIn[i]! > 0 ? enc.finish() : undefined;
        continue;
      }
      const list = this.routed[i]!;
      outputIn[i] = list.length;
      payloads[i] = list.length ? this.outputs[i]!.encode(list) : undefined;
    }
    this.routed = [];
    return { payloads, counts: this.counts };
  }

  private runEvent(event: Event, startPc: number): void {
    const ops = this.filterOps;
    const ordinal = this.ordinal++;
    let pending: Array<[Event, number]> | undefined;
    let pc = startPc;
    while (pc < ops.length) {
      const op = ops[pc]!;
      if (op.code === OpCode.Filter) {
        const idx = op.arg;
        const f = this.filters[idx]!;
        this.counts.filterIn[idx]!++;
        this.watch[1] = ordinal;
        this.watch[2] = idx;
        let matched: boolean;
        let created: Event[] | undefined;
        if (this.skips !== undefined && this.skips.has(ordinal * 4096 + idx)) {
          f.onTimeout?.(event);
          matched = false;
        } else {
          try {
            matched = f.filter(event, (e) => (created ??= []).push(e));
          } catch (err) {
            matched = false;
            event.tag(FILTER_EXCEPTION_TAG);
            this.logger.error('filter threw; event tagged and kept', { filter: idx, error: (err as Error).message });
          }
        }
        this.watch[2] = -1;
        const deco = this.decorations[idx]!;
        if (matched) {
          if (!deco.empty) deco.apply(event);
        } else this.counts.filterFailed[idx]!++;
        if (created !== undefined) {
          this.counts.created += created.length;
          for (const c of created) {
            if (!deco.empty) deco.apply(c);
            (pending ??= []).push([c, pc + 1]);
          }
        }
        if (event.cancelled) {
          this.counts.dropped++;
          this.counts.filterDropped[idx]!++;
          break;
        }
        pc++;
      } else if (op.code === OpCode.If) {
        pc = op.cond!(event) ? pc + 1 : op.arg;
      } else if (op.code === OpCode.Switch) {
        const v = event.getPath(op.path!);
        pc = typeof v === 'string' ? (op.table!.get(v) ?? op.otherwise!) : pc + 1;
      } else pc = op.arg;
    }
    if (!event.cancelled) this.route(event);
    if (pending !== undefined) for (const [e, at] of pending) this.runEvent(e, at);
  }

  /** Run only the filters (for `sluice test`): the events that leave the filter stage, in order. */
  runFilters(events: Event[]): Event[] {
    const collected: Event[] = [];
    this.collect = collected;
    try {
      this.process(events, 0);
    } finally {
      this.collect = undefined;
    }
    return collected;
  }
  private collect: Event[] | undefined;

  private route(event: Event): void {
    this.counts.out++;
    if (this.collect !== undefined) {
      this.collect.push(event);
      return;
    }
    const tags = event.data.tags;
    if (Array.isArray(tags) && tags.length) {
      for (const t of tags)
        if (this.failureTags.has(t)) {
          this.counts.failed++;
          break;
        }
      if (tags.includes(LINE_TRUNCATED_TAG)) this.counts.truncated++;
    }
    const ops = this.outputOps;
    let pc = 0;
    while (pc < ops.length) {
      const op = ops[pc]!;
      if (op.code === OpCode.Output) {
        this.routed[op.arg]!.push(event);
        pc++;
      } else if (op.code === OpCode.If) pc = op.cond!(event) ? pc + 1 : op.arg;
      else if (op.code === OpCode.Switch) {
        const v = event.getPath(op.path!);
        pc = typeof v === 'string' ? (op.table!.get(v) ?? op.otherwise!) : pc + 1;
      } else pc = op.arg;
    }
  }

  async close(): Promise<void> {
    for (const f of this.filters) await f.close?.();
  }
}
