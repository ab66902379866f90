// The part of Elasticsearch's REST API that log shippers use: the cluster info at `/` (clients read the version
// and check the `X-Elastic-Product` header), health and license probes, `_bulk` and single-document indexing.
// Other `/_…` endpoints (templates, ILM) answer 404 in Elasticsearch's error shape and are never ingested.

import { hostname } from 'node:os';
import { createHash } from 'node:crypto';

export type EsRoute =
  | { kind: 'info' }
  | { kind: 'health'; cat: boolean }
  | { kind: 'license' }
  | { kind: 'xpack' }
  | { kind: 'nodes' }
  | { kind: 'bulk'; index?: string; type?: string }
  | { kind: 'doc'; action: 'index' | 'create'; index: string; type?: string; id?: string }
  | { kind: 'unknown' };

function seg(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** The Elasticsearch endpoint a request addresses, or undefined for a path the plain http input handles. */
export function esRoute(method: string, pathname: string): EsRoute | undefined {
  const parts = pathname.split('/').filter((p) => p.length > 0).map(seg);
  const read = method === 'GET' || method === 'HEAD';
  const write = method === 'POST' || method === 'PUT';
  if (parts.length === 0) return read ? { kind: 'info' } : undefined;
  const [a, b, c, d] = parts;
  if (a!.startsWith('_')) {
    if (a === '_bulk' && parts.length === 1 && write) return { kind: 'bulk' };
    if (read && a === '_cat' && b === 'health') return { kind: 'health', cat: true };
    if (read && a === '_cluster' && b === 'health') return { kind: 'health', cat: false };
    if (read && a === '_license') return { kind: 'license' };
    if (read && a === '_xpack') return { kind: 'xpack' };
    if (read && a === '_nodes') return { kind: 'nodes' };
    return { kind: 'unknown' };
  }
  if (!write) return undefined;
  if (b === '_bulk' && parts.length === 2) return { kind: 'bulk', index: a };
  if (c === '_bulk' && parts.length === 3 && !b!.startsWith('_')) return { kind: 'bulk', index: a, type: b };
  if (b === '_doc' && parts.length <= 3) return { kind: 'doc', action: 'index', index: a!, id: c };
  if (b === '_create' && parts.length === 3) return { kind: 'doc', action: 'create', index: a!, id: c };
  // Legacy typed indexing (`POST /<index>/<type>[/<id>]`), what rsyslog sends with bulkmode="off".
  if (b && !b.startsWith('_') && parts.length <= 3 && d === undefined) return { kind: 'doc', action: 'index', index: a!, type: b, id: c };
  return undefined;
}

export interface ClusterIdentity {
  name: string;
  clusterName: string;
  clusterUuid: string;
  nodeId: string;
  version: string;
}

export function clusterIdentity(pluginId: string, version: string): ClusterIdentity {
  const h = createHash('sha256').update(`sluice:${hostname()}:${pluginId}`).digest('base64url');
  return { name: hostname(), clusterName: 'sluice', clusterUuid: h.slice(0, 22), nodeId: h.slice(22, 44), version };
}

export function infoBody(c: ClusterIdentity): unknown {
  return {
    name: c.name,
    cluster_name: c.clusterName,
    cluster_uuid: c.clusterUuid,
    version: {
      number: c.version,
      build_flavor: 'default',
      build_type: 'tar',
      build_hash: '0000000000000000000000000000000000000000',
      build_date: '2023-01-01T00:00:00.000Z',
      build_snapshot: false,
      lucene_version: '9.8.0',
      minimum_wire_compatibility_version: '7.17.0',
      minimum_index_compatibility_version: '7.0.0',
    },
    tagline: 'You Know, for Search',
  };
}

export function clusterHealthBody(c: ClusterIdentity, busy: boolean): unknown {
  return {
    cluster_name: c.clusterName,
    status: busy ? 'yellow' : 'green',
    timed_out: false,
    number_of_nodes: 1,
    number_of_data_nodes: 1,
    active_primary_shards: 0,
    active_shards: 0,
    relocating_shards: 0,
    initializing_shards: 0,
    unassigned_shards: 0,
    delayed_unassigned_shards: 0,
    number_of_pending_tasks: 0,
    number_of_in_flight_fetch: 0,
    task_max_waiting_in_queue_millis: 0,
    active_shards_percent_as_number: 100.0,
  };
}

export function catHealthLine(c: ClusterIdentity, busy: boolean): string {
  const now = Date.now();
  const t = new Date(now).toISOString().slice(11, 19);
  return `${Math.floor(now / 1000)} ${t} ${c.clusterName} ${busy ? 'yellow' : 'green'} 1 1 0 0 0 0 0 0 - 100.0%\n`;
}

export function licenseBody(c: ClusterIdentity): unknown {
  return {
    license: {
      status: 'active',
      uid: c.clusterUuid,
      type: 'basic',
      issue_date: '2023-01-01T00:00:00.000Z',
      issue_date_in_millis: 1672531200000,
      max_nodes: 1000,
      max_resource_units: null,
      issued_to: c.clusterName,
      issuer: 'elasticsearch',
      start_date_in_millis: -1,
    },
  };
}

export function xpackBody(c: ClusterIdentity): unknown {
  return {
    build: { hash: '0000000000000000000000000000000000000000', date: '2023-01-01T00:00:00.000Z' },
    license: { uid: c.clusterUuid, type: 'basic', mode: 'basic', status: 'active' },
    features: {},
  };
}

export function nodesBody(c: ClusterIdentity, publishAddress: string): unknown {
  return {
    _nodes: { total: 1, successful: 1, failed: 0 },
    cluster_name: c.clusterName,
    nodes: {
      [c.nodeId]: {
        name: c.name,
        transport_address: publishAddress,
        host: publishAddress.replace(/:\d+$/, ''),
        ip: publishAddress.replace(/:\d+$/, ''),
        version: c.version,
        roles: ['data', 'ingest', 'master'],
        http: { bound_address: [publishAddress], publish_address: publishAddress },
      },
    },
  };
}

export function esError(status: number, type: string, reason: string): unknown {
  return { error: { root_cause: [{ type, reason }], type, reason }, status };
}
