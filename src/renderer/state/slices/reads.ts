/**
 * Sign-off and the blinded second read of the open series.
 *
 * - Read mode (remembered on this machine): 'first', the series' document as always; 'second', a
 *   blinded second read of the rater named in the header, its own document in the workspace
 *   (`<stem>.read-<rater>.json`). The open document's read (`openRead`) is fixed when the series is
 *   opened, so autosave never writes another rater's file.
 * - Sign off: the read marked done (core signOffDocument) and saved at once; the history records it.
 *   While signed off the document is not changed (annotation.ts refuses edits with one line) until it is
 *   reopened with a reason, which the history keeps.
 * - The other reads (reads:status): only their raters and sign-offs until this read and another are
 *   signed off; then that read can be overlaid (Compare) and the agreement computed (agreement:reads,
 *   `paraspine agreement`'s code in the services).
 */
import { reopenDocument, signOffDocument, type AnnotationDocument } from '../../../core/annotations/document';
import type { AgreementView, AnnotationsSaveResult, ReadRef, ReadsStatus } from '../../../shared/contract';
import type { Get, Set, StoreDeps } from '../types';
import { message } from '../util';

export type ReadMode = 'first' | 'second';

export interface ReadsSlice {
  /** Which read the next series opened is: the first read (default) or the rater's blinded second read. */
  readMode: ReadMode;
  /** The read of the open document: null, the first read; `{ rater }`, that rater's second read. */
  openRead: ReadRef | null;
  /** The other reads as this read may see them (null: not asked yet or no document). */
  reads: ReadsStatus | null;
  /** The other signed-off read overlaid on the image (only while `reads.compare` is there). */
  compareOn: boolean;
  /** "Reopen…" asked: the reason dialog is open. */
  reopenOpen: boolean;
  agreement: { state: 'idle' | 'loading' | 'ready' | 'error'; view: AgreementView | null; error: string | null };
  /** Switch the read mode (remembered); the open series is opened again as that read. */
  setReadMode(mode: ReadMode): Promise<void>;
  /** The read the next series opens as (from the mode and the rater); a one-line reason when it cannot. */
  nextRead(): { read: ReadRef | null } | { refused: string };
  refreshReads(): Promise<void>;
  /** Sign the open read off (saved at once); false, with a toast saying why, when it cannot. */
  signOff(): Promise<boolean>;
  setReopenOpen(open: boolean): void;
  /** Reopen the signed-off read with a reason (kept in its history); false, with a toast, when refused. */
  reopen(reason: string): Promise<boolean>;
  setCompare(on: boolean): void;
  loadAgreement(): Promise<void>;
  /** Agreement > Export PDF: `paraspine agreement --pdf`'s PDF of the two reads, into the workspace's exports folder (agreement:pdf). */
  exportAgreementPdf(): Promise<void>;
  agreementPdf: { state: 'idle' | 'writing' | 'done' | 'error'; path: string | null; error: string | null };
}

const READ_MODE_KEY = 'paraspine-read-mode';

function storedMode(): ReadMode {
  try {
    return globalThis.localStorage?.getItem(READ_MODE_KEY) === 'second' ? 'second' : 'first';
  } catch {
    return 'first';
  }
}

/** `2024-05-06 07:08:09 UTC` from an ISO time (anything else as it is). */
export function shownTime(iso: string): string {
  const m = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d:\d\d)(\.\d+)?Z$/.exec(iso);
  return m ? `${m[1]} ${m[2]} UTC` : iso;
}

/** The one line an edit of a signed-off read is refused with. */
export function signedOffRefusal(doc: AnnotationDocument): string | null {
  const s = doc.signedOff;
  return s ? `This read was signed off by ${s.by} at ${shownTime(s.at)}: not changed. Reopen it (Reopen…, with a reason) to edit it` : null;
}

const IDLE_AGREEMENT: ReadsSlice['agreement'] = { state: 'idle', view: null, error: null };

export const createReadsSlice = (set: Set, get: Get, deps: StoreDeps): ReadsSlice => {
  /** Wait until autosave has nothing pending (it debounces): the sign-off is saved on top of the last change. */
  const settled = async () => {
    for (let i = 0; i < 400 && (get().save.state === 'pending' || get().save.state === 'saving'); i++) await new Promise((r) => setTimeout(r, 25));
  };
  /** Save `next` as the open read at once (not through autosave): the sign-off or reopen is its own history line. */
  const saveNow = async (next: AnnotationDocument, reason?: string): Promise<AnnotationsSaveResult> => {
    const { docRevision, openRead } = get();
    const api = deps.api();
    const opts = { baseRevision: docRevision ?? null, ...(reason ? { reason } : {}) };
    return openRead ? api['annotations:save'](next, opts, openRead) : api['annotations:save'](next, opts);
  };
  /** Put the saved document in place (no undo step, no autosave: it is what is on disk). */
  const saved = (next: AnnotationDocument, r: AnnotationsSaveResult): boolean => {
    if (r.conflict) {
      set({ saveConflict: { seriesUid: next.series.seriesInstanceUid, reason: r.conflict.reason, path: r.path } });
      get().setSaveState({ state: 'conflict', path: r.path, error: r.conflict.reason });
      return false;
    }
    set({ doc: next, docRevision: r.revision ?? null, save: { state: 'saved', path: r.path, error: null, at: deps.now() } });
    return true;
  };
  const ready = (): AnnotationDocument | null => {
    const { doc, sliceLoad, saveConflict, question } = get();
    if (!doc) return null;
    if (sliceLoad) {
      get().showToast(`Loading slices ${sliceLoad.loaded} / ${sliceLoad.total}: sign-off waits until every slice is in`, 'error');
      return null;
    }
    if (saveConflict || question) {
      get().showToast('Answer the open question first', 'error');
      return null;
    }
    return doc;
  };
  return {
    readMode: storedMode(),
    openRead: null,
    reads: null,
    compareOn: false,
    reopenOpen: false,
    agreement: IDLE_AGREEMENT,
    agreementPdf: { state: 'idle', path: null, error: null },
    nextRead() {
      if (get().readMode === 'first') return { read: null };
      const rater = get().rater.trim();
      if (!rater) return { refused: 'A blinded second read is saved under the rater\'s name: type your name in Rater (in the header) first' };
      return { read: { rater } };
    },
    async setReadMode(mode) {
      try {
        globalThis.localStorage?.setItem(READ_MODE_KEY, mode);
      } catch {
        /* storage unavailable: the mode holds for this session */
      }
      set({ readMode: mode });
      const { selectedSeriesUid: uid, worklistLocked, worklistReadOnly, worklist } = get();
      // Opened from the worklist: opened again through it, so the lock follows the read (its own lock file).
      const line = uid && (worklistLocked === uid || worklistReadOnly?.seriesUid === uid) ? worklist?.lines.find((l) => l.seriesUid === uid) : undefined;
      if (line) await get().openWorklistLine(line.id);
      else if (uid) await get().selectSeries(uid);
      // The worklist shows the read chosen (its state, rater and lock).
      if (!line) await get().refreshWorklist();
    },
    async refreshReads() {
      const { doc, openRead } = get();
      if (!doc) {
        set({ reads: null, compareOn: false, agreement: IDLE_AGREEMENT });
        return;
      }
      const uid = doc.series.seriesInstanceUid;
      try {
        const api = deps.api();
        const reads = openRead ? await api['reads:status'](uid, openRead) : await api['reads:status'](uid);
        if (get().doc?.series.seriesInstanceUid !== uid) return;
        set({ reads, ...(reads.compare ? {} : { compareOn: false, agreement: IDLE_AGREEMENT }) });
        if (reads.compare && get().agreement.state === 'idle') await get().loadAgreement();
      } catch (e) {
        set({ reads: null, compareOn: false, agreement: { state: 'error', view: null, error: message(e) } });
      }
    },
    async signOff() {
      // What can be said at once is said before waiting for autosave (the keyboard handler's toast comes at once).
      const open = get().doc;
      if (!open) return false;
      if (open.signedOff) {
        get().showToast(`This read is already signed off by ${open.signedOff.by} at ${shownTime(open.signedOff.at)}`, 'info');
        return false;
      }
      const rater = get().rater.trim();
      if (!rater) {
        get().showToast('Type your name in Rater (in the header) first: a sign-off names who signed off', 'error');
        return false;
      }
      await settled();
      const doc = ready();
      if (!doc) return false;
      if (get().save.state === 'error' || get().save.state === 'conflict') {
        get().showToast('This read is not saved (the header says why): not signed off', 'error');
        return false;
      }
      const now = deps.now();
      const next = signOffDocument(doc.rater === rater ? doc : { ...doc, rater }, rater, now);
      try {
        if (!saved(next, await saveNow(next))) return false;
      } catch (e) {
        get().showToast(`Not signed off: ${message(e)}`, 'error');
        return false;
      }
      get().showToast(`Signed off by ${rater} at ${shownTime(now)}`, 'info');
      await get().refreshReads();
      return true;
    },
    setReopenOpen(open) {
      set({ reopenOpen: open && !!get().doc?.signedOff });
    },
    async reopen(reason) {
      const why = reason.trim();
      const doc = ready();
      if (!doc?.signedOff) return false;
      if (!why) {
        get().showToast('Give a reason to reopen this read (it is kept in its history)', 'error');
        return false;
      }
      const next = reopenDocument(doc, deps.now());
      try {
        if (!saved(next, await saveNow(next, why))) return false;
      } catch (e) {
        get().showToast(`Not reopened: ${message(e)}`, 'error');
        return false;
      }
      set({ reopenOpen: false, compareOn: false, agreement: IDLE_AGREEMENT });
      get().showToast('Reopened: the other reads are hidden again until this read is signed off', 'info');
      await get().refreshReads();
      return true;
    },
    setCompare(on) {
      set({ compareOn: on && !!get().reads?.compare });
    },
    async loadAgreement() {
      const { series, openRead, reads } = get();
      if (!series || !reads?.compare) return;
      set({ agreement: { state: 'loading', view: null, error: null } });
      try {
        const api = deps.api();
        const view = openRead ? await api['agreement:reads'](series, openRead) : await api['agreement:reads'](series);
        if (get().series !== series) return;
        set({ agreement: { state: 'ready', view, error: null } });
      } catch (e) {
        if (get().series !== series) return;
        set({ agreement: { state: 'error', view: null, error: message(e) } });
      }
    },
    async exportAgreementPdf() {
      const { series, openRead, reads } = get();
      if (!series || !reads?.compare) return;
      set({ agreementPdf: { state: 'writing', path: null, error: null } });
      try {
        const api = deps.api();
        const { path } = openRead ? await api['agreement:pdf'](series, openRead) : await api['agreement:pdf'](series);
        set({ agreementPdf: { state: 'done', path, error: null } });
        get().showToast(`Agreement PDF written: ${path}`, 'info');
      } catch (e) {
        set({ agreementPdf: { state: 'error', path: null, error: message(e) } });
        get().showToast(`Agreement PDF not written: ${message(e)}`, 'error');
      }
    },
  };
};
