/**
 * The semi-automatic outline tools in the app: the pixel tools' state and context, and the outline
 * commands smooth, simplify, snap to edges, mirror and propagate. Each pixel tool (region grow, brush,
 * eraser, scissors) is a module in src/renderer/viewer/tools/pixel/ with its options, size step, pointer
 * actions and commit step; this slice gives them the context they work with (pixelContext: the outline
 * picked, LPS <-> slice pixels, the document changes through the annotation slice: addOutline's guard
 * rails for new outlines, change/editOutline with one history key per gesture, so each stroke, cut or
 * command is one undo step) and keeps their named actions (growAt, paintStroke, ...) as delegates. The
 * computations are core's (src/core/roi).
 */
import type { Roi } from '../../../core/annotations/document';
import { roiSlice } from '../../../core/annotations/measureAnnotations';
import { levelSlice, outlineFlagger } from '../../../core/annotations/outlineFlags';
import { absentRecord } from '../../../core/annotations/recordedStates';
import { DEFAULT_LEVELS, type Level } from '../../../core/anatomy/anatomy';
import { sliceShort } from '../../../core/geometry/sliceNumber';
import { sliceZ } from '../../../core/geometry/volumeGeometry';
import { DEFAULT_RANGES } from '../../../core/metrics/ranges';
import { lpsToSliceIj, sliceIjToLps } from '../../../core/roi/contour';
import { gradientMagnitude, SNAP_CLAMP_HU, SNAP_MAX_TURN_DEG, snapContourSafe } from '../../../core/roi/edges';
import { mirrorContour, midlineColumn, propagateContour } from '../../../core/roi/propagate';
import { rasterizePolygon, type PointIj } from '../../../core/roi/rasterize';
import { SOFT_TISSUE_HU } from '../../../core/roi/regionGrow';
import { simplifyContour, smoothContour } from '../../../core/roi/smooth';
import { sliceView, type HuVolume } from '../../../core/volume';
import { keyHint } from '../../../shared/shortcuts';
import { roiLabel } from '../checklist';
import { pixelTool } from '../../viewer/tools/pixelTools';
import { addGrowBarrier, growAt } from '../../viewer/tools/pixel/grow';
import { paintStroke } from '../../viewer/tools/pixel/paint';
import { cutOutlineAlong } from '../../viewer/tools/pixel/scissors';
import { BRUSH_RADIUS_LIMITS } from '../../viewer/tools/pixel/shared';
import type { PixelToolContext } from '../../viewer/tools/pixel/types';
import * as ops from '../documentOps';
import type { AppState, Get, OutlineToolsSlice, Set, StoreDeps } from '../types';

/** Area tolerance of smooth and simplify (fraction of the outline's area). */
export const SMOOTH_AREA_TOLERANCE = 0.02;
/** Snap radius (pixels) of "snap vertices to edges" and of propagate. */
export const SNAP_RADIUS_PX = 2;
export { BRUSH_RADIUS_LIMITS };
export { envelopeRadiusPx, GROW_MAX_AREA_MM2 } from '../../viewer/tools/pixel/grow';
/** localStorage keys of the remembered tool settings (the grow's envelope, the brush's soft-tissue mode). */
const ENVELOPE_KEY = 'paraspine-grow-envelope';
const SOFT_BRUSH_KEY = 'paraspine-brush-soft-tissue';

/** A remembered on/off setting (on unless turned off; no storage: on). */
function remembered(key: string): boolean {
  try {
    return typeof localStorage === 'undefined' || localStorage.getItem(key) !== 'off';
  } catch {
    return true;
  }
}
function remember(key: string, on: boolean): void {
  try {
    if (typeof localStorage !== 'undefined') localStorage.setItem(key, on ? 'on' : 'off');
  } catch {
    /* storage unavailable: the setting lasts this session */
  }
}

export const createOutlineToolsSlice = (set: Set, get: Get, deps: StoreDeps): OutlineToolsSlice => {
  let gesture = 0;
  /** The state before the current brush / eraser stroke (its first paintStroke), for cancelStroke. */
  let strokeStart: { key: string; doc: AppState['doc']; history: AppState['history']; selectedRoiId: string | null } | null = null;
  const hint = (text: string | null, kind: 'info' | 'error' = 'info') => {
    set({ toolHint: text });
    if (text) get().showToast(text, kind);
  };
  /** The slice shown: its HU pixels and grid. */
  const here = (): { volume: HuVolume; k: number; hu: Int16Array | Float32Array; columns: number; rows: number } | null => {
    const { volume, sliceIndex } = get();
    if (!volume || !get().doc || get().question) return null;
    return { volume, k: sliceIndex, hu: sliceView(volume, sliceIndex), columns: volume.geometry.columns, rows: volume.geometry.rows };
  };
  /** The outline the tools act on: the selected one on this slice, else the active level/muscle/side's on this slice. */
  const target = (): Roi | null => {
    const { doc, volume, sliceIndex, selectedRoiId, activeLevel, activeMuscle, activeSide } = get();
    if (!doc || !volume) return null;
    const onSlice = (r: Roi) => roiSlice(volume, r) === sliceIndex;
    const sel = doc.rois.find((r) => r.id === selectedRoiId && onSlice(r));
    return sel ?? doc.rois.find((r) => r.level === activeLevel && r.muscle === activeMuscle && r.side === activeSide && onSlice(r)) ?? null;
  };
  const toIj = (volume: HuVolume, roi: Roi) => lpsToSliceIj(volume.geometry, roiSlice(volume, roi), roi.pointsLps);
  const toLps = (volume: HuVolume, k: number, ij: readonly PointIj[]) => sliceIjToLps(volume.geometry, k, ij);
  const noTarget = (what: string) => hint(`Select an outline on this slice (or pick the level, muscle and side of one here) to ${what}`, 'error');

  const confirmKey = () => keyHint({ type: 'confirmLevel' }) ?? 'Confirm';
  /**
   * What core's checks say of outlines just made (shape, level slice, side, overlap, and whatever else
   * outlineFlagger checks), for the message line: '' when nothing, else '. Check: PS L: …; QL R: …'.
   */
  const flagsOf = (made: readonly Roi[]): string => {
    const { volume, doc } = get();
    if (!volume || !doc) return '';
    const flag = outlineFlagger(volume, doc);
    const said = made.map((r) => ({ r, f: flag(r, roiSlice(volume, r)) })).filter((x) => x.f.length > 0);
    return said.length ? `. Check: ${said.map(({ r, f }) => `${roiLabel(r.muscle, r.side)}: ${f.join('; ')}`).join(' · ')}` : '';
  };

  /** Replace a target's points (one undo step per key). */
  const edit = (roi: Roi, ij: readonly PointIj[], key: string) => {
    const { volume } = get();
    if (!volume) return;
    get().editOutline(roi.id, toLps(volume, roiSlice(volume, roi), ij), key);
  };

  /** What the pixel tools' commit steps work with (src/renderer/viewer/tools/pixel/). */
  const ctx: PixelToolContext = {
    state: get,
    set: (partial) => set(partial),
    newId: deps.newId,
    here,
    target,
    toIj,
    toLps,
    addOutline: (ij, to) => {
      const h = here();
      return h ? get().addOutline(deps.newId(), toLps(h.volume, h.k, ij), to) : 'refused';
    },
    edit,
    nextKey: (prefix) => `${prefix}-${++gesture}`,
    beginGesture(key) {
      if (strokeStart?.key === key) return;
      const { doc, history, selectedRoiId } = get();
      strokeStart = { key, doc, history, selectedRoiId };
    },
    hint,
    noTarget,
  };

  const command = {
    smooth(roi: Roi, volume: HuVolume) {
      const r = smoothContour(toIj(volume, roi), 1, { maxAreaChangeFraction: SMOOTH_AREA_TOLERANCE, restoreArea: true });
      if (r.iterations === 0) return hint(`Smoothing would change the area by more than ${SMOOTH_AREA_TOLERANCE * 100}% (its corners are sharp for its size): nothing changed`, 'error'), false;
      const before = pixelsIn(volume, toIj(volume, roi));
      edit(roi, r.contour, `smooth-${++gesture}`);
      return hint(`Smoothed: ${r.contour.length} vertices, area kept; ${before} → ${pixelsIn(volume, r.contour)} pixels (centres on the edge change sides)`), true;
    },
    simplify(roi: Roi, volume: HuVolume) {
      const r = simplifyContour(toIj(volume, roi), SMOOTH_AREA_TOLERANCE);
      if (r.removed === 0) return hint('Nothing to simplify within the area tolerance'), false;
      const before = pixelsIn(volume, toIj(volume, roi));
      edit(roi, r.contour, `simplify-${++gesture}`);
      return hint(`Simplified: ${r.removed} vertices removed, ${r.contour.length} left; ${before} → ${pixelsIn(volume, r.contour)} pixels`), true;
    },
    snap(roi: Roi, volume: HuVolume) {
      const k = roiSlice(volume, roi);
      const g = volume.geometry;
      const grad = gradientMagnitude(sliceView(volume, k), g.columns, g.rows, { clampHu: SNAP_CLAMP_HU });
      // The other outlines on this slice: a snapped vertex never moves one of their pixels in or out.
      const forbidden = new Uint8Array(g.columns * g.rows);
      for (const o of get().doc?.rois ?? []) {
        if (o.id === roi.id || roiSlice(volume, o) !== k) continue;
        const m = rasterizePolygon(toIj(volume, o), g.columns, g.rows);
        for (let p = 0; p < m.length; p++) if (m[p]) forbidden[p] = 1;
      }
      const r = snapContourSafe(toIj(volume, roi), grad, g.columns, g.rows, { radiusPx: SNAP_RADIUS_PX, forbidden });
      const kept = [
        r.keptTurn ? `${r.keptTurn} would turn sharper than ${SNAP_MAX_TURN_DEG}°` : '',
        r.keptFold ? `${r.keptFold} would fold the outline` : '',
        r.keptNeighbour ? `${r.keptNeighbour} would move a neighbouring outline's pixel` : '',
      ].filter(Boolean);
      const why = kept.length ? `; stopped short: ${kept.join(', ')}` : '';
      const smoothed = r.smoothing === 'none' ? '' : ` (pixel steps ${r.smoothing} first)`;
      if (r.moved === 0 && r.smoothing === 'none') return hint(`No vertex has a stronger edge within ${SNAP_RADIUS_PX} px${why}`), false;
      edit(roi, r.contour, `snap-${++gesture}`);
      return hint(`${r.moved} of ${r.contour.length} vertices moved toward the strongest edge within ${SNAP_RADIUS_PX} px${smoothed}${why}`), true;
    },
    mirror(roi: Roi, volume: HuVolume) {
      if (roi.muscle === 'autochthon') return hint('Assign the autochthon outline to a muscle before mirroring it', 'error'), false;
      const k = roiSlice(volume, roi);
      const g = volume.geometry;
      const mid = midlineColumn(sliceView(volume, k), g.columns, g.rows);
      if (!mid) return hint('No midline found on this slice (no bone in its central third): nothing mirrored', 'error'), false;
      const side = roi.side === 'left' ? 'right' : 'left';
      const ij = mirrorContour(toIj(volume, roi), mid.column);
      const id = deps.newId();
      const res = get().addOutline(id, toLps(volume, k, ij), { level: roi.level, muscle: roi.muscle, side, sliceIndex: k, key: `mirror-${++gesture}`, source: 'mirrored' });
      if (res === 'refused') return false;
      const made = get().doc?.rois.find((r) => r.id === id);
      const checks = made ? flagsOf([made]) : '';
      if (res === 'added') hint(`Mirrored to the ${side} across column ${mid.column.toFixed(1)} (${mid.source} midline) as a proposal (dashed): check it and confirm (${confirmKey()})${checks}`, checks ? 'error' : 'info');
      return true;
    },
  };

  return {
    toolRange: null,
    brushRadiusPx: 4,
    growConnectivity: 8,
    setGrowConnectivity(c) {
      set({ growConnectivity: c });
    },
    growBridgeCutPx: 0,
    setGrowBridgeCut(px) {
      set({ growBridgeCutPx: px });
    },
    growBarrier: null,
    growKeepEnclosed: remembered(ENVELOPE_KEY),
    setGrowKeepEnclosed(on) {
      set({ growKeepEnclosed: on });
      remember(ENVELOPE_KEY, on);
    },
    brushSoftTissue: remembered(SOFT_BRUSH_KEY),
    setBrushSoftTissue(on) {
      set({ brushSoftTissue: on });
      remember(SOFT_BRUSH_KEY, on);
    },
    softTissueRange() {
      const r = get().doc?.ranges;
      return r ? [r.fatHu[0], r.muscleHu[1]] : [SOFT_TISSUE_HU[0], SOFT_TISSUE_HU[1]];
    },
    toolHint: null,
    propagateTarget: null,
    effectiveToolRange() {
      const r = get().toolRange ?? get().doc?.ranges.muscleHu;
      return r ? [r[0], r[1]] : [DEFAULT_RANGES.muscleHu[0], DEFAULT_RANGES.muscleHu[1]];
    },
    setToolRange(r) {
      if (r && !(r[0] <= r[1])) return;
      set({ toolRange: r ? [Math.round(r[0]), Math.round(r[1])] : null });
    },
    setBrushRadius(px) {
      const [lo, hi] = BRUSH_RADIUS_LIMITS;
      set({ brushRadiusPx: Math.max(lo, Math.min(hi, Math.round(px))) });
    },
    adjustToolSize(delta) {
      // The active pixel tool's own size step (grow: the HU range; brush, eraser: the radius); none: nothing.
      pixelTool(get().tool)?.adjustSize?.(get(), delta);
    },
    pixelContext: ctx,
    toolOptions: {},
    setToolOption(key, value) {
      set({ toolOptions: { ...get().toolOptions, [key]: value } });
    },
    setToolHint(text) {
      set({ toolHint: text });
    },
    setPropagateTarget(level) {
      set({ propagateTarget: level });
    },
    growAt: (seed) => growAt(ctx, seed),
    addGrowBarrier: (path) => addGrowBarrier(ctx, path),
    clearGrowBarrier() {
      set({ growBarrier: null });
    },
    paintStroke: (path, mode, gestureKey) => paintStroke(ctx, path, mode, gestureKey),
    cancelStroke(gestureKey, message = 'Stroke cancelled') {
      const start = strokeStart?.key === gestureKey ? strokeStart : null;
      if (gestureKey !== null) strokeStart = null;
      const q = get().question;
      // A brush stroke that started an outline where one of its label exists asked; the question goes with the stroke.
      if (gestureKey !== null && q?.kind === 'duplicate' && q.key === gestureKey) set({ question: null });
      const { doc, history } = get();
      if (!start || !doc || !start.doc || doc === start.doc) return hint(message), false;
      if (history.lastKey !== gestureKey) return hint(`${message}; the document changed after the stroke: undo it with ${keyHint({ type: 'undo' }) ?? 'undo'}`, 'error'), false;
      // The rater is not part of the undo history (as in undo): the restored document keeps the current name.
      const back = start.doc.rater === doc.rater ? start.doc : { ...start.doc, rater: doc.rater };
      set({ doc: back, history: start.history, selectedRoiId: start.selectedRoiId, changeCounter: get().changeCounter + 1 });
      hint(message);
      return true;
    },
    cutOutlineAlong: (polyline) => cutOutlineAlong(ctx, polyline),
    runOutlineCommand(name) {
      const { volume, doc } = get();
      if (!volume || !doc || get().question) return false;
      if (name === 'propagate') return propagate();
      const roi = target();
      if (!roi) return noTarget(name), false;
      return command[name](roi, volume);
    },
  };

  /** Copy the active level's outlines to the target level's slice (snap + smooth), one undo step; labels there already outlined are skipped. */
  function propagate(): boolean {
    const { volume, doc, activeLevel } = get();
    if (!volume || !doc) return false;
    const from = doc.levels.find((l) => l.level === activeLevel);
    if (!from) return hint(`${activeLevel} is not marked`, 'error'), false;
    const marked = doc.levels.map((l) => l.level);
    const picked = get().propagateTarget;
    const to = picked && picked !== activeLevel && marked.includes(picked) ? picked : nextMarked(marked, activeLevel);
    const mark = to ? doc.levels.find((l) => l.level === to) : undefined;
    if (!to || !mark || to === activeLevel) return hint('Mark the level to propagate to first (and pick it in the tool options)', 'error'), false;
    const kFrom = levelSlice(volume, from);
    const kTo = levelSlice(volume, mark);
    const g = volume.geometry;
    const hu = sliceView(volume, kTo);
    const grad = gradientMagnitude(hu, g.columns, g.rows, { clampHu: SNAP_CLAMP_HU });
    const now = deps.now();
    const sources = doc.rois.filter((r) => r.level === activeLevel && roiSlice(volume, r) === kFrom);
    const made: Roi[] = [];
    let skipped = 0;
    let absent = 0;
    for (const r of sources) {
      if (r.muscle !== 'autochthon' && doc.rois.some((x) => x.level === to && x.muscle === r.muscle && x.side === r.side)) {
        skipped++;
        continue;
      }
      // A muscle the rater recorded absent at the target level stays absent (a copy would replace that record).
      if (r.muscle !== 'autochthon' && absentRecord(doc, to, r.muscle, r.side)) {
        absent++;
        continue;
      }
      // Pixel-edge outlines (grown, imported) have vertices only at corners: simplify before snapping.
      const ij = simplifyContour(toIj(volume, r), 0.005).contour;
      const p = propagateContour(ij, hu, g.columns, g.rows, { grad, snapRadiusPx: SNAP_RADIUS_PX });
      // A proposal (dashed, not done in the checklist) until the user confirms it; none of the source's own
      // fields come along (proposedBy; accepted: an acceptance covers the source's flags, not the copy's).
      const { proposedBy: _from, accepted: _accepted, ...copy } = r;
      made.push({ ...copy, id: deps.newId(), level: to, sliceIndex: kTo, z: sliceZ(g, kTo), pointsLps: toLps(volume, kTo, p.contour), source: 'propagated', createdAt: now, modifiedAt: now });
    }
    const absentNote = absent ? `; ${absent} skipped (recorded absent at ${to})` : '';
    if (made.length === 0) return hint(sources.length ? `Every outline of ${activeLevel} already has one at ${to}, or is recorded absent there: nothing propagated${absentNote}` : `${activeLevel} has no outlines on its slice`, 'error'), false;
    get().change((d, t) => made.reduce((acc, roi) => ops.addRoi(acc, roi, t), d), `propagate-${++gesture}`);
    // Never to a level where the checks fail without saying so: the outlines are made (flagged proposals) and the flags said here.
    const checks = flagsOf(get().doc?.rois.filter((r) => made.some((m) => m.id === r.id)) ?? []);
    hint(
      `Propagated ${made.length} outline(s) from ${activeLevel} to ${to} (slice ${sliceShort(g, kTo)}) as proposals (dashed, not done until confirmed: ${confirmKey()} at ${to})${skipped ? `; ${skipped} skipped (already outlined there)` : ''}${absentNote}${checks}`,
      checks ? 'error' : 'info',
    );
    return true;
  }
};

/** Pixels an outline (slice pixel coordinates) covers by the pixel-centre rule: what the table will count. */
function pixelsIn(volume: HuVolume, ij: readonly PointIj[]): number {
  return rasterizePolygon(ij, volume.geometry.columns, volume.geometry.rows).reduce((a, b) => a + b, 0);
}

/** The next marked level after `level` in the default order (else the one before). */
export function nextMarked(marked: readonly Level[], level: Level): Level | null {
  const order = DEFAULT_LEVELS.filter((l) => marked.includes(l));
  const n = order.indexOf(level);
  return order[n + 1] ?? (n > 0 ? order[n - 1]! : null) ?? null;
}
