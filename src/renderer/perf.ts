/**
 * Opt-in performance marks for `npm run bench:ui` (scripts/bench-ui.mjs) and for profiling by hand.
 * Off unless `window.__paraspinePerfEnabled === true` before the app starts (the bench sets it with an
 * init script) or sessionStorage 'paraspine-perf' is '1'; then every mark below is a `performance.mark`
 * (read them with performance.getEntriesByName(name)) and `window.__paraspinePerf` gives the store.
 *
 *   paraspine:select-series  the store's selected series changed (the series row was clicked)
 *   paraspine:first-slice    the new series' first slice is in and handed to the viewer (the rest loads behind it)
 *   paraspine:volume-ready   the store holds the new series' whole HU volume (every slice loaded and decoded)
 *   paraspine:slice          the store's slice index changed (detail: { index })
 *   paraspine:doc            the store's annotation document was replaced (detail: { changeCounter })
 *   paraspine:rendered       Cornerstone rendered the axial viewport (IMAGE_RENDERED: its canvas holds the
 *                            new frame; detail: { index } = the image index shown, null without a stack)
 *
 * Nothing here changes what the app does; with the marks off only two cheap listeners stay attached.
 * No Cornerstone import (src/renderer/viewer only may): the event is caught by name, in the capture
 * phase on the document, and the shown index is read through the viewer's test hook.
 */
import type { StoreApi } from 'zustand/vanilla';
import { getApi } from './api/client';
import { getAppStore, type AppState } from './state/store';

/** Cornerstone's Enums.Events.IMAGE_RENDERED (dispatched on the viewport element, not bubbling). */
const IMAGE_RENDERED = 'CORNERSTONE_IMAGE_RENDERED';

export interface ParaspinePerf {
  /** Whether marks are being recorded. */
  enabled: boolean;
  /** The app's store (benchmarks drive it directly: setSlice, editOutline, ...). */
  store: StoreApi<AppState>;
  /** Drop every paraspine:* mark. */
  clear(): void;
}

declare global {
  interface Window {
    __paraspinePerf?: ParaspinePerf;
    __paraspinePerfEnabled?: boolean;
  }
}

function wanted(): boolean {
  if (window.__paraspinePerfEnabled === true) return true;
  try {
    return globalThis.sessionStorage?.getItem('paraspine-perf') === '1';
  } catch {
    return false;
  }
}

const NAMES = ['paraspine:select-series', 'paraspine:first-slice', 'paraspine:volume-ready', 'paraspine:slice', 'paraspine:doc', 'paraspine:rendered'];

export function installPerfMarks(): void {
  if (!wanted()) return;
  const store = getAppStore(getApi);
  const mark = (name: string, detail?: unknown) => performance.mark(name, detail === undefined ? undefined : { detail });
  store.subscribe((s, prev) => {
    if (s.selectedSeriesUid !== prev.selectedSeriesUid && s.selectedSeriesUid) mark('paraspine:select-series', { uid: s.selectedSeriesUid });
    if (s.shown && !prev.shown) mark('paraspine:first-slice');
    if (s.volume !== prev.volume && s.volume) mark('paraspine:volume-ready');
    if (s.sliceIndex !== prev.sliceIndex) mark('paraspine:slice', { index: s.sliceIndex });
    if (s.doc !== prev.doc && s.doc) mark('paraspine:doc', { changeCounter: s.changeCounter });
  });
  document.addEventListener(
    IMAGE_RENDERED,
    (e) => {
      const el = e.target as HTMLElement | null;
      if (el?.dataset?.testid !== 'axial-viewport') return;
      const hook = (window as unknown as { __paraspineViewer?: { currentImageIndex?(): number | null } }).__paraspineViewer;
      mark('paraspine:rendered', { index: hook?.currentImageIndex?.() ?? null });
    },
    true,
  );
  window.__paraspinePerf = {
    enabled: true,
    store,
    clear: () => {
      for (const n of NAMES) performance.clearMarks(n);
    },
  };
}
