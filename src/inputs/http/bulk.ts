// The Elasticsearch `_bulk` body: NDJSON pairs of an action line (`index`, `create`, `update`, `delete`) and,
// except for `delete`, a source line. Parsing never throws: a broken line becomes an item with an error (the
// response reports it with status 400, as Elasticsearch reports per-item failures) and parsing goes on.
// Blank lines are skipped anywhere (rsyslog's omelasticsearch puts one after every document).

import type { EventData } from '../../core/event.js';
import { parseJsonExact } from '../../core/serialize.js';

export type BulkAction = 'index' | 'create' | 'update' | 'delete';
const ACTIONS: ReadonlySet<string> = new Set(['index', 'create', 'update', 'delete']);

export interface BulkItem {
  action: BulkAction;
  index?: string;
  type?: string;
  id?: string;
  routing?: string;
  pipeline?: string;
  /** The document (for `update`: its `doc`, else its `upsert`). */
  source?: EventData;
  /** The source line as received, for a deterministic id when the client gave none. */
  sourceText?: string;
  /** Why the item was refused (reported with status 400, no event is created). */
  error?: { type: string; reason: string };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
}

/** The action of an action line, or an error message. */
function parseAction(line: string): { action: BulkAction; meta: Record<string, unknown> } | string {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch (err) {
    return `Malformed action/metadata line: ${(err as Error).message}`;
  }
  if (!isObject(v)) return 'Malformed action/metadata line: expected a JSON object';
  const keys = Object.keys(v);
  if (keys.length !== 1) return `Malformed action/metadata line: expected one action, found [${keys.join(', ')}]`;
  const action = keys[0]!;
  if (!ACTIONS.has(action)) return `Malformed action/metadata line: unknown action [${action}]`;
  const meta = v[action];
  if (meta !== undefined && meta !== null && !isObject(meta)) return `Malformed action/metadata line: [${action}] must be an object`;
  return { action: action as BulkAction, meta: (meta ?? {}) as Record<string, unknown> };
}

/**
 * A source line as an object, integers beyond 2^53 (Suricata's 64-bit flow_id) kept exact. Scanning every
 * line's text for long digit runs (parseJson) cost more than the parse itself on log lines full of addresses
 * and ports, so the numbers are looked at after a plain parse instead.
 */
export const parseDocument = parseJsonExact;

/** Split on '\n', dropping a trailing '\r' (CRLF bodies). */
function lines(body: string): string[] {
  const out = body.split('\n');
  for (let i = 0; i < out.length; i++) {
    const l = out[i]!;
    if (l.length && l.charCodeAt(l.length - 1) === 13) out[i] = l.slice(0, -1);
  }
  return out;
}

function isBlank(l: string): boolean {
  return l.length === 0 || l.trim().length === 0;
}

export function parseBulk(body: string, pathIndex?: string, pathType?: string): BulkItem[] {
  const ls = lines(body);
  const items: BulkItem[] = [];
  // Shippers repeat the same action line (`{"index":{"_index":"logs"}}`) for every document without an _id:
  // parse a line once while it repeats (the result is only read).
  let lastActionLine: string | undefined;
  let lastAction: ReturnType<typeof parseAction> = '';
  const actionOf = (line: string) => {
    if (line !== lastActionLine) {
      lastActionLine = line;
      lastAction = parseAction(line);
    }
    return lastAction;
  };
  const nextLine = (from: number) => {
    let j = from;
    while (j < ls.length && isBlank(ls[j]!)) j++;
    return j;
  };
  let i = nextLine(0);
  while (i < ls.length) {
    const parsed = actionOf(ls[i]!);
    if (typeof parsed === 'string') {
      items.push({ action: 'index', index: pathIndex, error: { type: 'illegal_argument_exception', reason: parsed } });
      // Its source line (if the next line is not itself a valid action) belongs to the refused item.
      const j = nextLine(i + 1);
      i = j < ls.length && typeof actionOf(ls[j]!) === 'string' ? nextLine(j + 1) : j;
      continue;
    }
    const { action, meta } = parsed;
    const item: BulkItem = {
      action,
      index: str(meta._index) ?? pathIndex,
      type: str(meta._type) ?? pathType,
      id: str(meta._id),
      routing: str(meta.routing ?? meta._routing),
      pipeline: str(meta.pipeline),
    };
    items.push(item);
    if (!item.index) item.error = { type: 'action_request_validation_exception', reason: 'Validation Failed: 1: index is missing;' };
    if (action === 'delete') {
      if (!item.id && !item.error) item.error = { type: 'action_request_validation_exception', reason: 'Validation Failed: 1: id is missing;' };
      i = nextLine(i + 1);
      continue;
    }
    const j = nextLine(i + 1);
    if (j >= ls.length) {
      item.error ??= { type: 'illegal_argument_exception', reason: `The bulk request must be terminated by a newline [\\n]; the [${action}] action has no source line` };
      break;
    }
    const text = ls[j]!;
    i = nextLine(j + 1);
    let doc: unknown;
    try {
      doc = parseDocument(text);
    } catch (err) {
      item.error ??= { type: 'document_parsing_exception', reason: `failed to parse the document: ${(err as Error).message}` };
      continue;
    }
    if (!isObject(doc)) {
      item.error ??= { type: 'document_parsing_exception', reason: 'failed to parse the document: expected a JSON object' };
      continue;
    }
    if (action === 'update') {
      const partial = isObject(doc.doc) ? doc.doc : isObject(doc.upsert) ? doc.upsert : undefined;
      if (!partial) {
        item.error ??= { type: 'action_request_validation_exception', reason: 'Validation Failed: 1: an update needs a [doc] or [upsert] (scripts are not supported);' };
        continue;
      }
      doc = partial;
    }
    if (item.error) continue;
    item.source = doc as EventData;
    item.sourceText = text;
  }
  return items;
}

const RESULT: Record<BulkAction, [string, number]> = {
  index: ['created', 201],
  create: ['created', 201],
  update: ['updated', 200],
  delete: ['deleted', 200],
};

const SHARDS = '"_shards":{"total":1,"successful":1,"failed":0}';

/**
 * The whole `_bulk` response as text, in Elasticsearch's shape (same JSON as bulkItemResponse per item, without
 * building an object per item). Accepted items take consecutive sequence numbers from `seqNo`.
 */
export function bulkResponseText(items: readonly BulkItem[], ids: ReadonlyArray<string | undefined>, seqNo: number, took: number, errors: boolean): string {
  const parts = new Array<string>(items.length);
  // Index names come from the client; JSON-quote each distinct one once.
  let lastIndex: string | undefined;
  let lastQuoted = 'null';
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    if (item.index !== lastIndex || i === 0) {
      lastIndex = item.index;
      lastQuoted = item.index === undefined ? 'null' : JSON.stringify(item.index);
    }
    const id = ids[i];
    const head = `{"${item.action}":{"_index":${lastQuoted}${id === undefined ? '' : `,"_id":${JSON.stringify(id)}`}`;
    if (item.error) parts[i] = `${head},"status":400,"error":${JSON.stringify({ type: item.error.type, reason: item.error.reason })}}}`;
    else {
      const [result, status] = RESULT[item.action];
      parts[i] = `${head},"_version":1,"result":"${result}",${SHARDS},"_seq_no":${seqNo++},"_primary_term":1,"status":${status}}}`;
    }
  }
  return `{"took":${took},"errors":${errors},"items":[${parts.join(',')}]}`;
}

/** One item of the bulk response, in Elasticsearch's shape. */
export function bulkItemResponse(item: BulkItem, id: string | undefined, seqNo: number): Record<string, unknown> {
  const body: Record<string, unknown> = { _index: item.index ?? null };
  if (id !== undefined) body._id = id;
  if (item.error) {
    body.status = 400;
    body.error = { type: item.error.type, reason: item.error.reason };
  } else {
    const [result, status] = RESULT[item.action];
    Object.assign(body, { _version: 1, result, _shards: { total: 1, successful: 1, failed: 0 }, _seq_no: seqNo, _primary_term: 1, status });
  }
  return { [item.action]: body };
}
