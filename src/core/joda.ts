// STUB: replaced by the full Joda-Time formatter/parser (see date filter work). Keep these exports.
export type DateFormatter = (d: Date) => string;
export function compileJodaFormatter(pattern: string, timezone = 'UTC'): DateFormatter {
  void timezone;
  return (d: Date) => {
    const p = (n: number, w = 2) => String(n).padStart(w, '0');
    return pattern
      .replace(/yyyy/g, String(d.getUTCFullYear()))
      .replace(/MM/g, p(d.getUTCMonth() + 1))
      .replace(/dd/g, p(d.getUTCDate()))
      .replace(/HH/g, p(d.getUTCHours()));
  };
}
