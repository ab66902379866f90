// Events -> Apache Parquet (zstd), synchronously, on the worker thread that encodes the batch.
//
// Writer choice (measured here, 100 000 firewall-like rows, 10 columns, one 2-core machine; docs/lake.md):
//   parquet-wasm 0.8 + apache-arrow 21: ~0.65 s to build Arrow columns + ~0.8 s to write = ~68 k rows/s per
//     worker thread, synchronous, 1.7 MB;
//   @duckdb/node-api 1.5.6 (appender + COPY … zstd): ~1.0 s of JavaScript appending + 0.44 s COPY = ~69 k rows/s,
//     1.1 MB, but its API is asynchronous only, so it cannot run inside an output's synchronous `encode` on a
//     worker; it would put the appending on the main thread, which serves every input and output.
// So the lake is written with parquet-wasm (CPU on the workers) and read with DuckDB (`sluice query`).
//
// Columns: nested objects are flattened to dotted names (`source.ip`), as Elasticsearch users know them;
// `@timestamp` is a UTC timestamp, `_id` the event's `[@metadata][_id]`. Types are inferred from values and
// only ever widen: int64 -> float64 -> string; any other conflict -> string; arrays of scalars are lists of
// strings, anything else nested inside an array is stored as JSON text. New columns are nullable.

import type * as arrow from 'apache-arrow';
import type { Event } from '../core/event.js';
import { METADATA, TIMESTAMP } from '../core/event.js';
import { arrowLib, parquetWasm } from '../core/libs.js';

export type ColumnType = 'int64' | 'float64' | 'bool' | 'timestamp' | 'string' | 'list<string>';
export type LakeSchema = Record<string, ColumnType>;

/** The common type of two column types (only widening). */
export function widen(a: ColumnType, b: ColumnType): ColumnType {
  if (a === b) return a;
  if ((a === 'int64' && b === 'float64') || (a === 'float64' && b === 'int64')) return 'float64';
  return 'string';
}

/** Merge `add` into `base`; returns the merged schema and whether anything changed. */
export function mergeSchema(base: LakeSchema, add: LakeSchema): { schema: LakeSchema; changed: boolean } {
  const schema: LakeSchema = { ...base };
  let changed = false;
  for (const [name, t] of Object.entries(add)) {
    const cur = schema[name];
    const next = cur === undefined ? t : widen(cur, t);
    if (next !== cur) {
      schema[name] = next;
      changed = true;
    }
  }
  return { schema, changed };
}

function typeOf(v: unknown): ColumnType | undefined {
  switch (typeof v) {
    case 'string':
      return 'string';
    case 'number':
      return Number.isSafeInteger(v) ? 'int64' : Number.isFinite(v) ? 'float64' : 'string';
    case 'bigint':
      return 'int64';
    case 'boolean':
      return 'bool';
    case 'object':
      if (v instanceof Date) return 'timestamp';
      if (Array.isArray(v)) return v.every((x) => x === null || ['string', 'number', 'boolean'].includes(typeof x)) ? 'list<string>' : 'string';
      return 'string';
    default:
      return undefined;
  }
}

/** The event's values by flattened column name (objects flattened, arrays kept as values). */
export function flatten(event: Event, out: Map<string, unknown> = new Map()): Map<string, unknown> {
  out.clear();
  const id = (event.data[METADATA] as Record<string, unknown> | undefined)?._id;
  if (id !== undefined && id !== null) out.set('_id', String(id));
  const walk = (obj: Record<string, unknown>, prefix: string) => {
    for (const k in obj) {
      if (prefix === '' && k === METADATA) continue;
      const v = obj[k];
      if (v === undefined || v === null) continue;
      const name = prefix + k;
      if (typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date)) {
        const keys = Object.keys(v as object);
        if (keys.length) walk(v as Record<string, unknown>, name + '.');
        continue;
      }
      out.set(name, v);
    }
  };
  walk(event.data, '');
  return out;
}

/** Infer the schema of some events and widen `known` with it. */
export function inferSchema(rows: Array<Map<string, unknown>>, known: LakeSchema = {}): LakeSchema {
  const schema: LakeSchema = { ...known };
  for (const row of rows) {
    for (const [name, v] of row) {
      const t = typeOf(v);
      if (!t) continue;
      const cur = schema[name];
      schema[name] = cur === undefined ? t : widen(cur, t);
    }
  }
  return schema;
}

function asText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

function validity(n: number): Uint8Array {
  return new Uint8Array((n + 7) >> 3);
}

function utf8Data(values: Array<string | null>): arrow.Data<arrow.Utf8> {
  const A = arrowLib();
  const n = values.length;
  const offsets = new Int32Array(n + 1);
  const valid = validity(n);
  const chunks: Buffer[] = [];
  let total = 0;
  let nulls = 0;
  for (let i = 0; i < n; i++) {
    const s = values[i];
    if (s === null || s === undefined) {
      nulls++;
    } else {
      const b = Buffer.from(s, 'utf8');
      chunks.push(b);
      total += b.length;
      valid[i >> 3]! |= 1 << (i & 7);
    }
    offsets[i + 1] = total;
  }
  const bytes = Buffer.concat(chunks, total);
  return A.makeData({
    type: new A.Utf8(),
    length: n,
    nullCount: nulls,
    nullBitmap: nulls ? valid : undefined,
    valueOffsets: offsets,
    data: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength),
  });
}

function columnData(type: ColumnType, values: unknown[]): arrow.Data {
  const A = arrowLib();
  const n = values.length;
  const valid = validity(n);
  let nulls = 0;
  const mark = (i: number, v: unknown) => {
    if (v === undefined || v === null) {
      nulls++;
      return false;
    }
    valid[i >> 3]! |= 1 << (i & 7);
    return true;
  };
  switch (type) {
    case 'string':
      return utf8Data(values.map((v) => (v === undefined || v === null ? null : asText(v))));
    case 'int64': {
      const data = new BigInt64Array(n);
      for (let i = 0; i < n; i++) if (mark(i, values[i])) data[i] = BigInt(values[i] as number);
      return A.makeData({ type: new A.Int64(), length: n, nullCount: nulls, nullBitmap: nulls ? valid : undefined, data });
    }
    case 'float64': {
      const data = new Float64Array(n);
      for (let i = 0; i < n; i++) if (mark(i, values[i])) data[i] = Number(values[i]);
      return A.makeData({ type: new A.Float64(), length: n, nullCount: nulls, nullBitmap: nulls ? valid : undefined, data });
    }
    case 'bool': {
      const data = validity(n);
      for (let i = 0; i < n; i++) if (mark(i, values[i]) && values[i] === true) data[i >> 3]! |= 1 << (i & 7);
      return A.makeData({ type: new A.Bool(), length: n, nullCount: nulls, nullBitmap: nulls ? valid : undefined, data });
    }
    case 'timestamp': {
      const data = new BigInt64Array(n);
      for (let i = 0; i < n; i++) if (mark(i, values[i])) data[i] = BigInt((values[i] as Date).getTime());
      return A.makeData({ type: new A.TimestampMillisecond('UTC'), length: n, nullCount: nulls, nullBitmap: nulls ? valid : undefined, data });
    }
    case 'list<string>': {
      const offsets = new Int32Array(n + 1);
      const items: Array<string | null> = [];
      for (let i = 0; i < n; i++) {
        const v = values[i];
        if (mark(i, v)) {
          const arr = Array.isArray(v) ? v : [v];
          for (const x of arr) items.push(x === null || x === undefined ? null : asText(x));
        }
        offsets[i + 1] = items.length;
      }
      const child = utf8Data(items);
      return A.makeData({
        type: new A.List(new A.Field('item', new A.Utf8(), true)),
        length: n,
        nullCount: nulls,
        nullBitmap: nulls ? valid : undefined,
        valueOffsets: offsets,
        child,
      });
    }
  }
}

/** Values converted for a column of `type` (a widened column gets the text form of narrower values). */
function conform(type: ColumnType, v: unknown): unknown {
  if (v === undefined || v === null) return null;
  const t = typeOf(v);
  if (t === type) return v;
  if (type === 'float64' && t === 'int64') return Number(v);
  if (type === 'string') return asText(v);
  return null;
}

/**
 * Encode rows (flattened events) as a Parquet file with the given schema (columns in schema order; rows
 * without a column hold null). Every row's values must fit the schema (it was inferred from or widened by them).
 */
export function writeParquet(rows: Array<Map<string, unknown>>, schema: LakeSchema): Uint8Array {
  const A = arrowLib();
  const pw = parquetWasm();
  const names = Object.keys(schema).sort(columnOrder);
  const fields: arrow.Field[] = [];
  const children: arrow.Data[] = [];
  for (const name of names) {
    const type = schema[name]!;
    const values = rows.map((r) => conform(type, r.get(name)));
    const data = columnData(type, values);
    fields.push(new A.Field(name, data.type, true));
    children.push(data);
  }
  const struct = A.makeData({ type: new A.Struct(fields), length: rows.length, nullCount: 0, children });
  const table = new A.Table([new A.RecordBatch(new A.Schema(fields), struct)]);
  const ipc = A.tableToIPC(table, 'stream');
  const wasmTable = pw.Table.fromIPCStream(ipc);
  const props = new pw.WriterPropertiesBuilder().setCompression(pw.Compression.ZSTD).setMaxRowGroupSize(Math.max(1, rows.length)).build();
  return pw.writeParquet(wasmTable, props);
}

/** `_id` and `@timestamp` first, then alphabetical: stable column order across files. */
function columnOrder(a: string, b: string): number {
  const rank = (s: string) => (s === '_id' ? 0 : s === TIMESTAMP ? 1 : 2);
  return rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0);
}
