/**
 * The semi-automatic outline tools in the app: region grow, brush, eraser, scissors (pointer tools,
 * src/renderer/viewer/PixelToolOverlay.tsx hands them slice pixels) and the outline commands smooth,
 * simplify, snap to edges, mirror and propagate. The computations are core's (src/core/roi); this
 * slice picks the outline, converts LPS <-> slice pixels and puts the result into the document through
 * the annotation slice (addOutline's guard rails for new outlines; change/editOutline with one history
 * key per gesture, so each stroke, cut or command is one undo step).
 */
import type { Roi } from '../../../core/annotations/document';
import { roiSlice } from '../../../core/annotations/measureAnnotations';
import { levelSlice, outlineFlagger } from '../../../core/annotations/outlineFlags';
import { absentRecord } from '../../../core/annotations/recordedStates';
import { DEFAULT_LEVELS, type Level, type Muscle } from '../../../core/anatomy/anatomy';
import { sliceShort } from '../../../core/geometry/sliceNumber';
import { sliceZ } from '../../../core/geometry/volumeGeometry';
import { DEFAULT_RANGES } from '../../../core/metrics/ranges';
import { paintOutline, paintStroke as paintMaskStroke } from '../../../core/roi/brush';
import { lpsToSliceIj, sliceIjToLps } from '../../../core/roi/contour';
import { cutOutline } from '../../../core/roi/cut';
import { gradientMagnitude, SNAP_CLAMP_HU, SNAP_MAX_TURN_DEG, snapContourSafe } from '../../../core/roi/edges';
import { mirrorContour, midlineColumn, propagateContour } from '../../../core/roi/propagate';
import { rasterizePolygon, type PointIj } from '../../../core/roi/rasterize';
import { closeEnvelope, cutBridges, ENVELOPE_CLOSE_MM, regionGrow, regionToContour, SOFT_TISSUE_HU } from '../../../core/roi/regionGrow';
import { simplifyContour, smoothContour } from '../../../core/roi/smooth';
import { sliceView, type HuVolume } from '../../../core/volume';
import { keyHint } from '../../../shared/shortcuts';
import { MUSCLE_NAMES, roiLabel } from '../checklist';
import * as ops from '../documentOps';
import type { AppState, Get, OutlineToolsSlice, Set, StoreDeps } from '../types';

/** The largest region a grow may make (about 60 cm², twice a large psoas): beyond it the grow has leaked. */
export const GROW_MAX_AREA_MM2 = 6000;
/** Area tolerance of smooth and simplify (fraction of the outline's area). */
export const SMOOTH_AREA_TOLERANCE = 0.02;
/** Snap radius (pixels) of "snap vertices to edges" and of propagate. */
export const SNAP_RADIUS_PX = 2;
export const BRUSH_RADIUS_LIMITS: readonly [number, number] = [1, 30];
const RANGE_STEP_HU = 10;
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

/** The envelope closing radius in pixels for a grid: ENVELOPE_CLOSE_MM over the mean pixel spacing, at least 1. */
export function envelopeRadiusPx(columnSpacingMm: number, rowSpacingMm: number): number {
  return Math.max(1, Math.round(ENVELOPE_CLOSE_MM / ((columnSpacingMm + rowSpacingMm) / 2)));
}

const label = (r: Pick<Roi, 'muscle' | 'side' | 'level'>) => `${MUSCLE_NAMES[r.muscle]} ${r.side}, ${r.level}`;

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
      const tool = get().tool;
      if (tool === 'brush' || tool === 'eraser') return get().setBrushRadius(get().brushRadiusPx + delta);
      const [lo, hi] = get().effectiveToolRange();
      const step = RANGE_STEP_HU * delta;
      if (lo - step > hi + step) return;
      get().setToolRange([lo - step, hi + step]);
    },
    setToolHint(text) {
      set({ toolHint: text });
    },
    setPropagateTarget(level) {
      set({ propagateTarget: level });
    },
    growAt(seed) {
      const h = here();
      if (!h) return 'refused';
      const [loHu, hiHu] = get().effectiveToolRange();
      const g = h.volume.geometry;
      const b = get().growBarrier;
      const maxPixels = Math.ceil(GROW_MAX_AREA_MM2 / (g.columnSpacingMm * g.rowSpacingMm));
      const conn = get().growConnectivity;
      const cut = get().growBridgeCutPx;
      // With a bridge cut the grow may run far beyond the muscle (that is what the cut takes off): the
      // leak guard applies to what is left; the grow itself stops at a quarter of the slice.
      const growCap = cut > 0 ? Math.max(maxPixels, Math.ceil((h.columns * h.rows) / 4)) : maxPixels;
      const r = regionGrow(h.hu, h.columns, h.rows, seed, { loHu, hiHu, connectivity: conn, fillHoles: true, maxPixels: growCap, ...(b && b.sliceIndex === h.k ? { barrier: b.mask } : {}) });
      if (!r.seedAccepted) {
        const [i, j] = [Math.round(seed[0]), Math.round(seed[1])];
        const inside = i >= 0 && j >= 0 && i < h.columns && j < h.rows;
        hint(inside ? `The clicked pixel (${h.hu[j * h.columns + i]} HU) is outside the range ${loHu}..${hiHu} HU or on the limit: nothing grown` : 'Click inside the image', 'error');
        return 'refused';
      }
      const leaked = () => (hint(`Leaked: the region reached ${maxPixels} px (${GROW_MAX_AREA_MM2 / 100} cm²): narrow the range ([), ${cut === 0 ? 'cut bridges, ' : cut === 1 ? 'cut wider bridges, ' : ''}or draw a limit (Shift+drag)`, 'error'), 'refused' as const);
      if (r.hitMaxPixels) return leaked();
      let region = r.mask;
      if (cut > 0) {
        const c = cutBridges(r.mask, h.columns, h.rows, seed, cut);
        if (c.pixels === 0) return hint(`Nothing left after cutting bridges up to ${2 * cut} px wide: the clicked pixel lies in a thinner part (cut less)`, 'error'), 'refused';
        region = c.mask;
      }
      // The muscle's envelope: fat streaks and marbling it encloses are inside (the fascia bounds it, not the range).
      const grownPixels = regionToContour(region, h.columns, h.rows, conn)?.filledPixels ?? 0;
      if (get().growKeepEnclosed) {
        const [sLo, sHi] = get().softTissueRange();
        region = closeEnvelope(region, h.columns, h.rows, envelopeRadiusPx(g.columnSpacingMm, g.rowSpacingMm), { hu: h.hu, loHu: sLo, hiHu: sHi, connectivity: conn, ...(b && b.sliceIndex === h.k ? { barrier: b.mask } : {}) }).mask;
      }
      const traced = regionToContour(region, h.columns, h.rows, conn);
      if (!traced) return 'refused';
      // The outline's own pixels (what the table will measure), whichever way the region was made.
      const pixels = traced.filledPixels;
      const enclosed = pixels - grownPixels;
      if (pixels >= maxPixels) return leaked();
      const res = get().addOutline(deps.newId(), toLps(h.volume, h.k, traced.contour));
      if (res !== 'refused') hint(`Grown: ${pixels} px in ${loHu}..${hiHu} HU (${conn}-connected${cut > 0 ? `; bridges up to ${2 * cut} px cut: ${r.pixels - grownPixels} px off` : ''})${enclosed > 0 ? `; ${enclosed} px the muscle encloses (fat, streaks) taken in` : ''}`);
      return res;
    },
    addGrowBarrier(path) {
      const h = here();
      if (!h || path.length === 0) return;
      const prev = get().growBarrier;
      const mask = prev && prev.sliceIndex === h.k ? prev.mask.slice() : new Uint8Array(h.columns * h.rows);
      paintMaskStroke(mask, h.columns, h.rows, path, 0.75);
      let pixels = 0;
      for (let p = 0; p < mask.length; p++) pixels += mask[p]!;
      set({ growBarrier: { sliceIndex: h.k, mask, pixels } });
    },
    clearGrowBarrier() {
      set({ growBarrier: null });
    },
    paintStroke(path, mode, gestureKey) {
      if (strokeStart?.key !== gestureKey) {
        const { doc, history, selectedRoiId } = get();
        strokeStart = { key: gestureKey, doc, history, selectedRoiId };
      }
      const h = here();
      if (!h || path.length === 0) return false;
      // The brush paints soft tissue (fat and muscle: intramuscular fat can be added) unless set to the muscle range.
      const [loHu, hiHu] = get().brushSoftTissue ? get().softTissueRange() : get().effectiveToolRange();
      const brush = mode === 'add' ? { mode, hu: h.hu, loHu, hiHu } : { mode };
      const roi = target();
      const radius = get().brushRadiusPx;
      if (!roi) {
        if (mode === 'erase') return noTarget('erase'), false;
        // A brush stroke with nothing to add to starts a new outline (through the guard rails).
        const mask = new Uint8Array(h.columns * h.rows);
        if (paintMaskStroke(mask, h.columns, h.rows, path, radius, brush) === 0) return false;
        const traced = regionToContour(mask, h.columns, h.rows, 8);
        return !!traced && get().addOutline(deps.newId(), toLps(h.volume, h.k, traced.contour), { key: gestureKey }) !== 'refused';
      }
      const r = paintOutline(toIj(h.volume, roi), h.columns, h.rows, path, radius, brush);
      if (r.changed === 0) return false;
      const [first, ...rest] = r.components;
      if (!first) {
        get().change((d, now) => ops.deleteRoi(d, roi.id, now), gestureKey);
        if (get().selectedRoiId === roi.id) set({ selectedRoiId: null });
        hint(`Erased the whole outline (${label(roi)})`);
        return true;
      }
      edit(roi, first.contour, gestureKey);
      if (rest.length > 0) hint(`Kept the largest piece (${first.pixels} px); ${rest.length} piece(s) of ${rest.reduce((n, c) => n + c.pixels, 0)} px dropped`);
      else set({ toolHint: null });
      return true;
    },
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
    cutOutlineAlong(polyline) {
      const h = here();
      if (!h) return false;
      const roi = target();
      if (!roi) return noTarget('cut'), false;
      const { activeMuscle, activeSide } = get();
      if (activeMuscle === roi.muscle && activeSide === roi.side) {
        hint(`Pick the muscle and side of the cut-off part first (it is ${label(roi)} now)`, 'error');
        return false;
      }
      const taken = get().doc!.rois.some((r) => r.level === roi.level && r.muscle === activeMuscle && r.side === activeSide);
      if (taken) {
        hint(`${label({ level: roi.level, muscle: activeMuscle, side: activeSide })} already has an outline: delete it or pick another muscle/side for the cut-off part`, 'error');
        return false;
      }
      let r;
      try {
        r = cutOutline(toIj(h.volume, roi), h.columns, h.rows, polyline, 8);
      } catch (e) {
        hint(e instanceof Error ? e.message : String(e), 'error');
        return false;
      }
      const a = r.leftOutlines[0];
      const b = r.rightOutlines[0];
      if (!a || !b) return hint('The cut line does not divide the outline: draw it across', 'error'), false;
      const [keep, other] = a.pixels >= b.pixels ? [a, b] : [b, a];
      const dropped = [...r.leftOutlines.slice(1), ...r.rightOutlines.slice(1)].reduce((n, c) => n + c.pixels, 0);
      const key = `cut-${++gesture}`;
      const k = roiSlice(h.volume, roi);
      const res = get().addOutline(deps.newId(), toLps(h.volume, k, other.contour), { level: roi.level, muscle: activeMuscle as Muscle, side: activeSide, sliceIndex: k, key });
      if (res === 'refused') return false;
      edit(roi, keep.contour, key);
      hint(`Cut: ${keep.pixels} px stay ${label(roi)}, ${other.pixels} px became ${label({ level: roi.level, muscle: activeMuscle, side: activeSide })}${dropped ? `; ${dropped} px in smaller pieces dropped` : ''}`);
      return true;
    },
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
