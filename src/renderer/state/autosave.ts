/** Autosave of the open annotation document through annotations:save. */
import type { StoreApi } from 'zustand/vanilla';
import type { ParaspineApi } from '../../shared/contract';
import type { AppState } from './types';
import { message } from './util';

/**
 * Autosave: after every document change, save within `delayMs` (debounced); `flush()` saves now
 * (stroke end). Saves never overlap; a change during a save is saved right after it.
 *
 * Each save sends the revision this copy is based on (docRevision: the load's, then each save's). When
 * the services refuse it as stale (another window or tab saved since), the save state becomes
 * 'conflict', `saveConflict` is set (the app asks: reload, or keep both) and autosave stops for this
 * document until that is resolved: it never retries over the newer document.
 */
export function attachAutosave(store: StoreApi<AppState>, api: () => ParaspineApi, delayMs = 250): { flush(): Promise<void>; dispose(): void } {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let saving: Promise<void> | null = null;
  let savedCounter = store.getState().changeCounter;

  async function saveNow(): Promise<void> {
    if (timer) {
      clearTimeout(timer);
      timer = null;
    }
    // Every caller waiting on a save in flight wakes when it ends, and the first to wake starts the next
    // one: the others must wait for that one too (a plain `if` let two saves start on the same base
    // revision, and the second was refused as stale: a false conflict on a slow disk).
    while (saving) await saving;
    const { doc, changeCounter, docRevision, saveConflict, worklistReadOnly, openRead } = store.getState();
    if (!doc || changeCounter === savedCounter || saveConflict) return;
    if (worklistReadOnly?.seriesUid === doc.series.seriesInstanceUid) return; // opened read-only from the worklist: never saved
    const uid = doc.series.seriesInstanceUid;
    store.getState().setSaveState({ state: 'saving' });
    saving = (async () => {
      try {
        // A blinded second read (openRead, fixed when the series was opened) is saved as that read's own document.
        const r = docRevision === undefined ? await api()['annotations:save'](doc) : openRead ? await api()['annotations:save'](doc, { baseRevision: docRevision }, openRead) : await api()['annotations:save'](doc, { baseRevision: docRevision });
        const st = store.getState();
        if (st.doc?.series.seriesInstanceUid !== uid) return; // another series was opened meanwhile
        if (r.conflict) {
          store.setState({ saveConflict: { seriesUid: uid, reason: r.conflict.reason, path: r.path } });
          st.setSaveState({ state: 'conflict', path: r.path, error: r.conflict.reason });
          return;
        }
        savedCounter = changeCounter;
        if (r.revision !== undefined) store.setState({ docRevision: r.revision });
        st.setSaveState({ state: st.changeCounter === changeCounter ? 'saved' : 'pending', path: r.path, error: null, at: new Date().toISOString() });
      } catch (e) {
        store.getState().setSaveState({ state: 'error', error: message(e) });
      } finally {
        saving = null;
      }
    })();
    await saving;
    const after = store.getState();
    if (after.changeCounter !== savedCounter && after.save.state !== 'error' && !after.saveConflict) schedule();
  }

  function schedule() {
    if (store.getState().saveConflict) return; // stopped until the conflict is resolved
    if (timer) clearTimeout(timer);
    store.getState().setSaveState({ state: 'pending' });
    timer = setTimeout(() => void saveNow(), delayMs);
  }

  const unsub = store.subscribe((s, prev) => {
    if (s.doc !== prev.doc && s.doc && prev.doc && s.doc.series.seriesInstanceUid === prev.doc.series.seriesInstanceUid && s.changeCounter !== prev.changeCounter) {
      schedule();
    }
    if (s.doc && (!prev.doc || s.doc.series.seriesInstanceUid !== prev.doc.series.seriesInstanceUid)) {
      // a document was just opened: it is what is on disk
      savedCounter = s.changeCounter;
    }
    if (prev.saveConflict && !s.saveConflict && s.doc !== prev.doc) {
      // the conflict was resolved by reading the document on disk: that is what is saved now
      savedCounter = s.changeCounter;
      if (timer) clearTimeout(timer);
      timer = null;
    }
  });
  return {
    flush: saveNow,
    dispose() {
      unsub();
      if (timer) clearTimeout(timer);
    },
  };
}
