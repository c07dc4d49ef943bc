/**
 * Mask import and measurement export as store actions. CSV and JSON are computed here, in the window
 * that holds the HU volume (the one copy, the same pixels the metrics table measures), with core's
 * exportMeasurementsCsv/Json; the services only write the bytes into the workspace. The reports (PDF,
 * DICOM SR, DICOM SEG: the registry's binary formats) are made by the services from the series and the
 * open document (export:report), through the command line's code: the same report as `paraspine measure`.
 */
import { exportMeasurementsCsv, exportMeasurementsJson } from '../../../core/export/measurementsExport';
import { exportFormat, type ExportFormat } from '../../../core/export/formats';
import { isProposal, type AnnotationDocument } from '../../../core/annotations/document';
import type { HuVolume } from '../../../core/volume';
import type { Get, ImportExportSlice, Set, StoreDeps } from '../types';
import { message } from '../util';
import { confirmLevel, planMaskImport } from '../documentOps';
import { confirmProposedRois, resplitAutochthon } from '../autochthonSplit';
import { keyHint } from '../../../shared/shortcuts';

/** The formats the app computes from the volume it holds, each as its text (encoded to UTF-8 bytes for export:write); every other (binary) format is a report made by export:report. */
const TEXT_EXPORTS: { readonly [F in ExportFormat]?: (volume: HuVolume, doc: AnnotationDocument) => string } = {
  csv: exportMeasurementsCsv,
  json: exportMeasurementsJson,
};

const SPLIT_KEY = 'paraspine-split-autochthon';
/**
 * What is still to check and confirm in the document, said beside the import's report (which tells what
 * the import did): the proposed outlines (split, propagated, mirrored) and the proposed level marks.
 */
export function proposalsLeft(doc: AnnotationDocument | null): string {
  if (!doc) return '';
  const rois = doc.rois.filter((r) => isProposal(r.source)).length;
  const levels = doc.levels.filter((l) => l.source === 'proposed').length;
  if (!rois && !levels) return '✓ nothing left to confirm';
  const parts = [rois ? `${rois} outline(s)` : '', levels ? `${levels} level(s)` : ''].filter(Boolean);
  return `Still to check and confirm: ${parts.join(' and ')}`;
}

/** The remembered import setting (on unless turned off; no storage: on). */
function rememberedSplit(): boolean {
  try {
    return typeof localStorage === 'undefined' || localStorage.getItem(SPLIT_KEY) !== 'off';
  } catch {
    return true;
  }
}

export const createImportExportSlice = (set: Set, get: Get, deps: StoreDeps): ImportExportSlice => ({
  lastExport: null,
  exporting: null,
  maskImport: { busy: false, message: null },
  splitAutochthon: rememberedSplit(),
  vertebrae: null,

  setSplitAutochthon(on) {
    set({ splitAutochthon: on });
    try {
      if (typeof localStorage !== 'undefined') localStorage.setItem(SPLIT_KEY, on ? 'on' : 'off');
    } catch {
      /* storage unavailable: the setting lasts this session */
    }
  },

  confirmProposals(level) {
    // Never confirm what is not on screen: a level whose slice is not shown is shown first (and made
    // active), with one line saying so; the next press, now on that slice, confirms.
    const { doc, sliceIndex } = get();
    const at = doc?.levels.find((l) => l.level === level)?.sliceIndex ?? doc?.rois.find((r) => r.level === level && isProposal(r.source))?.sliceIndex;
    if (at !== undefined && at !== sliceIndex) {
      get().setActiveLevel(level);
      get().setSlice(at);
      const key = keyHint({ type: 'confirmLevel' });
      get().showToast(`${level} shown: ${key ? `press ${key}` : 'click Confirm'} again to confirm its proposals`);
      return false;
    }
    // The outlines lie on the level's slice: accepting them accepts a proposed slice too (one undo step).
    get().change((d, now) => confirmProposedRois(confirmLevel(d, level, now), level, now));
    return true;
  },

  resplit(level, side, cutIj) {
    const { doc, volume } = get();
    if (!doc || !volume) return false;
    const r = resplitAutochthon(doc, volume, level, side, cutIj, deps.now(), deps.newId);
    if (!r.ok) {
      get().showToast(`Re-split not done: ${r.reason}`, 'error');
      return false;
    }
    get().change(() => r.doc);
    return true;
  },

  async exportMeasurements(format, report = {}) {
    const { doc, volume, series } = get();
    if (!doc || !volume || !series) {
      get().showToast('Open a series before exporting', 'error');
      return;
    }
    // One export at a time (a report takes seconds): the buttons say which one runs and are disabled meanwhile.
    if (get().exporting) return;
    set({ exporting: format });
    try {
      const encode = TEXT_EXPORTS[format];
      if (!encode) {
        if (!exportFormat(format).binary) throw new Error(`the app cannot make ${exportFormat(format).label} exports yet`);
        // A report: the services measure the document on the series as the command line does and write the file.
        const r = await deps.api()['export:report']({ format, series, document: doc, ...report });
        if (get().doc?.series.seriesInstanceUid === doc.series.seriesInstanceUid) set({ lastExport: { path: r.path, format, content: '' } });
        const left = r.leftOut.length ? ` (${r.leftOut.join('; ')})` : '';
        get().showToast(`${exportFormat(format).label} written to the workspace's exports folder${left}`);
        return;
      }
      const content = encode(volume, doc);
      // The file's bytes travel as bytes (IPC: structured clone; the bridge: a binary frame), written as they are.
      const body = new TextEncoder().encode(content);
      const r = await deps.api()['export:write']({ format, seriesUid: doc.series.seriesInstanceUid, body });
      // Only if the same series is still open (the user may have switched while it was written).
      if (get().doc?.series.seriesInstanceUid === doc.series.seriesInstanceUid) set({ lastExport: { path: r.path, format, content } });
      get().showToast(`${exportFormat(format).label} export written to the workspace's exports folder`);
    } catch (e) {
      get().showToast(`Export failed: ${message(e)}`, 'error');
    } finally {
      set({ exporting: null });
    }
  },

  async importMasks(req) {
    const { series, doc } = get();
    const masksPath = req.masksPath.trim();
    if (!series || !doc || !masksPath || get().maskImport.busy) return;
    set({ maskImport: { busy: true, message: null } });
    const splitAutochthon = req.splitAutochthon ?? get().splitAutochthon;
    try {
      const r = await deps.api()['masks:import']({
        series,
        masksPath,
        ...(req.labels ? { labels: req.labels } : {}),
        splitAutochthon,
        levels: doc.levels.filter((l) => l.source !== 'proposed').map((l) => ({ level: l.level, sliceIndex: l.sliceIndex })),
      });
      if (get().series !== series) return; // another series was opened meanwhile: not for this one
      const current = get().doc;
      const plan = current ? planMaskImport(current, r) : { replace: [], skip: new Set<number>() };
      get().applyMaskImport(r);
      set({ vertebrae: r.vertebrae ? { seriesUid: doc.series.seriesInstanceUid, list: r.vertebrae } : null });
      const replaced = plan.replace.length ? `, ${plan.replace.length} earlier imported outline(s) replaced` : '';
      const kept = plan.skip.size ? `, ${plan.skip.size} not added where you drew or edited an outline` : '';
      const problems = r.problems.length ? `; problems: ${r.problems.map((p) => `${p.path}: ${p.reason}`).join('; ')}` : '';
      const proposedRois = r.rois.filter((x, n) => x.source === 'proposed' && !plan.skip.has(n)).length;
      // What the import did, in the past tense: it stays true after the user confirms (what is still to
      // confirm is said live beside it, from the document: proposalsLeft).
      const toCheck = proposedRois ? ` (${proposedRois} proposed multifidus / erector spinae)` : '';
      set({ maskImport: { busy: false, message: `Imported ${r.rois.length - plan.skip.size} outline(s)${toCheck} and ${r.proposedLevels.length} proposed level(s)${replaced}${kept}${problems}` } });
    } catch (e) {
      if (get().series === series) set({ maskImport: { busy: false, message: `Import failed: ${message(e)}` } });
    } finally {
      if (get().maskImport.busy) set({ maskImport: { ...get().maskImport, busy: false } });
    }
  },
});
