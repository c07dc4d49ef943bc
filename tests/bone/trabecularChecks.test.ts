/**
 * A trabecular ROI that cannot be trabecular bone says so (core/bone/measureBone.ts trabecularChecks):
 * on the synthetic vertebra (body exactly 150 HU, 2 mm cortex 700 HU, soft tissue 40 HU) and on HU given
 * by hand. The expected shares are counted from the phantom's own definition.
 */
import { describe, expect, it } from 'vitest';
import { boneRoiFromMasks, measureTrabecular, TRABECULAR_CHECK, trabecularChecks } from '../../src/core/bone/measureBone';
import { contourMask, sliceIjToLps } from '../../src/core/roi/contour';
import { phantom, phantomSeries } from './phantom';

const checks = (w: readonly string[]) => w.filter((x) => x.startsWith('anatomy check: '));

describe('trabecular ROI anatomy checks', () => {
  it('the proposal inside the body raises none', () => {
    const { volume, mask } = phantomSeries(1);
    const r = boneRoiFromMasks(volume, mask, 'L1');
    if (!r.ok) throw new Error(r.reason);
    expect(r.record.meanHu).toBe(150);
    expect(checks(r.record.warnings)).toEqual([]);
  });

  it('a box over the whole body takes in the cortex: flagged with its share of cortex pixels', () => {
    const { g, volume } = phantomSeries(1);
    const k = 2;
    // 1 mm pixels: the body spans x 38..82, y 29..61 mm; the box 36.5..83.5 x 27.5..62.5 holds all of it.
    const box: [number, number][] = [[36.5, 27.5], [83.5, 27.5], [83.5, 62.5], [36.5, 62.5]];
    const record = measureTrabecular(volume, k, sliceIjToLps(g, k, box), 'L1');
    const roi = contourMask(g, k, sliceIjToLps(g, k, box));
    let n = 0;
    let cortex = 0;
    roi.forEach((v, p) => {
      if (!v) return;
      n++;
      if (phantom(p % g.columns, Math.floor(p / g.columns)).hu >= TRABECULAR_CHECK.cortexHu) cortex++;
    });
    expect(cortex / n).toBeGreaterThan(TRABECULAR_CHECK.maxCortexShare);
    expect(checks(record.warnings)).toEqual([
      `anatomy check: ${Math.round((cortex / n) * 100)}% of the L1 trabecular ROI's pixels are >= 500 HU: it takes in cortex; keep it clear of the cortex and endplates`,
    ]);
  });

  it('a mean below 0 HU (fat) is not in the vertebral body; an empty ROI says so; values at the limits pass', () => {
    const mask = new Uint8Array([1, 1, 1, 1, 0]);
    expect(trabecularChecks([-100, -100, -100, -100, 900], mask, 'L2')).toEqual([
      'anatomy check: L2 trabecular ROI mean -100.0 HU is below 0 HU: is it inside the vertebral body?',
    ]);
    expect(trabecularChecks([0, 0, 0, 0, 0], new Uint8Array(5), 'L1')).toEqual(['anatomy check: L1 trabecular ROI holds no pixel']);
    // Mean exactly 0 and 1 of 10 pixels (10 %) at 500 HU: neither check fires (both limits inclusive).
    const ten = new Uint8Array(10).fill(1);
    expect(trabecularChecks([500, -500 / 9, -500 / 9, -500 / 9, -500 / 9, -500 / 9, -500 / 9, -500 / 9, -500 / 9, -500 / 9], ten, 'L1')).toEqual([]);
  });
});
