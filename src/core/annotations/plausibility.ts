/**
 * Plausibility of a muscle outline for the muscle, side and level it is labelled with: is it what a
 * radiologist would sign? Pure functions of the HU volume and the outlines (no viewer, no document
 * state). Every path that measures an outline runs it through outlineFlagger (outlineFlags.ts): drawn,
 * grown, propagated, mirrored, imported outlines and the CLI's --annotations alike.
 *
 * The checks (thresholds, bands and position rules are DATA, in core/anatomy/plausibility.ts, with their sources):
 * - bone: the share of the outline's pixels at or above BONE_SHARE.boneHu; above BONE_SHARE.maxShare
 *   the outline lies on bone (a QL on the iliac crest or sacral ala, a psoas over the vertebral body).
 * - mean HU: the outline's mean HU outside MEAN_HU_BAND (mostly fat below, bone or contrast above).
 * - area: the area of the label at this level on this slice (the union of its outlines: what its row
 *   measures) outside AREA_BANDS_MM2[muscle][level] (levels without a band are not checked).
 * - position, relative to the vertebra found on the slice (findVertebra) and to the other labelled
 *   outlines of the level on the slice: psoas in front of the posterior elements and off the midline;
 *   multifidus behind the vertebral body and close to the midline; erector spinae behind and lateral
 *   to the multifidus of its side; quadratus lumborum lateral (beyond the transverse process) and in
 *   front of the erector spinae of its side.
 * All of them are for an axial slice through the lumbar spine: where no vertebra is found on the slice
 * (a synthetic phantom without bone, a slice outside the spine) none is made, as the side check makes
 * none without bone.
 * Overlap with another muscle's outline is checked in outlineFlags.ts (kept there).
 *
 * Each flag is one line in user terms, starting with PLAUSIBILITY_PREFIX, then the muscle, side and
 * level ("anatomy check: QL left at L5/S1: 34% of its pixels are bone (>= 200 HU): is it on the iliac
 * crest or sacral ala?"), so callers tell plausibility flags apart (isPlausibilityFlag,
 * plausibilityKind).
 */
import {
  AREA_BANDS_MM2,
  BONE_SHARE,
  MEAN_HU_BAND,
  PLAUSIBILITY_SOURCES,
  POSITION_RULES,
  VERTEBRA_FINDER,
  type PlausibilityLevel,
  type PlausibilityMuscle,
} from '../anatomy/plausibility';
import { indexToLps, pixelAreaMm2 } from '../geometry/volumeGeometry';
import { boxMask, type BoxMask } from '../roi/boxMask';
import { lpsToSliceIj } from '../roi/contour';
import { rasterizePolygon } from '../roi/rasterize';
import type { HuVolume } from '../volume';
import type { Roi } from './document';

/** Every plausibility flag starts with this. */
export const PLAUSIBILITY_PREFIX = 'anatomy check: ';

export type PlausibilityKind = 'bone' | 'meanHu' | 'area' | 'position';

export interface PlausibilityFlag {
  kind: PlausibilityKind;
  /** The one-line flag, PLAUSIBILITY_PREFIX first. */
  message: string;
}

/** Whether a flag string (a record's warnings, the checklist's flags) is a plausibility flag. */
export function isPlausibilityFlag(flag: string): boolean {
  return flag.startsWith(PLAUSIBILITY_PREFIX);
}

/** The kind of a plausibility flag string (its wording: "... are bone", "mean", "area", else position), or null for another flag. */
export function plausibilityKind(flag: string): PlausibilityKind | null {
  if (!isPlausibilityFlag(flag)) return null;
  const [, , what = ''] = flag.split(': ', 3);
  if (what.includes('are bone')) return 'bone';
  if (what.startsWith('mean ')) return 'meanHu';
  if (what.startsWith('area ')) return 'area';
  return 'position';
}

/**
 * The vertebra on an axial slice, found from the image alone.
 *
 * RULE: the midline is the median patient x of the slice's bone pixels (HU >= BONE_SHARE.boneHu), as the
 * side check's (sideCheck.ts; ribs, iliac wings and sacral alae come in pairs, so the median falls on the
 * spine) but from VERTEBRA_FINDER.minMm2 of bone on (a disc-level slice holds little bone). The bone pixels
 * within VERTEBRA_FINDER.bandMm of it are sorted front to back (patient y) and cut into clusters wherever
 * VERTEBRA_FINDER.gapMm or more of y holds none; the vertebra is the cluster with the most pixels (the body
 * and posterior elements stay together across the spinal canal, shorter than the gap; a table or a
 * calcified vessel apart from it is left out). Its front and back are its 2nd and 98th percentile y;
 * the midline is then the median x of its pixels (the first estimate, refined on the vertebra alone).
 * Null (no vertebra: the area and position rules are skipped) when the slice's bone or the cluster
 * covers less than VERTEBRA_FINDER.minMm2. Limits: a slice through a disc far from the arch, a severe
 * scoliosis or rotation, or metal near the midline can misplace it.
 */

export interface Vertebra {
  /** Patient x (LPS, mm) of the midline. */
  midX: number;
  /** Patient y (LPS, mm; larger = posterior) of the front of the vertebra near the midline (the body, or the arch at a disc level). */
  frontY: number;
  /** Patient y of its back (the spinous process). */
  backY: number;
}

export function findVertebra(volume: HuVolume, k: number): Vertebra | null {
  const g = volume.geometry;
  const off = k * g.rows * g.columns;
  const xs: number[] = [];
  const pts: [number, number][] = [];
  for (let j = 0; j < g.rows; j++) {
    for (let i = 0; i < g.columns; i++) {
      if (!(volume.hu[off + j * g.columns + i]! >= BONE_SHARE.boneHu)) continue;
      const p = indexToLps(g, i, j, k);
      xs.push(p[0]);
      pts.push([p[0], p[1]]);
    }
  }
  const area = pixelAreaMm2(g);
  if (xs.length * area < VERTEBRA_FINDER.minMm2) return null;
  xs.sort((a, b) => a - b);
  const m = xs.length >> 1;
  const midX = xs.length % 2 ? xs[m]! : (xs[m - 1]! + xs[m]!) / 2;
  const near = pts.filter(([x]) => Math.abs(x - midX) <= VERTEBRA_FINDER.bandMm).sort((a, b) => a[1] - b[1]);
  if (!near.length) return null;
  const ys = near.map(([, y]) => y);
  let best: [number, number] = [0, 0];
  for (let s = 0, e = 1; e <= ys.length; e++) {
    if (e === ys.length || ys[e]! - ys[e - 1]! >= VERTEBRA_FINDER.gapMm) {
      if (e - s > best[1] - best[0]) best = [s, e];
      s = e;
    }
  }
  const n = best[1] - best[0];
  if (n * area < VERTEBRA_FINDER.minMm2) return null;
  const at = (q: number) => ys[best[0] + Math.min(n - 1, Math.max(0, Math.round(q * (n - 1))))]!;
  const vx = near.slice(best[0], best[1]).map(([x]) => x).sort((a, b) => a - b);
  const h = vx.length >> 1;
  return { midX: vx.length % 2 ? vx[h]! : (vx[h - 1]! + vx[h]!) / 2, frontY: at(0.02), backY: at(0.98) };
}

/** The outline's pixels (pixel-centre rule) in its bounding box on slice k, clipped to the image; null when unusable or off the image. */
type BoxPixels = BoxMask;

function boxPixels(volume: HuVolume, k: number, roi: Pick<Roi, 'pointsLps'>): BoxPixels | null {
  if (roi.pointsLps.length < 3) return null;
  let ij;
  try {
    ij = lpsToSliceIj(volume.geometry, k, roi.pointsLps);
  } catch {
    return null;
  }
  const m = boxMask(volume.geometry, ij);
  return m && m.w > 0 ? m : null;
}

/** What an outline holds on its slice. */
export interface OutlineStats {
  pixels: number;
  bonePixels: number;
  meanHu: number;
  /** Patient x, y (LPS, mm) of the centroid of its pixels. */
  cx: number;
  cy: number;
  /** Its pixels (for the union of a label's outlines). */
  box: BoxPixels;
}

/** The statistics of an outline on slice k (null when it holds no pixel or is unusable). COST: its bounding box. */
export function outlineStats(volume: HuVolume, k: number, roi: Pick<Roi, 'pointsLps'>): OutlineStats | null {
  const box = boxPixels(volume, k, roi);
  if (!box) return null;
  const g = volume.geometry;
  const off = k * g.rows * g.columns;
  let pixels = 0;
  let bone = 0;
  let sum = 0;
  let si = 0;
  let sj = 0;
  for (let q = 0; q < box.bits.length; q++) {
    if (!box.bits[q]) continue;
    const i = box.i0 + (q % box.w);
    const j = box.j0 + Math.floor(q / box.w);
    const hu = volume.hu[off + j * g.columns + i]!;
    pixels++;
    sum += hu;
    if (hu >= BONE_SHARE.boneHu) bone++;
    si += i;
    sj += j;
  }
  if (!pixels) return null;
  const c = indexToLps(g, si / pixels, sj / pixels, k);
  return { pixels, bonePixels: bone, meanHu: sum / pixels, cx: c[0], cy: c[1], box };
}

/** Pixels in the union of outlines' pixel sets. */
function unionPixels(columns: number, boxes: readonly BoxPixels[]): number {
  const seen = new Set<number>();
  for (const b of boxes) {
    for (let q = 0; q < b.bits.length; q++) if (b.bits[q]) seen.add((b.j0 + Math.floor(q / b.w)) * columns + b.i0 + (q % b.w));
  }
  return seen.size;
}

const SHORT: Record<PlausibilityMuscle, string> = {
  psoas: 'psoas',
  erectorSpinae: 'erector spinae',
  multifidus: 'multifidus',
  quadratusLumborum: 'QL',
  autochthon: 'autochthon (ES + MF)',
};

const mm = (v: number) => `${Math.round(v)} mm`;
/** A distance along the front-back axis: 'N mm in front of' or 'N mm behind'. */
const rel = (front: number) => (front >= 0 ? `${mm(front)} in front of` : `${mm(-front)} behind`);
const area = (mm2: number) => `${Math.round(mm2)} mm² (${(mm2 / 100).toFixed(2)} cm²)`;

function isBandLevel(level: string): level is PlausibilityLevel {
  return level === 'L3' || level === 'L3/L4' || level === 'L4/L5' || level === 'L5/S1';
}

/** Where on the vertebra a bone-covered outline most likely lies, by muscle and level, for the question in the flag. */
function boneWhere(muscle: PlausibilityMuscle, level: string): string {
  if (muscle === 'quadratusLumborum') return level === 'L5/S1' || level === 'L4/L5' ? 'the iliac crest or sacral ala' : 'the transverse process or a rib';
  if (muscle === 'psoas') return 'the vertebral body or the transverse process';
  return 'the lamina, spinous or transverse process';
}

export interface PlausibilityContext {
  /** The vertebra on the slice (findVertebra); undefined: found here; null: none (then no check is made). */
  vertebra?: Vertebra | null;
  /** The other outlines of the same level on the same slice (for the area of the label's union and the relative position rules). */
  others?: readonly Roi[];
}

type Ctx = {
  vertebra: Vertebra | null;
  others: readonly Roi[];
  stats: (r: Roi) => OutlineStats | null;
  /** The pixels of a label's outlines (their union), cached per list of outlines and label when given. */
  union?: (label: string, compute: () => number) => number;
};

function checks(volume: HuVolume, roi: Roi, k: number, ctx: Ctx): PlausibilityFlag[] {
  const muscle = roi.muscle as PlausibilityMuscle;
  const s = ctx.stats(roi);
  if (!s) return [];
  const who = `${SHORT[muscle] ?? muscle} ${roi.side} at ${roi.level}`;
  const flag = (kind: PlausibilityKind, what: string): PlausibilityFlag => ({ kind, message: `${PLAUSIBILITY_PREFIX}${who}: ${what}` });
  const out: PlausibilityFlag[] = [];
  // The checks are for an axial slice through the lumbar spine: without a vertebra on it (a synthetic
  // phantom, a slice outside the spine) none is made, as the side check makes none without bone.
  const v = ctx.vertebra;
  if (!v) return out;
  const share = s.bonePixels / s.pixels;
  if (share > BONE_SHARE.maxShare) {
    out.push(flag('bone', `${Math.round(share * 100)}% of its pixels are bone (>= ${BONE_SHARE.boneHu} HU, more than ${Math.round(BONE_SHARE.maxShare * 100)}%): is it on ${boneWhere(muscle, roi.level)}?`));
  }
  if (s.meanHu < MEAN_HU_BAND.min || s.meanHu > MEAN_HU_BAND.max) {
    const why = s.meanHu < MEAN_HU_BAND.min ? 'mostly fat: is it in the subcutaneous or retroperitoneal fat?' : 'denser than muscle: bone, contrast or metal inside?';
    out.push(flag('meanHu', `mean ${s.meanHu.toFixed(0)} HU is outside ${MEAN_HU_BAND.min}..${MEAN_HU_BAND.max} HU, what muscle can be (source ${MEAN_HU_BAND.source}): ${why}`));
  }
  const band = isBandLevel(roi.level) ? AREA_BANDS_MM2[muscle]?.[roi.level] : undefined;
  if (band) {
    // The label's area on this slice: the union of its outlines (what its row measures).
    const same = ctx.others.filter((r) => r !== roi && r.muscle === roi.muscle && r.side === roi.side);
    const compute = () => unionPixels(volume.geometry.columns, [s.box, ...same.map(ctx.stats).flatMap((x) => (x ? [x.box] : []))]);
    const label = `${roi.muscle}|${roi.side}`;
    const px = !same.length ? s.pixels : ctx.others.includes(roi) && ctx.union ? ctx.union(label, compute) : compute();
    const a = px * pixelAreaMm2(volume.geometry);
    const of = same.length ? `area of its ${same.length + 1} outlines` : 'area';
    if (a > band.maxMm2) out.push(flag('area', `${of} ${area(a)} is above ${band.maxMm2} mm², the largest expected there (${band.minMm2}..${band.maxMm2} mm², source ${band.source}): does it take in a neighbouring muscle?`));
    else if (a < band.minMm2) out.push(flag('area', `${of} ${area(a)} is below ${band.minMm2} mm², the smallest expected there (${band.minMm2}..${band.maxMm2} mm², source ${band.source}): only part of the muscle?`));
  }
  {
    const off = Math.abs(s.cx - v.midX);
    const front = v.backY - s.cy; // how far in front of the back of the vertebra (mm)
    const sideOf = (m: Roi['muscle']) => {
      const rs = ctx.others.filter((r) => r !== roi && r.side === roi.side && r.muscle === m);
      const st = rs.map(ctx.stats).filter((x): x is OutlineStats => !!x);
      if (!st.length) return null;
      const n = st.reduce((t, x) => t + x.pixels, 0);
      return { cx: st.reduce((t, x) => t + x.cx * x.pixels, 0) / n, cy: st.reduce((t, x) => t + x.cy * x.pixels, 0) / n };
    };
    const P = POSITION_RULES;
    if (muscle === 'psoas') {
      if (front < P.psoasFrontOfBackMm) out.push(flag('position', `its centre lies ${rel(front)} the back of the vertebra (the psoas lies in front of the transverse processes, beside the body, at least ${P.psoasFrontOfBackMm} mm): is it a back muscle?`));
      else if (off < P.psoasMinOffMidlineMm) out.push(flag('position', `its centre lies ${mm(off)} from the midline (the psoas lies beside the vertebral body, not in front of it): is it the body, the aorta or the disc?`));
    } else if (muscle === 'multifidus') {
      if (front > P.multifidusMaxFrontOfBackMm) out.push(flag('position', `its centre lies ${rel(front)} the back of the vertebra (the multifidus lies beside the spinous process and lamina, within ${P.multifidusMaxFrontOfBackMm} mm): is it in front of the spine?`));
      else if (off > P.multifidusMaxOffMidlineMm) out.push(flag('position', `its centre lies ${mm(off)} from the midline (the multifidus lies beside the spinous process, within ${P.multifidusMaxOffMidlineMm} mm): is it the erector spinae?`));
    } else if (muscle === 'erectorSpinae' || muscle === 'autochthon') {
      if (front > P.erectorMaxFrontOfBackMm) out.push(flag('position', `its centre lies ${rel(front)} the back of the vertebra (the ${SHORT[muscle]} lies behind the transverse processes, within ${P.erectorMaxFrontOfBackMm} mm): is it the psoas or the QL?`));
      else if (muscle === 'erectorSpinae') {
        const mf = sideOf('multifidus');
        if (mf && off < Math.abs(mf.cx - v.midX)) out.push(flag('position', `its centre lies ${mm(off)} from the midline, medial to the multifidus of its side (${mm(Math.abs(mf.cx - v.midX))}): the erector spinae lies lateral to it; are the two swapped?`));
      }
    } else if (muscle === 'quadratusLumborum') {
      const es = sideOf('erectorSpinae') ?? sideOf('autochthon');
      if (off < P.qlMinOffMidlineMm) out.push(flag('position', `its centre lies ${mm(off)} from the midline (the QL lies lateral to the transverse process, at least ${P.qlMinOffMidlineMm} mm): is it the psoas or a back muscle?`));
      else if (front < P.qlFrontOfBackMm) out.push(flag('position', `its centre lies ${rel(front)} the back of the vertebra (the QL lies at the transverse processes, in front of the back muscles, at least ${P.qlFrontOfBackMm} mm): does it take in the erector spinae or multifidus?`));
      else if (es && s.cy > es.cy) out.push(flag('position', `its centre lies ${mm(s.cy - es.cy)} behind the centre of the erector spinae of its side (the QL lies in front of it and lateral): is it the erector spinae?`));
      else {
        const ps = sideOf('psoas');
        const psOff = ps ? Math.abs(ps.cx - v.midX) : 0;
        if (ps && off < psOff + P.qlMinLateralToPsoasMm) out.push(flag('position', `its centre lies ${mm(off)} from the midline, the psoas of its side ${mm(psOff)} (the QL lies lateral to the psoas, at least ${P.qlMinLateralToPsoasMm} mm farther out): is it on the psoas?`));
      }
    }
  }
  return out;
}

/**
 * The plausibility flags of one outline on slice k (see the rules above). `ctx.others`: the other
 * outlines of its level on the slice (the label's union for the area, the neighbours for the relative
 * position rules); without them each outline is judged alone.
 */
export function plausibilityChecks(volume: HuVolume, roi: Roi, k: number, ctx: PlausibilityContext = {}): PlausibilityFlag[] {
  const vertebra = ctx.vertebra === undefined ? findVertebra(volume, k) : ctx.vertebra;
  return checks(volume, roi, k, { vertebra, others: ctx.others ?? [], stats: (r) => outlineStats(volume, k, r) });
}

/** The plausibility flags of one outline on slice k as one-line strings (plausibilityChecks). */
export function plausibilityFlags(volume: HuVolume, roi: Roi, k: number, ctx: PlausibilityContext = {}): string[] {
  return plausibilityChecks(volume, roi, k, ctx).map((f) => f.message);
}

/**
 * A checker for many outlines of one volume: one vertebra per slice, one statistics pass per outline
 * and slice, one union per label and list of outlines (cached). `others(roi, k)` gives the outlines of
 * the level on the slice (the same array for the outlines of one level and slice, so that the union is
 * shared). So a level's checks cost its outlines' bounding boxes plus one slice scan per slice.
 */
export function plausibilityChecker(volume: HuVolume, others: (roi: Roi, k: number) => readonly Roi[]): (roi: Roi, k: number) => string[] {
  const vertebrae = new Map<number, Vertebra | null>();
  const stats = new Map<Roi, Map<number, OutlineStats | null>>();
  // A label's union is the same for each of its outlines in one list (the document's outlines of a level on a slice).
  const unions = new WeakMap<readonly Roi[], Map<string, number>>();
  return (roi, k) => {
    let v = vertebrae.get(k);
    if (v === undefined) vertebrae.set(k, (v = findVertebra(volume, k)));
    const statsAt = (r: Roi) => {
      let byK = stats.get(r);
      if (!byK) stats.set(r, (byK = new Map()));
      let st = byK.get(k);
      if (st === undefined) byK.set(k, (st = outlineStats(volume, k, r)));
      return st;
    };
    const list = others(roi, k);
    const union = (label: string, compute: () => number) => {
      let byLabel = unions.get(list);
      if (!byLabel) unions.set(list, (byLabel = new Map()));
      let n = byLabel.get(label);
      if (n === undefined) byLabel.set(label, (n = compute()));
      return n;
    };
    return checks(volume, roi, k, { vertebra: v, others: list, stats: statsAt, union }).map((f) => f.message);
  };
}

export { PLAUSIBILITY_SOURCES, POSITION_RULES, VERTEBRA_FINDER };
