// The checkpoint of one file generation: batches are acknowledged in any order, but the checkpoint only
// moves to the end of the longest prefix of batches that were all acknowledged, so a restart from it
// loses nothing and re-reads only batches that may not have been delivered.

interface Entry {
  end: number;
  done: boolean;
}

export class AckTracker {
  private queue: Entry[] = [];
  private head = 0;

  /** `acked`: the checkpoint (byte offset) everything before which is delivered. */
  constructor(
    public acked: number,
    private readonly onAdvance: (acked: number) => void = () => {},
  ) {}

  /** Register a batch ending at byte `end` (in file order); returns its ack callback (idempotent). */
  track(end: number): () => void {
    const entry: Entry = { end, done: false };
    this.queue.push(entry);
    return () => {
      if (entry.done) return;
      entry.done = true;
      this.advance();
    };
  }

  /** A range that needs no delivery (the skipped rest of a cut line): done as soon as what precedes it is. */
  skipTo(end: number): void {
    this.queue.push({ end, done: true });
    this.advance();
  }

  /** Nothing in flight. */
  get idle(): boolean {
    return this.head === this.queue.length;
  }

  get inFlight(): number {
    return this.queue.length - this.head;
  }

  private advance(): void {
    const before = this.acked;
    while (this.head < this.queue.length && this.queue[this.head]!.done) {
      const end = this.queue[this.head]!.end;
      if (end > this.acked) this.acked = end;
      this.head++;
    }
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    if (this.acked !== before) this.onAdvance(this.acked);
  }
}
