// The s3 input: reads the objects of a bucket (under a prefix) line by line, streaming each object from the
// store into the pipeline. Nothing is staged on local disk and nothing is kept there: a worker running this
// input needs no writable directory.
//
// Alone, the input keeps what it has read in memory (see ./s3/work.ts). With `nats_servers`, any number of
// processes running the same config share the bucket through NATS JetStream (./s3/coordinator.ts): each object
// is read by one of them, and read again by another only when the first died before all of its events were
// delivered, with the same event ids (`s3:<bucket>/<key>:<etag>:<offset>`), so outputs overwrite.

import { defineInput, type CodecSpec } from '../core/plugin.js';
import { parseBytes } from '../core/options.js';
import { S3_CONNECTION_OPTIONS, type S3ConnectionSettings } from './s3/options.js';

export interface S3InputConfig extends S3ConnectionSettings {
  bucket: string;
  prefix: string;
  interval: unknown;
  delete: boolean;
  backup_to_bucket?: string;
  backup_add_prefix: string;
  exclude_pattern?: string;
  gzip_pattern: string;
  watch_for_new_files: boolean;
  include_object_properties: boolean;
  max_line_bytes: number;
  concurrent_objects: number;
  retry_delay: unknown;
  sincedb_path?: string;
  temporary_directory?: string;
  nats_servers: string[];
  nats_stream?: string;
  nats_consumer: string;
  nats_state_bucket?: string;
  nats_replicas: number;
  nats_ack_wait: unknown;
  nats_duplicate_window: unknown;
  nats_state_ttl: unknown;
  nats_requeue_after: unknown;
  nats_max_ack_pending: number;
  nats_user?: string;
  nats_password?: string;
  nats_token?: string;
  nats_creds_file?: string;
  nats_tls_ca_file?: string;
  nats_tls_cert_file?: string;
  nats_tls_key_file?: string;
  codec?: CodecSpec;
  id?: string;
}

export default defineInput<S3InputConfig>({
  name: 's3',
  description: 'Reads the objects of an S3 (or S3-compatible) bucket line by line, streaming them (gzip by name or content); several processes share a bucket through NATS JetStream.',
  notes:
    'Event ids are `s3:<bucket>/<key>:<etag>:<byte offset>` (offsets in the decompressed object); the fields `[@metadata][s3][bucket]`, `[@metadata][s3][key]` and `[@metadata][s3][etag]` are set. ' +
    'Objects are streamed, never written to local disk. Without `nats_servers` the objects read are remembered in memory only: a restart reads again what is still in the bucket (same ids). ' +
    'With `nats_servers`, every process running the config lists the bucket; each object version is queued once in a JetStream work-queue stream (`Nats-Msg-Id` = bucket/key/etag) and its state (queued, working, done) is kept in a JetStream KV bucket, ' +
    'so each object is read by one process and never again once done; a process that dies mid-object loses its claim after `nats_ack_wait` and another reads the object again from its start.',
  options: {
    bucket: { type: 'string', required: true, description: 'Bucket to read.' },
    prefix: { type: 'string', default: '', description: 'Only keys starting with this.', example: 'prefix => "logs/firewall/"' },
    ...S3_CONNECTION_OPTIONS,
    interval: { type: 'any', default: 60, description: 'Seconds (or a duration like "30 s") between listings of the bucket; new objects are picked up at the next listing.' },
    watch_for_new_files: { type: 'boolean', default: true, description: 'Keep listing at `interval`. When false, the input ends once the objects of the first listing are read and delivered.' },
    include_object_properties: { type: 'boolean', default: false, description: 'Also set `[@metadata][s3][last_modified]` and `[@metadata][s3][content_length]` (from the listing).' },
    delete: { type: 'boolean', default: false, description: 'Delete each object once all its events were delivered (after the backup, if any).' },
    backup_to_bucket: { type: 'string', description: 'Copy each object to this bucket once all its events were delivered.' },
    backup_add_prefix: { type: 'string', default: '', description: 'Prefix added to the key of backup copies. When backing up into the bucket being read, keys under it are not read.' },
    exclude_pattern: { type: 'string', description: 'Regular expression; keys matching it are skipped.', example: 'exclude_pattern => "\\\\/archive\\\\/"' },
    gzip_pattern: { type: 'string', default: '\\.gz(ip)?$', description: 'Regular expression; matching keys are gunzipped. Other objects are gunzipped too when they start with the gzip magic bytes.' },
    max_line_bytes: { type: 'bytes', default: '1 MiB', description: 'Sluice: longest line kept whole; longer lines are cut and tagged `_line_truncated`.' },
    concurrent_objects: { type: 'number', default: 4, description: 'Sluice: objects read at the same time by this process.' },
    retry_delay: { type: 'any', default: 5, description: 'Sluice: seconds before an object whose read failed (network, permissions) is tried again.' },
    sincedb_path: { type: 'string', description: 'Accepted for compatibility and ignored: no local state is kept (see `nats_servers`).' },
    temporary_directory: { type: 'string', description: 'Accepted for compatibility and ignored: objects are streamed, never staged on disk.' },
    nats_servers: {
      type: 'array',
      items: 'string',
      default: [],
      description: 'Sluice: NATS servers (with JetStream) through which every process running this config shares the bucket; empty: this process works alone.',
      example: 'nats_servers => ["nats://nats-1:4222", "nats://nats-2:4222"]',
    },
    nats_stream: { type: 'string', description: 'Work-queue stream of object work items (created when missing). Default: `SLUICE_S3_<pipeline>_<bucket>_<prefix>_<digest>`, the digest covering pipeline id, plugin id, bucket and prefix: every process running the same config shares it, another pipeline gets its own.' },
    nats_consumer: { type: 'string', default: 'workers', description: 'Durable consumer shared by all processes of this config.' },
    nats_state_bucket: { type: 'string', description: 'JetStream KV bucket of object states (queued, working, done). Default: `<stream>_STATE`.' },
    nats_replicas: { type: 'number', default: 1, description: 'Replicas of the stream and KV bucket when created (3 on a cluster).' },
    nats_ack_wait: { type: 'any', default: 60, description: 'Seconds a process may stay silent about an object before another takes it over (it sends progress every third of this).' },
    nats_duplicate_window: { type: 'any', default: 120, description: 'Seconds during which the stream drops a repeated work item (same Nats-Msg-Id).' },
    nats_state_ttl: { type: 'any', default: 0, description: 'Forget object states after this many seconds (0: never). An object still in the bucket afterwards is read again.' },
    nats_requeue_after: { type: 'any', default: 600, description: 'Seconds after which an object queued (or abandoned) but not done is queued again, in case its work item was lost.' },
    nats_max_ack_pending: { type: 'number', default: 1000, description: 'Work items handed out and not yet finished, over all processes.' },
    nats_user: { type: 'string', description: 'NATS user.' },
    nats_password: { type: 'password', description: 'NATS password.' },
    nats_token: { type: 'password', description: 'NATS token.' },
    nats_creds_file: { type: 'path', description: 'NATS credentials file (JWT and NKey seed).' },
    nats_tls_ca_file: { type: 'path', description: 'CA certificate for TLS to NATS.' },
    nats_tls_cert_file: { type: 'path', description: 'Client certificate for TLS to NATS.' },
    nats_tls_key_file: { type: 'path', description: 'Client key for TLS to NATS.' },
  },
  async create(config, ctx) {
    const { S3Input } = await import('./s3/input.js');
    return new S3Input({ ...config, max_line_bytes: parseBytes(config.max_line_bytes) }, ctx);
  },
});
