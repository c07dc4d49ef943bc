/**
 * The worklist panel's state: a cohort (a root folder or a manifest) listed through worklist:open with
 * its filter, "Next", and opening a line for editing under its lock (worklist:lock). A line locked by
 * someone else asks (the app's question dialog): open it read-only, or, only when the lock is stale,
 * take it over. A line is opened as a folder's series is (openFolder, then selectSeries). The lock held
 * is refreshed every minute and released when another series is opened or the page goes
 * (attachWorklistLocks). A read-only series is never saved: edits are refused here, autosave skips it,
 * and the services refuse its save. With "Second read (blinded)" chosen (slices/reads.ts) the lines,
 * "Next" and the lock are those of the rater's own read (`<stem>.read-<slug>.lock`), so two raters
 * read one series at once.
 */
import type { StoreApi } from 'zustand/vanilla';
import type { ParaspineApi, ReadRef, WorklistCohort, WorklistFilter, WorklistLine, WorklistLockView, WorklistResult } from '../../../shared/contract';
import type { AppState, Get, Set, StoreDeps } from '../types';
import { message } from '../util';

/** How often the lock of the open series is refreshed (it is stale after the setting's minutes without). */
export const WORKLIST_REFRESH_MS = 60_000;

export interface WorklistSlice {
  worklistOpen: boolean;
  worklistCohort: WorklistCohort | null;
  worklistFilter: WorklistFilter;
  worklist: WorklistResult | null;
  worklistBusy: boolean;
  /** One line: what failed (a manifest refused, a folder not found). */
  worklistError: string | null;
  /** The series this app holds the editing lock of (opened from the worklist). */
  worklistLocked: string | null;
  /** The series open read-only, with who holds its lock (the banner's line). */
  worklistReadOnly: { seriesUid: string; holder: string } | null;
  setWorklistOpen(open: boolean): void;
  openCohort(cohort: WorklistCohort): Promise<void>;
  setWorklistFilter(filter: WorklistFilter): Promise<void>;
  refreshWorklist(): Promise<void>;
  /** Opens a line for editing (its lock taken), or asks when someone else holds it. */
  openWorklistLine(id: string): Promise<void>;
  /** The answer to the lock question: read-only, take over (stale locks only), or cancel. */
  answerWorklistLock(lineId: string, choice: 'readOnly' | 'takeOver' | 'cancel'): Promise<void>;
  /** "Next": the first line not done and not locked by someone else (worklist:open's `next`), the series open here passed over. */
  nextWorklistLine(): Promise<void>;
}

/** Who holds a lock and since when, as the question and the banner say it. */
export function lockHolderText(v: Pick<WorklistLockView, 'rater' | 'host' | 'since'>): string {
  const m = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d)/.exec(v.since);
  return `${v.rater || '(no name)'} on ${v.host}, since ${m ? `${m[1]} ${m[2]} UTC` : v.since}`;
}

export const createWorklistSlice = (set: Set, get: Get, deps: StoreDeps): WorklistSlice => {
  /** The read the worklist lists and opens (a blinded second read: its own state and lock), or a one-line refusal. */
  const currentRead = (): { read: ReadRef; refused?: undefined } | { read?: undefined; refused?: string } => {
    const r = get().nextRead();
    if ('refused' in r) return { refused: r.refused };
    return r.read ? { read: r.read } : {};
  };
  const list = async (cohort: WorklistCohort, filter: WorklistFilter): Promise<void> => {
    const which = currentRead();
    if (which.refused) {
      set({ worklistCohort: cohort, worklistFilter: filter, worklist: null, worklistError: which.refused });
      return;
    }
    set({ worklistBusy: true, worklistError: null });
    try {
      const api = deps.api();
      const r = which.read ? await api['worklist:open'](cohort, filter, which.read) : await api['worklist:open'](cohort, filter);
      set({ worklist: r, worklistCohort: cohort, worklistFilter: filter, worklistBusy: false });
    } catch (e) {
      set({ worklistBusy: false, worklistError: message(e).replace(/\s*[\r\n]+\s*/g, ' ') });
    }
  };
  const lineOf = (id: string): WorklistLine | undefined => get().worklist?.lines.find((l) => l.id === id);
  /** Opens the line's series as a folder's series is; `mode` says what is set once it is the selected series. */
  const openSeries = async (line: WorklistLine, mode: { locked: true } | { readOnly: string }): Promise<void> => {
    // The same series again: what the services hold now stays (the keeper must not release it as the
    // series closes and reopens). Another series: the keeper releases its lock as it closes.
    const { worklistLocked, worklistReadOnly } = get();
    if (worklistLocked === line.seriesUid || worklistReadOnly?.seriesUid === line.seriesUid) set({ worklistLocked: null, worklistReadOnly: null });
    await get().openFolder(line.folder!);
    if (!get().scan?.series.some((s) => s.seriesInstanceUid === line.seriesUid)) {
      set({ error: `${line.id}: series ${line.seriesUid} is no longer in ${line.folder}` });
      await deps.api()['worklist:release'](line.seriesUid!).catch(() => undefined);
      return;
    }
    const loading = get().selectSeries(line.seriesUid!);
    // The series is selected now (selectSeries sets it before it waits): the lock keeper watches from here.
    set('locked' in mode ? { worklistLocked: line.seriesUid, worklistReadOnly: null } : { worklistLocked: null, worklistReadOnly: { seriesUid: line.seriesUid!, holder: mode.readOnly } });
    await loading;
    await get().refreshWorklist();
  };
  return {
    worklistOpen: false,
    worklistCohort: null,
    worklistFilter: {},
    worklist: null,
    worklistBusy: false,
    worklistError: null,
    worklistLocked: null,
    worklistReadOnly: null,
    setWorklistOpen(open) {
      set({ worklistOpen: open });
    },
    openCohort: (cohort) => list(cohort, {}),
    async setWorklistFilter(filter) {
      const cohort = get().worklistCohort;
      if (cohort) await list(cohort, filter);
      else set({ worklistFilter: filter });
    },
    async refreshWorklist() {
      const cohort = get().worklistCohort;
      if (cohort) await list(cohort, get().worklistFilter);
    },
    async openWorklistLine(id) {
      const line = lineOf(id);
      if (!line || !line.seriesUid || !line.folder) {
        if (line?.problem) get().showToast(`${line.id}: ${line.problem}`, 'error');
        return;
      }
      const which = currentRead();
      if (which.refused) {
        get().showToast(which.refused, 'error');
        return;
      }
      try {
        // The lock of the read opened: a blinded second read's own, so the first reader does not block it.
        const r = await deps.api()['worklist:lock']({ seriesUid: line.seriesUid, rater: get().rater, ...(which.read ? { read: which.read } : {}) });
        if (!r.ok) {
          set({ question: { kind: 'worklistLock', lineId: line.id, seriesUid: line.seriesUid, holder: r.holder } });
          return;
        }
        await openSeries(line, { locked: true });
      } catch (e) {
        set({ error: message(e) });
      }
    },
    async answerWorklistLock(lineId, choice) {
      const line = lineOf(lineId);
      if (!line?.seriesUid || !line.folder || choice === 'cancel') return;
      const which = currentRead();
      if (which.refused) {
        get().showToast(which.refused, 'error');
        return;
      }
      const read = which.read ? { read: which.read } : {};
      try {
        if (choice === 'takeOver') {
          const r = await deps.api()['worklist:lock']({ seriesUid: line.seriesUid, rater: get().rater, takeOver: true, ...read });
          if (!r.ok) {
            // Refreshed meanwhile (not stale any more), or taken by a third: ask again with what holds now.
            set({ question: { kind: 'worklistLock', lineId, seriesUid: line.seriesUid, holder: r.holder } });
            return;
          }
          await openSeries(line, { locked: true });
          if (r.tookOver) get().showToast(`Took over the lock of ${lockHolderText(r.tookOver)}`);
          return;
        }
        if (which.read) await deps.api()['worklist:readOnly'](line.seriesUid, which.read);
        else await deps.api()['worklist:readOnly'](line.seriesUid);
        await openSeries(line, { readOnly: line.lock ? lockHolderText(line.lock) : 'someone else' });
      } catch (e) {
        set({ error: message(e) });
      }
    },
    async nextWorklistLine() {
      await get().refreshWorklist();
      const wl = get().worklist;
      let next = wl?.next ?? null;
      // The services' `next` is the first line to do, which is the series open here while it is not
      // done: Next would reopen it and never move on. Take the first line to do after it (wrapping),
      // by the services' rule (worklist/cohort.ts nextLine; the renderer cannot import it).
      const openUid = get().series?.seriesUid ?? null;
      if (wl && next && openUid && lineOf(next)?.seriesUid === openUid) {
        const canDo = (l: WorklistLine) => l.seriesUid !== null && l.seriesUid !== openUid && !l.problem && l.state !== 'done' && (!l.lock || l.lock.mine);
        const at = wl.lines.findIndex((l) => l.seriesUid === openUid);
        next = [...wl.lines.slice(at + 1), ...wl.lines.slice(0, at)].find(canDo)?.id ?? null;
        if (!next) {
          get().showToast('No other line left to do: every other line is done or locked by someone else');
          return;
        }
      }
      if (next) await get().openWorklistLine(next);
      else if (wl) get().showToast('No line left to do: every line is done or locked by someone else');
    },
  };
};

/**
 * Keeps the lock of the series opened from the worklist: refreshed every `refreshMs`, released when
 * another series is opened or closed (and the page goes); a read-only mark is dropped the same way.
 */
export function attachWorklistLocks(store: StoreApi<AppState>, api: () => ParaspineApi, refreshMs = WORKLIST_REFRESH_MS): { dispose(): void; release(): Promise<void> } {
  const timer = setInterval(() => {
    const uid = store.getState().worklistLocked;
    if (!uid) return;
    api()
      ['worklist:refresh'](uid)
      .then((ok) => {
        if (!ok && store.getState().worklistLocked === uid) {
          store.setState({ worklistLocked: null, worklistReadOnly: { seriesUid: uid, holder: 'someone who took over the lock' } });
          // Read-only: the read open (a blinded second read has its own lock), else the first read.
          const read = store.getState().openRead;
          void (read ? api()['worklist:readOnly'](uid, read) : api()['worklist:readOnly'](uid)).catch(() => undefined);
          store.getState().showToast('The lock of this series was taken over: it is read-only now (changes are not saved)', 'error');
        }
      })
      .catch(() => undefined);
  }, refreshMs);
  const unsub = store.subscribe((s) => {
    if (s.worklistLocked && s.selectedSeriesUid !== s.worklistLocked) {
      const uid = s.worklistLocked;
      store.setState({ worklistLocked: null });
      void api()['worklist:release'](uid).catch(() => undefined);
    }
    if (s.worklistReadOnly && s.selectedSeriesUid !== s.worklistReadOnly.seriesUid) {
      const uid = s.worklistReadOnly.seriesUid;
      store.setState({ worklistReadOnly: null });
      void api()['worklist:release'](uid).catch(() => undefined);
    }
  });
  return {
    dispose() {
      clearInterval(timer);
      unsub();
    },
    async release() {
      const uid = store.getState().worklistLocked;
      if (uid) await api()['worklist:release'](uid).catch(() => undefined);
    },
  };
}
