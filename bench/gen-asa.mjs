#!/usr/bin/env node
// Deterministic generator of Cisco ASA syslog lines for the benchmark:
//   node bench/gen-asa.mjs --count N [--seed S] [--rate EPS] > asa.log
//
// Lines look like `<PRI>Mmm dd yyyy HH:mm:ss host : %ASA-sev-id: text` (facility local4, PRI = 160 + severity).
// The message mix follows what busy perimeter firewalls log: mostly TCP/UDP connection builds and teardowns
// (teardowns close earlier builds, with the same id and tuple), NAT translations, ACL denies, and a tail of
// rarer messages. Same arguments give byte-identical output on any machine: seeded sfc32 generators only,
// never Math.random or the clock, all times in UTC. A shorter run is a prefix of a longer one.

import { once } from 'node:events';

const USAGE = `usage: node bench/gen-asa.mjs --count N [--seed S] [--rate EPS]
  --count N    number of lines (required)
  --seed S     traffic seed, an integer or any string (default 1)
  --rate EPS   average events per second; only sets the timestamps (default 1000)`;

function parseArgs(argv) {
  const opts = { count: NaN, seed: '1', rate: 1000 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) fail(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--count') opts.count = Number(value());
    else if (a === '--seed') opts.seed = value();
    else if (a === '--rate') opts.rate = Number(value());
    else if (a === '-h' || a === '--help') {
      process.stdout.write(USAGE + '\n');
      process.exit(0);
    } else fail(`unknown argument ${a}`);
  }
  if (!Number.isInteger(opts.count) || opts.count < 0) fail('--count must be a non-negative integer');
  if (!(opts.rate > 0)) fail('--rate must be positive');
  return opts;
}

function fail(msg) {
  process.stderr.write(`gen-asa: ${msg}\n${USAGE}\n`);
  process.exit(2);
}

// ---------------------------------------------------------------------------------------------
// Random numbers: sfc32, seeded through splitmix32 so that nearby seeds give unrelated streams
// ---------------------------------------------------------------------------------------------

function splitmix32(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) | 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

class Rng {
  constructor(seed) {
    const mix = splitmix32(seed);
    this.a = mix();
    this.b = mix();
    this.c = mix();
    this.d = mix();
    for (let i = 0; i < 16; i++) this.u32();
  }
  u32() {
    let { a, b, c, d } = this;
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    this.a = a;
    this.b = b;
    this.c = c;
    this.d = d;
    return t >>> 0;
  }
  /** Uniform in [0, 1). */
  next() {
    return this.u32() / 4294967296;
  }
  /** Uniform integer in [0, n). */
  int(n) {
    return Math.floor(this.next() * n);
  }
  /** Uniform integer in [lo, hi]. */
  range(lo, hi) {
    return lo + this.int(hi - lo + 1);
  }
  chance(p) {
    return this.next() < p;
  }
  pick(list) {
    return list[this.int(list.length)];
  }
  /** Biased towards the start of the list: a few hosts do most of the talking. */
  skewed(list) {
    const u = this.next();
    return list[Math.floor(u * u * list.length)];
  }
}

/** Weighted choice with a cumulative table. */
class Weighted {
  constructor(pairs) {
    this.items = pairs.map((p) => p[0]);
    this.cumulative = [];
    let total = 0;
    for (const [, w] of pairs) this.cumulative.push((total += w));
    this.total = total;
  }
  pick(rng) {
    const x = rng.next() * this.total;
    const c = this.cumulative;
    let i = 0;
    while (i < c.length - 1 && x >= c[i]) i++;
    return this.items[i];
  }
}

/** Binary min-heap of open connections keyed by the time they end; capped so memory stays flat. */
class DueHeap {
  constructor(cap = 200_000) {
    this.keys = new Float64Array(cap);
    this.items = new Array(cap);
    this.size = 0;
  }
  peekDue() {
    return this.keys[0];
  }
  push(item, due) {
    if (this.size === this.keys.length) return; // never closed within the log: fine for a long-lived flow
    const k = this.keys, v = this.items;
    let i = this.size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (k[parent] <= due) break;
      k[i] = k[parent];
      v[i] = v[parent];
      i = parent;
    }
    k[i] = due;
    v[i] = item;
  }
  pop() {
    const k = this.keys, v = this.items;
    const top = v[0];
    const n = --this.size;
    const lastKey = k[n], last = v[n];
    v[n] = undefined;
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && k[child + 1] < k[child]) child++;
      if (k[child] >= lastKey) break;
      k[i] = k[child];
      v[i] = v[child];
      i = child;
    }
    if (n > 0) {
      k[i] = lastKey;
      v[i] = last;
    }
    return top;
  }
}

function hashString(s) {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

function seedOf(s) {
  return /^\d+$/.test(s) && Number(s) <= 0xffffffff ? Number(s) >>> 0 : hashString(s);
}

// ---------------------------------------------------------------------------------------------
// The world: firewalls, their interfaces and the hosts behind them. Fixed, whatever the seed.
// ---------------------------------------------------------------------------------------------

const world = new Rng(0x5a5a1ce);

const ip4 = (a, b, c, d) => a + '.' + b + '.' + c + '.' + d;

/** Never private, loopback, link-local, CGNAT, multicast, reserved or documentation space. */
function isPublicUnicast(a, b, c) {
  if (a === 0 || a === 10 || a === 127 || a >= 224) return false;
  if (a === 100 && b >= 64 && b < 128) return false;
  if (a === 169 && b === 254) return false;
  if (a === 172 && b >= 16 && b < 32) return false;
  if (a === 192 && b === 168) return false;
  if (a === 192 && b === 0 && (c === 0 || c === 2)) return false;
  if (a === 198 && (b === 18 || b === 19)) return false;
  if (a === 198 && b === 51 && c === 100) return false;
  if (a === 203 && b === 0 && c === 113) return false;
  return true;
}

function randomPublic(rng) {
  for (;;) {
    const a = 1 + rng.int(223), b = rng.int(256), c = rng.int(256);
    if (isPublicUnicast(a, b, c)) return ip4(a, b, c, 1 + rng.int(254));
  }
}

// Address blocks of large content and cloud providers (most outbound traffic goes there).
const PROVIDER_BLOCKS = [
  [142, 250, 15, 30], [172, 217, 16, 8], [216, 58, 16, 6], // Google
  [13, 107, 16, 12], [20, 190, 16, 6], [40, 126, 16, 6], // Microsoft
  [52, 94, 15, 10], [54, 239, 16, 6], [3, 5, 16, 6], // AWS
  [104, 16, 13, 14], [172, 64, 13, 6], // Cloudflare
  [23, 32, 11, 8], [184, 24, 13, 4], // Akamai
  [157, 240, 16, 6], [31, 13, 16, 3], // Meta
  [17, 253, 16, 3], [151, 101, 16, 4], [140, 82, 16, 2], // Apple, Fastly, GitHub
];
const providerWeights = new Weighted(PROVIDER_BLOCKS.map((b) => [b, b[3]]));

function providerAddress(rng) {
  const [a, b, bits] = providerWeights.pick(rng);
  // A block a.b.0.0/bits; vary the bits below the prefix inside the second and later octets.
  const span = 2 ** (32 - bits);
  const offset = rng.int(span - 2) + 1;
  const b2 = b + Math.floor(offset / 65536);
  return ip4(a, b2 & 255, (offset >>> 8) & 255, 1 + (offset % 254));
}

// A fixed pool of repeat offenders; some scanners are new every time.
const ATTACKERS = Array.from({ length: 400 }, () => randomPublic(world));
const RESOLVERS = ['8.8.8.8', '8.8.4.4', '1.1.1.1', '1.0.0.1', '9.9.9.9', '208.67.222.222'];
const NTP_SERVERS = Array.from({ length: 12 }, () => randomPublic(world));

const SITES = [
  { fw: 'asa-hq-edge01', weight: 33, site: 'hq', reasonFrom: true, pub: ['198.51.100.10', '198.51.100.11'], net: 20 },
  { fw: 'fw-osaka-01', weight: 19, site: 'osa', reasonFrom: true, pub: ['203.0.113.20', '203.0.113.21'], net: 31 },
  { fw: 'fw-osaka-02', weight: 4, site: 'osa', reasonFrom: true, pub: ['203.0.113.22'], net: 31 },
  { fw: 'fw-berlin-01', weight: 18, site: 'ber', reasonFrom: false, pub: ['203.0.113.50', '203.0.113.51'], net: 32 },
  { fw: 'fw-chicago-01', weight: 17, site: 'chi', reasonFrom: true, pub: ['192.0.2.70', '192.0.2.71'], net: 33 },
  { fw: 'fw-madrid-01', weight: 9, site: 'mad', reasonFrom: false, pub: ['192.0.2.140'], net: 34 },
];

// Security levels decide which side a reset comes from (ASA: "Reset-I" from the higher-security side).
const SECURITY = { outside: 0, guest: 10, iot: 20, dmz: 50, servers: 90, inside: 100, management: 100 };

// Shared data-centre services behind the HQ firewall.
const DMZ = Array.from({ length: 24 }, (_, i) => ({
  ip: ip4(10, 30, i >> 3, 10 + (i & 7) * 5),
  nat: '198.51.100.' + (40 + i),
  ports: i < 12 ? [443, 443, 443, 80] : i < 16 ? [25, 587] : i < 20 ? [53] : [22],
}));
const SERVERS = Array.from({ length: 90 }, (_, i) => ({
  ip: ip4(10, 20, i % 12, 10 + Math.floor(i / 12) * 7),
  ports: world.pick([[445, 135], [443, 8443], [1433], [3306, 5432], [389, 636, 88], [22], [9200, 5601], [514, 6514]]),
}));
const JUMP_HOSTS = ['10.50.0.31', '10.50.0.32', '10.50.0.33'];
const ADMINS = ['admin', 'netops', 'enable_15', 'svc-automation', 'k.novak', 'r.ito'];

for (const s of SITES) {
  s.mgmt = ip4(10, 50, 0, 2 + SITES.indexOf(s));
  s.connId = 10_000_000 + world.int(900_000_000);
  // Workstations, a few busy ones first.
  s.clients = Array.from({ length: s.site === 'hq' ? 60 : 140 }, () =>
    s.site === 'mad' && world.chance(0.5) ? ip4(192, 168, 10 + world.int(4), 20 + world.int(200)) : ip4(10, s.net, 16 + world.int(24), 10 + world.int(240)),
  );
  s.devices = Array.from({ length: 25 }, () => ip4(10, s.net, 100 + world.int(8), 10 + world.int(200)));
  s.clientIf = s.site === 'hq' ? 'servers' : 'inside';
  s.inAcl = s.site === 'hq' ? 'servers_access_in' : 'inside_access_in';
  s.ruleHash = () => '0x' + (world.u32() >>> 0).toString(16);
  s.rules = new Weighted([
    [{ acl: 'outside_access_in', act: 'permitted', inbound: true, ports: [443, 80], h: `[${s.ruleHash()}, ${s.ruleHash()}]`, sev: 6 }, s.site === 'hq' ? 30 : 0],
    [{ acl: 'outside_access_in', act: 'denied', inbound: true, ports: null, h: `[${s.ruleHash()}, 0x0]`, sev: 4 }, 26],
    [{ acl: s.inAcl, act: 'permitted', inbound: false, ports: [443, 80, 8443], h: `[${s.ruleHash()}, ${s.ruleHash()}]`, sev: 6 }, 24],
    [{ acl: s.inAcl, act: 'denied', inbound: false, ports: [25, 23, 4444, 6667, 1080], h: `[${s.ruleHash()}, 0x0]`, sev: 5 }, 9],
    [{ acl: s.inAcl, act: 'est-allowed', inbound: false, ports: [443], h: `[${s.ruleHash()}, ${s.ruleHash()}]`, sev: 6 }, 1],
  ]);
}
const siteWeights = new Weighted(SITES.map((s) => [s, s.weight]));

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const PAD2 = Array.from({ length: 100 }, (_, i) => (i < 10 ? '0' : '') + i);

function duration(sec) {
  const h = Math.floor(sec / 3600), m = Math.floor(sec / 60) % 60, s = sec % 60;
  return h + ':' + PAD2[m] + ':' + PAD2[s];
}

// ---------------------------------------------------------------------------------------------
// Traffic
// ---------------------------------------------------------------------------------------------

function createTraffic(seed, rate) {
  const rng = new Rng(seed);
  const START_MS = Date.UTC(2026, 10, 1); // 2026-11-01T00:00:00Z
  let nowMs = START_MS;
  let second = -1;
  let stamp = '';
  const meanGapMs = 1000 / rate;

  const advance = () => {
    nowMs += -Math.log(1 - rng.next()) * meanGapMs;
    const sec = Math.floor(nowMs / 1000);
    if (sec !== second) {
      second = sec;
      const d = new Date(sec * 1000);
      stamp = MONTHS[d.getUTCMonth()] + ' ' + PAD2[d.getUTCDate()] + ' ' + d.getUTCFullYear() + ' ' +
        PAD2[d.getUTCHours()] + ':' + PAD2[d.getUTCMinutes()] + ':' + PAD2[d.getUTCSeconds()];
    }
  };
  const header = (s, sev, id) => '<' + (160 + sev) + '>' + stamp + ' ' + s.fw + ' : %ASA-' + sev + '-' + id + ': ';

  const ephemeral = () => 49152 + rng.int(16384);
  const anyPort = () => 1024 + rng.int(64511);
  const attacker = () => (rng.chance(0.8) ? rng.skewed(ATTACKERS) : randomPublic(rng));
  const external = () => (rng.chance(0.85) ? providerAddress(rng) : randomPublic(rng));
  const nextConnId = (s) => (s.connId += 1 + (rng.chance(0.8) ? rng.int(3) : rng.int(50)));
  const OUT_PORTS = new Weighted([[443, 74], [80, 13], [8443, 2], [993, 2], [5223, 2], [22, 1.5], [8080, 1], [3478, 1], [465, 0.5]]);
  const SCAN_PORTS = [22, 22, 23, 23, 3389, 3389, 445, 80, 8080, 443, 1433, 3306, 5900, 6379, 9200, 27017, 5555, 2323, 7547, 0, 0, 0];
  const scanPort = () => { const p = rng.pick(SCAN_PORTS); return p === 0 ? 1 + rng.int(65535) : p; };

  // Open connections and translations wait in heaps ordered by the time they end (sampled at build time).
  // A teardown closes the connection that is due; when none is, it closes one that was opened before the
  // log started, as a real log begins.
  const open = { tcp: new DueHeap(), udp: new DueHeap(), nat: new DueHeap() };
  const takeDue = (heap) => (heap.size > 0 && heap.peekDue() <= nowMs ? heap.pop() : undefined);
  // Lifetimes in seconds: most flows are short, with a long tail.
  const tcpLifetime = () => {
    const u = rng.next();
    return u < 0.5 ? rng.next() * 2 : u < 0.8 ? 2 + rng.next() * 28 : u < 0.95 ? 30 + rng.next() * 570 : 600 + rng.next() * 14000;
  };
  const udpLifetime = (c) => (c.kind === 'dns' ? rng.next() * 0.3 : c.kind === 'ntp' ? 120 + rng.next() * 2 : 10 + rng.next() * 300);
  const natLifetime = () => 30 + tcpLifetime();

  // A connection as the ASA writes it: the "for" side (f*) is the lower-security interface, "to" (t*) the higher.
  function tcpConnection(s) {
    const u = rng.next();
    const c = { s, id: nextConnId(s), start: nowMs, dir: 'outbound', fIf: 'outside', fIp: '', fPort: 0, fMip: '', fMport: 0, tIf: s.clientIf, tIp: '', tPort: 0, tMip: '', tMport: 0 };
    if (s.site === 'hq' && u < 0.5) { // internet -> DMZ (static NAT)
      const srv = rng.skewed(DMZ);
      c.dir = 'inbound';
      c.fIp = c.fMip = external();
      c.fPort = c.fMport = ephemeral();
      c.tIf = 'dmz'; c.tIp = srv.ip; c.tPort = c.tMport = rng.pick(srv.ports); c.tMip = srv.nat;
    } else if (s.site === 'hq' && u < 0.62) { // DMZ -> servers
      const d = rng.pick(DMZ), srv = rng.skewed(SERVERS);
      c.dir = 'inbound'; c.fIf = 'dmz'; c.fIp = c.fMip = d.ip; c.fPort = c.fMport = ephemeral();
      c.tIf = 'servers'; c.tIp = c.tMip = srv.ip; c.tPort = c.tMport = rng.pick(srv.ports);
    } else if (s.site !== 'hq' && u < 0.14) { // branch clients -> data-centre servers over the VPN (no NAT)
      const srv = rng.skewed(SERVERS), cl = rng.skewed(s.clients);
      c.fIp = c.fMip = srv.ip; c.fPort = c.fMport = rng.pick(srv.ports);
      c.tIp = c.tMip = cl; c.tPort = c.tMport = ephemeral();
    } else { // clients or devices -> internet (PAT)
      const device = s.site !== 'hq' && rng.chance(0.1);
      c.fIp = c.fMip = external(); c.fPort = c.fMport = device ? 443 : OUT_PORTS.pick(rng);
      c.tIf = device ? 'iot' : s.clientIf;
      c.tIp = device ? rng.pick(s.devices) : rng.skewed(s.clients);
      c.tPort = ephemeral();
      c.tMip = rng.pick(s.pub); c.tMport = rng.chance(0.3) ? c.tPort : anyPort();
    }
    return c;
  }

  function udpConnection(s) {
    const u = rng.next();
    const c = { s, id: nextConnId(s), start: nowMs, dir: 'outbound', kind: 'dns', fIf: 'outside', fIp: '', fPort: 53, fMip: '', fMport: 53, tIf: s.clientIf, tIp: '', tPort: 0, tMip: '', tMport: 0 };
    if (u < 0.5) { // DNS to public resolvers (HQ) or HQ resolvers over the VPN (branches)
      const viaHq = s.site !== 'hq';
      c.fIp = c.fMip = viaHq ? '10.20.0.53' : rng.pick(RESOLVERS);
      c.tIp = viaHq ? rng.skewed(s.clients) : '10.20.0.' + (53 + rng.int(2));
      c.tPort = ephemeral();
      c.tMip = viaHq ? c.tIp : s.pub[0]; c.tMport = viaHq ? c.tPort : anyPort();
    } else if (u < 0.58) { // NTP
      c.kind = 'ntp';
      c.fIp = c.fMip = rng.pick(NTP_SERVERS); c.fPort = c.fMport = 123;
      c.tIf = 'management'; c.tIp = s.mgmt; c.tPort = 123; c.tMip = s.pub[0]; c.tMport = 123;
    } else if (s.site === 'hq' && u < 0.8) { // inbound DNS to the authoritative servers in the DMZ
      const ns = DMZ[16 + rng.int(4)];
      c.dir = 'inbound';
      c.fIp = c.fMip = randomPublic(rng); c.fPort = c.fMport = ephemeral();
      c.tIf = 'dmz'; c.tIp = ns.ip; c.tPort = c.tMport = 53; c.tMip = ns.nat;
    } else { // QUIC
      c.kind = 'quic';
      c.fIp = c.fMip = providerAddress(rng); c.fPort = c.fMport = 443;
      c.tIp = rng.skewed(s.clients); c.tPort = ephemeral(); c.tMip = rng.pick(s.pub); c.tMport = anyPort();
    }
    return c;
  }

  const tuple = (c) =>
    ' connection ' + c.id + ' for ' + c.fIf + ':' + c.fIp + '/' + c.fPort + ' (' + c.fMip + '/' + c.fMport + ') to ' +
    c.tIf + ':' + c.tIp + '/' + c.tPort + ' (' + c.tMip + '/' + c.tMport + ')';
  const teardownTuple = (c) =>
    ' connection ' + c.id + ' for ' + c.fIf + ':' + c.fIp + '/' + c.fPort + ' to ' + c.tIf + ':' + c.tIp + '/' + c.tPort;

  const elapsed = (c) => Math.max(0, Math.floor((nowMs - c.start) / 1000));

  const TCP_REASONS = new Weighted([
    ['TCP FINs', 60], ['TCP Reset-I', 11], ['TCP Reset-O', 9], ['Idle Timeout', 6], ['SYN Timeout', 5],
    ['FIN Timeout', 3], ['Conn-timeout', 3], ['Flow closed by inspection', 1.5], ['TCP bad retransmission', 0.5],
  ]);
  const tcpBytes = (sec) => {
    const u = rng.next();
    let b = 64 + Math.floor(u * u * u * 80_000) + Math.floor(sec * rng.next() * 3000);
    if (sec >= 10 && rng.chance(0.1)) b += Math.floor(rng.next() * rng.next() * 300e6); // downloads, backups
    return b;
  };

  function m302013(s) {
    const c = tcpConnection(s);
    open.tcp.push(c, nowMs + tcpLifetime() * 1000);
    return header(s, 6, 302013) + 'Built ' + c.dir + ' TCP' + tuple(c);
  }
  function m302014(s) {
    let c = takeDue(open.tcp);
    if (!c) { c = tcpConnection(s); c.start = nowMs - tcpLifetime() * 1000; }
    const sec = elapsed(c);
    let reason = TCP_REASONS.pick(rng);
    const bytes = reason === 'SYN Timeout' ? 0 : tcpBytes(sec);
    if (c.s.reasonFrom) {
      const fSec = SECURITY[c.fIf] ?? 0, tSec = SECURITY[c.tIf] ?? 0;
      if (reason === 'TCP FINs') reason += ' from ' + (rng.chance(0.5) ? c.tIf : c.fIf);
      else if (reason === 'TCP Reset-I') reason += ' from ' + (tSec >= fSec ? c.tIf : c.fIf);
      else if (reason === 'TCP Reset-O') reason += ' from ' + (tSec >= fSec ? c.fIf : c.tIf);
    }
    return header(c.s, 6, 302014) + 'Teardown TCP' + teardownTuple(c) + ' duration ' + duration(sec) + ' bytes ' + bytes + ' ' + reason;
  }
  function m302015(s) {
    const c = udpConnection(s);
    open.udp.push(c, nowMs + udpLifetime(c) * 1000);
    return header(s, 6, 302015) + 'Built ' + c.dir + ' UDP' + tuple(c);
  }
  function m302016(s) {
    let c = takeDue(open.udp);
    if (!c) { c = udpConnection(s); c.start = nowMs - udpLifetime(c) * 1000; }
    const bytes = c.kind === 'dns' ? 40 + rng.int(460) : c.kind === 'ntp' ? 96 : 1200 + Math.floor(rng.next() * rng.next() * 40e6);
    return header(c.s, 6, 302016) + 'Teardown UDP' + teardownTuple(c) + ' duration ' + duration(elapsed(c)) + ' bytes ' + bytes;
  }
  function translation(s) {
    const p = rng.next();
    const proto = p < 0.7 ? 'TCP' : p < 0.95 ? 'UDP' : 'ICMP';
    const port = proto === 'ICMP' ? 1 + rng.int(60) : ephemeral();
    return { s, proto, start: nowMs, rIf: s.clientIf, rIp: rng.skewed(s.clients), rPort: port, mIp: rng.pick(s.pub), mPort: proto === 'ICMP' ? 1 + rng.int(65535) : rng.chance(0.3) ? port : anyPort() };
  }
  const natText = (x) => ' dynamic ' + x.proto + ' translation from ' + x.rIf + ':' + x.rIp + '/' + x.rPort + ' to outside:' + x.mIp + '/' + x.mPort;
  function m305011(s) {
    const x = translation(s);
    open.nat.push(x, nowMs + natLifetime() * 1000);
    return header(s, 6, 305011) + 'Built' + natText(x);
  }
  function m305012(s) {
    let x = takeDue(open.nat);
    if (!x) { x = translation(s); x.start = nowMs - natLifetime() * 1000; }
    return header(x.s, 6, 305012) + 'Teardown' + natText(x) + ' duration ' + duration(elapsed(x));
  }
  function m106023(s) {
    let proto = 'tcp', sIf, sIp, sPort, dIf, dIp, dPort, acl = 'outside_access_in';
    let icmp = false;
    if (rng.chance(0.72)) { // probes from the internet
      sIf = 'outside'; sIp = attacker(); sPort = anyPort();
      if (s.site === 'hq') { dIf = 'dmz'; dIp = rng.pick(DMZ).ip; } else { dIf = 'outside'; dIp = rng.pick(s.pub); }
      dPort = scanPort();
      if (rng.chance(0.1)) proto = 'udp';
      icmp = rng.chance(0.08);
    } else { // inside hosts trying blocked destinations
      sIf = s.clientIf; sIp = rng.skewed(s.clients); sPort = ephemeral(); acl = s.inAcl;
      dIf = 'outside'; dIp = rng.chance(0.5) ? attacker() : randomPublic(rng);
      dPort = rng.pick([25, 23, 6667, 4444, 1080, 9001, 53, 123]);
      if (dPort === 53 || dPort === 123) proto = 'udp';
    }
    const hash = rng.chance(0.7) ? '[0x0, 0x0]' : '[0x' + hashString(acl + s.fw).toString(16) + ', 0x0]';
    const body = icmp
      ? 'Deny icmp src ' + sIf + ':' + sIp + ' dst ' + dIf + ':' + dIp + ' (type 8, code 0) by access-group "' + acl + '" ' + hash
      : 'Deny ' + proto + ' src ' + sIf + ':' + sIp + '/' + sPort + ' dst ' + dIf + ':' + dIp + '/' + dPort + ' by access-group "' + acl + '" ' + hash;
    return header(s, 4, 106023) + body;
  }
  function m106100(s) {
    const r = s.rules.pick(rng);
    let sIf, sIp, dIf, dIp, dPort;
    if (r.inbound) {
      sIf = 'outside';
      sIp = r.act === 'denied' ? attacker() : external();
      dPort = r.ports ? rng.pick(r.ports) : scanPort();
      if (s.site === 'hq') { dIf = 'dmz'; dIp = rng.pick(DMZ).ip; } else { dIf = 'outside'; dIp = rng.pick(s.pub); }
    } else {
      sIf = s.clientIf; sIp = rng.skewed(s.clients); dIf = 'outside';
      dIp = r.act === 'denied' ? attacker() : external();
      dPort = rng.pick(r.ports);
    }
    const hits = rng.chance(0.6) ? 1 : 2 + Math.floor(rng.next() * rng.next() * 500);
    return header(s, r.sev, 106100) + 'access-list ' + r.acl + ' ' + r.act + ' tcp ' + sIf + '/' + sIp + '(' + ephemeral() + ') -> ' +
      dIf + '/' + dIp + '(' + dPort + ') hit-cnt ' + hits + (hits === 1 ? ' first hit ' : ' 300-second interval ') + r.h;
  }
  function m710003(s) {
    const udp = rng.chance(0.15);
    const port = udp ? rng.pick([161, 500, 4500]) : rng.pick([22, 22, 443, 443, 23, 80]);
    return header(s, 3, 710003) + (udp ? 'UDP' : 'TCP') + ' access denied by ACL from ' + attacker() + '/' + anyPort() + ' to outside:' + rng.pick(s.pub) + '/' + port;
  }
  function m419002(s) {
    const from = s.clientIf + ':' + rng.skewed(s.clients) + '/' + ephemeral();
    return header(s, 4, 419002) + 'Duplicate TCP SYN from ' + from + ' to outside:' + external() + '/443 with different initial sequence number';
  }
  const THREAT_OBJECTS = [['Scanning', 10, 5], ['ACL drop', 1600, 400], ['Firewall', 400, 100], ['Bad pkts', 400, 100], ['SYN attck', 200, 100], ['Interface', 8000, 2000]];
  function m733100(s) {
    const host = rng.chance(0.3);
    const [name, burstMax, avgMax] = host ? [attacker(), 10, 5] : rng.pick(THREAT_OBJECTS);
    // ASA pads the object name on the left to a fixed width.
    const object = name.padStart(host ? 15 : 9, ' ');
    const rateId = rng.chance(0.7) ? 1 : 2;
    const burst = burstMax + 1 + rng.int(burstMax * 3), avg = rng.int(avgMax * 2);
    return header(s, 4, 733100) + '[' + object + '] drop rate-' + rateId + ' exceeded. Current burst rate is ' + burst + ' per second, max configured rate is ' +
      burstMax + '; Current average rate is ' + avg + ' per second, max configured rate is ' + avgMax + '; Cumulative total count is ' + (avg * 600 + rng.int(40000));
  }
  const COMMANDS = ['configure terminal', 'write memory', 'show running-config', 'clear xlate', 'logging enable', 'no logging console',
    'ssh timeout 30', 'interface GigabitEthernet0/1', 'access-list outside_access_in extended permit tcp any object-group WEB eq https', 'exit'];
  function m111008(s) {
    return header(s, 5, 111008) + "User '" + rng.pick(ADMINS) + "' executed the '" + rng.pick(COMMANDS) + "' command.";
  }
  function m605005(s) {
    return header(s, 6, 605005) + 'Login permitted from ' + rng.pick(JUMP_HOSTS) + '/' + ephemeral() + ' to management:' + s.mgmt + '/' +
      (rng.chance(0.8) ? 'ssh' : 'https') + ' for user "' + rng.pick(ADMINS) + '"';
  }

  const MESSAGES = new Weighted([
    [m302013, 27], [m302014, 27], [m302015, 11], [m302016, 11], [m305011, 4.5], [m305012, 4.5], [m106023, 7], [m106100, 5],
    [m710003, 1.2], [m419002, 0.4], [m733100, 0.15], [m111008, 0.08], [m605005, 0.07],
  ]);

  return () => {
    advance();
    return MESSAGES.pick(rng)(siteWeights.pick(rng));
  };
}

// ---------------------------------------------------------------------------------------------
// Output: lines are written straight into 4 MiB buffers; a full buffer goes out in one write,
// waiting for 'drain' when stdout pushes back.
// ---------------------------------------------------------------------------------------------

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const nextLine = createTraffic(seedOf(opts.seed), opts.rate);
  const out = process.stdout;
  out.on('error', (e) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
  const CHUNK = 4 << 20;
  let buf = Buffer.allocUnsafe(CHUNK);
  let off = 0;
  const flush = async () => {
    if (off === 0) return;
    const data = buf.subarray(0, off);
    buf = Buffer.allocUnsafe(CHUNK); // stdout may still hold the previous one
    off = 0;
    if (!out.write(data)) await once(out, 'drain');
  };
  for (let i = 0; i < opts.count; i++) {
    const line = nextLine();
    if (off + line.length + 1 > CHUNK) await flush(); // lines are ASCII: one byte per character
    off += buf.write(line, off, 'latin1');
    buf[off++] = 10;
  }
  await flush();
}

await main();
