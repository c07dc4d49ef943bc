/**
 * The multifidus / erector spinae split of an imported autochthon, on the document: the proposals
 * of a level confirmed, the cut between the two parts found again from their outlines (so what is
 * shown is always what partitions them, after an undo or a reload too), and a re-split along a new
 * cut line (core's cutMask on the union of the current outlines: the two parts partition it exactly).
 * Pure functions; the store wraps them in undo steps.
 */
import { isProposal, type AnnotationDocument, type Roi } from '../../core/annotations/document';
import { roiSlice } from '../../core/annotations/measureAnnotations';
import type { Level, Side } from '../../core/anatomy/anatomy';
import { contourMask, sliceIjToLps } from '../../core/roi/contour';
import { cutMask } from '../../core/roi/cut';
import { outlinesLargestFirst } from '../../core/roi/outlines';
import type { PointIj } from '../../core/roi/rasterize';
import { sliceZ } from '../../core/geometry/volumeGeometry';
import type { HuVolume } from '../../core/volume';

/** Outlines that come from a split (proposed, or a split proposal confirmed; not a confirmed propagated or mirrored one): only those get a cut line. */
const fromSplit = (r: Roi) => r.source === 'proposed' || (r.source === 'confirmed' && !r.proposedBy);

/**
 * Accept every proposal of a level as it is: split proposals, propagated and mirrored outlines become
 * source 'confirmed' (a propagated or mirrored one keeps that in proposedBy); their own times are kept,
 * so an unedited one reads 'confirmed'.
 */
export function confirmProposedRois(doc: AnnotationDocument, level: Level, now: string): AnnotationDocument {
  if (!doc.rois.some((r) => r.level === level && isProposal(r.source))) return doc;
  const confirm = (r: Roi): Roi => (r.source === 'propagated' || r.source === 'mirrored' ? { ...r, source: 'confirmed', proposedBy: r.source } : { ...r, source: 'confirmed' });
  return { ...doc, modifiedAt: now, rois: doc.rois.map((r) => (r.level === level && isProposal(r.source) ? confirm(r) : r)) };
}

export interface SplitPair {
  level: Level;
  side: Side;
  sliceIndex: number;
  multifidus: Roi[];
  erectorSpinae: Roi[];
  /** Whether any of the outlines is still an unconfirmed proposal. */
  proposed: boolean;
  /** The cut between the two parts: one point per row where they meet (pixel indices, x on the pixel edge), ventral to dorsal. */
  cutIj: PointIj[];
}

function union(volume: HuVolume, k: number, rois: readonly Roi[]): Uint8Array {
  const g = volume.geometry;
  const m = new Uint8Array(g.rows * g.columns);
  for (const r of rois) {
    const p = contourMask(g, k, r.pointsLps);
    for (let n = 0; n < m.length; n++) if (p[n]) m[n] = 1;
  }
  return m;
}

/** Where two slice masks meet along each row: the first pixel edge with one on each side, as (i + 0.5, j). */
export function boundaryIj(a: Uint8Array, b: Uint8Array, columns: number, rows: number): PointIj[] {
  const out: PointIj[] = [];
  for (let j = 0; j < rows; j++) {
    const o = j * columns;
    for (let i = 0; i + 1 < columns; i++) {
      if ((a[o + i] && b[o + i + 1]) || (b[o + i] && a[o + i + 1])) {
        out.push([i + 0.5, j]);
        break;
      }
    }
  }
  return out;
}

/** Per level and side: split outlines (multifidus and erector spinae from a split, on one slice) and the cut between them. */
export function splitPairs(doc: AnnotationDocument, volume: HuVolume): SplitPair[] {
  const g = volume.geometry;
  const out: SplitPair[] = [];
  const levels = [...new Set(doc.rois.filter(fromSplit).map((r) => r.level))];
  for (const level of levels) {
    for (const side of ['left', 'right'] as const) {
      const mf = doc.rois.filter((r) => r.level === level && r.side === side && r.muscle === 'multifidus' && fromSplit(r));
      const es = doc.rois.filter((r) => r.level === level && r.side === side && r.muscle === 'erectorSpinae' && fromSplit(r));
      if (!mf.length || !es.length) continue;
      const k = roiSlice(volume, mf[0]!);
      if ([...mf, ...es].some((r) => roiSlice(volume, r) !== k)) continue;
      const cutIj = boundaryIj(union(volume, k, mf), union(volume, k, es), g.columns, g.rows);
      out.push({ level, side, sliceIndex: k, multifidus: mf, erectorSpinae: es, proposed: [...mf, ...es].some((r) => r.source === 'proposed'), cutIj });
    }
  }
  return out;
}

export type ResplitResult = { ok: true; doc: AnnotationDocument; multifidusPixels: number; erectorSpinaePixels: number } | { ok: false; reason: string };

/**
 * Re-split one side's autochthon (the union of its current multifidus and erector spinae outlines)
 * along a cut polyline (pixel indices on their slice; core/roi/cut.ts extends its ends). The part that
 * overlaps the current multifidus most stays multifidus. Both become proposals again (source
 * 'proposed'), one outline per connected part; the first keeps its outline's id and creation time.
 */
export function resplitAutochthon(
  doc: AnnotationDocument,
  volume: HuVolume,
  level: Level,
  side: Side,
  cutIj: readonly PointIj[],
  now: string,
  newId: () => string,
): ResplitResult {
  const pair = splitPairs(doc, volume).find((p) => p.level === level && p.side === side);
  if (!pair) return { ok: false, reason: `${level} ${side}: no multifidus and erector spinae outlines from a split on one slice` };
  const g = volume.geometry;
  const k = pair.sliceIndex;
  const oldMf = union(volume, k, pair.multifidus);
  const all = union(volume, k, [...pair.multifidus, ...pair.erectorSpinae]);
  let cut;
  try {
    cut = cutMask(all, g.columns, g.rows, cutIj);
  } catch (e) {
    return { ok: false, reason: e instanceof Error ? e.message : String(e) };
  }
  if (cut.leftPixels === 0 || cut.rightPixels === 0) return { ok: false, reason: 'the cut line does not cross the autochthon: nothing changed' };
  const overlap = (m: Uint8Array) => {
    let n = 0;
    for (let p = 0; p < m.length; p++) if (m[p] && oldMf[p]) n++;
    return n;
  };
  const leftIsMf = overlap(cut.left) >= overlap(cut.right);
  const mfMask = leftIsMf ? cut.left : cut.right;
  const esMask = leftIsMf ? cut.right : cut.left;
  const remade = (muscle: 'multifidus' | 'erectorSpinae', mask: Uint8Array, old: Roi[]): Roi[] =>
    outlinesLargestFirst(mask, g.columns, g.rows, 8).map((c, n) => ({
      id: n === 0 ? old[0]!.id : newId(),
      level,
      muscle,
      side,
      sliceIndex: k,
      z: sliceZ(g, k),
      pointsLps: sliceIjToLps(g, k, c.contour),
      source: 'proposed' as const,
      createdAt: old[0]!.createdAt,
      modifiedAt: now,
    }));
  const gone = new Set([...pair.multifidus, ...pair.erectorSpinae].map((r) => r.id));
  const rois = [...doc.rois.filter((r) => !gone.has(r.id)), ...remade('multifidus', mfMask, pair.multifidus), ...remade('erectorSpinae', esMask, pair.erectorSpinae)];
  return {
    ok: true,
    doc: { ...doc, modifiedAt: now, rois },
    multifidusPixels: leftIsMf ? cut.leftPixels : cut.rightPixels,
    erectorSpinaePixels: leftIsMf ? cut.rightPixels : cut.leftPixels,
  };
}

/** Douglas-Peucker: the indices of the vertices of a polyline that keep it within `tolerance` (the drag handles of a cut), first and last always. */
export function simplifyIndices(points: readonly PointIj[], tolerance: number): number[] {
  if (points.length <= 2) return points.map((_, n) => n);
  const keep = new Uint8Array(points.length);
  keep[0] = 1;
  keep[points.length - 1] = 1;
  const stack: [number, number][] = [[0, points.length - 1]];
  while (stack.length) {
    const [a, b] = stack.pop()!;
    const [ax, ay] = points[a]!;
    const [bx, by] = points[b]!;
    const dx = bx - ax;
    const dy = by - ay;
    const len = Math.hypot(dx, dy) || 1;
    let worst = -1;
    let at = -1;
    for (let n = a + 1; n < b; n++) {
      const [px, py] = points[n]!;
      const d = Math.abs(dx * (py - ay) - dy * (px - ax)) / len;
      if (d > worst) {
        worst = d;
        at = n;
      }
    }
    if (worst > tolerance && at > 0) {
      keep[at] = 1;
      stack.push([a, at], [at, b]);
    }
  }
  const out: number[] = [];
  keep.forEach((k, n) => k && out.push(n));
  return out;
}

export function simplifyPolyline(points: readonly PointIj[], tolerance: number): PointIj[] {
  return simplifyIndices(points, tolerance).map((n) => points[n]!);
}

/**
 * A cut with one handle moved: the handle's vertex moves by `delta`, the vertices between it and the
 * neighbouring handles follow with a weight falling linearly to 0 at those handles, the rest stay (so
 * rows away from the drag keep their split). `handles`: ascending vertex indices, `h` one of them.
 */
export function dragCut(points: readonly PointIj[], handles: readonly number[], h: number, delta: PointIj): PointIj[] {
  const at = handles.indexOf(h);
  if (at < 0) return [...points];
  const a = at > 0 ? handles[at - 1]! : null;
  const b = at < handles.length - 1 ? handles[at + 1]! : null;
  return points.map((p, n) => {
    let w = 0;
    if (n === h) w = 1;
    else if (n < h) w = a === null ? 1 : n > a ? (n - a) / (h - a) : 0;
    else w = b === null ? 1 : n < b ? (b - n) / (b - h) : 0;
    return w === 0 ? p : ([p[0] + w * delta[0], p[1] + w * delta[1]] as const);
  });
}
