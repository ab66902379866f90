// Output bytes travel from a worker thread to the main thread (moved, not copied) and, once written, travel
// back to be filled again. Fresh memory for every batch cost page faults on the worker (first touch of each
// page) and, on the main thread, a full garbage collection every few dozen MiB of received buffers (V8 counts
// them as external memory): about a tenth of the CPU of a JSON-lines pipeline.

/** Smallest buffer kept: smaller ones are cheap to allocate. */
const MIN_POOLED_BYTES = 64 * 1024;
/** Buffers kept per thread; beyond, returned buffers are left to the garbage collector. */
const MAX_FREE_BUFFERS = 8;

export class BytePool {
  private readonly free: ArrayBufferLike[] = [];
  private readonly owned = new WeakSet<ArrayBufferLike>();

  /** `shared`: SharedArrayBuffers, whose views another thread reads in place (posting one copies nothing). */
  constructor(private readonly shared = false) {}

  /** A Buffer of exactly `size` bytes (contents undefined) over a pooled ArrayBuffer of at least that size. */
  take(size: number): Buffer {
    for (let i = this.free.length - 1; i >= 0; i--) {
      const ab = this.free[i]!;
      if (ab.byteLength >= size) {
        this.free.splice(i, 1);
        return Buffer.from(ab, 0, size);
      }
    }
    // Room to grow: the next batches of an output are about as big as this one.
    const capacity = Math.max(MIN_POOLED_BYTES, Math.ceil((size * 1.25) / 65536) * 65536);
    const ab = this.shared ? new SharedArrayBuffer(capacity) : new ArrayBuffer(capacity);
    this.owned.add(ab);
    return Buffer.from(ab, 0, size);
  }

  /** Whether `ab` came from take() on this thread: a view of it may be moved to another thread whole. */
  owns(ab: ArrayBufferLike): boolean {
    return this.owned.has(ab);
  }

  /** Take back a buffer nobody uses any more (here, or moved back from another thread). */
  give(ab: ArrayBufferLike): void {
    if (ab.byteLength < MIN_POOLED_BYTES || this.free.length >= MAX_FREE_BUFFERS || this.free.includes(ab)) return;
    this.owned.add(ab);
    this.free.push(ab);
  }
}

/** This thread's pool for encoded output (TextBytes). */
export const outputBytes = new BytePool();

/**
 * The main thread's pool for input batches handed to workers: shared memory, so a batch is neither copied
 * into the message nor out of it, and the main thread still holds it should a worker die and the batch go to
 * another one. A batch's buffer comes back to the pool when its job ends.
 */
export const batchBytes = new BytePool(true);

/** Each byte array of a payload, up to three levels of arrays deep. */
function eachByteArray(v: unknown, f: (bytes: Uint8Array) => void, depth = 0): void {
  if (v instanceof Uint8Array) f(v);
  else if (depth < 3 && Array.isArray(v)) for (const x of v) eachByteArray(x, f, depth + 1);
}

/**
 * The ArrayBuffers of the byte arrays in a payload that can move to another thread whole: those owning their
 * whole buffer, and views of this thread's pool. Views into Node's shared Buffer pool are never moved (moving
 * would detach the pool).
 */
export function movableBuffers(payload: unknown, out: ArrayBuffer[] = []): ArrayBuffer[] {
  eachByteArray(payload, (v) => {
    const b = v.buffer;
    if (b instanceof ArrayBuffer && ((v.byteOffset === 0 && v.byteLength === b.byteLength) || outputBytes.owns(b)) && !out.includes(b)) out.push(b);
  });
  return out;
}

/**
 * Every ArrayBuffer behind the byte arrays of a payload received from a worker (it owns them all: they came by
 * moving or cloning), worth handing back (see MIN_POOLED_BYTES).
 */
export function receivedBuffers(payload: unknown, out: ArrayBuffer[] = []): ArrayBuffer[] {
  eachByteArray(payload, (v) => {
    const b = v.buffer;
    if (b instanceof ArrayBuffer && b.byteLength >= MIN_POOLED_BYTES && !out.includes(b)) out.push(b);
  });
  return out;
}
