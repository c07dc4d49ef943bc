/**
 * The trabecular bone ROIs of the document (bone density, core/bone): placed by hand with the oval tool
 * (src/renderer/viewer/tools/pixel/oval.ts), proposed by a mask import, moved, resized, confirmed,
 * deleted; and the height and sex typed for the muscle indices (the document's `patient`). Every change
 * goes through the annotation slice's `change`, so it is one undo step (a drag: one per gesture key) and
 * is refused while the slices load.
 */
import { removeBoneRoi, setBoneRoi, type AnnotationDocument, type BoneRoi } from '../../../core/annotations/document';
import { DEFAULT_BONE_VERTEBRA, ovalPoints, type BoneVertebra } from '../../../core/bone/trabecular';
import { sliceZ } from '../../../core/geometry/volumeGeometry';
import { heightProblem } from '../../../core/indices/anthropometry';
import { lpsToSliceIj, sliceIjToLps } from '../../../core/roi/contour';
import type { PointIj } from '../../../core/roi/rasterize';
import type { BoneSlice, Get, Set, StoreDeps } from '../types';

/** The bone ROI of a vertebra in a document, or undefined. */
export function boneRoiOf(doc: AnnotationDocument | null, vertebra: BoneVertebra): BoneRoi | undefined {
  return doc?.boneRois?.find((b) => b.vertebra === vertebra);
}

/** Smallest oval semi-axis placed by hand, mm (a click without a drag draws nothing). */
export const MIN_OVAL_SEMI_AXIS_MM = 1;
/** One resize step ('[' / ']', Ctrl+wheel): the oval's axes times 1 ± this. */
export const OVAL_RESIZE_STEP = 0.05;

export const createBoneSlice = (set: Set, get: Get, deps: StoreDeps): BoneSlice => {
  /** The volume and document when a bone ROI may change now (no question open); else null. */
  const ready = () => {
    const { volume, doc, question } = get();
    return volume && doc && !question ? { volume, doc } : null;
  };
  /** Put `pointsLps` as the bone ROI of `vertebra` on slice k (keeping the id and creation of the one it replaces). */
  const put = (vertebra: BoneVertebra, k: number, pointsLps: BoneRoi['pointsLps'], source: BoneRoi['source'], key: string | null) => {
    const r = ready();
    if (!r) return false;
    const before = get().doc;
    get().change((d, now) => {
      const old = boneRoiOf(d, vertebra);
      const roi: BoneRoi = { id: old?.id ?? deps.newId(), vertebra, sliceIndex: k, z: sliceZ(r.volume.geometry, k), pointsLps, source, createdAt: old?.createdAt ?? now, modifiedAt: now };
      return setBoneRoi(d, roi, now);
    }, key);
    return get().doc !== before;
  };
  return {
    boneVertebra: DEFAULT_BONE_VERTEBRA,
    setBoneVertebra(v) {
      set({ boneVertebra: v });
    },
    placeBoneOval(centre, semiAxesMm, opts = {}) {
      const r = ready();
      if (!r) return false;
      if (!(semiAxesMm[0] >= MIN_OVAL_SEMI_AXIS_MM && semiAxesMm[1] >= MIN_OVAL_SEMI_AXIS_MM)) {
        get().showToast(`Drag to size the oval (each semi-axis at least ${MIN_OVAL_SEMI_AXIS_MM} mm)`, 'error');
        return false;
      }
      const vertebra = opts.vertebra ?? get().boneVertebra;
      const k = get().sliceIndex;
      const g = r.volume.geometry;
      const pts = ovalPoints(centre, semiAxesMm, g);
      // A hand-drawn oval is 'drawn'; redrawing a proposal replaces it with the user's own.
      return put(vertebra, k, sliceIjToLps(g, k, pts), 'drawn', opts.key ?? null);
    },
    moveBoneRoi(vertebra, delta, key) {
      const r = ready();
      const roi = boneRoiOf(r?.doc ?? null, vertebra);
      if (!r || !roi) return false;
      const g = r.volume.geometry;
      const ij = lpsToSliceIj(g, roi.sliceIndex, roi.pointsLps).map(([i, j]) => [i + delta[0], j + delta[1]] as const);
      return put(vertebra, roi.sliceIndex, sliceIjToLps(g, roi.sliceIndex, ij), roi.source, key);
    },
    resizeBoneRoi(vertebra, factor, key = null) {
      const r = ready();
      const roi = boneRoiOf(r?.doc ?? null, vertebra);
      if (!r || !roi || !(factor > 0)) return false;
      const g = r.volume.geometry;
      const ij = lpsToSliceIj(g, roi.sliceIndex, roi.pointsLps);
      const c: PointIj = [ij.reduce((a, p) => a + p[0], 0) / ij.length, ij.reduce((a, p) => a + p[1], 0) / ij.length];
      const scaled = ij.map(([i, j]) => [c[0] + (i - c[0]) * factor, c[1] + (j - c[1]) * factor] as const);
      return put(vertebra, roi.sliceIndex, sliceIjToLps(g, roi.sliceIndex, scaled), roi.source, key);
    },
    confirmBoneRoi(vertebra) {
      const roi = boneRoiOf(get().doc, vertebra);
      if (!roi || roi.source !== 'proposed') return;
      get().change((d, now) => setBoneRoi(d, { ...roi, source: 'confirmed', modifiedAt: now }, now));
    },
    deleteBoneRoi(vertebra) {
      if (!ready()) return;
      get().change((d, now) => removeBoneRoi(d, vertebra, now));
    },
    setPatientInfo(p) {
      if (!ready()) return 'no series open';
      if (p.heightM != null) {
        const why = heightProblem(p.heightM);
        if (why) return why;
      }
      get().change((d, now) => {
        const cur = d.patient ?? {};
        const next: NonNullable<AnnotationDocument['patient']> = { ...cur };
        if (p.heightM !== undefined) {
          if (p.heightM === null) delete next.heightM;
          else next.heightM = p.heightM;
        }
        if (p.sex !== undefined) {
          if (p.sex === null) delete next.sex;
          else next.sex = p.sex;
        }
        if (next.heightM === cur.heightM && next.sex === cur.sex) return d;
        const { patient: _old, ...rest } = d;
        return { ...rest, ...(Object.keys(next).length ? { patient: next } : {}), modifiedAt: now };
      });
      return null;
    },
  };
};
