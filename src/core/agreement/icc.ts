/**
 * ICC(2,1): two-way random effects, absolute agreement, single rater (Shrout & Fleiss 1979, case 2;
 * McGraw & Wong 1996, ICC(A,1)), from an n targets x k raters table with one rating per cell, with its
 * F-distribution based confidence interval (McGraw & Wong 1996, Table 7, case 2A; the same interval as
 * Shrout & Fleiss 1979, eq. 6-7, with Satterthwaite's degrees of freedom v).
 */
import { fQuantile } from './fDistribution';

export interface TwoWayAnova {
  /** Targets (rows) and raters (columns). */
  n: number;
  k: number;
  /** Mean squares: between targets (BMS), between raters (JMS), residual (EMS). */
  msr: number;
  msc: number;
  mse: number;
}

export type IccResult =
  | { ok: true; icc: number; lower: number | null; upper: number | null; confidence: number; anova: TwoWayAnova }
  | { ok: false; reason: string; anova?: TwoWayAnova };

/** The two-way ANOVA mean squares of a complete n x k table (rows: targets, columns: raters). */
export function twoWayAnova(table: readonly (readonly number[])[]): TwoWayAnova {
  const n = table.length;
  const k = table[0]?.length ?? 0;
  for (const row of table) {
    if (row.length !== k) throw new RangeError('every target needs one rating from every rater');
    for (const x of row) if (!Number.isFinite(x)) throw new RangeError('ratings must be finite numbers');
  }
  let total = 0;
  for (const row of table) for (const x of row) total += x;
  const grand = total / (n * k);
  let ssr = 0;
  for (const row of table) ssr += k * (row.reduce((s, x) => s + x, 0) / k - grand) ** 2;
  let ssc = 0;
  for (let j = 0; j < k; j++) {
    let s = 0;
    for (const row of table) s += row[j]!;
    ssc += n * (s / n - grand) ** 2;
  }
  let sst = 0;
  for (const row of table) for (const x of row) sst += (x - grand) ** 2;
  // Rounding can leave a residual sum of squares a hair below zero when it is zero.
  const sse = Math.max(0, sst - ssr - ssc);
  return { n, k, msr: ssr / (n - 1), msc: ssc / (k - 1), mse: sse / ((n - 1) * (k - 1)) };
}

/** ICC(2,1) with its (confidence x 100)% interval (default 95%). */
export function icc21(table: readonly (readonly number[])[], confidence = 0.95): IccResult {
  const n = table.length;
  const k = table[0]?.length ?? 0;
  if (n < 2) return { ok: false, reason: `needs at least 2 targets rated by every rater (got ${n})` };
  if (k < 2) return { ok: false, reason: `needs at least 2 raters (got ${k})` };
  const a = twoWayAnova(table);
  const { msr, msc, mse } = a;
  const den = msr + (k - 1) * mse + (k * (msc - mse)) / n;
  if (!(den > 0)) return { ok: false, reason: 'no variation between targets or raters: the ICC is undefined', anova: a };
  const icc = (msr - mse) / den;
  // Every rater gave every target the same value: perfect agreement, checked on the ratings themselves
  // (the mean squares of identical columns can be a rounding error away from 0).
  const identical = table.every((row) => row.every((x) => x === row[0]));
  if (identical || (mse === 0 && msc === 0)) return { ok: true, icc: 1, lower: 1, upper: 1, confidence, anova: a }; // perfect agreement
  const alpha = 1 - confidence;
  // McGraw & Wong (1996) Table 7, case 2A (ICC(A,1)).
  const aa = (k * icc) / (n * (1 - icc));
  const bb = 1 + (k * icc * (n - 1)) / (n * (1 - icc));
  const v = (aa * msc + bb * mse) ** 2 / ((aa * msc) ** 2 / (k - 1) + (bb * mse) ** 2 / ((n - 1) * (k - 1)));
  if (!(v > 0) || !Number.isFinite(v)) return { ok: true, icc, lower: null, upper: null, confidence, anova: a };
  const fl = fQuantile(1 - alpha / 2, n - 1, v);
  const fu = fQuantile(1 - alpha / 2, v, n - 1);
  const c = k * msc + (k * n - k - n) * mse;
  const lower = (n * (msr - fl * mse)) / (fl * c + n * msr);
  const upper = (n * (fu * msr - mse)) / (c + n * fu * msr);
  return { ok: true, icc, lower, upper, confidence, anova: a };
}
