// Where the s3 input's work comes from. Listing offers objects; readers take them one at a time, and either
// complete them (every event delivered, after-actions done: never again) or release them to be retried.
//
// Standalone (`LocalWork`): one process, the queue and the "done" set in memory. Nothing is written to local
// disk; a restart lists the bucket again and re-reads what is still there (same event ids: outputs overwrite).
// Use `delete` or `backup_to_bucket` to move finished objects away, or the NATS coordination to remember them.

import type { ObjectRef } from './object_reader.js';
import { objectIdentity } from './object_reader.js';

export interface WorkItem {
  readonly ref: ObjectRef;
  /** The claim was taken over by another process (it was considered dead): stop reading this object. */
  readonly lost: boolean;
  /** Every event was delivered and after-actions ran: never process this object version again. */
  complete(): Promise<void>;
  /** Give it back; it is retried (by any process) after `delayMs`. */
  release(delayMs: number): Promise<void>;
}

export interface WorkSource {
  start(): Promise<void>;
  /** Objects found by a listing (one page at a time). */
  offer(refs: ObjectRef[]): Promise<void>;
  /**
   * A listing covered everything under the prefix: objects it did not name (by `objectIdentity`) are gone and
   * may be forgotten, which bounds the memory of known objects to the bucket's current content.
   */
  forgetExcept(listed: ReadonlySet<string>): void;
  /** The next object to read, or null when none arrived within about `waitMs`. */
  take(waitMs: number): Promise<WorkItem | null>;
  /** Nothing queued or in progress anywhere (read-once mode ends then). */
  drained(): Promise<boolean>;
  /** Interrupt a pending `take` (shutdown). */
  wake(): void;
  close(): Promise<void>;
}

export class LocalWork implements WorkSource {
  private readonly queue: ObjectRef[] = [];
  /** Identities queued, being read, or waiting for a retry. */
  private readonly active = new Set<string>();
  private readonly done = new Set<string>();
  private readonly retryTimers = new Set<NodeJS.Timeout>();
  private readonly waiters = new Set<() => void>();
  private closed = false;

  async start(): Promise<void> {}

  async offer(refs: ObjectRef[]): Promise<void> {
    for (const ref of refs) {
      const id = objectIdentity(ref);
      if (this.done.has(id) || this.active.has(id)) continue;
      this.active.add(id);
      this.queue.push(ref);
    }
    this.wake();
  }

  forgetExcept(listed: ReadonlySet<string>): void {
    for (const id of this.done) if (!listed.has(id)) this.done.delete(id);
  }

  async take(waitMs: number): Promise<WorkItem | null> {
    if (this.queue.length === 0 && !this.closed) {
      await new Promise<void>((resolve) => {
        const waiters = this.waiters;
        const t = setTimeout(finish, waitMs);
        function finish() {
          clearTimeout(t);
          waiters.delete(finish);
          resolve();
        }
        waiters.add(finish);
      });
    }
    const ref = this.queue.shift();
    if (!ref) return null;
    const id = objectIdentity(ref);
    return {
      ref,
      lost: false,
      complete: async () => {
        this.active.delete(id);
        this.done.add(id);
      },
      release: async (delayMs: number) => {
        const t = setTimeout(() => {
          this.retryTimers.delete(t);
          this.queue.push(ref);
          this.wake();
        }, delayMs);
        this.retryTimers.add(t);
      },
    };
  }

  async drained(): Promise<boolean> {
    return this.active.size === 0;
  }

  wake(): void {
    for (const w of [...this.waiters]) w();
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.retryTimers) clearTimeout(t);
    this.retryTimers.clear();
    this.wake();
  }
}
