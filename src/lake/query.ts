// `sluice query`: SQL over the lake's Parquet files with DuckDB, each type exposed as a view
// (`SELECT count(*) FROM firewall`).
//
// DuckDB reads local files directly. Its S3 support (the httpfs extension) is downloaded on first use, which
// a machine without internet access cannot do, so for an S3 lake we download the Parquet objects of the
// types the SQL names (a type is named when its name appears as a word in the SQL) into a private temporary
// directory, query them there and delete the directory afterwards.
//
// The views read files with union_by_name, so files written before a column existed read it as NULL and a
// column that was widened to text reads as text everywhere. Partition folders are not turned into columns:
// they would shadow event fields called `type` or `date`; `date_trunc('hour', "@timestamp")` is the hour.

import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { LocalStore, openStore, type ObjectStore, type S3Connection } from './storage.js';
import { parseKey } from './layout.js';

export interface QueryResult {
  columns: string[];
  rows: Array<Record<string, unknown>>;
}

export interface QueryOptions {
  lake: string;
  s3?: S3Connection;
  /** Called once per type whose objects are being downloaded (S3 lakes). */
  onDownload?: (type: string, objects: number, bytes: number) => void;
}

function quoteIdent(s: string): string {
  return `"${s.replace(/"/g, '""')}"`;
}
function quoteString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/** Types of the lake that have Parquet files, with their object keys. */
async function parquetObjects(store: ObjectStore): Promise<Map<string, Array<{ key: string; size: number }>>> {
  const byType = new Map<string, Array<{ key: string; size: number }>>();
  for await (const o of store.list('type=')) {
    const k = parseKey(o.key);
    if (!k || k.format !== 'parquet') continue;
    let list = byType.get(k.type);
    if (!list) byType.set(k.type, (list = []));
    list.push(o);
  }
  return byType;
}

/** Types named in the SQL (as a word, case-insensitively). */
export function typesNamed(sql: string, types: Iterable<string>): string[] {
  const lower = sql.toLowerCase();
  return [...types].filter((t) => new RegExp(`(^|[^a-z0-9_])${t.toLowerCase().replace(/[.*+?^${}()|[\]\\-]/g, '\\$&')}($|[^a-z0-9_])`).test(lower));
}

export async function queryLake(sql: string, opts: QueryOptions): Promise<QueryResult> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const store = openStore(opts.lake, opts.s3);
  let temp: string | undefined;
  const instance = await DuckDBInstance.create(':memory:');
  const con = await instance.connect();
  try {
    const byType = await parquetObjects(store);
    let root: string;
    if (store instanceof LocalStore) root = store.root;
    else {
      temp = await mkdtemp(join(tmpdir(), 'sluice-query-'));
      root = temp;
      for (const type of typesNamed(sql, byType.keys())) {
        const objs = byType.get(type)!;
        opts.onDownload?.(type, objs.length, objs.reduce((n, o) => n + o.size, 0));
        // A few downloads at a time: bounded memory, reasonable speed.
        let next = 0;
        const worker = async () => {
          while (next < objs.length) {
            const o = objs[next++]!;
            const dest = join(root, o.key);
            await mkdir(dirname(dest), { recursive: true });
            await writeFile(dest, await store.get(o.key));
          }
        };
        await Promise.all(Array.from({ length: 4 }, worker));
      }
    }
    const wanted = store instanceof LocalStore ? [...byType.keys()] : typesNamed(sql, byType.keys());
    for (const type of wanted) {
      const files = byType.get(type)!.map((o) => join(root, o.key));
      const list = `[${files.map(quoteString).join(', ')}]`;
      await con.run(`CREATE VIEW ${quoteIdent(type)} AS SELECT * FROM read_parquet(${list}, union_by_name = true, hive_partitioning = false)`);
    }
    let reader;
    try {
      reader = await con.runAndReadAll(sql);
    } catch (e) {
      const msg = (e as Error).message;
      if (/does not exist/.test(msg)) throw new Error(`${msg}\n(lake ${store.description} has Parquet data for: ${[...byType.keys()].sort().join(', ') || 'no type'})`);
      throw e;
    }
    return { columns: reader.columnNames(), rows: reader.getRowObjectsJson() as Array<Record<string, unknown>> };
  } finally {
    con.closeSync();
    instance.closeSync();
    await store.close();
    if (temp) await rm(temp, { recursive: true, force: true });
  }
}

/** Render rows as an aligned text table (numbers right-aligned), for the terminal. */
export function formatTable(r: QueryResult): string {
  const cell = (v: unknown) => (v === null || v === undefined ? 'NULL' : typeof v === 'object' ? JSON.stringify(v) : String(v));
  const cells = r.rows.map((row) => r.columns.map((c) => cell(row[c])));
  const width = r.columns.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i]!.length)));
  const numeric = r.columns.map((_, i) => cells.length > 0 && cells.every((row) => /^-?\d+(\.\d+)?$/.test(row[i]!) || row[i] === 'NULL'));
  const line = (vals: string[]) => vals.map((v, i) => (numeric[i] ? v.padStart(width[i]!) : v.padEnd(width[i]!))).join('  ').trimEnd();
  return [line(r.columns), width.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line), `(${r.rows.length} row${r.rows.length === 1 ? '' : 's'})`].join('\n') + '\n';
}
