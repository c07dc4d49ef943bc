/**
 * What a mask file's voxel values are, and the rule for masks whose values are not whole numbers
 * (probability maps: a model's soft output, or a binary mask smoothed or resampled with interpolation).
 *
 * A binary mask holds 0 and one other value (1, or a label); a multilabel file holds whole-number
 * labels. Counting every non-zero voxel of a probability map (the rule for binary masks) would give a
 * wrong area without a word (a Gaussian-smoothed psoas: 343 px instead of 79), so such a mask is
 * refused unless a threshold is given; then a voxel is set where its value >= the threshold (values
 * must lie within 0..1, so the threshold means a probability). Values are compared after
 * scl_slope / scl_inter; NaN and infinite values are background, as for binary masks.
 */
import type { NiftiImage } from './nifti';

export interface MaskValueSummary {
  /** Some voxel has a finite non-zero value (the mask is not empty). */
  readonly anySet: boolean;
  /** Some finite value is not a whole number (a probability map, not a binary mask or label image). */
  readonly fractional: boolean;
  /** The first such value (for the message). */
  readonly example?: number;
  /** Smallest and largest finite non-zero value (only when `fractional`; else NaN). */
  readonly min: number;
  readonly max: number;
}

const INTEGER_TYPES = new Set([2, 4, 8, 256, 512, 768, 1024, 1280]);

/** Scaling of stored values (scl_slope / scl_inter), or undefined when it changes nothing. */
function scaling(img: Pick<NiftiImage, 'sclSlope' | 'sclInter'>): ((raw: number) => number) | undefined {
  const s = img.sclSlope;
  if (!Number.isFinite(s) || s === 0 || (s === 1 && !img.sclInter)) return undefined;
  const b = Number.isFinite(img.sclInter) ? img.sclInter : 0;
  return (raw) => raw * s + b;
}

/**
 * One pass over the first 3-D volume. Whole-number stored types without scaling cannot hold fractions:
 * they are read only as far as the first non-zero voxel.
 */
export function maskValueSummary(img: Pick<NiftiImage, 'data' | 'datatype' | 'sclSlope' | 'sclInter'>): MaskValueSummary {
  const data = img.data;
  const scale = scaling(img);
  if (!scale && INTEGER_TYPES.has(img.datatype)) {
    for (let n = 0; n < data.length; n++) if (data[n] !== 0) return { anySet: true, fractional: false, min: NaN, max: NaN };
    return { anySet: false, fractional: false, min: NaN, max: NaN };
  }
  let anySet = false;
  let example: number | undefined;
  let min = Infinity;
  let max = -Infinity;
  for (let n = 0; n < data.length; n++) {
    const raw = data[n]!;
    const v = scale ? scale(raw) : raw;
    if (v === 0 || !Number.isFinite(v)) continue;
    anySet = true;
    if (v < min) min = v;
    if (v > max) max = v;
    if (example === undefined && !Number.isInteger(v)) example = v;
  }
  if (example === undefined) return { anySet, fractional: false, min: NaN, max: NaN };
  return { anySet, fractional: true, example, min, max };
}

/** A number for a message: up to 3 significant digits, no exponent for ordinary values. */
function num(v: number): string {
  return String(Number(v.toPrecision(3)));
}

/** Threshold values a user may give: greater than 0 and at most 1. */
export function validMaskThreshold(t: number): boolean {
  return Number.isFinite(t) && t > 0 && t <= 1;
}

export type SoftMaskDecision =
  /** Read as a binary mask (or labels): every finite non-zero voxel. */
  | { readonly use: 'binary' }
  /** A probability map, thresholded: a voxel is set where its value >= threshold. */
  | { readonly use: 'threshold'; readonly threshold: number; readonly note: string }
  /** Not used, with the reason (one line, without the file name). */
  | { readonly use: 'refuse'; readonly reason: string };

/**
 * What to do with a mask of a folder of binary masks (named after its structure) given its values and
 * the threshold the user gave (none: undefined). Masks of whole numbers are binary masks whatever the
 * threshold; a probability map is refused without a threshold, and with one when its values leave 0..1.
 */
export function softMaskDecision(v: MaskValueSummary, threshold: number | undefined): SoftMaskDecision {
  if (!v.fractional) return { use: 'binary' };
  const range = `from ${num(v.min)} to ${num(v.max)}`;
  const probability = v.min >= 0 && v.max <= 1;
  if (!probability) {
    return {
      use: 'refuse',
      reason: `values that are not whole numbers (e.g. ${num(v.example!)}, ${range}): not a binary mask, and not a probability map (0 to 1) that a threshold could make one; not used`,
    };
  }
  if (threshold === undefined) {
    return {
      use: 'refuse',
      reason: `values between 0 and 1 that are not whole numbers (e.g. ${num(v.example!)}, ${range}): a probability map, not a binary mask; not used without a threshold (paraspine measure --mask-threshold T sets a voxel where its value >= T)`,
    };
  }
  const note = `a probability map (values ${range}): thresholded, a voxel is set where its value >= ${threshold}`;
  if (v.max < threshold) return { use: 'threshold', threshold, note: `${note}; no voxel reaches it, so the mask is empty` };
  return { use: 'threshold', threshold, note };
}

/** Why a multilabel file with values that are not whole numbers is not read as labels. */
export function fractionalLabelsReason(v: MaskValueSummary): string {
  return `values that are not whole numbers (e.g. ${num(v.example!)}, from ${num(v.min)} to ${num(v.max)}): a probability map, not a label image; not used (a probability map goes in a folder of masks named after its structure, with paraspine measure --mask-threshold)`;
}
