import { createRoot } from 'react-dom/client';
import { getApi } from './api/client';
import { App } from './App';
import { applyMenuAction } from './state/menu';
import { attachAutosave, getAppStore } from './state/store';
import { attachWorklistLocks } from './state/slices/worklist';
import { installPerfMarks } from './perf';
import type { MenuAction, ParaspinePreloadApi } from '../shared/contract';
import './styles.css';

const store = getAppStore(getApi);
const autosave = attachAutosave(store, getApi, 250);
const worklistLocks = attachWorklistLocks(store, getApi);
installPerfMarks(); // opt-in performance marks (npm run bench:ui), off by default
void store.getState().init();

// Electron application menu actions (absent in browser mode).
const preload = window.paraspine as Partial<ParaspinePreloadApi> | undefined;
preload?.onMenuAction?.((a: MenuAction) => applyMenuAction(store, a));

// Save before the page goes away (best effort; every change is saved within 250 ms anyway).
window.addEventListener('beforeunload', () => void autosave.flush().then(() => worklistLocks.release()));

/** Read-only hooks for the end-to-end tests (the document and the saved state). */
declare global {
  interface Window {
    __paraspine?: { getDoc(): unknown; getState(): unknown; flush(): Promise<void> };
  }
}
window.__paraspine = {
  getDoc: () => store.getState().doc,
  getState: () => {
    const s = store.getState();
    return { sliceIndex: s.sliceIndex, save: s.save, selectedRoiId: s.selectedRoiId, activeLevel: s.activeLevel, activeMuscle: s.activeMuscle, activeSide: s.activeSide, folder: s.folder, seriesUid: s.selectedSeriesUid, history: { past: s.history.past.length, future: s.history.future.length } };
  },
  flush: () => autosave.flush(),
};

createRoot(document.getElementById('root')!).render(<App flushSave={() => autosave.flush()} />);
