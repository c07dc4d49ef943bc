/** Autosave of the open annotation document through annotations:save. */
import type { StoreApi } from 'zustand/vanilla';
import type { ParaspineApi } from '../../shared/contract';
import type { AppState } from './types';
import { message } from './util';

/**
 * Autosave: after every document change, save within `delayMs` (debounced); `flush()` saves now
 * (stroke end). Saves never overlap; a change during a save is saved right after it.
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
    if (saving) {
      await saving;
    }
    const { doc, changeCounter } = store.getState();
    if (!doc || changeCounter === savedCounter) return;
    store.getState().setSaveState({ state: 'saving' });
    saving = (async () => {
      try {
        const r = await api()['annotations:save'](doc);
        savedCounter = changeCounter;
        const st = store.getState();
        st.setSaveState({ state: st.changeCounter === changeCounter ? 'saved' : 'pending', path: r.path, error: null, at: new Date().toISOString() });
      } catch (e) {
        store.getState().setSaveState({ state: 'error', error: message(e) });
      } finally {
        saving = null;
      }
    })();
    await saving;
    if (store.getState().changeCounter !== savedCounter && store.getState().save.state !== 'error') schedule();
  }

  function schedule() {
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
  });
  return {
    flush: saveNow,
    dispose() {
      unsub();
      if (timer) clearTimeout(timer);
    },
  };
}
