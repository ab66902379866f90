// Where dead-lettered events go. A pipeline's `dead_letter_queue.target` is a URL whose scheme picks the
// implementation (`nats://…/subject` today; more schemes register themselves in src/core/dlq/index.ts).
// Nothing is kept on local disk: workers stay stateless.

import type { Logger } from '../logger.js';

/** One dead-lettered event (or raw line, when it could not be turned into an event). */
export interface DeadLetterEntry {
  pipeline: string;
  /** Id of the plugin that gave up on it (an output, or the input that exceeded max_deliver). */
  plugin: string;
  /** ISO-8601 time it was dead-lettered. */
  time: string;
  error: string;
  /** The event as JSON, `@metadata` included (a replay keeps its `_id`). */
  event?: string;
  /** The raw data when there is no event (base64 of a message that could not be unpacked). */
  raw?: string;
}

/** An entry as stored, with the reference that removes it. */
export interface StoredDeadLetter {
  ref: number;
  entry: DeadLetterEntry;
}

export interface DeadLetterTarget {
  /** Where entries go, for messages (no credentials). */
  readonly description: string;
  /** Store entries durably; resolves once stored (throws to be retried). */
  write(entries: DeadLetterEntry[]): Promise<void>;
  /** Stored entries, oldest first, as they are at the time of the call. */
  list(): AsyncIterable<StoredDeadLetter>;
  /** Remove entries (after a replay delivered them). */
  remove(refs: number[]): Promise<void>;
  close(): Promise<void>;
}

export type DeadLetterTargetFactory = (url: URL, logger: Logger) => DeadLetterTarget;

const factories = new Map<string, DeadLetterTargetFactory>();

/** Make a URL scheme (without ':') available as a dead-letter target. */
export function registerDeadLetterTarget(scheme: string, factory: DeadLetterTargetFactory): void {
  factories.set(scheme.toLowerCase(), factory);
}

export function deadLetterSchemes(): string[] {
  return [...factories.keys()].sort();
}

/** Check a target URL without connecting; returns an error text or undefined. */
export function checkDeadLetterTarget(target: string): string | undefined {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return `dead_letter_queue.target must be a URL such as nats://host:4222/sluice.dlq, got ${JSON.stringify(target)}`;
  }
  const scheme = url.protocol.replace(/:$/, '').toLowerCase();
  if (!factories.has(scheme)) return `dead_letter_queue.target: unsupported scheme '${scheme}' (supported: ${deadLetterSchemes().join(', ')})`;
  return undefined;
}

export function openDeadLetterTarget(target: string, logger: Logger): DeadLetterTarget {
  const problem = checkDeadLetterTarget(target);
  if (problem) throw new Error(problem);
  const url = new URL(target);
  return factories.get(url.protocol.replace(/:$/, '').toLowerCase())!(url, logger);
}
