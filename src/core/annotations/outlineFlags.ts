/**
 * Flags that tell a reader whether an outline can be trusted, beyond the grid checks of checkRoi:
 * its origin (drawn, imported, edited), its shape (crossing itself, no pixel inside), whether it still
 * lies on its level's marked slice, the side check (sideCheck.ts), and overlap with another muscle's
 * outline (pixels counted twice), and plausibility for the muscle and level (plausibility.ts). Pure functions; measureAnnotationsChecked puts the flags on records.
 */
import { nearestSliceToZ, type VolumeGeometry } from '../geometry/volumeGeometry';
import { sliceLabel } from '../geometry/sliceNumber';
import { boxMask, type BoxMask } from '../roi/boxMask';
import { lpsToSliceIj } from '../roi/contour';
import { rasterizePolygon, type PointIj } from '../roi/rasterize';
import { findSelfCrossing } from '../roi/selfCrossing';
import type { HuVolume } from '../volume';
import { isProposal, type AnnotationDocument, type Roi } from './document';
import { plausibilityChecker } from './plausibility';
import { sideChecker } from './sideCheck';


/** Muscle names as a person writes them, for flag texts (not the keys of the exports). */
const MUSCLE_WORDS: Record<Roi['muscle'], string> = {
  psoas: 'psoas',
  erectorSpinae: 'erector spinae',
  multifidus: 'multifidus',
  quadratusLumborum: 'quadratus lumborum',
  autochthon: 'autochthon',
};
/**
 * Where an outline came from: while it is an unconfirmed proposal its source ('proposed', 'propagated',
 * 'mirrored'), even after it was edited or re-split; otherwise 'edited' once its points or label were
 * changed after it was made, else its source (drawn, imported, confirmed).
 */
export type RoiOrigin = Roi['source'] | 'edited';

/** An outline is edited when it was changed after it was created (modifiedAt later than createdAt; old documents need nothing new). */
export function isEdited(roi: Pick<Roi, 'createdAt' | 'modifiedAt'>): boolean {
  return roi.modifiedAt > roi.createdAt;
}

export function roiOrigin(roi: Pick<Roi, 'source' | 'createdAt' | 'modifiedAt'>): RoiOrigin {
  if (isProposal(roi.source)) return roi.source;
  return isEdited(roi) ? 'edited' : roi.source;
}

/** Whether an origin (roiOrigin, or a group's joined with '+') holds an unconfirmed proposal. */
export function originHasProposal(origin: string | null | undefined): boolean {
  return !!origin && origin.split('+').some((o) => o === 'proposed' || o === 'propagated' || o === 'mirrored');
}

/** The origin of a group of outlines measured together: their origins, distinct, joined with '+' (in first-seen order). */
export function groupOrigin(rois: readonly Pick<Roi, 'source' | 'createdAt' | 'modifiedAt'>[]): string {
  return [...new Set(rois.map(roiOrigin))].join('+');
}

/** The slice a level mark stands on in this volume (its slice index, or the slice nearest its z when the series changed). */
export function levelSlice(volume: HuVolume, mark: { sliceIndex: number; z: number }): number {
  const pos = volume.geometry.slicePositions[mark.sliceIndex];
  if (pos && Math.abs(pos[2] - mark.z) < 1e-3) return mark.sliceIndex;
  return nearestSliceToZ(volume.geometry, mark.z);
}

/**
 * A flag when the outline's level is marked on another slice than the one the outline lies on (slice k),
 * or, in a document that marks levels, is not marked at all (its mark was removed and the outlines
 * kept); else null. A document with no level marks at all (masks measured as they are) is not flagged.
 */
export function levelSliceFlag(volume: HuVolume, doc: Pick<AnnotationDocument, 'levels'>, roi: Pick<Roi, 'level'>, k: number): string | null {
  const mark = doc.levels.find((l) => l.level === roi.level);
  // Slices as people see them (sliceNumber.ts): position from the feet, with the InstanceNumber.
  const n = (s: number) => sliceLabel(volume.geometry, s);
  if (!mark) return doc.levels.length > 0 ? `${roi.level} is not marked (its mark was removed); this outline is on slice ${n(k)}` : null;
  const at = levelSlice(volume, mark);
  return at === k ? null : `${roi.level} is marked on slice ${n(at)}; this outline is on slice ${n(k)}`;
}

/**
 * The slice an ROI lies on: its stored sliceIndex when that slice's z matches the stored z
 * (within 1e-3 mm), otherwise the slice nearest its z (a series reloaded with other files).
 */
export function roiSlice(volume: HuVolume, roi: Pick<Roi, 'sliceIndex' | 'z'>): number {
  const g = volume.geometry;
  const pos = g.slicePositions[roi.sliceIndex];
  if (pos && Math.abs(pos[2] - roi.z) < 1e-3) return roi.sliceIndex;
  return nearestSliceToZ(g, roi.z);
}


/** What one outline looks like on its slice: how many pixels it holds and the shape flags (crossing itself, no pixel). */
interface OutlineShape {
  /** Pixels inside (in the image); -1 when the contour is unusable (checkRoi refuses it). */
  pixels: number;
  flags: string[];
}

const px = (x: number) => String(Math.round(x * 10) / 10);

/** The outline on slice k in continuous pixel indices, or null when it is unusable (checkRoi refuses it). */
function sliceIj(g: VolumeGeometry, k: number, roi: Roi): PointIj[] | null {
  try {
    return lpsToSliceIj(g, k, roi.pointsLps);
  } catch {
    return null;
  }
}

/**
 * Shape flags of an outline on slice k: it crosses or runs back over itself (findSelfCrossing; measured
 * anyway, by the even-odd rule of rasterizePolygon), or encloses no pixel centre (measured as 0 px).
 */
function shapeOf(g: VolumeGeometry, k: number, roi: Roi): OutlineShape {
  const ij = sliceIj(g, k, roi);
  const mask = ij && boxMask(g, ij);
  if (!ij || !mask) return { pixels: -1, flags: [] };
  const flags: string[] = [];
  const sc = findSelfCrossing(ij);
  if (sc?.kind === 'cross') {
    flags.push(`the outline crosses itself near column ${px(sc.at[0])}, row ${px(sc.at[1])}: measured by the even-odd rule (a pixel counts when the outline goes round it an odd number of times); redraw it`);
  } else if (sc?.kind === 'overlap') {
    flags.push(`the outline runs back over itself near column ${px(sc.at[0])}, row ${px(sc.at[1])} (an edge traced twice): measured by the even-odd rule (a pixel gone round twice does not count); redraw it`);
  } else if (sc?.kind === 'unchecked') {
    flags.push(`the outline (${roi.pointsLps.length} vertices) is too intricate to check for self-crossings: not checked`);
  }
  if (mask.pixels === 0) flags.push('the outline encloses no pixel centre: measured as 0 px');
  return { pixels: mask.pixels, flags };
}

const labelKey = (r: Pick<Roi, 'muscle' | 'side'>) => `${r.muscle}|${r.side}`;

/**
 * Overlap flags of the outlines of one level on one slice (`members`, plus `extra` when asked about an
 * outline that is not among them). Each label's pixels are one bit (a document has at most 10 labels,
 * 5 muscles x 2 sides) over the joint bounding box of the outlines; an outline is then compared only
 * inside the part of its own box that another label's box covers, pixel by pixel.
 */
function overlapFlags(g: VolumeGeometry, k: number, members: readonly Roi[]): Map<Roi, string[]> {
  const out = new Map<Roi, string[]>();
  const labels: { muscle: Roi['muscle']; side: Roi['side']; count: number; box: [number, number, number, number] }[] = [];
  const masks: { roi: Roi; bit: number; m: BoxMask }[] = [];
  for (const r of members) {
    const ij = sliceIj(g, k, r);
    const m = ij && boxMask(g, ij);
    if (!m || m.pixels === 0) continue;
    let n = labels.findIndex((l) => labelKey(l) === labelKey(r));
    if (n < 0) {
      n = labels.length;
      labels.push({ muscle: r.muscle, side: r.side, count: 0, box: [Infinity, Infinity, -Infinity, -Infinity] });
    }
    const l = labels[n]!;
    l.count++;
    l.box = [Math.min(l.box[0], m.i0), Math.min(l.box[1], m.j0), Math.max(l.box[2], m.i0 + m.w - 1), Math.max(l.box[3], m.j0 + m.h - 1)];
    masks.push({ roi: r, bit: n, m });
  }
  if (labels.length < 2) return out;
  const gi0 = Math.min(...labels.map((l) => l.box[0]));
  const gj0 = Math.min(...labels.map((l) => l.box[1]));
  const gw = Math.max(...labels.map((l) => l.box[2])) - gi0 + 1;
  const gh = Math.max(...labels.map((l) => l.box[3])) - gj0 + 1;
  const bits = new Uint32Array(gw * gh);
  for (const { bit, m } of masks) {
    const b = 1 << bit;
    for (let j = 0; j < m.h; j++) {
      const row = (m.j0 + j - gj0) * gw + (m.i0 - gi0);
      for (let i = 0; i < m.w; i++) if (m.bits[j * m.w + i]) bits[row + i]! |= b;
    }
  }
  for (const { roi, bit: own, m: a } of masks) {
    // Bounding boxes first: the part of this outline's box that another label's box covers.
    let ci0 = Infinity;
    let cj0 = Infinity;
    let ci1 = -Infinity;
    let cj1 = -Infinity;
    labels.forEach((l, n) => {
      if (n === own) return;
      const x0 = Math.max(a.i0, l.box[0]);
      const y0 = Math.max(a.j0, l.box[1]);
      const x1 = Math.min(a.i0 + a.w - 1, l.box[2]);
      const y1 = Math.min(a.j0 + a.h - 1, l.box[3]);
      if (x1 < x0 || y1 < y0) return;
      ci0 = Math.min(ci0, x0);
      cj0 = Math.min(cj0, y0);
      ci1 = Math.max(ci1, x1);
      cj1 = Math.max(cj1, y1);
    });
    if (ci1 < ci0) continue;
    // Then pixels: count, per other label, this outline's pixels that the label also has.
    const shared = new Array<number>(labels.length).fill(0);
    const others = ~(1 << own);
    for (let j = cj0; j <= cj1; j++) {
      for (let i = ci0; i <= ci1; i++) {
        if (!a.bits[(j - a.j0) * a.w + (i - a.i0)]) continue;
        let b = bits[(j - gj0) * gw + (i - gi0)]! & others;
        while (b) {
          const n = 31 - Math.clz32(b);
          shared[n]!++;
          b &= ~(1 << n);
        }
      }
    }
    const flags: string[] = [];
    labels.forEach((l, n) => {
      if (shared[n]! > 0) flags.push(`overlaps the ${MUSCLE_WORDS[l.muscle]} ${l.side} outline${l.count > 1 ? 's' : ''} by ${shared[n]} px (those pixels count in both)`);
    });
    if (flags.length) out.set(roi, flags);
  }
  return out;
}

/**
 * Trust checks of a document's outlines. Shape: once per outline and slice. OVERLAP RULE: an outline
 * that shares pixels with the outlines of another muscle or side at the same level on the same slice
 * has those pixels counted in both rows; the flag names the other label and the number of shared pixels
 * (against the union of that label's outlines, which is what its row measures). Outlines of the same
 * label (kept both: measured as their union) are not compared. WORK: outlines are indexed by level and
 * slice (only those can overlap), and each level and slice is checked once, when one of its outlines is
 * first asked about (overlapFlags: each outline rasterised inside its bounding box, one bit per label),
 * keeping only the flags. So time and memory are bounded by the pixels of the outlines' boxes (what
 * measuring them costs), never by the number of pairs; nothing goes by id.
 */
class OutlineChecks {
  private readonly shapes = new Map<Roi, Map<number, OutlineShape>>();
  private readonly overlapsOf = new Map<Roi, string[]>();
  private readonly done = new Set<string>();
  private index: Map<string, Roi[]> | null = null;
  private readonly keyOf = new Map<Roi, string>();

  constructor(
    private readonly volume: HuVolume,
    private readonly rois: readonly Roi[] | null,
  ) {}

  shape(roi: Roi, k: number): OutlineShape {
    let byK = this.shapes.get(roi);
    if (!byK) this.shapes.set(roi, (byK = new Map()));
    let s = byK.get(k);
    if (!s) byK.set(k, (s = shapeOf(this.volume.geometry, k, roi)));
    return s;
  }

  /** The document's outlines of the roi's level on slice k (empty without the document's outlines). */
  members(roi: Roi, k: number): readonly Roi[] {
    if (!this.rois) return [];
    this.indexed();
    return this.index!.get(`${roi.level}@${k}`) ?? [];
  }

  private indexed(): void {
    if (!this.index && this.rois) {
      this.index = new Map();
      for (const r of this.rois) {
        const key = `${r.level}@${roiSlice(this.volume, r)}`;
        this.keyOf.set(r, key);
        const list = this.index.get(key);
        if (list) list.push(r);
        else this.index.set(key, [r]);
      }
    }
  }

  overlaps(roi: Roi, k: number): string[] {
    if (!this.rois) return [];
    this.indexed();
    const key = `${roi.level}@${k}`;
    const members = this.index!.get(key) ?? [];
    if (this.keyOf.get(roi) !== key) {
      // Asked about an outline that is not the document's on this slice (a copy, another slice): checked on its own against them.
      return overlapFlags(this.volume.geometry, k, [...members, roi]).get(roi) ?? [];
    }
    if (!this.done.has(key)) {
      this.done.add(key);
      for (const [r, f] of overlapFlags(this.volume.geometry, k, members)) this.overlapsOf.set(r, f);
    }
    return this.overlapsOf.get(roi) ?? [];
  }
}

/**
 * The trust flags of each outline of a document (one side-check midline per slice; overlaps when the
 * document's outlines are given), then its plausibility for its muscle and level (plausibility.ts:
 * bone, mean HU, area of the label, position; against the document's other outlines of the level on
 * the slice when given).
 */
export function outlineFlagger(volume: HuVolume, doc: Pick<AnnotationDocument, 'levels'> & { rois?: readonly Roi[] }): (roi: Roi, k: number) => string[] {
  const side = sideChecker(volume);
  const checks = new OutlineChecks(volume, doc.rois ?? null);
  const plausible = plausibilityChecker(volume, (roi, k) => {
    const m = checks.members(roi, k);
    return m.includes(roi) ? m : [...m, roi];
  });
  return (roi, k) => {
    const out: string[] = [...checks.shape(roi, k).flags];
    const lv = levelSliceFlag(volume, doc, roi, k);
    if (lv) out.push(lv);
    const sd = side(k, roi);
    if (sd) out.push(sd);
    out.push(...checks.overlaps(roi, k));
    out.push(...plausible(roi, k));
    return out;
  };
}
