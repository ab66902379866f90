// Retention for Elasticsearch/OpenSearch indices (the job Curator did): indices matching a rule's pattern
// whose age exceeds the rule's limit are deleted, one `DELETE /<index>` each. The age comes from the date in
// the index name (the same `%{+yyyy.MM.dd}` template as the output's `index`) or from the index's creation
// date (`_cat/indices` column `creation.date`). Hidden and system indices (leading `.`) are never touched
// unless a rule's pattern starts with `.`; data streams are left to the cluster's lifecycle management.
//
//   elasticsearch:
//     - hosts: ["https://es1:9200"]
//       user: sluice
//       password: ${ES_PASSWORD}
//       ssl_certificate_authorities: [ca.pem]
//       indices:
//         - index: "firewall-%{+yyyy.MM.dd}"   # age by the date in the name
//           max_age_days: 90
//         - index: "audit-*"
//           max_age_days: 365
//           age_by: creation_date

import { isAbsolute, resolve } from 'node:path';
import { compileJodaParser } from '../core/joda.js';
import { ClusterClient } from '../outputs/elasticsearch/http_client.js';
import { ageInDays, type RetentionCandidate, type RetentionContext, type RetentionSection, type RetentionTarget } from './target.js';

export interface IndexRule {
  /** The pattern as written. */
  index: string;
  maxAgeDays: number;
  ageBy: 'name' | 'creation_date';
  regex: RegExp;
  /** Parses the date captured from the name (UTC), for age_by name. */
  parseDate?: (text: string) => number | undefined;
}

const CLUSTER_KEYS = ['hosts', 'user', 'password', 'api_key', 'ssl_enabled', 'ssl_certificate_authorities', 'ssl_verification_mode', 'timeout', 'indices'];
const RULE_KEYS = ['index', 'max_age_days', 'age_by'];

const escapeRe = (s: string) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&');

/** A regular expression matching what a Joda pattern prints: digit runs for numeric fields, letters for names. */
function jodaToRegex(fmt: string): string {
  let re = '';
  for (let i = 0; i < fmt.length; ) {
    const c = fmt[i]!;
    if (c === "'") {
      const end = fmt.indexOf("'", i + 1);
      const lit = end < 0 ? fmt.slice(i + 1) : fmt.slice(i + 1, end);
      re += lit === '' ? "'" : escapeRe(lit);
      i = end < 0 ? fmt.length : end + 1;
      continue;
    }
    if (/[A-Za-z]/.test(c)) {
      let j = i;
      while (fmt[j] === c) j++;
      const n = j - i;
      if ((c === 'M' && n >= 3) || c === 'E' || c === 'a') re += '[A-Za-z]+';
      else if (c === 'Z') re += '[+-]?[0-9:]+|Z';
      else re += '\\d+';
      i = j;
      continue;
    }
    re += escapeRe(c);
    i++;
  }
  return re;
}

/** Compile a rule's pattern: `*` any text, `%{+FMT}` the index date (at most one), other `%{…}` any text. */
export function compileIndexRule(index: string, maxAgeDays: number, ageBy?: string): IndexRule {
  let re = '^';
  let dateFormat: string | undefined;
  const tokens = index.split(/(%\{[^}]+\}|\*)/);
  for (const t of tokens) {
    if (t === '*') re += '.*';
    else if (t.startsWith('%{+') && t.endsWith('}')) {
      if (dateFormat !== undefined) throw new Error(`index ${JSON.stringify(index)}: only one %{+date} may appear`);
      dateFormat = t.slice(3, -1);
      re += `(${jodaToRegex(dateFormat)})`;
    } else if (t.startsWith('%{') && t.endsWith('}')) re += '.+?';
    else re += escapeRe(t);
  }
  re += '$';
  const by = ageBy ?? (dateFormat !== undefined ? 'name' : 'creation_date');
  if (by !== 'name' && by !== 'creation_date') throw new Error(`index ${JSON.stringify(index)}: age_by must be name or creation_date, got ${JSON.stringify(ageBy)}`);
  if (by === 'name' && dateFormat === undefined) throw new Error(`index ${JSON.stringify(index)}: age_by name needs a date in the pattern, like "firewall-%{+yyyy.MM.dd}"`);
  if (!(Number.isFinite(maxAgeDays) && maxAgeDays >= 0)) throw new Error(`index ${JSON.stringify(index)}: max_age_days must be a number of days (0 or more), got ${JSON.stringify(maxAgeDays)}`);
  let parseDate: IndexRule['parseDate'];
  if (dateFormat !== undefined) {
    try {
      parseDate = compileJodaParser(dateFormat, { timezone: 'UTC' });
    } catch (e) {
      throw new Error(`index ${JSON.stringify(index)}: bad date format ${JSON.stringify(dateFormat)}: ${(e as Error).message}`);
    }
  }
  return { index, maxAgeDays, ageBy: by, regex: new RegExp(re), parseDate };
}

interface CatRow {
  index: string;
  'creation.date'?: string;
  'docs.count'?: string;
  'store.size'?: string;
}

export class ElasticsearchRetention implements RetentionTarget {
  readonly label: string;

  constructor(
    private readonly client: ClusterClient,
    private readonly rules: IndexRule[],
  ) {
    this.label = `elasticsearch ${client.hostLabels.join(',')}`;
  }

  async plan(now: Date): Promise<RetentionCandidate[]> {
    const rows = (await this.client.json('GET', '/_cat/indices?format=json&h=index,creation.date,docs.count,store.size&bytes=b&s=index')) as CatRow[];
    if (!Array.isArray(rows)) throw new Error(`${this.label}: _cat/indices did not return a list`);
    const out: RetentionCandidate[] = [];
    for (const row of rows) {
      const name = row.index;
      if (typeof name !== 'string') continue;
      // The first rule that matches decides (as in a firewall rule list); a name rule matches only when the
      // name's date part parses.
      let rule: IndexRule | undefined;
      let dated: number | undefined;
      for (const r of this.rules) {
        if (name.startsWith('.') && !r.index.startsWith('.')) continue;
        const m = r.regex.exec(name);
        if (!m) continue;
        dated = r.ageBy === 'name' ? r.parseDate!(m[1]!) : Number(row['creation.date']);
        if (dated === undefined || !Number.isFinite(dated)) continue;
        rule = r;
        break;
      }
      if (!rule || dated === undefined) continue;
      const source = rule.ageBy === 'name' ? 'by its name' : 'created';
      if (now.getTime() - dated <= rule.maxAgeDays * 86_400_000) continue;
      const day = new Date(dated).toISOString().slice(0, 10);
      const docs = row['docs.count'] !== undefined ? `, ${row['docs.count']} docs` : '';
      out.push({ name: `index ${name}`, reason: `${source} ${day}, ${ageInDays(dated, now)} days old (limit ${rule.maxAgeDays}, rule ${rule.index})${docs}`, ref: name });
    }
    return out;
  }

  async remove(candidate: RetentionCandidate): Promise<void> {
    const name = candidate.ref as string;
    await this.client.json('DELETE', `/${encodeURIComponent(name)}`);
  }

  close(): void {
    this.client.close();
  }
}

function strings(v: unknown, what: string): string[] {
  const arr = Array.isArray(v) ? v : v === undefined ? [] : [v];
  return arr.map((x, i) => {
    if (typeof x !== 'string' && typeof x !== 'number') throw new Error(`${what}[${i}]: expected a string`);
    return String(x);
  });
}

function unknownKeys(o: Record<string, unknown>, known: string[], where: string): void {
  const bad = Object.keys(o).filter((k) => !known.includes(k));
  if (bad.length) throw new Error(`${where}: unknown setting${bad.length > 1 ? 's' : ''} ${bad.join(', ')} (known: ${known.join(', ')})`);
}

export const elasticsearchRetention: RetentionSection = {
  key: 'elasticsearch',
  create(value: unknown, ctx: RetentionContext): RetentionTarget[] {
    const clusters = Array.isArray(value) ? value : [value];
    return clusters.map((c, ci) => {
      const where = `elasticsearch[${ci}]`;
      if (c === null || typeof c !== 'object' || Array.isArray(c)) throw new Error(`${where}: expected a cluster with hosts and indices`);
      const o = c as Record<string, unknown>;
      unknownKeys(o, CLUSTER_KEYS, where);
      const hosts = strings(o.hosts, `${where}.hosts`);
      if (!hosts.length) throw new Error(`${where}: hosts is required`);
      const ruleList = o.indices;
      if (!Array.isArray(ruleList) || !ruleList.length) throw new Error(`${where}: indices must list at least one { index, max_age_days } rule`);
      const rules = ruleList.map((r, ri) => {
        const rw = `${where}.indices[${ri}]`;
        if (r === null || typeof r !== 'object') throw new Error(`${rw}: expected { index, max_age_days }`);
        const ro = r as Record<string, unknown>;
        unknownKeys(ro, RULE_KEYS, rw);
        if (typeof ro.index !== 'string' || !ro.index) throw new Error(`${rw}: index (a pattern) is required`);
        if (ro.max_age_days === undefined) throw new Error(`${rw}: max_age_days is required`);
        try {
          return compileIndexRule(ro.index, Number(ro.max_age_days), ro.age_by as string | undefined);
        } catch (e) {
          throw new Error(`${rw}: ${(e as Error).message}`);
        }
      });
      const verification = o.ssl_verification_mode;
      if (verification !== undefined && verification !== 'full' && verification !== 'none') throw new Error(`${where}.ssl_verification_mode: full or none`);
      const cas = strings(o.ssl_certificate_authorities, `${where}.ssl_certificate_authorities`).map((p) => (isAbsolute(p) ? p : resolve(ctx.configDir, p)));
      const client = new ClusterClient({
        hosts,
        user: o.user === undefined ? undefined : String(o.user),
        password: o.password === undefined ? undefined : String(o.password),
        apiKey: o.api_key === undefined ? undefined : String(o.api_key),
        sslEnabled: typeof o.ssl_enabled === 'boolean' ? o.ssl_enabled : undefined,
        sslCertificateAuthorities: cas,
        sslVerificationMode: verification as 'full' | 'none' | undefined,
        timeoutMillis: o.timeout === undefined ? 60_000 : Number(o.timeout) * 1000,
      });
      return new ElasticsearchRetention(client, rules);
    });
  },
};
