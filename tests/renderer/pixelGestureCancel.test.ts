/**
 * Esc during a pixel-tool gesture (PixelGesture.cancel -> the store's cancelStroke): a brush / eraser
 * stroke, which applies live on each mouse move under one history key, is reverted to the document as it
 * was before the stroke and leaves no undo step (the redo list comes back too); a scissors line or a grow
 * limit being dragged is dropped. The gestures are driven as PixelToolOverlay drives them.
 */
import { describe, expect, it } from 'vitest';
import type { StoreApi } from 'zustand/vanilla';
import { contourMask } from '../../src/core/roi/contour';
import type { PointIj } from '../../src/core/roi/rasterize';
import type { AppState } from '../../src/renderer/state/store';
import { PIXEL_TOOLS } from '../../src/renderer/viewer/tools/pixelTools';
import { openPhantomStore, phantomSeries } from './phantomStore';

const C = 100;
const R = 80;
const S = 3;
const K = 1;
const inA = (i: number, j: number) => i >= 10 && i <= 19 && j >= 20 && j <= 34;
const inStrip = (i: number, j: number) => i >= 20 && i <= 24 && j >= 25 && j <= 29;
const series = phantomSeries({ columns: C, rows: R, slices: S, huOf: (i, j) => (inA(i, j) ? 50 : inStrip(i, j) ? 120 : -100) });
const { geometry } = series;

async function openStore(): Promise<StoreApi<AppState>> {
  const store = await openPhantomStore(series, { slice: K, muscle: 'psoas' });
  // The psoas outline: blob A, grown.
  store.getState().setToolRange([0, 100]);
  expect(store.getState().growAt([14, 27])).toBe('added');
  store.getState().setToolRange(null);
  return store;
}

const maskOf = (s: AppState, id: string) => contourMask(geometry, K, s.doc!.rois.find((r) => r.id === id)!.pointsLps);
const historySizes = (s: AppState) => ({ past: s.history.past.length, future: s.history.future.length });

/** Press at path[0], move along the rest (as the overlay does), then Esc. */
function dragThenEsc(store: StoreApi<AppState>, tool: keyof typeof PIXEL_TOOLS, path: PointIj[], shift = false) {
  const g = PIXEL_TOOLS[tool].start(() => store.getState(), path[0]!, shift);
  for (let n = 1; n < path.length; n++) g.move?.(path[n - 1]!, path[n]!);
  return g;
}

describe('Esc cancels a pixel-tool gesture', () => {
  it('a brush stroke is reverted: the document, the history and the selection are as before it; undo and redo as before', async () => {
    const store = await openStore();
    const s = () => store.getState();
    const id = s().doc!.rois[0]!.id;
    const doc0 = s().doc;
    const h0 = historySizes(s());
    s().setBrushRadius(2);
    const g = dragThenEsc(store, 'brush', [[18, 22], [21, 26], [24, 28]]);
    expect(s().doc).not.toBe(doc0); // the stroke applies live...
    expect(historySizes(s())).toEqual({ past: h0.past + 1, future: 0 });
    g.cancel(); // ...and Esc takes it back
    expect(s().doc).toBe(doc0);
    expect(historySizes(s())).toEqual(h0);
    expect(s().toolHint).toBe('Stroke cancelled');
    expect(s().toast?.text).toBe('Stroke cancelled');
    // The one undo step left is the grow's; redo brings the grow back, not the stroke.
    const grown = maskOf(s(), id);
    s().undo();
    expect(s().doc!.rois).toEqual([]);
    s().redo();
    expect(maskOf(s(), id)).toEqual(grown);
    expect(s().history.future).toHaveLength(0);
  });

  it('a cancelled stroke gives the redo list back (the stroke had cleared it)', async () => {
    const store = await openStore();
    const s = () => store.getState();
    const id = s().doc!.rois[0]!.id;
    s().setBrushRadius(2);
    const g1 = dragThenEsc(store, 'eraser', [[15, 20], [15, 34]]);
    g1.end([]);
    const erased = maskOf(s(), id);
    s().undo();
    const doc0 = s().doc;
    expect(historySizes(s()).future).toBe(1);
    dragThenEsc(store, 'brush', [[18, 22], [22, 27]]).cancel();
    expect(s().doc).toBe(doc0);
    expect(historySizes(s()).future).toBe(1);
    s().redo();
    expect(maskOf(s(), id)).toEqual(erased); // the eraser stroke, redone
  });

  it('an eraser stroke that erased the whole outline is reverted, and the outline selected again', async () => {
    const store = await openStore();
    const s = () => store.getState();
    const id = s().doc!.rois[0]!.id;
    s().selectRoi(id);
    const doc0 = s().doc;
    s().setBrushRadius(30);
    const g = dragThenEsc(store, 'eraser', [[14, 27], [15, 27]]);
    expect(s().doc!.rois).toEqual([]);
    expect(s().selectedRoiId).toBeNull();
    g.cancel();
    expect(s().doc).toBe(doc0);
    expect(s().selectedRoiId).toBe(id);
  });

  it('a brush stroke that started a new outline is reverted: no outline, no undo step', async () => {
    const store = await openStore();
    const s = () => store.getState();
    s().selectRoi(null);
    s().setActiveMuscle('quadratusLumborum');
    s().setToolRange([-200, 200]);
    const doc0 = s().doc;
    const h0 = historySizes(s());
    const g = dragThenEsc(store, 'brush', [[60, 30], [64, 30]]);
    expect(s().doc!.rois).toHaveLength(2);
    g.cancel();
    expect(s().doc).toBe(doc0);
    expect(historySizes(s())).toEqual(h0);
  });

  it('a scissors line and a grow limit being dragged are dropped; the release after Esc is not delivered', async () => {
    const store = await openStore();
    const s = () => store.getState();
    const id = s().doc!.rois[0]!.id;
    s().selectRoi(id);
    s().setActiveMuscle('multifidus');
    const doc0 = s().doc;
    const h0 = historySizes(s());
    dragThenEsc(store, 'scissors', [[16.3, 18], [16.7, 37]]).cancel();
    expect(s().doc).toBe(doc0);
    expect(historySizes(s())).toEqual(h0);
    expect(s().toolHint).toBe('Cut line cancelled');
    dragThenEsc(store, 'grow', [[30, 10], [30, 60]], true).cancel();
    expect(s().growBarrier).toBeNull();
    expect(s().toolHint).toBe('Limit line cancelled');
    dragThenEsc(store, 'grow', [[14, 27]]).cancel();
    expect(s().doc).toBe(doc0);
    expect(s().toolHint).toBe('Grow cancelled');
  });

  it('reverts nothing when another change came after the stroke (it says to undo instead)', async () => {
    const store = await openStore();
    const s = () => store.getState();
    s().setBrushRadius(2);
    const g = dragThenEsc(store, 'brush', [[18, 22], [22, 27]]);
    s().setSlice(2);
    s().markLevel('L3/L4'); // a change with its own key while the button is held
    const doc1 = s().doc;
    g.cancel();
    expect(s().doc).toBe(doc1);
    expect(s().toolHint).toMatch(/^Stroke cancelled; .*undo it with Ctrl\+Z/);
  });
});
