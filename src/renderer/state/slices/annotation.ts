/** The annotation document of the open series, its undo history and the checklist pointer. */
import type { Roi } from '../../../core/annotations/document';
import { sliceZ } from '../../../core/geometry/volumeGeometry';
import { validateRanges } from '../../../core/metrics/ranges';
import { nextTarget } from '../checklist';
import * as ops from '../documentOps';
import { emptyHistory, record, redo as historyRedo, undo as historyUndo } from '../history';
import type { AnnotationSlice, Get, Set, StoreDeps } from '../types';
import { pointerFor } from '../util';

export const createAnnotationSlice = (set: Set, get: Get, deps: StoreDeps): AnnotationSlice => ({
  doc: null,
  history: emptyHistory(),
  activeLevel: 'L3',
  activeMuscle: 'psoas',
  activeSide: 'left',
  selectedRoiId: null,
  loadProblem: null,
  save: { state: 'idle', path: null, error: null, at: null },
  changeCounter: 0,
  change(fn, key = null) {
    const { doc, history } = get();
    if (!doc) return;
    const next = fn(doc, deps.now());
    if (next === doc) return;
    set({ doc: next, history: record(history, doc, key), changeCounter: get().changeCounter + 1 });
  },
  markLevel(level) {
    const { volume, sliceIndex, activeLevel } = get();
    if (!volume) return;
    get().change((d, now) => ops.setLevel(d, level, sliceIndex, sliceZ(volume.geometry, sliceIndex), now));
    if (level !== activeLevel) set({ activeLevel: level, ...pointerFor(get().doc, level) });
  },
  confirmLevel(level) {
    get().change((d, now) => ops.confirmLevel(d, level, now));
  },
  removeLevel(level) {
    get().change((d, now) => ops.removeLevel(d, level, now));
  },
  setActiveLevel(level) {
    if (level !== get().activeLevel) set({ activeLevel: level, ...pointerFor(get().doc, level) });
    const mark = get().doc?.levels.find((l) => l.level === level);
    if (mark) get().setSlice(mark.sliceIndex);
  },
  setActiveMuscle(m) {
    set({ activeMuscle: m });
  },
  setActiveSide(s) {
    set({ activeSide: s });
  },
  selectRoi(id) {
    set({ selectedRoiId: id });
  },
  addOutline(id, pointsLps) {
    const { volume, sliceIndex, activeLevel, activeMuscle, activeSide, doc } = get();
    if (!volume || !doc || pointsLps.length < 3) return;
    const now = deps.now();
    const roi: Roi = {
      id,
      level: activeLevel,
      muscle: activeMuscle,
      side: activeSide,
      sliceIndex,
      z: sliceZ(volume.geometry, sliceIndex),
      pointsLps,
      source: 'drawn',
      createdAt: now,
      modifiedAt: now,
    };
    // Drawing on a level that is not marked yet marks it on this slice (one undo step each).
    if (!doc.levels.some((l) => l.level === activeLevel)) get().markLevel(activeLevel);
    get().change((d, t) => ops.addRoi(d, roi, t));
    const next = nextTarget(get().doc, activeLevel, { muscle: activeMuscle, side: activeSide });
    set({ selectedRoiId: id, ...(next ? { activeMuscle: next.muscle, activeSide: next.side } : {}) });
  },
  editOutline(id, pointsLps, gestureKey) {
    get().change((d, now) => ops.updateRoiPoints(d, id, pointsLps, now), gestureKey ?? null);
  },
  deleteRoi(id) {
    get().change((d, now) => ops.deleteRoi(d, id, now));
    if (get().selectedRoiId === id) set({ selectedRoiId: null });
  },
  deleteSelectedRoi() {
    const id = get().selectedRoiId;
    if (id) get().deleteRoi(id);
  },
  assignSelectedRoi(muscle, side) {
    const id = get().selectedRoiId;
    if (id) get().change((d, now) => ops.assignRoi(d, id, muscle, side, now));
  },
  setRanges(r) {
    validateRanges(r);
    get().change((d, now) => ops.setRanges(d, r, now));
  },
  applyMaskImport(result) {
    get().change((d, now) => ops.applyMaskImport(d, result, now));
    set(pointerFor(get().doc, get().activeLevel));
  },
  rater: deps.rater(),
  setRater(name) {
    set({ rater: name });
    deps.persistRater?.(name);
    const doc = get().doc;
    if (!doc) return;
    const next = ops.setRater(doc, name, deps.now());
    if (next !== doc) set({ doc: next, changeCounter: get().changeCounter + 1 });
  },
  undo() {
    const { doc, history } = get();
    if (!doc) return;
    const r = historyUndo(history, doc);
    // The rater is not part of the undo history: the restored document keeps the current name.
    if (r) set({ doc: r.doc.rater === doc.rater ? r.doc : { ...r.doc, rater: doc.rater }, history: r.history, changeCounter: get().changeCounter + 1 });
  },
  redo() {
    const { doc, history } = get();
    if (!doc) return;
    const r = historyRedo(history, doc);
    if (r) set({ doc: r.doc.rater === doc.rater ? r.doc : { ...r.doc, rater: doc.rater }, history: r.history, changeCounter: get().changeCounter + 1 });
  },
  setSaveState(s) {
    set({ save: { ...get().save, ...s } });
  },
});
