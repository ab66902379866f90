// The UDP receiver behind the udp and syslog inputs: one datagram is one message.
//
// UDP cannot push back: a datagram that finds no room is lost. Losses are counted where they happen:
//   - in the kernel, when the socket's receive buffer is full (`receive_buffer_bytes` asks for a large one; the
//     kernel caps it at net.core.rmem_max). Linux reports these per socket in the `drops` column of
//     /proc/net/udp{,6}; they are read from there when metrics are asked for and when the input stops;
//   - here, when more than `queueSize` datagrams wait for room in the pipeline (Node cannot pause a UDP
//     socket, so a bounded queue stands between the socket and the pipeline).
//
// Event ids: `<prefix><run id>:<datagram number>`, the run id random per start of the input.

import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import type { InputSink, RawBatch } from '../../core/plugin.js';
import type { Logger } from '../../core/logger.js';

export interface UdpListenerOptions {
  host: string;
  port: number;
  /** Requested SO_RCVBUF, bytes (undefined: the system default). */
  receiveBufferBytes?: number;
  /** Warn when the kernel grants less than asked (when the user asked explicitly). */
  warnSmallBuffer?: boolean;
  /** Datagrams longer than this are cut and marked truncated. */
  maxMessageSize: number;
  /** Datagrams that may wait for the pipeline; more are dropped (counted). */
  queueSize: number;
  idPrefix: string;
  /** Fields set on every event from a sender, by field reference. */
  fieldsFor(ip: string, port: number): Record<string, unknown>;
  logger: Logger;
}

export interface UdpListenerMetrics {
  datagrams: number;
  bytes: number;
  oversize: number;
  /** Dropped because the queue toward the pipeline was full. */
  dropped_queue_full: number;
  /** Dropped by the kernel (receive buffer full), when the system reports it; -1 when it cannot be read. */
  dropped_kernel: number;
  receive_buffer_bytes: number;
}

interface PendingBatch {
  messages: string[];
  ids: string[];
  truncated?: boolean[];
  fields: Record<string, unknown>;
}

const MAX_BATCH = 1024;
const FLUSH_DELAY_MS = 2;
/** How often new losses are looked for and logged. */
const LOSS_LOG_INTERVAL_MS = 10_000;

/**
 * Kernel drop counter of the UDP socket bound to `port` (and inode when given), from /proc/net/udp and udp6;
 * undefined when the file cannot be read (not Linux).
 */
export function readKernelUdpDrops(port: number, inode?: string): number | undefined {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  let found: number | undefined;
  for (const file of ['/proc/net/udp', '/proc/net/udp6']) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 13) continue;
      const local = cols[1]!;
      if (local.slice(local.lastIndexOf(':') + 1) !== hexPort) continue;
      if (inode !== undefined && cols[9] !== inode) continue;
      found = (found ?? 0) + Number(cols[12]);
    }
  }
  return found;
}

export class UdpListener {
  private socket?: dgram.Socket;
  private readonly runId = randomBytes(6).toString('hex');
  private seq = 0;
  private batches = new Map<string, PendingBatch>();
  private queued = 0;
  private timer?: NodeJS.Timeout;
  private chain: Promise<void> = Promise.resolve();
  private sink?: InputSink;
  private stopping = false;
  private done?: () => void;
  private readonly m: UdpListenerMetrics = { datagrams: 0, bytes: 0, oversize: 0, dropped_queue_full: 0, dropped_kernel: 0, receive_buffer_bytes: 0 };
  private bound?: Promise<void>;
  private boundPortValue = 0;
  private lossTimer?: NodeJS.Timeout;
  private loggedLoss = { kernel: 0, queue: 0 };

  constructor(private readonly o: UdpListenerOptions) {}

  listen(): Promise<void> {
    this.bound ??= new Promise((resolve, reject) => {
      const type = this.o.host.includes(':') ? 'udp6' : 'udp4';
      const socket = dgram.createSocket({ type, recvBufferSize: this.o.receiveBufferBytes });
      this.socket = socket;
      socket.on('error', (err) => {
        if (!this.boundPortValue) reject(err);
        else this.o.logger.error('udp socket error', { error: err.message });
      });
      socket.on('message', (msg, rinfo) => this.onMessage(msg, rinfo));
      socket.bind({ address: this.o.host, port: this.o.port }, () => {
        this.boundPortValue = socket.address().port;
        this.m.receive_buffer_bytes = socket.getRecvBufferSize();
        if (this.o.warnSmallBuffer && this.o.receiveBufferBytes && this.m.receive_buffer_bytes < this.o.receiveBufferBytes)
          this.o.logger.warn('the kernel gave a smaller UDP receive buffer than asked (raise net.core.rmem_max)', {
            requested: this.o.receiveBufferBytes,
            obtained: this.m.receive_buffer_bytes,
          });
        this.o.logger.info('listening (udp)', { address: `${this.o.host}:${this.boundPortValue}`, receive_buffer_bytes: this.m.receive_buffer_bytes });
        this.lossTimer = setInterval(() => this.logLoss(), LOSS_LOG_INTERVAL_MS);
        this.lossTimer.unref();
        resolve();
      });
    });
    return this.bound;
  }

  get boundPort(): number {
    return this.boundPortValue || this.o.port;
  }

  async run(sink: InputSink): Promise<void> {
    this.sink = sink;
    await this.listen();
    await new Promise<void>((resolve) => {
      this.done = resolve;
      if (this.stopping) this.close();
    });
  }

  private onMessage(msg: Buffer, rinfo: dgram.RemoteInfo): void {
    if (this.stopping) return;
    this.m.datagrams++;
    this.m.bytes += msg.length;
    if (this.queued >= this.o.queueSize || !this.sink) {
      this.m.dropped_queue_full++;
      return;
    }
    const key = `${rinfo.address}|${rinfo.port}`;
    let b = this.batches.get(key);
    if (!b) {
      const ip = rinfo.address.startsWith('::ffff:') && rinfo.address.includes('.') ? rinfo.address.slice(7) : rinfo.address;
      b = { messages: [], ids: [], fields: this.o.fieldsFor(ip, rinfo.port) };
      this.batches.set(key, b);
    }
    const cut = msg.length > this.o.maxMessageSize;
    if (cut) {
      this.m.oversize++;
      (b.truncated ??= new Array(b.messages.length).fill(false)).push(true);
    } else b.truncated?.push(false);
    b.messages.push(msg.toString('utf8', 0, cut ? this.o.maxMessageSize : msg.length));
    b.ids.push(`${this.o.idPrefix}${this.runId}:${++this.seq}`);
    this.queued++;
    if (b.messages.length >= MAX_BATCH) this.flush();
    else if (!this.timer) this.timer = setTimeout(() => this.flush(), FLUSH_DELAY_MS);
  }

  /** Hand the collected datagrams to the pipeline, in order, one push at a time. */
  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.batches.size === 0) return;
    const ready = [...this.batches.values()];
    this.batches = new Map();
    this.chain = this.chain.then(async () => {
      for (const b of ready) {
        const batch: RawBatch = { kind: 'messages', messages: b.messages, ids: b.ids, fields: b.fields };
        if (b.truncated) batch.truncated = b.truncated;
        try {
          await this.sink!.push(batch);
        } finally {
          this.queued -= b.messages.length;
        }
      }
    }).catch((err) => this.o.logger.error('could not hand datagrams to the pipeline', { error: (err as Error).message }));
  }

  stop(): void {
    if (this.stopping) return;
    this.stopping = true;
    if (this.done) this.close();
  }

  /** Log datagrams lost since the last report (UDP losses are silent otherwise). */
  private logLoss(): void {
    this.readKernelDrops(true);
    const kernel = Math.max(0, this.m.dropped_kernel) - this.loggedLoss.kernel;
    const queue = this.m.dropped_queue_full - this.loggedLoss.queue;
    if (kernel <= 0 && queue <= 0) return;
    this.loggedLoss = { kernel: Math.max(0, this.m.dropped_kernel), queue: this.m.dropped_queue_full };
    this.o.logger.warn('UDP datagrams lost', {
      kernel_receive_buffer: kernel,
      pipeline_queue_full: queue,
      total_kernel: this.loggedLoss.kernel,
      total_queue: this.loggedLoss.queue,
      received: this.m.datagrams,
    });
  }

  private close(): void {
    if (this.lossTimer) clearInterval(this.lossTimer);
    this.logLoss();
    try {
      this.socket?.close();
    } catch {
      // already closed
    }
    this.flush();
    void this.chain.then(() => {
      const m = this.metrics();
      this.o.logger.info('udp listener stopped', { ...m });
      this.done?.();
    });
  }

  private kernelReadAt = 0;

  /** Refresh the kernel drop counter (at most once a second unless `force`: stats may be polled often). */
  private readKernelDrops(force = false): void {
    if (!this.boundPortValue) return;
    const now = Date.now();
    if (!force && now - this.kernelReadAt < 1000) return;
    this.kernelReadAt = now;
    const drops = readKernelUdpDrops(this.boundPortValue);
    this.m.dropped_kernel = drops === undefined ? -1 : Math.max(this.m.dropped_kernel, drops);
  }

  metrics(): UdpListenerMetrics {
    if (!this.stopping) this.readKernelDrops();
    return { ...this.m };
  }
}
