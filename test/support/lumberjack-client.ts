// A small Lumberjack v2 (Beats protocol) client for tests: sends windows of JSON events, compressed or not,
// reads ACKs, and can write raw bytes or cut the connection mid-window.

import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { deflateSync } from 'node:zlib';

export function windowFrame(count: number, version = 2): Buffer {
  const b = Buffer.alloc(6);
  b[0] = 0x30 + version;
  b[1] = 0x57; // W
  b.writeUInt32BE(count, 2);
  return b;
}

export function jsonFrame(seq: number, event: unknown): Buffer {
  const body = Buffer.from(JSON.stringify(event));
  const h = Buffer.alloc(10);
  h[0] = 0x32;
  h[1] = 0x4a; // J
  h.writeUInt32BE(seq, 2);
  h.writeUInt32BE(body.length, 6);
  return Buffer.concat([h, body]);
}

export function dataFrame(seq: number, fields: Record<string, string>, version = 1): Buffer {
  const parts: Buffer[] = [];
  const h = Buffer.alloc(10);
  h[0] = 0x30 + version;
  h[1] = 0x44; // D
  h.writeUInt32BE(seq, 2);
  h.writeUInt32BE(Object.keys(fields).length, 6);
  parts.push(h);
  for (const [k, v] of Object.entries(fields)) {
    for (const s of [k, v]) {
      const b = Buffer.from(s);
      const l = Buffer.alloc(4);
      l.writeUInt32BE(b.length);
      parts.push(l, b);
    }
  }
  return Buffer.concat(parts);
}

export function compressedFrame(inner: Buffer): Buffer {
  const z = deflateSync(inner);
  const h = Buffer.alloc(6);
  h[0] = 0x32;
  h[1] = 0x43; // C
  h.writeUInt32BE(z.length, 2);
  return Buffer.concat([h, z]);
}

/** The bytes of a whole window: W, then the events as J frames (sequence 1..n), compressed or not. */
export function encodeWindow(events: unknown[], compress = true): Buffer {
  const frames = Buffer.concat(events.map((e, i) => jsonFrame(i + 1, e)));
  return Buffer.concat([windowFrame(events.length), compress ? compressedFrame(frames) : frames]);
}

export class LumberjackClient {
  readonly acks: number[] = [];
  closed = false;
  private waiters: Array<() => void> = [];

  private constructor(readonly socket: Socket) {
    let buf = Buffer.alloc(0);
    socket.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 6) {
        if (buf[1] !== 0x41) throw new Error(`unexpected frame from server: ${buf.subarray(0, 6).toString('hex')}`);
        this.acks.push(buf.readUInt32BE(2));
        buf = buf.subarray(6);
      }
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => {});
  }

  private wake(): void {
    this.waiters.splice(0).forEach((w) => w());
  }

  static connect(port: number, tls?: { ca?: Buffer; cert?: Buffer; key?: Buffer }): Promise<LumberjackClient> {
    return new Promise((resolve, reject) => {
      const socket = tls
        ? tlsConnect({ host: '127.0.0.1', port, servername: 'localhost', ...tls }, () => resolve(new LumberjackClient(socket)))
        : netConnect({ host: '127.0.0.1', port }, () => resolve(new LumberjackClient(socket)));
      socket.once('error', reject);
    });
  }

  write(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  sendWindow(events: unknown[], compress = true): void {
    this.write(encodeWindow(events, compress));
  }

  /** Resolves once an ACK for `seq` arrived; rejects if the connection closes first. */
  async awaitAck(seq: number): Promise<void> {
    while (!this.acks.includes(seq)) {
      if (this.closed) throw new Error(`connection closed before the ACK for ${seq} (got ${this.acks.join(',')})`);
      await new Promise<void>((r) => this.waiters.push(r));
    }
  }

  /** Resolves once the server closed the connection. */
  async awaitClose(): Promise<void> {
    while (!this.closed) await new Promise<void>((r) => this.waiters.push(r));
  }

  destroy(): void {
    this.socket.destroy();
  }
}
