import { add, cross, dot, normalize, scale, sub, type Vec3 } from './vec3';

/**
 * Geometry of a stack of axial (or any parallel) slices, in DICOM patient coordinates (LPS, mm).
 *
 * Index space (i, j, k): i = column (0..columns-1), j = row (0..rows-1), k = slice (0..slices-1,
 * ordered along the slice normal, i.e. feet to head for axial CT). Integer indices are pixel centres.
 *
 *   lps(i, j, k) = slicePositions[k] + i * columnSpacingMm * rowDirection + j * rowSpacingMm * columnDirection
 *
 * rowDirection is the first triplet of ImageOrientationPatient (direction of increasing column index i);
 * columnDirection is the second (increasing row index j). PixelSpacing is [row spacing, column spacing],
 * i.e. PixelSpacing[0] is the distance between rows (the step of j), PixelSpacing[1] the step of i.
 */
export interface VolumeGeometry {
  readonly columns: number;
  readonly rows: number;
  readonly slices: number;
  /** Distance between neighbouring columns (step of i), mm. */
  readonly columnSpacingMm: number;
  /** Distance between neighbouring rows (step of j), mm. */
  readonly rowSpacingMm: number;
  readonly rowDirection: Vec3;
  readonly columnDirection: Vec3;
  /** rowDirection x columnDirection; slices are ordered by increasing position along it. */
  readonly normal: Vec3;
  /** ImagePositionPatient of each slice (centre of pixel 0,0), in slice order. */
  readonly slicePositions: readonly Vec3[];
  /**
   * InstanceNumber (0020,0013) of each slice's file, in slice order; null where the file has none or
   * holds several frames. Absent when not known (a volume not read from DICOM files). Shown beside the
   * slice position (sliceNumber.ts); never used for ordering (slices go by position along the normal).
   */
  readonly instanceNumbers?: readonly (number | null)[];
}

export function makeGeometry(g: Omit<VolumeGeometry, 'normal'>): VolumeGeometry {
  if (!(g.columnSpacingMm > 0) || !(g.rowSpacingMm > 0)) throw new Error('pixel spacing must be > 0');
  if (g.columns < 1 || g.rows < 1 || g.slices < 1) throw new Error('volume dimensions must be >= 1');
  if (g.slicePositions.length !== g.slices) throw new Error('one slice position per slice is required');
  if (g.instanceNumbers && g.instanceNumbers.length !== g.slices) throw new Error('one instance number (or null) per slice is required');
  const rowDirection = normalize(g.rowDirection);
  const columnDirection = normalize(g.columnDirection);
  return { ...g, rowDirection, columnDirection, normal: normalize(cross(rowDirection, columnDirection)) };
}

/** Pixel area in mm². */
export function pixelAreaMm2(g: VolumeGeometry): number {
  return g.columnSpacingMm * g.rowSpacingMm;
}

/** Signed position of slice k along the normal, mm. */
export function sliceOffsetMm(g: VolumeGeometry, k: number): number {
  return dot(g.slicePositions[k]!, g.normal);
}

/** Distances between consecutive slice positions along the normal (length slices-1). */
export function sliceGapsMm(g: VolumeGeometry): number[] {
  const gaps: number[] = [];
  for (let k = 1; k < g.slices; k++) gaps.push(sliceOffsetMm(g, k) - sliceOffsetMm(g, k - 1));
  return gaps;
}

/** Representative spacing between slices (median of gaps), mm; 0 for a single slice. */
export function sliceSpacingMm(g: VolumeGeometry): number {
  const gaps = sliceGapsMm(g).sort((a, b) => a - b);
  if (gaps.length === 0) return 0;
  return gaps[Math.floor(gaps.length / 2)]!;
}

/**
 * Thickness each slice stands for when summing a volume: half the gap to each neighbour
 * (the end slices take the gap on their one side twice). Handles irregular spacing.
 */
export function sliceWeightsMm(g: VolumeGeometry): number[] {
  const gaps = sliceGapsMm(g);
  if (gaps.length === 0) return [0];
  return Array.from({ length: g.slices }, (_, k) => {
    const below = k > 0 ? gaps[k - 1]! : gaps[0]!;
    const above = k < gaps.length ? gaps[k]! : gaps[gaps.length - 1]!;
    return (below + above) / 2;
  });
}

/** Gaps up to this fraction over the median still count as the usual spacing (as the irregular-spacing warning). */
const SPACING_TOLERANCE = 0.01;

/**
 * The slice nearest a position along the normal (mm), how far it lies from it, and whether it stands for
 * that position: it lies within half the usual spacing (the median gap, plus 1 %). It does not where a
 * slice is missing or was left out (a gap): the nearest slice then lies up to a whole gap away, and what is
 * measured there is not what lies at the position. A single slice always stands for any position.
 */
export function sliceAtOffset(g: VolumeGeometry, offsetMm: number): { sliceIndex: number; distanceMm: number; covered: boolean } {
  const k = nearestSliceToOffset(g, offsetMm);
  const distanceMm = Math.abs(sliceOffsetMm(g, k) - offsetMm);
  const half = (Math.abs(sliceSpacingMm(g)) * (1 + SPACING_TOLERANCE)) / 2;
  return { sliceIndex: k, distanceMm, covered: g.slices < 2 || distanceMm <= half + 1e-6 };
}

/** Continuous index (i, j, k may be fractional in i, j; k must be an integer slice) to LPS mm. */
export function indexToLps(g: VolumeGeometry, i: number, j: number, k: number): Vec3 {
  const origin = g.slicePositions[k];
  if (!origin) throw new RangeError(`slice ${k} is outside 0..${g.slices - 1}`);
  return add(origin, add(scale(g.rowDirection, i * g.columnSpacingMm), scale(g.columnDirection, j * g.rowSpacingMm)));
}

/** Nearest slice to a position along the normal (mm). */
export function nearestSliceToOffset(g: VolumeGeometry, offsetMm: number): number {
  let best = 0;
  let bestD = Infinity;
  for (let k = 0; k < g.slices; k++) {
    const d = Math.abs(sliceOffsetMm(g, k) - offsetMm);
    if (d < bestD) {
      bestD = d;
      best = k;
    }
  }
  return best;
}

/**
 * LPS mm to continuous index: i, j by projection on the in-plane axes of the nearest slice, k as a
 * fractional slice coordinate interpolated between slice positions (exact for integer k).
 */
export function lpsToIndex(g: VolumeGeometry, p: Vec3): Vec3 {
  const off = dot(p, g.normal);
  const k0 = nearestSliceToOffset(g, off);
  const d = sub(p, g.slicePositions[k0]!);
  const i = dot(d, g.rowDirection) / g.columnSpacingMm;
  const j = dot(d, g.columnDirection) / g.rowSpacingMm;
  let k = k0;
  if (g.slices > 1) {
    const o0 = sliceOffsetMm(g, k0);
    const kn = off >= o0 ? Math.min(k0 + 1, g.slices - 1) : Math.max(k0 - 1, 0);
    const on = sliceOffsetMm(g, kn);
    if (kn !== k0 && on !== o0) k = k0 + ((off - o0) / (on - o0)) * (kn - k0);
  }
  return [i, j, k];
}

/** The z (patient S coordinate, mm) of a slice: its ImagePositionPatient z. */
export function sliceZ(g: VolumeGeometry, k: number): number {
  return g.slicePositions[k]![2];
}

/** Index of the slice whose ImagePositionPatient z is nearest to z (mm). */
export function nearestSliceToZ(g: VolumeGeometry, z: number): number {
  let best = 0;
  let bestD = Infinity;
  for (let k = 0; k < g.slices; k++) {
    const d = Math.abs(g.slicePositions[k]![2] - z);
    if (d < bestD) {
      bestD = d;
      best = k;
    }
  }
  return best;
}
