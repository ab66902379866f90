// Main side of the elasticsearch output: sends a payload's items in `_bulk` requests bounded in events and
// bytes, several at once, and handles every item's result:
//   2xx                      written
//   409 (version conflict)   already there: counted as written (Logstash drops these with a warning)
//   404 on delete            already gone: written
//   400, 404, dlq_custom_codes   rejected for good: returned for the dead-letter queue with the server's reason
//   anything else (429, 5xx…)    retried with exponential backoff, as Logstash retries them indefinitely
// A whole request failing (network error, timeout, 429, 5xx, other status) retries all its items.
// `send` resolves only when every item was written or rejected. Memory: the payload (one pipeline batch) plus
// at most `maxInFlight` request bodies; while the cluster pushes back, `send` does not return, so the
// pipeline's bounded in-flight window stops the inputs.

import type { Logger } from '../../core/logger.js';
import type { DeliveryResult, RejectedEvent } from '../../core/plugin.js';
import { itemEventJson, LAYOUT_STRIDE, type BulkPayload } from './bulk_encoder.js';
import { errorReason, NetworkError, type ClusterClient } from './http_client.js';

export interface SenderSettings {
  /** Path of the bulk endpoint, with its query string. */
  bulkPath: string;
  maxEvents: number;
  maxBytes: number;
  maxInFlight: number;
  retryInitialMillis: number;
  retryMaxMillis: number;
  /** Item statuses sent to the dead-letter queue (Logstash: 400 and 404 plus dlq_custom_codes). */
  dlqCodes: ReadonlySet<number>;
  /** Do not log these error types (Logstash's silence_errors_in_log). */
  silencedErrors: ReadonlySet<string>;
}

/** Counters for tests and the bench. */
export interface SenderStats {
  requests: number;
  failedRequests: number;
  retriedItems: number;
  conflicts: number;
  rejected: number;
  written: number;
}

interface ItemOutcome {
  /** Indexes of items to send again. */
  retry: number[];
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class BulkSender {
  readonly stats: SenderStats = { requests: 0, failedRequests: 0, retriedItems: 0, conflicts: 0, rejected: 0, written: 0 };
  private closed = false;

  constructor(
    private readonly client: ClusterClient,
    private readonly s: SenderSettings,
    private readonly logger: Logger,
  ) {}

  close(): void {
    this.closed = true;
  }

  async send(payload: BulkPayload): Promise<DeliveryResult> {
    const layout = payload[1];
    const rejected: RejectedEvent[] = [...payload[3]];
    const count = layout.length / LAYOUT_STRIDE;
    let pending: number[] = Array.from({ length: count }, (_, i) => i);
    let delay = this.s.retryInitialMillis;
    const decoder = new TextDecoder();
    while (pending.length) {
      const chunks = this.chunk(pending, layout);
      const retry: number[] = [];
      let cursor = 0;
      const worker = async () => {
        while (cursor < chunks.length) {
          const chunk = chunks[cursor++]!;
          const out = await this.sendChunk(payload, chunk, rejected, decoder);
          for (const i of out.retry) retry.push(i);
        }
      };
      await Promise.all(Array.from({ length: Math.min(this.s.maxInFlight, chunks.length) }, worker));
      if (retry.length === 0) break;
      if (this.closed) throw new Error(`output closed with ${retry.length} item(s) not yet written`);
      this.stats.retriedItems += retry.length;
      retry.sort((a, b) => a - b);
      pending = retry;
      await sleep(delay);
      delay = Math.min(delay * 2, this.s.retryMaxMillis);
    }
    return rejected.length ? { rejected } : {};
  }

  /** Group items into requests of at most maxEvents items and maxBytes bytes (a lone bigger item goes alone). */
  private chunk(items: number[], layout: number[]): number[][] {
    const chunks: number[][] = [];
    let cur: number[] = [];
    let bytes = 0;
    for (const i of items) {
      const size = itemEnd(layout, i) - itemStart(layout, i);
      if (cur.length && (cur.length >= this.s.maxEvents || bytes + size > this.s.maxBytes)) {
        chunks.push(cur);
        cur = [];
        bytes = 0;
      }
      cur.push(i);
      bytes += size;
    }
    if (cur.length) chunks.push(cur);
    return chunks;
  }

  /** The bytes of these items, without a copy when they are contiguous. */
  private bodyOf(payload: BulkPayload, items: number[]): Uint8Array {
    const [body, layout] = payload;
    const first = items[0]!;
    const last = items[items.length - 1]!;
    if (last - first + 1 === items.length) return body.subarray(itemStart(layout, first), itemEnd(layout, last));
    let total = 0;
    for (const i of items) total += itemEnd(layout, i) - itemStart(layout, i);
    const out = new Uint8Array(total);
    let off = 0;
    for (const i of items) {
      const part = body.subarray(itemStart(layout, i), itemEnd(layout, i));
      out.set(part, off);
      off += part.byteLength;
    }
    return out;
  }

  private async sendChunk(payload: BulkPayload, items: number[], rejected: RejectedEvent[], decoder: TextDecoder): Promise<ItemOutcome> {
    const reqBody = this.bodyOf(payload, items);
    this.stats.requests++;
    let res;
    try {
      res = await this.client.request('POST', this.s.bulkPath, reqBody, 'application/x-ndjson');
    } catch (err) {
      this.stats.failedRequests++;
      if (!(err instanceof NetworkError)) throw err;
      this.logger.warn('bulk request failed; will retry', { error: err.message, items: items.length });
      return { retry: items };
    }
    if (res.status === 413 && items.length > 1) {
      // Too large for the cluster's http.max_content_length: send the halves separately.
      this.stats.failedRequests++;
      this.logger.warn('bulk request too large (413); splitting it', { items: items.length, bytes: reqBody.byteLength });
      const half = Math.ceil(items.length / 2);
      const a = await this.sendChunk(payload, items.slice(0, half), rejected, decoder);
      const b = await this.sendChunk(payload, items.slice(half), rejected, decoder);
      return { retry: [...a.retry, ...b.retry] };
    }
    const text = res.body.toString('utf8');
    if (res.status === 413) {
      rejected.push({ event: itemEventJson(payload, items[0]!, decoder), error: `HTTP 413: the document is larger than the cluster accepts in one request (${reqBody.byteLength} bytes)` });
      this.stats.rejected++;
      return { retry: [] };
    }
    if (res.status < 200 || res.status >= 300) {
      this.stats.failedRequests++;
      let reason: string | undefined;
      try {
        reason = errorReason(JSON.parse(text));
      } catch {
        reason = text.slice(0, 200);
      }
      const level = res.status === 429 ? 'warn' : 'error';
      this.logger[level]('bulk request refused; will retry', { status: res.status, host: res.host, reason: reason ?? '', items: items.length });
      return { retry: items };
    }
    let parsed: { errors?: boolean; items?: Array<Record<string, { status?: number; error?: unknown }>> };
    try {
      parsed = JSON.parse(text);
    } catch {
      this.stats.failedRequests++;
      this.logger.error('bulk response is not JSON; will retry', { host: res.host, start: text.slice(0, 200) });
      return { retry: items };
    }
    if (parsed.errors === false) {
      this.stats.written += items.length;
      return { retry: [] };
    }
    const results = parsed.items;
    if (!Array.isArray(results) || results.length !== items.length) {
      this.stats.failedRequests++;
      this.logger.error('bulk response does not have one result per item; will retry', { sent: items.length, received: Array.isArray(results) ? results.length : 0 });
      return { retry: items };
    }
    const retry: number[] = [];
    for (let k = 0; k < items.length; k++) {
      const result = results[k]!;
      const op = Object.keys(result)[0] ?? '';
      const r = result[op] ?? {};
      const status = typeof r.status === 'number' ? r.status : 0;
      if (status >= 200 && status < 300 && !r.error) {
        this.stats.written++;
      } else if (status === 409) {
        this.stats.conflicts++;
        this.stats.written++;
        // Expected on redelivery with action create (data streams): debug, not a warning per event.
        this.logger.debug('version conflict: the document exists already; not written again', { status, reason: errorReason(r.error) ?? '' });
      } else if (status === 404 && op === 'delete' && !r.error) {
        this.stats.written++; // deleting a missing document: it is gone, as asked
      } else if (this.s.dlqCodes.has(status)) {
        const reason = `HTTP ${status}: ${errorReason(r.error) ?? 'rejected'}`;
        rejected.push({ event: itemEventJson(payload, items[k]!, decoder), error: reason });
        this.stats.rejected++;
        this.logSilenceable(r.error, 'document rejected; sent to the dead-letter queue', status);
      } else {
        retry.push(items[k]!);
        if (status !== 429) this.logSilenceable(r.error, 'document failed; will retry', status);
      }
    }
    return { retry };
  }

  private logSilenceable(error: unknown, msg: string, status: number): void {
    const type = error && typeof error === 'object' ? String((error as Record<string, unknown>).type ?? '') : '';
    if (type && this.s.silencedErrors.has(type)) return;
    this.logger.warn(msg, { status, reason: errorReason(error) ?? '' });
  }
}

function itemStart(layout: number[], i: number): number {
  return i === 0 ? 0 : layout[(i - 1) * LAYOUT_STRIDE]!;
}
function itemEnd(layout: number[], i: number): number {
  return layout[i * LAYOUT_STRIDE]!;
}
