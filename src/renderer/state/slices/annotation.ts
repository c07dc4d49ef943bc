/** The annotation document of the open series, its undo history and the checklist pointer. */
import type { Roi } from '../../../core/annotations/document';
import { roiSlice } from '../../../core/annotations/measureAnnotations';
import { levelSlice } from '../../../core/annotations/outlineFlags';
import type { Level } from '../../../core/anatomy/anatomy';
import { sliceZ } from '../../../core/geometry/volumeGeometry';
import { keyHint } from '../../../shared/shortcuts';
import { validateRanges } from '../../../core/metrics/ranges';
import { documentFlags, nextTarget, roiLabel } from '../checklist';
import { absentRecord } from '../../../core/annotations/recordedStates';
import * as ops from '../documentOps';
import { emptyHistory, record, redo as historyRedo, undo as historyUndo } from '../history';
import type { AnnotationSlice, Get, Set, StoreDeps } from '../types';
import { MUSCLE_NAMES } from '../checklist';
import { sliceShort } from '../../../core/geometry/sliceNumber';

import { message, pointerFor } from '../util';
import { signedOffRefusal } from './reads';

export const createAnnotationSlice = (set: Set, get: Get, deps: StoreDeps): AnnotationSlice => {
  /** The slice as people see it everywhere: position from the feet (1-based), with its InstanceNumber. */
  const shown = (k: number) => {
    const g = get().shown?.volume.geometry ?? get().volume?.geometry;
    return g ? sliceShort(g, k) : String(k + 1);
  };
  /** Mark the current slice as `level` (no questions) and make it active. */
  let markCount = 0;
  let absentCount = 0;
  const markHere = (level: Level, key: string | null = null) => {
    const { volume, sliceIndex, activeLevel } = get();
    if (!volume) return;
    get().change((d, now) => ops.setLevel(d, level, sliceIndex, sliceZ(volume.geometry, sliceIndex), now), key);
    if (level !== activeLevel) set({ activeLevel: level, ...pointerFor(get().doc, level) });
  };
  /** Put a finished outline into the document (replacing `replaceIds`, one undo step), select it, move the checklist on. */
  const commitOutline = (roi: Roi, replaceIds: readonly string[] = [], key: string | null = null) => {
    if (!get().doc?.levels.some((l) => l.level === roi.level)) markHere(roi.level, key);
    // An outline drawn for a muscle recorded absent at this level clears that record (same undo step), and says so.
    const wasAbsent = !!absentRecord(get().doc, roi.level, roi.muscle, roi.side);
    get().change((d, t) => ops.clearAbsent(ops.addRoi(replaceIds.length ? ops.deleteRois(d, replaceIds, t) : d, roi, t), roi.level, roi.muscle, roi.side, t), key);
    if (wasAbsent) get().showToast(`${roiLabel(roi.muscle, roi.side)} at ${roi.level} was recorded absent: the new outline replaces that record (undo: Ctrl+Z)`, 'info');
    const { doc: after, volume } = get();
    const next = nextTarget(after, roi.level, { muscle: roi.muscle === 'autochthon' ? 'erectorSpinae' : roi.muscle, side: roi.side }, after && volume ? documentFlags(after, volume) : null);
    set({ selectedRoiId: roi.id, ...(next ? { activeMuscle: next.muscle, activeSide: next.side } : {}) });
  };
  /**
   * While the slices load, nothing in the document changes (the guard rails and the numbers need every
   * slice): true, and a toast says so. The document on screen is the one on disk until then.
   */
  const refusedWhileLoading = (): boolean => {
    const load = get().sliceLoad;
    if (!load) return false;
    get().showToast(`Loading slices ${load.loaded} / ${load.total}: marking, outlining and editing start when every slice is in`, 'error');
    return true;
  };
  /** A signed-off read is not changed until it is reopened (slices/reads.ts): true, and a toast says so in one line. */
  const refusedSignedOff = (): boolean => {
    const doc = get().doc;
    const line = doc ? signedOffRefusal(doc) : null;
    if (line) get().showToast(line, 'error');
    return line !== null;
  };
  /** The selected outline when it lies on the slice shown; otherwise null, and a toast says why nothing happens. */
  const selectedHere = (what: string) => {
    const { doc, selectedRoiId, volume, sliceIndex } = get();
    const roi = doc?.rois.find((r) => r.id === selectedRoiId);
    if (!roi || !volume) return null;
    const k = roiSlice(volume, roi);
    if (k === sliceIndex) return roi;
    get().showToast(`The selected outline (${MUSCLE_NAMES[roi.muscle]} ${roi.side}, ${roi.level}) is on slice ${shown(k)}, not on this slice: nothing ${what}`, 'error');
    return null;
  };
  return {
  doc: null,
  history: emptyHistory(),
  activeLevel: 'L3',
  activeMuscle: 'psoas',
  activeSide: 'left',
  selectedRoiId: null,
  question: null,
  loadProblem: null,
  save: { state: 'idle', path: null, error: null, at: null },
  changeCounter: 0,
  saveConflict: null,
  async resolveSaveConflict(choice) {
    const conflict = get().saveConflict;
    const doc = get().doc;
    if (!conflict || !doc || doc.series.seriesInstanceUid !== conflict.seriesUid) return;
    const api = deps.api();
    const same = () => get().saveConflict === conflict; // the series is still the one in conflict
    let kept: string | null = null;
    try {
      if (choice === 'keepBoth') kept = (await api['annotations:saveCopy'](doc)).path;
      if (!same()) return;
      const openRead = get().openRead;
      const r = openRead ? await api['annotations:load'](conflict.seriesUid, openRead) : await api['annotations:load'](conflict.seriesUid);
      if (!same()) return;
      const name = (p: string) => p.split(/[\\/]/).pop() ?? p;
      const note = kept ? `This tab's copy was saved as ${name(kept)}; ` : '';
      if (!r.document) {
        // Nothing on disk any more: this tab's copy is the one to save (on the next change).
        set({ saveConflict: null, docRevision: r.revision ?? null, save: { state: 'idle', path: conflict.path, error: null, at: null } });
        get().showToast(`${note}${name(conflict.path)} is no longer in the workspace: this tab's document is saved with the next change`, 'info');
        return;
      }
      set({
        doc: r.document,
        docRevision: r.revision ?? null,
        history: emptyHistory(),
        saveConflict: null,
        question: null,
        selectedRoiId: null,
        loadProblem: r.problem,
        save: { state: 'idle', path: conflict.path, error: null, at: null },
        ...pointerFor(r.document, get().activeLevel),
      });
      const m = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d:\d\d)(\.\d+)?Z$/.exec(r.document.modifiedAt);
      get().showToast(`${note}showing ${name(conflict.path)} as saved at ${m ? `${m[1]} ${m[2]} UTC` : r.document.modifiedAt}`, 'info');
    } catch (e) {
      if (!same()) return;
      const what = choice === 'keepBoth' ? "This tab's copy could not be saved as a separate file" : 'The document on disk could not be read';
      set({ saveConflict: { ...conflict, reason: `${what}: ${message(e)}. Nothing was changed; try again.` } });
    }
  },
  change(fn, key = null) {
    const { doc, history } = get();
    if (!doc || refusedWhileLoading() || refusedSignedOff()) return;
    if (get().worklistReadOnly?.seriesUid === doc.series.seriesInstanceUid) {
      get().showToast('Read-only: this series is locked by someone else, nothing is changed or saved', 'error');
      return;
    }
    const next = fn(doc, deps.now());
    if (next === doc) return;
    set({ doc: next, history: record(history, doc, key), changeCounter: get().changeCounter + 1 });
  },
  markLevel(level) {
    const { volume, sliceIndex, doc } = get();
    if (refusedWhileLoading() || !volume || !doc || refusedSignedOff() || get().question) return;
    const mark = doc.levels.find((l) => l.level === level) ?? null;
    const from = mark ? levelSlice(volume, mark) : null;
    // Moving a level that has outlines elsewhere asks what becomes of them: never strands them silently.
    const away = from === sliceIndex ? [] : doc.rois.filter((r) => r.level === level && roiSlice(volume, r) !== sliceIndex);
    const key = `mark-level-${++markCount}`;
    markHere(level, key);
    if (away.length > 0) {
      const roiSlices = [...new Set(away.map((r) => roiSlice(volume, r)))].sort((a, b) => a - b);
      set({ question: { kind: 'moveLevel', level, fromSlice: from, prevMark: mark, toSlice: sliceIndex, key, roiIds: away.map((r) => r.id), roiSlices } });
    }
  },
  confirmLevel(level) {
    get().change((d, now) => ops.confirmLevel(d, level, now));
  },
  removeLevel(level) {
    const { doc, volume } = get();
    if (refusedWhileLoading() || !doc || refusedSignedOff() || get().question) return;
    // Removing a mark that has outlines asks what becomes of them (as re-marking does): never strands them silently.
    const rois = doc.rois.filter((r) => r.level === level);
    if (rois.length > 0 && volume) {
      const roiSlices = [...new Set(rois.map((r) => roiSlice(volume, r)))].sort((a, b) => a - b);
      set({ question: { kind: 'removeLevel', level, roiIds: rois.map((r) => r.id), roiSlices } });
      return;
    }
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
  addOutline(id, pointsLps, target = {}) {
    const { volume, doc } = get();
    // The outline tools (mirror, scissors) add outlines for another label or slice through the same guard rails.
    const { level: activeLevel = get().activeLevel, muscle: activeMuscle = get().activeMuscle, side: activeSide = get().activeSide, sliceIndex = get().sliceIndex, key = null, source = 'drawn' } = target;
    if (refusedWhileLoading() || !volume || !doc || refusedSignedOff() || pointsLps.length < 3 || get().question) return 'refused';
    // An outline always lies on its level's slice: one drawn on another slice is not saved.
    const mark = doc.levels.find((l) => l.level === activeLevel);
    const at = mark ? levelSlice(volume, mark) : null;
    if (at !== null && at !== sliceIndex) {
      const go = keyHint({ type: 'goToLevel', level: activeLevel });
      const here = keyHint({ type: 'markLevel', level: activeLevel });
      get().showToast(`${activeLevel} is marked on slice ${shown(at)}; this is slice ${shown(sliceIndex)} — outline not saved: go to ${activeLevel}${go ? ` (${go})` : ''} or re-mark ${activeLevel} here${here ? ` (${here})` : ''}`, 'error');
      return 'refused';
    }
    const now = deps.now();
    const roi: Roi = {
      id,
      level: activeLevel,
      muscle: activeMuscle,
      side: activeSide,
      sliceIndex,
      z: sliceZ(volume.geometry, sliceIndex),
      pointsLps,
      source,
      createdAt: now,
      modifiedAt: now,
    };
    // One outline per level x muscle x side: a second one asks (replace, or keep both: the table measures their union).
    const existing = doc.rois.filter((r) => r.level === activeLevel && r.muscle === activeMuscle && r.side === activeSide);
    if (existing.length > 0) {
      set({ question: { kind: 'duplicate', level: activeLevel, muscle: activeMuscle, side: activeSide, existingIds: existing.map((r) => r.id), outline: { id, pointsLps, sliceIndex, ...(source !== 'drawn' ? { source } : {}) }, ...(key ? { key } : {}) } });
      return 'asked';
    }
    // Drawing on a level that is not marked yet marks it on this slice (one undo step each).
    commitOutline(roi, [], key);
    return 'added';
  },
  answerQuestion(choice) {
    const q = get().question;
    if (!q) return;
    set({ question: null });
    if (q.kind === 'worklistLock') {
      void get().answerWorklistLock(q.lineId, choice === 'readOnly' || choice === 'takeOver' ? choice : 'cancel');
      return;
    }
    if (q.kind === 'removeLevel') {
      // One undo step either way; 'keep': the outlines stay (flagged: their level is not marked).
      if (choice === 'deleteOutlines') get().change((d, now) => ops.deleteRois(ops.removeLevel(d, q.level, now), q.roiIds, now));
      else if (choice === 'keep') get().change((d, now) => ops.removeLevel(d, q.level, now));
      if (choice === 'deleteOutlines' && q.roiIds.includes(get().selectedRoiId ?? '')) set({ selectedRoiId: null });
      return;
    }
    if (q.kind === 'duplicate' && q.assign) {
      // "Assign selected" onto a label that has an outline: replace it (one undo step), keep both (union), or leave the outline as it was.
      if (choice === 'replace') get().change((d, now) => ops.assignRoi(ops.deleteRois(d, q.existingIds, now), q.outline.id, q.muscle, q.side, now));
      else if (choice === 'keepBoth') get().change((d, now) => ops.assignRoi(d, q.outline.id, q.muscle, q.side, now));
      return;
    }
    if (q.kind === 'moveLevel') {
      // 'keep': the mark stays where it was put and the outlines where they are (the level is flagged).
      const volume = get().volume;
      if (!volume) return;
      if (choice === 'move') get().change((d, now) => ops.moveRoisToSlice(d, q.roiIds, (r) => roiSlice(volume, r), volume.geometry.slicePositions, q.toSlice, now), q.key);
      else if (choice === 'cancel') get().change((d, now) => ops.restoreLevel(d, q.level, q.prevMark, now), q.key);
      return;
    }
    const { volume } = get();
    if (!volume || (choice !== 'replace' && choice !== 'keepBoth')) return; // cancel: the new outline is discarded
    const now = deps.now();
    const roi: Roi = { id: q.outline.id, level: q.level, muscle: q.muscle, side: q.side, sliceIndex: q.outline.sliceIndex, z: sliceZ(volume.geometry, q.outline.sliceIndex), pointsLps: q.outline.pointsLps, source: q.outline.source ?? 'drawn', createdAt: now, modifiedAt: now };
    commitOutline(roi, choice === 'replace' ? q.existingIds : [], q.key ?? null);
  },
  editOutline(id, pointsLps, gestureKey) {
    get().change((d, now) => ops.updateRoiPoints(d, id, pointsLps, now), gestureKey ?? null);
  },
  deleteRoi(id) {
    get().change((d, now) => ops.deleteRoi(d, id, now));
    if (get().selectedRoiId === id) set({ selectedRoiId: null });
  },
  deleteSelectedRoi() {
    const roi = selectedHere('deleted');
    if (roi) get().deleteRoi(roi.id);
  },
  assignSelectedRoi(muscle, side) {
    const roi = selectedHere('changed');
    const doc = get().doc;
    if (!roi || !doc || get().question || (roi.muscle === muscle && roi.side === side)) return;
    // The same question as a second drawn outline of one level x muscle x side.
    const existing = doc.rois.filter((r) => r.id !== roi.id && r.level === roi.level && r.muscle === muscle && r.side === side);
    if (existing.length > 0 && muscle !== 'autochthon') {
      set({ question: { kind: 'duplicate', level: roi.level, muscle, side, existingIds: existing.map((r) => r.id), outline: { id: roi.id, pointsLps: roi.pointsLps, sliceIndex: roi.sliceIndex }, assign: { from: { muscle: roi.muscle, side: roi.side } } } });
      return;
    }
    const wasAbsent = !!absentRecord(doc, roi.level, muscle, side);
    get().change((d, now) => ops.clearAbsent(ops.assignRoi(d, roi.id, muscle, side, now), roi.level, muscle, side, now));
    if (wasAbsent) get().showToast(`${roiLabel(muscle, side)} at ${roi.level} was recorded absent: the assigned outline replaces that record (undo: Ctrl+Z)`, 'info');
  },
  toggleAbsent(target) {
    const { volume, doc, sliceIndex } = get();
    if (refusedWhileLoading() || !volume || !doc || refusedSignedOff() || get().question) return;
    const { level, muscle, side } = target ?? { level: get().activeLevel, muscle: get().activeMuscle, side: get().activeSide };
    const label = `${roiLabel(muscle, side)} at ${level}`;
    if (absentRecord(doc, level, muscle, side)) {
      get().change((d, now) => ops.clearAbsent(d, level, muscle, side, now));
      get().showToast(`${label}: no longer recorded absent`, 'info');
      return;
    }
    const key = `absent-${++absentCount}`;
    const rois = doc.rois.filter((r) => r.level === level && r.muscle === muscle && r.side === side);
    if (!doc.levels.some((l) => l.level === level)) markHere(level, key);
    const rater = get().rater;
    get().change((d, now) => ops.setAbsent(d, { level, muscle, side, ...(rater ? { rater } : {}), at: now }, now), key);
    if (rois.some((r) => r.id === get().selectedRoiId)) set({ selectedRoiId: null });
    get().showToast(`${label} recorded absent${rois.length ? `; its ${rois.length === 1 ? 'outline was' : `${rois.length} outlines were`} deleted` : ''} (undo: Ctrl+Z)`, 'info');
    const after = get().doc;
    const next = nextTarget(after, level, { muscle, side }, after ? documentFlags(after, volume) : null);
    if (next && level === get().activeLevel) set({ activeMuscle: next.muscle, activeSide: next.side });
  },
  acceptRequest: null,
  requestAccept(target) {
    if (refusedWhileLoading() || !get().doc || refusedSignedOff() || get().question) return;
    set({ acceptRequest: target });
  },
  cancelAccept() {
    set({ acceptRequest: null });
  },
  acceptFlags(reason) {
    const { acceptRequest: t, doc, volume } = get();
    if (!t || !doc || !volume) return false;
    const why = reason.trim();
    if (!why) {
      get().showToast('Give a reason to accept the flags (it is kept in the document and the exports)', 'error');
      return false;
    }
    const flagsOf = documentFlags(doc, volume);
    const byId = new Map<string, readonly string[]>();
    for (const r of doc.rois) if (r.level === t.level && r.muscle === t.muscle && r.side === t.side && flagsOf(r).length) byId.set(r.id, flagsOf(r));
    if (byId.size === 0) {
      set({ acceptRequest: null });
      get().showToast(`${roiLabel(t.muscle, t.side)} at ${t.level} has no flag to accept`, 'error');
      return false;
    }
    set({ acceptRequest: null });
    get().change((d, now) => ops.acceptFlags(d, byId, why, get().rater, now));
    return true;
  },
  setRanges(r) {
    validateRanges(r);
    get().change((d, now) => ops.setRanges(d, r, now));
  },
  applyMaskImport(result) {
    get().change((d, now) => ops.applyMaskImport(d, result, now));
    set(pointerFor(get().doc, get().activeLevel));
    // The view goes to the active level's slice: the outlines it now lists are the ones on screen.
    const mark = get().doc?.levels.find((l) => l.level === get().activeLevel);
    if (mark && mark.sliceIndex !== get().sliceIndex) get().setSlice(mark.sliceIndex);
    // The proposed trabecular oval is not among the import's outline counts: say where it is.
    const b = result.boneRoi;
    const kept = b && get().doc?.boneRois?.find((x) => x.vertebra === b.vertebra);
    if (b && kept) get().showToast(kept.source === 'proposed' ? `${b.vertebra} trabecular oval proposed on slice ${shown(b.sliceIndex)}: check it and confirm it (bone list under the tables)` : `${b.vertebra} trabecular oval proposed by the masks not used: the one you placed stays`, 'info');
  },
  rater: deps.rater(),
  setRater(name) {
    set({ rater: name });
    deps.persistRater?.(name);
    // Kept in the settings too (restored by init): a failure only loses the remembered name, not the document's.
    const keep = deps.api()['settings:setRater'];
    if (keep) void keep(name).catch(() => undefined);
    const doc = get().doc;
    if (!doc || doc.signedOff) return; // a signed-off read keeps the rater who signed it off
    const next = ops.setRater(doc, name, deps.now());
    if (next !== doc) set({ doc: next, changeCounter: get().changeCounter + 1 });
  },
  undo() {
    const { doc, history } = get();
    if (!doc || refusedSignedOff()) return;
    const r = historyUndo(history, doc);
    // The rater is not part of the undo history: the restored document keeps the current name.
    if (r) set({ doc: r.doc.rater === doc.rater ? r.doc : { ...r.doc, rater: doc.rater }, history: r.history, changeCounter: get().changeCounter + 1 });
  },
  redo() {
    const { doc, history } = get();
    if (!doc || refusedSignedOff()) return;
    const r = historyRedo(history, doc);
    if (r) set({ doc: r.doc.rater === doc.rater ? r.doc : { ...r.doc, rater: doc.rater }, history: r.history, changeCounter: get().changeCounter + 1 });
  },
  setSaveState(s) {
    set({ save: { ...get().save, ...s } });
  },
};
};
