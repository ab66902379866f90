// The extension point of `sluice retention`: each top-level section of the retention config (e.g.
// `elasticsearch:`, later `lake:`) is handled by a RetentionSection that turns its settings into targets; a
// target lists what is older than its limit and deletes one item at a time. The command prints every item
// before deleting it (or, with --dry-run, instead of deleting it).

export interface RetentionCandidate {
  /** What would go, as printed: `index firewall-2026.08.01`, `partition type=fw/date=2026-08-01/`. */
  name: string;
  /** Why, as printed: `dated 2026-08-01 by its name, 119 days old (limit 90)`. */
  reason: string;
  /** The target's own handle for remove() (an index name, an object prefix…). */
  ref: unknown;
}

export interface RetentionTarget {
  /** Where, as printed: `elasticsearch https://es1:9200`. Never contains credentials. */
  readonly label: string;
  /** Everything older than its limit at `now`. Must not delete anything. */
  plan(now: Date): Promise<RetentionCandidate[]>;
  /** Delete one candidate returned by plan(). */
  remove(candidate: RetentionCandidate): Promise<void>;
  close?(): void | Promise<void>;
}

export interface RetentionContext {
  /** Directory of the retention config file (relative paths in it resolve against it). */
  configDir: string;
}

export interface RetentionSection {
  /** Top-level key of the retention config handled by this section. */
  key: string;
  /** Check the section's value and create its targets; throw an Error with a clear message when invalid. */
  create(value: unknown, ctx: RetentionContext): RetentionTarget[];
}

/** Whole days between two instants (floor). */
export function ageInDays(then: number, now: Date): number {
  return Math.floor((now.getTime() - then) / 86_400_000);
}
