// Dead-letter target on S3 or an S3-compatible store: `s3://bucket/prefix?endpoint=…&region=…&force_path_style=true`.
// The URL is checked at once; the AWS SDK is loaded on first use (s3_store.ts), so it costs nothing to
// processes that do not dead-letter to S3.

import type { Logger } from '../logger.js';
import type { DeadLetterEntry, DeadLetterTarget, StoredDeadLetter } from './target.js';

export class S3DeadLetterTarget implements DeadLetterTarget {
  readonly description: string;
  private store: Promise<DeadLetterTarget> | undefined;

  constructor(
    private readonly url: URL,
    private readonly logger: Logger,
  ) {
    if (!url.hostname) throw new Error(`dead_letter_queue.target ${url.href}: the bucket is missing (s3://bucket/prefix)`);
    if (url.username || url.password) throw new Error('dead_letter_queue.target: put S3 credentials in the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY), not in the URL');
    this.description = `s3://${url.hostname}${url.pathname}`;
  }

  private open(): Promise<DeadLetterTarget> {
    return (this.store ??= import('./s3_store.js').then((m) => new m.S3DeadLetterStore(this.url, this.logger)));
  }

  async write(entries: DeadLetterEntry[]): Promise<void> {
    await (await this.open()).write(entries);
  }

  async *list(): AsyncIterable<StoredDeadLetter> {
    yield* (await this.open()).list();
  }

  async remove(refs: number[]): Promise<void> {
    await (await this.open()).remove(refs);
  }

  async close(): Promise<void> {
    if (this.store) await (await this.store).close();
  }
}
