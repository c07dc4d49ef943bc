/**
 * Bland-Altman agreement of two raters on one metric (Bland & Altman 1986, Lancet i:307-310): the bias
 * (mean of the differences, second rater minus first) and the 95% limits of agreement, bias ± 1.96 SD
 * of the differences (sample SD, n - 1), with each pair's mean and difference for a plot.
 */
export interface BlandAltmanPoint {
  mean: number;
  difference: number;
}

export type BlandAltmanResult =
  | { ok: true; n: number; bias: number; sd: number; lower: number; upper: number; points: BlandAltmanPoint[] }
  | { ok: false; reason: string };

/** The limits are bias ± LOA_Z · SD (the normal 97.5% quantile rounded as Bland & Altman give it). */
export const LOA_Z = 1.96;

export function blandAltman(first: readonly number[], second: readonly number[]): BlandAltmanResult {
  if (first.length !== second.length) throw new RangeError('Bland-Altman needs one value of each rater per target');
  const n = first.length;
  if (n < 2) return { ok: false, reason: `needs at least 2 targets rated by both raters (got ${n})` };
  const points = first.map((x, i) => ({ mean: (x + second[i]!) / 2, difference: second[i]! - x }));
  const bias = points.reduce((s, p) => s + p.difference, 0) / n;
  const sd = Math.sqrt(points.reduce((s, p) => s + (p.difference - bias) ** 2, 0) / (n - 1));
  return { ok: true, n, bias, sd, lower: bias - LOA_Z * sd, upper: bias + LOA_Z * sd, points };
}
