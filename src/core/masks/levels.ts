/**
 * Vertebral and disc levels from vertebra masks on the CT grid.
 *
 * Input masks must cover every slice (resampled without a slice subset), keyed by structure name:
 * vertebrae_L1 .. vertebrae_L5, and vertebrae_S1 or sacrum for L5/S1 (vertebrae_S1 is preferred;
 * TotalSegmentator v2 writes both, older outputs only sacrum).
 *
 * Rules (slice positions measured along the slice normal, so they hold for any slice order):
 * - Vertebral level (L1..L5): the slice nearest the centroid of the vertebra mask along the normal
 *   (voxel-count-weighted mean slice position).
 * - Disc level (upper/lower): among slices strictly between the two vertebrae's centroid slices,
 *   the slice k that best separates the two masks: it minimises
 *       cost(k) = (upper-vertebra voxels on slice k or below it) + (lower-vertebra voxels on slice k or above it),
 *   i.e. the voxels that lie on the wrong side of, or on, a cut at k, counting only voxels at in-plane
 *   positions (i, j) that both masks cover somewhere (their shared footprint: where the two bones
 *   face each other across the disc). Posterior elements and sacral ala with no counterpart in the
 *   other mask are thereby ignored (if the footprints do not overlap at all, whole masks are used).
 *   The disc (no bone) gives the smallest cost; where the vertebrae interleave in z (the tilted
 *   L5/S1 disc) the cut follows the cross-over of the two slice profiles rather than the single
 *   emptiest slice. Ties go to the tied slice nearest the midpoint of the two centroids. When no
 *   slice lies strictly between the centroid slices, the slice nearest that midpoint is used.
 *   On the abdomen test CT this gives L3/L4 = 67, L4/L5 = 56, L5/S1 = 47 (plain "fewest voxels on
 *   the slice" gave 50 for L5/S1, where L5's body still fills most of the slice).
 */
import { ALL_LEVELS, isDiscLevel, levelVertebrae, type Level, type Vertebra } from '../anatomy/anatomy';
import { nearestSliceToOffset, sliceOffsetMm, sliceZ, type VolumeGeometry } from '../geometry/volumeGeometry';

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
  readonly mask: Uint8Array;
  /** Voxel count per slice. */
  readonly perSlice: number[];
  readonly total: number;
  /** Count-weighted mean slice offset along the normal, mm. */
  readonly centroidOffsetMm: number;
  readonly centroidSlice: number;
  readonly touchesEdge: boolean;
}

function profile(name: string, mask: Uint8Array, g: VolumeGeometry): VertebraProfile {
  const plane = g.rows * g.columns;
  if (mask.length !== plane * g.slices) {
    throw new Error(`mask ${name} has ${mask.length} voxels; the CT grid has ${plane * g.slices}`);
  }
  const perSlice: number[] = [];
  let total = 0;
  let sum = 0;
  for (let k = 0; k < g.slices; k++) {
    let c = 0;
    for (let o = k * plane, end = o + plane; o < end; o++) if (mask[o] !== 0) c++;
    perSlice.push(c);
    total += c;
    sum += c * sliceOffsetMm(g, k);
  }
  const centroidOffsetMm = total > 0 ? sum / total : NaN;
  return {
    name,
    mask,
    perSlice,
    total,
    centroidOffsetMm,
    centroidSlice: total > 0 ? nearestSliceToOffset(g, centroidOffsetMm) : -1,
    touchesEdge: perSlice[0]! > 0 || perSlice[g.slices - 1]! > 0,
  };
}

/** Mask names tried for a vertebra, in order of preference. */
function candidateNames(v: Vertebra): string[] {
  return v === 'S1' ? ['vertebrae_S1', 'sacrum'] : [`vertebrae_${v}`];
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
  const cache = new Map<Vertebra, VertebraProfile | string>();
  const get = (v: Vertebra): VertebraProfile | string => {
    const hit = cache.get(v);
    if (hit !== undefined) return hit;
    const names = candidateNames(v);
    let result: VertebraProfile | string = `no ${names.join(' or ')} mask`;
    for (const n of names) {
      const m = masks[n];
      if (!m) continue;
      const p = profile(n, m, g);
      if (p.total > 0) {
        result = p;
        break;
      }
      result = `${n} mask is empty on the CT grid`;
    }
    cache.set(v, result);
    return result;
  };

  const found: FoundLevel[] = [];
  const missing: MissingLevel[] = [];
  for (const level of levels) {
    const vs = levelVertebrae(level);
    const ps = vs.map(get);
    const problem = ps.find((p): p is string => typeof p === 'string');
    if (problem !== undefined) {
      missing.push({ level, reason: problem });
      continue;
    }
    const profiles = ps as VertebraProfile[];
    const edge = profiles.filter((p) => p.touchesEdge).map((p) => p.name);
    const edgeNote = edge.length ? `; ${edge.join(', ')} touches the end of the scan, so may be cut off` : '';
    if (!isDiscLevel(level)) {
      const p = profiles[0]!;
      found.push({
        level,
        sliceIndex: p.centroidSlice,
        z: sliceZ(g, p.centroidSlice),
        method: `slice nearest the centroid of ${p.name} (${p.total} voxels)${edgeNote}`,
      });
      continue;
    }
    const [upper, lower] = profiles as [VertebraProfile, VertebraProfile];
    const { slice, method } = discSlice(upper, lower, g);
    found.push({ level, sliceIndex: slice, z: sliceZ(g, slice), method: method + edgeNote });
  }
  return { levels: found, missing };
}

function discSlice(upper: VertebraProfile, lower: VertebraProfile, g: VolumeGeometry): { slice: number; method: string } {
  const midOffset = (upper.centroidOffsetMm + lower.centroidOffsetMm) / 2;
  const a = Math.min(upper.centroidSlice, lower.centroidSlice);
  const b = Math.max(upper.centroidSlice, lower.centroidSlice);
  if (b - a < 2) {
    const k = nearestSliceToOffset(g, midOffset);
    return { slice: k, method: `no slice between the centroids of ${upper.name} and ${lower.name}; slice nearest their midpoint` };
  }
  // Per-slice counts restricted to the shared in-plane footprint of the two masks.
  const plane = g.rows * g.columns;
  const fpU = new Uint8Array(plane);
  const fpL = new Uint8Array(plane);
  for (let o = 0; o < upper.mask.length; o++) {
    if (upper.mask[o] !== 0) fpU[o % plane] = 1;
    if (lower.mask[o] !== 0) fpL[o % plane] = 1;
  }
  let shared = 0;
  for (let p = 0; p < plane; p++) if (fpU[p] && fpL[p]) shared++;
  const restrict = (m: Uint8Array): number[] =>
    Array.from({ length: g.slices }, (_, k) => {
      let c = 0;
      for (let p = 0, o = k * plane; p < plane; p++, o++) if (m[o] !== 0 && fpU[p] && fpL[p]) c++;
      return c;
    });
  const pu = shared > 0 ? restrict(upper.mask) : upper.perSlice;
  const pl = shared > 0 ? restrict(lower.mask) : lower.perSlice;
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
