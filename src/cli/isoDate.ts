/**
 * `--date` values (measure/batch reports, agreement --pdf). Written by hand because `new Date(text)`
 * accepts far more than ISO 8601 and silently moves what it does not understand: '2025-02-30' becomes
 * 2 March, '2025-01-01junk' 1 June; a report dated wrongly without a word is worse than a refusal.
 * Accepted: YYYY-MM-DD, optionally THH:MM[:SS[.fff]] and Z or ±HH:MM, each field in its calendar range.
 */
const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-](\d{2}):(\d{2}))?)?$/;

/** The date of an ISO 8601 `text`, or null when it is not one (or names a day or time that does not exist). */
export function parseIsoDate(text: string): Date | null {
  const m = ISO.exec(text);
  if (!m) return null;
  const [, y, mo, d, h = '0', mi = '0', s = '0', oh = '0', om = '0'] = m;
  const day = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)));
  if (day.getUTCFullYear() !== Number(y) || day.getUTCMonth() !== Number(mo) - 1 || day.getUTCDate() !== Number(d)) return null;
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 59 || Number(oh) > 23 || Number(om) > 59) return null;
  const at = new Date(text);
  return Number.isNaN(at.getTime()) ? null : at;
}
