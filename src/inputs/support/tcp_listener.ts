// The TCP (and TLS) server behind the tcp and syslog inputs: accepts connections, frames each one's bytes
// (StreamFramer) and pushes the batches with backpressure.
//
// Backpressure: while a connection's batches wait for room in the pipeline (sink.push pending), that socket is
// paused: Node stops reading it, the kernel buffers fill and TCP flow control slows the sender. Other
// connections go on.
//
// Nothing read is dropped: syslog over TCP has no acknowledgement, so the data path pushes every framed
// message (with backpressure) and, on stop, stops accepting, stops reading, and still delivers what was
// read (complete frames, then the rest marked truncated) before closing the sockets.
//
// Event ids: a connection has no durable offset to resume from, so ids are `<prefix><run id>:<connection
// number>:<frame number>` with a run id random per start of the input: unique, and stable for the batch's
// retries inside this process.

import net from 'node:net';
import tls from 'node:tls';
import { randomBytes } from 'node:crypto';
import { lookupService } from 'node:dns/promises';
import type { InputSink, RawBatch } from '../../core/plugin.js';
import type { Logger } from '../../core/logger.js';
import { StreamFramer, newFrameCounters, type FrameCounters } from './framing.js';
import { acceptPeer, peerSubject, type ClientAuthentication } from './tls.js';

export interface PeerInfo {
  /** Address as text (`127.0.0.1`, `::1`; IPv4-mapped IPv6 addresses are shown as IPv4). */
  ip: string;
  port: number;
  /** Reverse-DNS name when looked up (else the ip). */
  name: string;
  /** TLS client certificate subject, when one was presented. */
  subject?: string;
}

export interface TcpListenerOptions {
  host: string;
  port: number;
  /** node:tls server options (from tlsServerOptions); plain TCP when undefined. */
  tls?: tls.TlsOptions;
  clientAuthentication: ClientAuthentication;
  maxMessageSize: number;
  /** Event ids start with this (e.g. `syslog:`). */
  idPrefix: string;
  /** Fields set on every event of a connection (the sender's address), by field reference. */
  fieldsFor(peer: PeerInfo): Record<string, unknown>;
  dnsReverseLookup: boolean;
  keepAlive: boolean;
  /** Detect RFC 6587 octet counting (true) or read lines only. */
  octetCounting: boolean;
  logger: Logger;
}

export interface TcpListenerMetrics extends FrameCounters {
  connections: number;
  connections_open: number;
  connection_errors: number;
  tls_failures: number;
}

interface Connection {
  id: number;
  socket: net.Socket;
  framer?: StreamFramer;
  chain: Promise<void>;
  ended: boolean;
  /** The client closed its side: the stream is complete. */
  peerEnded: boolean;
  /** Reads not framed yet (framed together on the next turn of the event loop). */
  inbox: Buffer[];
  peer: string;
}

function plainIp(address: string | undefined): string {
  if (!address) return 'unknown';
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

export class TcpListener {
  private server?: net.Server;
  private readonly connections = new Set<Connection>();
  private connSeq = 0;
  private stopping = false;
  private readonly runId = randomBytes(6).toString('hex');
  private readonly counters = newFrameCounters();
  private connectionsTotal = 0;
  private connectionErrors = 0;
  private tlsFailures = 0;
  private sink?: InputSink;
  private done?: () => void;
  private listening?: Promise<void>;

  constructor(private readonly o: TcpListenerOptions) {}

  /** Start listening; resolves once bound (errors such as EADDRINUSE reject). */
  listen(): Promise<void> {
    this.listening ??= new Promise((resolve, reject) => {
      const server = this.o.tls ? tls.createServer(this.o.tls) : net.createServer();
      this.server = server;
      if (this.o.tls) {
        server.on('secureConnection', (s: tls.TLSSocket) => this.accept(s));
        server.on('tlsClientError', (err: Error, s: tls.TLSSocket) => {
          this.tlsFailures++;
          this.o.logger.warn('TLS handshake refused', { client: `${plainIp(s?.remoteAddress)}:${s?.remotePort}`, error: err.message });
        });
      } else server.on('connection', (s: net.Socket) => this.accept(s));
      server.on('error', (err) => {
        if (!server.listening) reject(err);
        else this.o.logger.error('listener error', { error: err.message });
      });
      server.listen({ host: this.o.host, port: this.o.port }, () => {
        this.o.logger.info('listening', { address: `${this.o.host}:${this.boundPort}`, tls: !!this.o.tls });
        resolve();
      });
    });
    return this.listening;
  }

  get boundPort(): number {
    const a = this.server?.address();
    return a && typeof a === 'object' ? a.port : this.o.port;
  }

  /** Serve until stop(); resolves when every connection was drained and closed. */
  async run(sink: InputSink): Promise<void> {
    this.sink = sink;
    await this.listen();
    if (this.stopping) this.closeAll();
    await new Promise<void>((resolve) => {
      this.done = resolve;
      this.checkDone();
    });
  }

  private checkDone(): void {
    if (this.stopping && this.connections.size === 0 && this.done && !this.server?.listening) this.done();
  }

  private accept(socket: net.Socket): void {
    if (this.stopping || !this.sink) {
      socket.destroy();
      return;
    }
    if (socket instanceof tls.TLSSocket && !acceptPeer(socket, this.o.clientAuthentication)) {
      this.tlsFailures++;
      this.o.logger.warn('client certificate not trusted; connection closed', { client: `${plainIp(socket.remoteAddress)}:${socket.remotePort}` });
      socket.destroy();
      return;
    }
    this.connectionsTotal++;
    const id = ++this.connSeq;
    const ip = plainIp(socket.remoteAddress);
    const port = socket.remotePort ?? 0;
    const conn: Connection = { id, socket, chain: Promise.resolve(), ended: false, peerEnded: false, inbox: [], peer: `${ip}:${port}` };
    this.connections.add(conn);
    if (this.o.keepAlive) socket.setKeepAlive(true);
    socket.setNoDelay(true);
    const subject = socket instanceof tls.TLSSocket ? peerSubject(socket) : undefined;
    const prefix = `${this.o.idPrefix}${this.runId}:${id}:`;
    const start = async () => {
      let name = ip;
      if (this.o.dnsReverseLookup) name = await reverseLookup(ip, port);
      conn.framer = new StreamFramer(prefix, this.o.maxMessageSize, this.counters, this.o.fieldsFor({ ip, port, name, subject }), this.o.octetCounting);
    };
    conn.chain = start();
    // Reads of one event-loop turn are framed together: fewer, larger batches when a sender is fast, no delay
    // when it is not.
    socket.on('data', (chunk: Buffer) => {
      if (conn.ended) return;
      conn.inbox.push(chunk);
      if (conn.inbox.length === 1) setImmediate(() => this.process(conn));
    });
    socket.on('end', () => {
      conn.peerEnded = true;
      this.finish(conn);
    });
    socket.on('error', (err) => {
      this.connectionErrors++;
      this.o.logger.debug('connection error', { client: conn.peer, error: err.message });
    });
    socket.on('close', () => this.finish(conn));
  }

  /** Frame what arrived and push it; the socket is not read while the pipeline has no room for it. */
  private process(conn: Connection): void {
    const chunks = conn.inbox;
    if (conn.ended || chunks.length === 0) return;
    conn.inbox = [];
    conn.socket.pause();
    conn.chain = conn.chain
      .then(() => this.pushAll(conn.framer!.feed(chunks)))
      .then(
        () => {
          if (!conn.ended && !this.stopping) conn.socket.resume();
        },
        (err) => {
          // A bug, not bad input: log it and close this connection only.
          this.connectionErrors++;
          this.o.logger.error('connection failed; closing it', { client: conn.peer, error: (err as Error).stack ?? String(err) });
          conn.socket.destroy();
        },
      );
  }

  private async pushAll(parts: RawBatch[]): Promise<void> {
    for (const p of parts) await this.sink!.push(p);
  }

  /** No more data from this connection: deliver what is left, then forget it. */
  private finish(conn: Connection): void {
    if (conn.ended) return;
    conn.ended = true;
    const unread = conn.inbox;
    conn.inbox = [];
    conn.chain = conn.chain
      .then(async () => {
        if (unread.length) await this.pushAll(conn.framer!.feed(unread));
        // Bytes Node already read from the kernel but did not hand out yet (paused socket) are delivered too.
        for (let chunk: Buffer | null; (chunk = conn.socket.read() as Buffer | null) !== null; ) await this.pushAll(conn.framer!.feed(chunk));
        await this.pushAll(conn.framer!.end(!conn.peerEnded));
      })
      .catch((err) => this.o.logger.error('could not deliver a connection\'s last data', { client: conn.peer, error: (err as Error).message }))
      .then(() => {
        conn.socket.destroy();
        this.connections.delete(conn);
        this.checkDone();
      });
  }

  /** Stop accepting and reading; what was read is still delivered (run() resolves after). */
  stop(): void {
    if (this.stopping) return;
    this.stopping = true;
    this.closeAll();
  }

  private closeAll(): void {
    if (this.server?.listening) this.server.close(() => this.checkDone());
    for (const c of this.connections) {
      c.socket.pause();
      this.finish(c);
    }
    this.checkDone();
  }

  metrics(): TcpListenerMetrics {
    return {
      ...this.counters,
      connections: this.connectionsTotal,
      connections_open: this.connections.size,
      connection_errors: this.connectionErrors,
      tls_failures: this.tlsFailures,
    };
  }
}

/** Reverse DNS (getnameinfo: /etc/hosts, then DNS) with a short bound; the ip when there is no name. */
async function reverseLookup(ip: string, port: number): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      lookupService(ip, port || 1).then((r) => r.hostname || ip),
      new Promise<string>((resolve) => {
        timer = setTimeout(() => resolve(ip), 2000);
        timer.unref();
      }),
    ]);
  } catch {
    return ip;
  } finally {
    if (timer) clearTimeout(timer);
  }
}
