// Heavy libraries, loaded on first use. Every thread loads every plugin module (the registry lists them all for
// validation and docs), and importing the AWS SDK, Apache Arrow, parquet-wasm and the NATS client with them
// cost about 0.75 s of CPU per thread at start-up, paid by each pipeline worker even when its pipeline uses
// none of them. They are CommonJS packages, so a synchronous require on first use keeps the callers simple.

import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

function onFirstUse<T>(id: string): () => T {
  let mod: T | undefined;
  return () => (mod ??= require(id) as T);
}

// Node's own crypto and zlib modules cost a pipeline worker ~20 ms each to load, and a worker needs them only for
// a stream message's checksum or a compressed payload.
export const cryptoLib = onFirstUse<typeof import('node:crypto')>('node:crypto');
export const zlibLib = onFirstUse<typeof import('node:zlib')>('node:zlib');
export const yamlLib = onFirstUse<typeof import('yaml')>('yaml');
export const s3Sdk = onFirstUse<typeof import('@aws-sdk/client-s3')>('@aws-sdk/client-s3');
export const natsTransport = onFirstUse<typeof import('@nats-io/transport-node')>('@nats-io/transport-node');
export const natsJetStream = onFirstUse<typeof import('@nats-io/jetstream')>('@nats-io/jetstream');
export const natsKv = onFirstUse<typeof import('@nats-io/kv')>('@nats-io/kv');
export const arrowLib = onFirstUse<typeof import('apache-arrow')>('apache-arrow');
// The Node build of parquet-wasm instantiates its WebAssembly module synchronously on load.
export const parquetWasm = onFirstUse<typeof import('parquet-wasm/node')>('parquet-wasm/node');
