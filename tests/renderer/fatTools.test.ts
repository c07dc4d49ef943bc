/**
 * The tools that keep intramuscular fat and the spike-free snap through the store, on the fat-marbled
 * phantom (tests/fixtures/fatStreakPhantom.ts; 0.75 x 0.8 mm pixels, so the envelope radius is 6 px):
 * grow with "keep enclosed fat" (default) gives each muscle's envelope exactly; off, the muscle range
 * alone; the brush paints soft tissue by default and only muscle with "muscle range only"; snap on the
 * grown (staircase) erector spinae never moves a pixel of the multifidus beside it.
 */
import { describe, expect, it } from 'vitest';
import { contourMask, lpsToSliceIj } from '../../src/core/roi/contour';
import { maxTurnDeg, SNAP_MAX_TURN_DEG } from '../../src/core/roi/edges';
import type { AppState } from '../../src/renderer/state/store';
import { envelopeRadiusPx } from '../../src/renderer/state/slices/outlineTools';
import { envelopeMask, FS, fatStreakHu, TRUTH } from '../fixtures/fatStreakPhantom';
import { openPhantomStore, phantomSeries } from './phantomStore';

const { columns: C, rows: R } = FS;
const S = 3;
const K = 1;
const series = phantomSeries({ columns: C, rows: R, slices: S, columnSpacingMm: 0.8, rowSpacingMm: 0.75, huOf: (i, j) => fatStreakHu(i, j) });
const { geometry } = series;
const openStore = () => openPhantomStore(series, { slice: K });
const roiOf = (s: AppState, muscle: string) => s.doc!.rois.find((r) => r.muscle === muscle)!;
const maskOf = (s: AppState, muscle: string) => contourMask(geometry, K, roiOf(s, muscle).pointsLps);
const count = (m: Uint8Array) => m.reduce((a, b) => a + b, 0);
const fat = (m: Uint8Array) => {
  let f = 0;
  m.forEach((v, p) => {
    const hu = fatStreakHu(p % C, Math.floor(p / C));
    if (v && hu >= -190 && hu <= -30) f++;
  });
  return f;
};
const same = (a: Uint8Array, b: Uint8Array) => a.every((v, p) => (v !== 0) === (b[p] !== 0));

describe('tools that keep intramuscular fat (store)', () => {
  it('grow keeps the fat the muscle encloses (default, says how much); off: the muscle range alone', async () => {
    const store = await openStore();
    const s = () => store.getState();
    expect(envelopeRadiusPx(0.8, 0.75)).toBe(6);
    expect(s().growKeepEnclosed).toBe(true);
    s().setActiveMuscle('multifidus');
    expect(s().growAt([17, 18])).toBe('added');
    expect(same(maskOf(s(), 'multifidus'), envelopeMask('mf'))).toBe(true);
    expect(fat(maskOf(s(), 'multifidus'))).toBe(TRUTH.mf.fat);
    expect(s().toolHint).toBe(`Grown: ${TRUTH.mf.pixels} px in -29..150 HU (8-connected); ${TRUTH.mf.pixels - TRUTH.mf.grownPixels} px the muscle encloses (fat, streaks) taken in`);
    s().setGrowKeepEnclosed(false);
    s().setActiveMuscle('erectorSpinae');
    expect(s().growAt([33, 18])).toBe('added');
    expect(count(maskOf(s(), 'erectorSpinae'))).toBe(TRUTH.es.grownPixels);
    expect(fat(maskOf(s(), 'erectorSpinae'))).toBe(TRUTH.es.grownFat);
    expect(s().toolHint).toBe(`Grown: ${TRUTH.es.grownPixels} px in -29..150 HU (8-connected)`);
  });

  it('the brush paints soft tissue by default (the fat streak joins); with "muscle range only" it adds none of it', async () => {
    const store = await openStore();
    const s = () => store.getState();
    s().setGrowKeepEnclosed(false);
    s().setActiveMuscle('erectorSpinae');
    s().growAt([33, 18]);
    s().setBrushRadius(1);
    expect(s().brushSoftTissue).toBe(true);
    expect(s().softTissueRange()).toEqual([-190, 150]);
    s().setBrushSoftTissue(false);
    expect(s().paintStroke([[36, 38], [36, 44.6]], 'add', 'm1')).toBe(false); // streak C: fat only
    s().setBrushSoftTissue(true);
    expect(s().paintStroke([[36, 38], [36, 44.6]], 'add', 's1')).toBe(true);
    expect(count(maskOf(s(), 'erectorSpinae'))).toBe(TRUTH.es.grownPixels + 8);
    expect(fat(maskOf(s(), 'erectorSpinae'))).toBe(TRUTH.es.grownFat + 8);
  });

  it('snap on the grown erector spinae: smoothed first, no turn past the limit, no multifidus pixel moved in', async () => {
    const store = await openStore();
    const s = () => store.getState();
    s().setActiveMuscle('multifidus');
    s().growAt([17, 18]);
    s().setActiveMuscle('erectorSpinae');
    s().growAt([33, 18]);
    const mf = maskOf(s(), 'multifidus');
    const es = roiOf(s(), 'erectorSpinae');
    s().selectRoi(es.id);
    expect(s().runOutlineCommand('snap')).toBe(true);
    expect(s().toolHint).toMatch(/vertices moved toward the strongest edge within 2 px \(pixel steps smoothed first\)/);
    const after = maskOf(s(), 'erectorSpinae');
    expect(after.some((v, p) => v && mf[p])).toBe(false);
    const ij = lpsToSliceIj(geometry, K, roiOf(s(), 'erectorSpinae').pointsLps);
    expect(maxTurnDeg(ij)).toBeLessThanOrEqual(SNAP_MAX_TURN_DEG + 1e-6);
    // One undo step puts the grown outline back.
    s().undo();
    expect(roiOf(s(), 'erectorSpinae').pointsLps).toEqual(es.pointsLps);
  });
});
