/**
 * Vertebral and disc levels from vertebra masks on the CT grid.
 *
 * Input masks must cover every slice (resampled without a slice subset), keyed by structure name:
 * vertebrae_L1 .. vertebrae_L5, and vertebrae_S1 or sacrum for L5/S1 (vertebrae_S1 is preferred;
 * TotalSegmentator v2 writes both, older outputs only sacrum).
 *
 * Which mask stands for a vertebra: the first of its candidates (vertebrae_S1, then sacrum, for S1) that
 * - is present and not tiny: at least MIN_VERTEBRA_MASK_MM3 (500 mm³, i.e. 19 voxels of 3 mm or 500 of
 *   1 mm; a lumbar vertebral body is 20-60 cm³) on the CT grid; an empty or smaller mask is noise or a
 *   sliver at the end of the scan and is never used for a level; and
 * - for a disc level, has its centroid below the upper vertebra's centroid (head-foot axis, patient z).
 * A level with no such mask is reported missing with the reason. Found levels are finally checked to lie
 * in anatomical order along the head-foot axis (L1 above L1/L2 above L2 ... above L5/S1, each strictly
 * below the one before); a level that would break the order is reported missing, never returned out of order.
 *
 * Rules (slice positions measured along the slice normal, so they hold for any slice order):
 * - Vertebral level (L1..L5): the slice nearest the centroid of the vertebra mask along the normal
 *   (voxel-count-weighted mean slice position).
 * - Disc level (upper/lower): the middle of the disc at the vertebral bodies' centre
 *   (discSliceAtBodyCentre: the slice nearest the middle of the two endplates found in a 10 mm window
 *   around each body's centre). When that gives no slice strictly between the two centroids, or the
 *   series is not axial, the older rule (discSlice) is used:
 *   among slices strictly between the two vertebrae's centroid slices,
 *   the slice k that best separates the two masks: it minimises
 *       cost(k) = (upper-vertebra voxels on slice k or below it) + (lower-vertebra voxels on slice k or above it),
 *   i.e. the voxels that lie on the wrong side of, or on, a cut at k, counting only voxels at in-plane
 *   positions (i, j) that both masks cover somewhere (their shared footprint). Ties go to the tied slice
 *   nearest the midpoint of the two centroids. When no slice lies strictly between the centroid slices,
 *   the slice nearest that midpoint is used.
 *   On the abdomen test CT the body-centre rule gives L3/L4 = 67, L4/L5 = 55, L5/S1 = 44 (the old
 *   footprint cut gave 67, 56, 47: L5/S1 followed the cross-over of the tilted disc's rims, 3 slices
 *   above the disc's centre).
 */
import { ALL_LEVELS, isDiscLevel, levelVertebrae, type Level, type Vertebra } from '../anatomy/anatomy';
import { nearestSliceToOffset, pixelAreaMm2, sliceAtOffset, sliceOffsetMm, sliceSpacingMm, sliceZ, type VolumeGeometry } from '../geometry/volumeGeometry';
import { profileFromMask, type MaskSliceProfile } from './sliceProfiles';

/** Smallest vertebra (or sacrum) mask, in mm³ on the CT grid, that may place a level. */
export const MIN_VERTEBRA_MASK_MM3 = 500;

export interface FoundLevel {
  readonly level: Level;
  readonly sliceIndex: number;
  /** Patient z (ImagePositionPatient z) of that slice, mm. */
  readonly z: number;
  /** Short text saying how the slice was found. */
  readonly method: string;
}

export interface MissingLevel {
  readonly level: Level;
  readonly reason: string;
}

export interface LevelsResult {
  readonly levels: FoundLevel[];
  readonly missing: MissingLevel[];
}

/** Structure-name -> binary mask on the CT grid (length columns*rows*slices). */
export type MasksByName = Readonly<Record<string, Uint8Array | undefined>>;

interface VertebraProfile {
  readonly name: string;
  /** Per-slice and per-row counts, footprint and voxel look-up (sliceProfiles.ts). */
  readonly stats: MaskSliceProfile;
  /** Voxel count per slice. */
  readonly perSlice: Int32Array;
  readonly total: number;
  /** Count-weighted mean slice offset along the normal, mm. */
  readonly centroidOffsetMm: number;
  readonly centroidSlice: number;
  readonly touchesEdge: boolean;
  /** First and last slice with voxels (-1 when empty). */
  readonly firstSlice: number;
  readonly lastSlice: number;
}

function profile(name: string, stats: MaskSliceProfile, g: VolumeGeometry): VertebraProfile {
  const perSlice = stats.perSlice;
  let total = 0;
  let sum = 0;
  let firstSlice = -1;
  let lastSlice = -1;
  for (let k = 0; k < g.slices; k++) {
    const c = perSlice[k]!;
    total += c;
    sum += c * sliceOffsetMm(g, k);
    if (c > 0) {
      if (firstSlice < 0) firstSlice = k;
      lastSlice = k;
    }
  }
  const centroidOffsetMm = total > 0 ? sum / total : NaN;
  return {
    name,
    stats,
    perSlice,
    total,
    centroidOffsetMm,
    centroidSlice: total > 0 ? nearestSliceToOffset(g, centroidOffsetMm) : -1,
    touchesEdge: perSlice[0]! > 0 || perSlice[g.slices - 1]! > 0,
    firstSlice,
    lastSlice,
  };
}

/** Voxel volume on the CT grid, mm³ (slice spacing 1 mm when there is a single slice). */
function voxelMm3(g: VolumeGeometry): number {
  return pixelAreaMm2(g) * (Math.abs(sliceSpacingMm(g)) || 1);
}

/** Head-foot position of a slice-normal offset: larger is nearer the head (patient z, LPS +z = superior). */
function headward(g: VolumeGeometry, offsetMm: number): number {
  return offsetMm * Math.sign(g.normal[2] || 1);
}

/** Mask names tried for a vertebra, in order of preference. */
function candidateNames(v: Vertebra): string[] {
  return v === 'S1' ? ['vertebrae_S1', 'sacrum'] : [`vertebrae_${v}`];
}

/** Every mask name levelsFromVertebraMasks may read for these levels (load only these). */
export function vertebraMaskNames(levels: readonly Level[]): string[] {
  return [...new Set(levels.flatMap((l) => levelVertebrae(l).flatMap(candidateNames)))];
}

/**
 * Find levels from vertebra masks. `levels` defaults to every level Paraspine knows (L1 .. L5/S1).
 * Found levels come back in the order asked; levels that cannot be found are listed with a reason.
 */
export function levelsFromVertebraMasks(
  masks: MasksByName,
  g: VolumeGeometry,
  levels: readonly Level[] = ALL_LEVELS,
): LevelsResult {
  return levelsFromProfiles((n) => {
    const m = masks[n];
    return m ? profileFromMask(n, m, g) : undefined;
  }, g, levels);
}

/**
 * levelsFromVertebraMasks on masks given by their profiles (sliceProfiles.ts: a multilabel file's come
 * from one walk over the grid): `profileOf(name)` is the profile of that structure's mask, undefined when
 * there is none. Each name is asked for at most once.
 */
export function levelsFromProfiles(
  profileOf: (name: string) => MaskSliceProfile | undefined,
  g: VolumeGeometry,
  levels: readonly Level[] = ALL_LEVELS,
): LevelsResult {
  const minVoxels = MIN_VERTEBRA_MASK_MM3 / voxelMm3(g);
  const profiles = new Map<string, VertebraProfile | undefined>();
  /** The usable masks of a vertebra, in order of preference, and why the others are not usable. */
  const candidates = (v: Vertebra): { usable: VertebraProfile[]; reasons: string[]; absentNote: string[] } => {
    const names = candidateNames(v);
    const usable: VertebraProfile[] = [];
    const reasons: string[] = [];
    const absent: string[] = [];
    for (const n of names) {
      let p = profiles.get(n);
      if (p === undefined && !profiles.has(n)) {
        const stats = profileOf(n);
        p = stats ? profile(n, stats, g) : undefined;
        profiles.set(n, p);
      }
      if (!p) {
        absent.push(n);
        continue;
      }
      if (p.total === 0) reasons.push(`${n} mask is empty on the CT grid`);
      else if (p.total < minVoxels) {
        reasons.push(`${n} mask is too small to place a level (${p.total} voxels, ${round(p.total * voxelMm3(g))} mm³ < ${MIN_VERTEBRA_MASK_MM3} mm³)`);
      } else usable.push(p);
    }
    if (absent.length === names.length) return { usable, reasons: [`no ${names.join(' or ')} mask`], absentNote: [] };
    return { usable, reasons, absentNote: absent.length ? [`no ${absent.join(' or ')} mask`] : [] };
  };

  const found: FoundLevel[] = [];
  const missing: MissingLevel[] = [];
  for (const level of levels) {
    const vs = levelVertebrae(level);
    const first = candidates(vs[0]!);
    if (first.usable.length === 0) {
      missing.push({ level, reason: [...first.reasons, ...first.absentNote].join('; ') });
      continue;
    }
    const upperP = first.usable[0]!;
    if (!isDiscLevel(level)) {
      const edgeNote = upperP.touchesEdge ? `; ${upperP.name} touches the end of the scan, so may be cut off` : '';
      const gap = gapReason(g, upperP.centroidOffsetMm, `the centroid of ${upperP.name}`);
      if (gap) {
        missing.push({ level, reason: gap });
        continue;
      }
      found.push({
        level,
        sliceIndex: upperP.centroidSlice,
        z: sliceZ(g, upperP.centroidSlice),
        method: `slice nearest the centroid of ${upperP.name} (${upperP.total} voxels)${edgeNote}`,
      });
      continue;
    }
    const second = candidates(vs[1]!);
    if (second.usable.length === 0) {
      missing.push({ level, reason: [...second.reasons, ...second.absentNote].join('; ') });
      continue;
    }
    // The lower vertebra's mask must lie below the upper one (else try the next stand-in).
    const notBelow: string[] = [];
    const lowerP = second.usable.find((p) => {
      const ok = headward(g, p.centroidOffsetMm) < headward(g, upperP.centroidOffsetMm);
      if (!ok) notBelow.push(`${p.name} (centroid at slice ${p.centroidSlice}) is not below ${upperP.name} (centroid at slice ${upperP.centroidSlice})`);
      return ok;
    });
    if (!lowerP) {
      missing.push({ level, reason: [...second.reasons, ...notBelow, ...second.absentNote].join('; ') });
      continue;
    }
    const edge = [upperP, lowerP].filter((p) => p.touchesEdge).map((p) => p.name);
    const edgeNote = edge.length ? `; ${edge.join(', ')} touches the end of the scan, so may be cut off` : '';
    const { slice, method, targetOffsetMm, target } = discSliceAtBodyCentre(upperP, lowerP, g) ?? discSlice(upperP, lowerP, g);
    const gap = targetOffsetMm === undefined ? null : gapReason(g, targetOffsetMm, target ?? `the disc`);
    if (gap) {
      missing.push({ level, reason: gap });
      continue;
    }
    found.push({ level, sliceIndex: slice, z: sliceZ(g, slice), method: method + edgeNote });
  }
  return checkOrder(found, missing, g);
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}

/**
 * Why a level whose rule aims at `offsetMm` along the normal cannot be placed: no slice stands for that
 * position (a slice missing or left out there, see sliceAtOffset), so the nearest one would be measured in
 * its stead, up to a whole gap away. Null when a slice stands for it.
 */
function gapReason(g: VolumeGeometry, offsetMm: number, what: string): string | null {
  const at = sliceAtOffset(g, offsetMm);
  if (at.covered) return null;
  return (
    `the series has no slice at ${what}: the nearest, slice ${at.sliceIndex}, lies ${round(at.distanceMm)} mm from it ` +
    `where slices are ${round(Math.abs(sliceSpacingMm(g)))} mm apart (a slice missing or left out there)`
  );
}

/**
 * Anatomical order along the head-foot axis: walking the found levels from L1 down to L5/S1, each must
 * lie strictly below the one before; one that does not is moved to `missing` with the reason.
 */
function checkOrder(found: FoundLevel[], missing: MissingLevel[], g: VolumeGeometry): LevelsResult {
  const rank = (l: Level) => ALL_LEVELS.indexOf(l);
  const pos = (f: FoundLevel) => headward(g, sliceOffsetMm(g, f.sliceIndex));
  const bad = new Set<Level>();
  let prev: FoundLevel | undefined;
  for (const f of [...found].sort((a, b) => rank(a.level) - rank(b.level))) {
    if (prev && !(pos(f) < pos(prev))) {
      bad.add(f.level);
      missing.push({
        level: f.level,
        reason: `would lie at slice ${f.sliceIndex}, not below ${prev.level} (slice ${prev.sliceIndex}): the vertebra masks are out of anatomical order`,
      });
      continue;
    }
    prev = f;
  }
  return { levels: found.filter((f) => !bad.has(f.level)), missing };
}

/** In-plane radius of the window around a vertebral body's centre in which its endplate is found, mm. */
export const BODY_WINDOW_RADIUS_MM = 10;
/** Fraction of the vertebra mask's anterior-posterior extent (from its anterior edge) taken as the body. */
export const BODY_ANTERIOR_FRACTION = 0.4;
/** Height of the part of a vertebra mask, next to the disc, in which its body's centre is found, mm. */
export const BODY_END_HEIGHT_MM = 30;
/** A slice holds the body at its centre when at least this fraction of the window's pixels is set. */
export const BODY_WINDOW_OCCUPANCY = 0.5;

/**
 * In-plane pixels (i + j * columns) of the window around a vertebral body's centre, next to the disc:
 * - the part of the mask within BODY_END_HEIGHT_MM (along the normal) of its end facing the disc (for
 *   the sacrum, the S1 segment, not the whole bone);
 * - of that part, the voxels in the anterior BODY_ANTERIOR_FRACTION of its anterior-posterior extent
 *   (the body, not the posterior elements); their centroid is the body's centre;
 * - the window: every pixel centre within BODY_WINDOW_RADIUS_MM of it (at least the pixel nearest it).
 * Undefined when the rows do not run along the anterior-posterior axis (a non-axial series).
 */
function bodyWindow(p: VertebraProfile, g: VolumeGeometry, towardIncreasingSlice: boolean): number[] | undefined {
  const ap = g.columnDirection[1]; // LPS +y = posterior: the sign says whether increasing j runs posterior
  if (!(Math.abs(ap) > 0.5) || p.total === 0) return undefined;
  const endOffset = sliceOffsetMm(g, towardIncreasingSlice ? p.lastSlice : p.firstSlice);
  const slices: number[] = [];
  for (let k = p.firstSlice; k <= p.lastSlice; k++) {
    if (p.perSlice[k] !== 0 && Math.abs(sliceOffsetMm(g, k) - endOffset) <= BODY_END_HEIGHT_MM) slices.push(k);
  }
  const anteriorness = (j: number) => (ap > 0 ? -j : j);
  // From the per-row counts and column sums: the same integer sums as visiting each set pixel.
  const { rowCounts, rowSumI } = p.stats;
  let aMin = Infinity;
  let aMax = -Infinity;
  for (const k of slices) {
    for (let j = 0; j < g.rows; j++) {
      if (rowCounts[k * g.rows + j] === 0) continue;
      const a = anteriorness(j);
      if (a < aMin) aMin = a;
      if (a > aMax) aMax = a;
    }
  }
  const cut = aMax - BODY_ANTERIOR_FRACTION * (aMax - aMin);
  let si = 0;
  let sj = 0;
  let n = 0;
  for (const k of slices) {
    for (let j = 0; j < g.rows; j++) {
      const c = rowCounts[k * g.rows + j]!;
      if (c === 0 || anteriorness(j) < cut) continue;
      si += rowSumI[k * g.rows + j]!;
      sj += j * c;
      n += c;
    }
  }
  const ci = si / n;
  const cj = sj / n;
  const win: number[] = [];
  // Only the pixels of the window's bounding box (one pixel wider each way than the radius reaches, so
  // no rounding of the distance can matter) are tried; the same pixels, in the same order, as the whole slice.
  const ri = BODY_WINDOW_RADIUS_MM / g.columnSpacingMm + 1;
  const rj = BODY_WINDOW_RADIUS_MM / g.rowSpacingMm + 1;
  const [i0, i1] = [Math.max(0, Math.floor(ci - ri)), Math.min(g.columns - 1, Math.ceil(ci + ri))];
  const [j0, j1] = [Math.max(0, Math.floor(cj - rj)), Math.min(g.rows - 1, Math.ceil(cj + rj))];
  for (let j = j0; j <= j1; j++) {
    for (let i = i0; i <= i1; i++) {
      if (Math.hypot((i - ci) * g.columnSpacingMm, (j - cj) * g.rowSpacingMm) <= BODY_WINDOW_RADIUS_MM) win.push(i + j * g.columns);
    }
  }
  if (win.length === 0) win.push(Math.min(g.columns - 1, Math.max(0, Math.round(ci))) + Math.min(g.rows - 1, Math.max(0, Math.round(cj))) * g.columns);
  return win;
}

/**
 * The disc level at the vertebral bodies' centre (the rule used first). Each vertebra gets a window
 * around its body's centre next to the disc (bodyWindow). The upper body's endplate is the slice
 * nearest the lower vertebra on which the upper mask fills at least half its window; the lower body's
 * endplate is the slice nearest the upper vertebra on which the lower mask (vertebra or sacrum) fills at
 * least half its window. The disc level is the slice nearest the middle of the two endplates along the
 * normal (ties to the slice nearest the midpoint of the two centroids): the centre of the disc between the
 * two body centres. Where the disc is strongly tilted (L5/S1 on a lordotic spine) the two endplates may
 * overlap along the normal (L5's centre ends below the top of S1's centre, which lies further back); their
 * middle is still the disc's centre. Undefined (the caller then uses discSlice) when a body never fills its
 * window, the middle does not lie strictly between the two centroids, or the series is not axial.
 */
/** A disc level's slice, how it was found, and (when the rule aims at a position) where it aimed along the normal. */
interface DiscChoice {
  readonly slice: number;
  readonly method: string;
  readonly targetOffsetMm?: number;
  readonly target?: string;
}

function discSliceAtBodyCentre(upper: VertebraProfile, lower: VertebraProfile, g: VolumeGeometry): DiscChoice | undefined {
  const step = lower.centroidSlice > upper.centroidSlice ? 1 : -1;
  const winU = bodyWindow(upper, g, step > 0);
  const winL = bodyWindow(lower, g, step < 0);
  if (!winU || !winL) return undefined;
  const fills = (p: VertebraProfile, win: number[], k: number) => {
    if (p.perSlice[k] === 0) return false;
    let c = 0;
    for (const q of win) if (p.stats.isSet(k, q)) c++;
    return c >= BODY_WINDOW_OCCUPANCY * win.length;
  };
  let upperEnd = -1;
  let lowerStart = -1;
  for (let k = upper.firstSlice; k <= upper.lastSlice; k++) if (fills(upper, winU, k) && (upperEnd < 0 || (k - upperEnd) * step > 0)) upperEnd = k;
  for (let k = lower.firstSlice; k <= lower.lastSlice; k++) if (fills(lower, winL, k) && (lowerStart < 0 || (k - lowerStart) * step < 0)) lowerStart = k;
  if (upperEnd < 0 || lowerStart < 0) return undefined;
  const mid = (sliceOffsetMm(g, upperEnd) + sliceOffsetMm(g, lowerStart)) / 2;
  // The middle must lie strictly between the two centroids (else these are not two bodies around a disc).
  const [cLo, cHi] = [Math.min(upper.centroidOffsetMm, lower.centroidOffsetMm), Math.max(upper.centroidOffsetMm, lower.centroidOffsetMm)];
  if (!(mid > cLo && mid < cHi)) return undefined;
  const centroidMid = (upper.centroidOffsetMm + lower.centroidOffsetMm) / 2;
  let best = -1;
  let bestD = Infinity;
  let bestTie = Infinity;
  for (let k = Math.min(upperEnd, lowerStart); k <= Math.max(upperEnd, lowerStart); k++) {
    const d = Math.abs(sliceOffsetMm(g, k) - mid);
    const tie = Math.abs(sliceOffsetMm(g, k) - centroidMid);
    if (d < bestD - 1e-6 || (Math.abs(d - bestD) <= 1e-6 && tie < bestTie)) {
      best = k;
      bestD = d;
      bestTie = tie;
    }
  }
  return {
    slice: best,
    method:
      `middle of the disc at the centre of the bodies of ${upper.name} and ${lower.name}: ` +
      `endplates at slices ${upperEnd} and ${lowerStart}`,
    targetOffsetMm: mid,
    target: `the middle of the endplates of ${upper.name} and ${lower.name}`,
  };
}

function discSlice(upper: VertebraProfile, lower: VertebraProfile, g: VolumeGeometry): DiscChoice {
  const midOffset = (upper.centroidOffsetMm + lower.centroidOffsetMm) / 2;
  const a = Math.min(upper.centroidSlice, lower.centroidSlice);
  const b = Math.max(upper.centroidSlice, lower.centroidSlice);
  if (b - a < 2) {
    const k = nearestSliceToOffset(g, midOffset);
    return {
      slice: k,
      method: `no slice between the centroids of ${upper.name} and ${lower.name}; slice nearest their midpoint`,
      targetOffsetMm: midOffset,
      target: `the midpoint of the centroids of ${upper.name} and ${lower.name}`,
    };
  }
  // Per-slice counts restricted to the shared in-plane footprint of the two masks.
  const plane = g.rows * g.columns;
  const fpU = upper.stats.footprint;
  const fpL = lower.stats.footprint;
  const sharedPixels: number[] = [];
  for (let p = 0; p < plane; p++) if (fpU[p] && fpL[p]) sharedPixels.push(p);
  const shared = sharedPixels.length;
  const restrict = (v: VertebraProfile): number[] =>
    Array.from({ length: g.slices }, (_, k) => {
      if (v.perSlice[k] === 0) return 0;
      let c = 0;
      for (const p of sharedPixels) if (v.stats.isSet(k, p)) c++;
      return c;
    });
  const pu = shared > 0 ? restrict(upper) : Array.from(upper.perSlice);
  const pl = shared > 0 ? restrict(lower) : Array.from(lower.perSlice);
  // "Above" = the side of the upper vertebra's centroid (slice order may run either way).
  const upperIsHigherIndex = upper.centroidSlice > lower.centroidSlice;
  let best = -1;
  let bestCost = Infinity;
  let bestDist = Infinity;
  for (let k = a + 1; k < b; k++) {
    let cost = 0;
    for (let q = 0; q < g.slices; q++) {
      const upperWrong = upperIsHigherIndex ? q <= k : q >= k;
      const lowerWrong = upperIsHigherIndex ? q >= k : q <= k;
      if (upperWrong) cost += pu[q]!;
      if (lowerWrong) cost += pl[q]!;
    }
    const dist = Math.abs(sliceOffsetMm(g, k) - midOffset);
    if (cost < bestCost || (cost === bestCost && dist < bestDist)) {
      best = k;
      bestCost = cost;
      bestDist = dist;
    }
  }
  const onSlice = upper.perSlice[best]! + lower.perSlice[best]!;
  return {
    slice: best,
    method:
      `best cut between ${upper.name} and ${lower.name} between their centroid slices: ` +
      `${bestCost} voxels of their ${shared > 0 ? 'shared footprint' : 'masks'} on or across the cut; ` +
      `${onSlice} vertebra voxels on the slice`,
  };
}
