/** HU ranges used to classify pixels; both ends inclusive. */
export interface HuRanges {
  readonly muscleHu: readonly [number, number];
  readonly fatHu: readonly [number, number];
}

/** Whether a HU value is in a range [lo, hi], both ends inclusive: the one rule the metrics and the overlay share. */
export function inHuRange(v: number, range: readonly [number, number]): boolean {
  return v >= range[0] && v <= range[1];
}

export const DEFAULT_RANGES: HuRanges = { muscleHu: [-29, 150], fatHu: [-190, -30] };

export function validateRanges(r: HuRanges): HuRanges {
  for (const [name, [lo, hi]] of [['muscle', r.muscleHu], ['fat', r.fatHu]] as const) {
    if (!Number.isFinite(lo) || !Number.isFinite(hi) || lo > hi) {
      throw new Error(`${name} HU range must be two finite numbers LO,HI with LO <= HI (got ${lo},${hi})`);
    }
  }
  return r;
}
