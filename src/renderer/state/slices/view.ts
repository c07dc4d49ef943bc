/** What the viewers show: slice, window preset, tool, overlay, reformat planes. */
import { nextPreset } from '../presets';
import type { AppState, Get, Set, ViewSlice } from '../types';
import type { VolumeGeometry } from '../../../core/geometry/volumeGeometry';

/** The open series' geometry: of its whole volume, or of the one being filled while its slices load. */
export function geometryOf(s: Pick<AppState, 'volume' | 'shown'>): VolumeGeometry | null {
  return (s.volume ?? s.shown?.volume)?.geometry ?? null;
}

export const createViewSlice = (set: Set, get: Get): ViewSlice => ({
  sliceIndex: 0,
  preset: 'soft',
  voi: null,
  cancelDrawingCounter: 0,
  tool: 'polygon',
  showOverlay: true,
  resetCounter: 0,
  sagittalColumn: 0,
  coronalRow: 0,
  setSagittalColumn(i) {
    const n = geometryOf(get())?.columns ?? 1;
    set({ sagittalColumn: Math.max(0, Math.min(n - 1, Math.round(i))) });
  },
  setCoronalRow(j) {
    const n = geometryOf(get())?.rows ?? 1;
    set({ coronalRow: Math.max(0, Math.min(n - 1, Math.round(j))) });
  },
  setSlice(k) {
    // While the slices load too: the viewer waits for a slice not in yet, and the loading follows it.
    const n = geometryOf(get())?.slices ?? 1;
    const clamped = Math.max(0, Math.min(n - 1, Math.round(k)));
    if (clamped !== get().sliceIndex) set({ sliceIndex: clamped });
  },
  stepSlice(delta) {
    get().setSlice(get().sliceIndex + delta);
  },
  setVoi(v) {
    const cur = get().voi;
    if (v === cur || (v && cur && v.center === cur.center && v.width === cur.width)) return;
    set({ voi: v });
  },
  cancelDrawing() {
    set({ cancelDrawingCounter: get().cancelDrawingCounter + 1 });
  },
  setPreset(p) {
    set({ preset: p });
  },
  cyclePreset() {
    set({ preset: nextPreset(get().preset) });
  },
  setTool(t) {
    // The last action's message was about the previous tool: it goes with it.
    set(t === get().tool ? { tool: t } : { tool: t, toolHint: null });
  },
  toggleOverlay() {
    set({ showOverlay: !get().showOverlay });
  },
  resetView() {
    set({ resetCounter: get().resetCounter + 1 });
  },
});
