// Worker side of the elasticsearch output: turns events into one NDJSON `_bulk` body (action line + source
// line per event) and records where each item lies in it, so the main thread can resend any subset of items
// and rebuild an item's event (with @metadata) for the dead-letter queue without keeping a second copy.

import type { Event } from '../../core/event.js';
import type { RejectedEvent } from '../../core/plugin.js';
import { stringifyEvent } from '../../core/serialize.js';
import { compileSprintf, isTemplate, type Template } from '../../core/sprintf.js';
import { TextBytes } from '../../core/text_bytes.js';

export const BULK_ACTIONS = ['index', 'create', 'update', 'delete'] as const;
export type BulkAction = (typeof BULK_ACTIONS)[number];

/** Words per item in `BulkPayload[1]`. */
export const LAYOUT_STRIDE = 3;

/**
 * What encode hands to deliver, as an array so the pipeline transfers the body instead of copying it:
 * - body: the NDJSON of every item, a Uint8Array owning its ArrayBuffer;
 * - layout: per item [end, docStart, docEnd]: item i is body[end(i-1), end(i)); its source document is
 *   body[docStart, docEnd) (docStart -1 for delete, which has no source line);
 * - extras: per item the `@metadata` JSON ('' when none) or, for delete, the whole event JSON;
 * - rejected: events refused before sending (an action that is not a bulk action).
 */
export type BulkPayload = [body: Uint8Array, layout: number[], extras: string[], rejected: RejectedEvent[]];

export interface EncoderSettings {
  index: string;
  documentId: string;
  /** True when document_id is our default `%{[@metadata][_id]}`: an event without an id then gets a generated one. */
  documentIdIsDefault: boolean;
  action: string;
  routing?: string;
  pipeline?: string;
  docAsUpsert: boolean;
  retryOnConflict: number;
  dataStream?: { type: string; dataset: string; namespace: string; autoRouting: boolean; syncFields: boolean };
}

/** Data stream name parts may not contain these (Elasticsearch's naming rules); they become `_`. */
function dataStreamPart(v: unknown, fallback: string, maxLen: number): string {
  if (typeof v !== 'string' || v === '') return fallback;
  const s = v.toLowerCase().replace(/[\\/*?"<>| ,#:-]/g, '_');
  return s.slice(0, maxLen) || fallback;
}

/** The default template renders literally when the event has no id: then the id is left to the cluster. */
function resolvedOrUndefined(t: Template | undefined, raw: string | undefined, e: Event): string | undefined {
  if (!t || raw === undefined) return undefined;
  const v = t(e);
  if (v === '' || (isTemplate(raw) && v === raw)) return undefined;
  return v;
}

/** The bulk body of a batch, built a part at a time (Output.encoder). */
export interface BulkBatchEncoder {
  add(events: Event[]): void;
  finish(): BulkPayload;
}

export function createBulkEncoder(s: EncoderSettings): () => BulkBatchEncoder {
  const indexT = compileSprintf(s.index);
  const idT = compileSprintf(s.documentId);
  const actionT = compileSprintf(s.action);
  const routingT = s.routing !== undefined ? compileSprintf(s.routing) : undefined;
  const pipelineT = s.pipeline !== undefined ? compileSprintf(s.pipeline) : undefined;
  const ds = s.dataStream;

  return (): BulkBatchEncoder => {
    const parts = new TextBytes();
    const layout: number[] = [];
    const extras: string[] = [];
    const rejected: RejectedEvent[] = [];
    const add = (events: Event[]): void => {
      for (const e of events) {
        let index: string;
        let action: string;
        if (ds) {
          const fields = ds.autoRouting ? (e.get('data_stream') as Record<string, unknown> | undefined) : undefined;
          const obj = fields !== null && typeof fields === 'object' ? fields : undefined;
          const type = dataStreamPart(obj?.type, ds.type, 100);
          const dataset = dataStreamPart(obj?.dataset, ds.dataset, 100);
          const namespace = dataStreamPart(obj?.namespace, ds.namespace, 100);
          if (ds.syncFields) e.set('data_stream', { type, dataset, namespace });
          index = `${type}-${dataset}-${namespace}`;
          action = 'create'; // data streams accept only op_type create
        } else {
          index = indexT(e);
          action = actionT(e);
        }
        if (!(BULK_ACTIONS as readonly string[]).includes(action)) {
          rejected.push({ event: stringifyEvent(e.data, true), error: `action ${JSON.stringify(action)} is not one of ${BULK_ACTIONS.join(', ')}` });
          continue;
        }
        const id = s.documentIdIsDefault ? resolvedOrUndefined(idT, s.documentId, e) : idT(e);
        if ((action === 'update' || action === 'delete') && id === undefined) {
          rejected.push({ event: stringifyEvent(e.data, true), error: `action ${action} needs a document id (document_id resolved to nothing)` });
          continue;
        }
        let meta = `{"_index":${JSON.stringify(index)}`;
        if (id !== undefined) meta += `,"_id":${JSON.stringify(id)}`;
        const routing = resolvedOrUndefined(routingT, s.routing, e);
        if (routing !== undefined) meta += `,"routing":${JSON.stringify(routing)}`;
        const pipeline = resolvedOrUndefined(pipelineT, s.pipeline, e);
        if (pipeline !== undefined && action !== 'delete') meta += `,"pipeline":${JSON.stringify(pipeline)}`;
        if (action === 'update' && s.retryOnConflict > 0) meta += `,"retry_on_conflict":${s.retryOnConflict}`;
        parts.push(`{"${action}":${meta}}}\n`);
        if (action === 'delete') {
          layout.push(parts.byteLength, -1, -1);
          extras.push(stringifyEvent(e.data, true));
          continue;
        }
        // The document written straight into the body's bytes; its byte range recorded for retries.
        if (action === 'update') parts.push('{"doc":');
        const docStart = parts.byteLength;
        parts.pushEvent(e.data);
        const docEnd = parts.byteLength;
        if (action === 'update') parts.push(s.docAsUpsert ? ',"doc_as_upsert":true}\n' : '}\n');
        else parts.pushByte(10);
        layout.push(parts.byteLength, docStart, docEnd);
        const metadata = e.data['@metadata'];
        extras.push(metadata !== undefined && metadata !== null && typeof metadata === 'object' && Object.keys(metadata).length ? JSON.stringify(metadata) : '');
      }
    };
    // The bytes own their buffer: the pipeline moves it to the main thread.
    return { add, finish: () => [parts.toBuffer(), layout, extras, rejected] };
  };
}

/** The event of item i as JSON with its @metadata, for the dead-letter queue. */
export function itemEventJson(payload: BulkPayload, i: number, decoder = new TextDecoder()): string {
  const [body, layout, extras] = payload;
  const docStart = layout[i * LAYOUT_STRIDE + 1]!;
  const extra = extras[i]!;
  if (docStart < 0) return extra; // delete: the whole event was kept
  const doc = decoder.decode(body.subarray(docStart, layout[i * LAYOUT_STRIDE + 2]!));
  if (extra === '') return doc;
  // Put @metadata back as the last key of the document object.
  return doc.length > 2 ? `${doc.slice(0, -1)},"@metadata":${extra}}` : `{"@metadata":${extra}}`;
}
