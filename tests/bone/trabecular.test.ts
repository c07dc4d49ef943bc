/**
 * The trabecular ROI of a vertebral body (core/bone): on a synthetic vertebra whose trabecular bone is
 * exactly 150 HU inside a 700 HU cortex, with pedicles, laminae and a spinous process; then on the real
 * 3 mm CT with its TotalSegmentator L1 mask (../shared/data).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { boneRoiFromMaskSet, boneRoiFromMasks, measureTrabecular } from '../../src/core/bone/measureBone';
import { bodyMidSlice, proposeTrabecularRoi, CORTEX_MARGIN_MM } from '../../src/core/bone/trabecular';
import { rasterizePolygon } from '../../src/core/roi/rasterize';
import { loadSeriesFromFolder } from '../../src/node/dicomFiles';
import { loadMasks } from '../../src/node/masks';
import { axialGeometry, volumeOf } from '../core/helpers';
import { TRABECULAR, phantom, phantomSeries } from './phantom';

describe('trabecular ROI on a synthetic vertebra (body exactly 150 HU, cortex 700 HU)', () => {
  for (const spacing of [1, 0.7]) {
    it(`${spacing} mm pixels: the oval lies in the body, ${CORTEX_MARGIN_MM} mm clear of every pixel that is not trabecular bone, and its mean is exactly 150 HU`, () => {
      const { g, volume, mask, n } = phantomSeries(spacing);
      const r = boneRoiFromMasks(volume, mask, 'L1');
      if (!r.ok) throw new Error(r.reason);
      const { proposal, record } = r;
      expect(proposal.sliceIndex).toBe(2); // the mid slice of 5 equal slices
      // Every pixel of the oval (pixel-centre rule), checked against the phantom's own definition: each is
      // trabecular bone, and no pixel that is not (cortex, canal, soft tissue) lies within CLEAR_MM of it.
      // The margin is taken from the mask's edge (the cortex is inside the mask), so the ROI is at least
      // the margin less the 2 mm cortex clear of the cortex.
      const CLEAR_MM = CORTEX_MARGIN_MM - 2;
      const roi = rasterizePolygon(proposal.pointsIj, n, n);
      let pixels = 0;
      let nearest = Infinity;
      const reach = Math.ceil(CORTEX_MARGIN_MM / spacing) + 1;
      for (let p = 0; p < roi.length; p++) {
        if (!roi[p]) continue;
        pixels++;
        const i = p % n;
        const j = Math.floor(p / n);
        expect(phantom(i * spacing, j * spacing).hu).toBe(TRABECULAR);
        for (let dj = -reach; dj <= reach; dj++)
          for (let di = -reach; di <= reach; di++)
            if (phantom((i + di) * spacing, (j + dj) * spacing).hu !== TRABECULAR) nearest = Math.min(nearest, Math.hypot(di, dj) * spacing);
      }
      expect(nearest).toBeGreaterThanOrEqual(CLEAR_MM);
      expect(pixels).toBe(proposal.pixels);
      // Large enough to be a bone density ROI (the trabecular region is about 880 mm²; an oval 3.5 mm clear of it about 300-500).
      expect(pixels * spacing * spacing).toBeGreaterThan(200);
      expect(record.pixels).toBe(pixels);
      expect(record.areaMm2).toBeCloseTo(pixels * spacing * spacing, 9);
      expect(record.meanHu).toBe(TRABECULAR);
      expect(record.sdHu).toBe(0);
      expect(record.muscle).toBe('trabecularBone');
      expect(record.structure).toBe('L1 trabecular');
      expect(record.level).toBe('L1');
      expect(record.side).toBeNull();
      // The lean and fat metrics mean nothing in bone: null, not 0.
      expect(record.leanAreaMm2).toBeNull();
      expect(record.fatAreaMm2).toBeNull();
      // The LPS outline measures the same pixels as the pixel outline.
      expect(measureTrabecular(volume, proposal.sliceIndex, proposal.pointsLps, 'L1').pixels).toBe(pixels);
      expect(g.slices).toBe(5);
    });
  }

  it('a larger cortex margin gives a smaller oval, still exactly 150 HU', () => {
    const { volume, mask } = phantomSeries(1);
    const a = boneRoiFromMasks(volume, mask, 'L2');
    const b = boneRoiFromMasks(volume, mask, 'L2', { marginMm: 6 });
    if (!a.ok || !b.ok) throw new Error('no proposal');
    expect(b.proposal.pixels).toBeLessThan(a.proposal.pixels);
    expect(b.record.meanHu).toBe(TRABECULAR);
    expect(b.record.structure).toBe('L2 trabecular');
  });

  it('T12 (not a measured level): level null, the structure names the vertebra', () => {
    const { volume, mask } = phantomSeries(1);
    const r = boneRoiFromMasks(volume, mask, 'T12');
    if (!r.ok) throw new Error(r.reason);
    expect(r.record.level).toBeNull();
    expect(r.record.structure).toBe('T12 trabecular');
  });

  it('bad input gets a one-line reason naming the vertebra, never a throw', () => {
    const { g, volume, mask } = phantomSeries(1);
    const empty = proposeTrabecularRoi(g, new Uint8Array(mask.length), 'L1');
    expect(empty).toEqual({ ok: false, reason: 'L1 mask is empty' });
    const small = proposeTrabecularRoi(g, mask, 'L1', { marginMm: 40 });
    expect(small.ok).toBe(false);
    if (!small.ok) expect(small.reason).toMatch(/^L1: the body on slice 2 is too small for an ROI 40 mm clear of its edge/);
    const wrong = boneRoiFromMasks(volume, new Uint8Array(10), 'L3');
    expect(wrong.ok).toBe(false);
    if (!wrong.ok) expect(wrong.reason).toMatch(/^L3 mask has 10 voxels/);
  });

  it('the mid slice is the body\'s: a vertebra on slices 1..3 of 7 gives slice 2', () => {
    const { g, mask, n } = phantomSeries(1, 7);
    const plane = n * n;
    mask.fill(0, 0, plane);
    mask.fill(0, 4 * plane);
    expect(bodyMidSlice(g, mask)).toBe(2);
  });
});

const ABD = join(__dirname, '../../../shared/data/ct-abdomen-3mm');

describe('trabecular ROI on the real 3 mm CT (TotalSegmentator vertebrae_L1)', () => {
  it('the proposal lies inside the L1 mask, in its anterior part, and its mean is in a trabecular range', async () => {
    const { volume } = await loadSeriesFromFolder(join(ABD, 'dicom'));
    const g = volume.geometry;
    const r = await loadMasks(join(ABD, 'masks'), g, { include: (name) => name === 'vertebrae_L1' || name === 'vertebrae_L3' });
    expect(r.problems).toEqual([]);
    const l1 = r.masks.find((m) => m.name === 'vertebrae_L1')!.data;
    const res = boneRoiFromMaskSet(volume, r.masks, 'L1');
    expect(boneRoiFromMaskSet(volume, r.masks, 'T12')).toEqual({ ok: false, reason: 'no vertebrae_T12 mask among the masks: the T12 trabecular ROI needs it' });
    if (!res.ok) throw new Error(res.reason);
    const { proposal, record } = res;
    const plane = g.rows * g.columns;
    const k = proposal.sliceIndex;
    // The slice is within the L1 mask's extent, and every ROI pixel is an L1 mask pixel.
    let first = -1;
    let last = -1;
    for (let kk = 0; kk < g.slices; kk++) {
      if (l1.subarray(kk * plane, (kk + 1) * plane).some((v) => v !== 0)) {
        if (first < 0) first = kk;
        last = kk;
      }
    }
    expect(k).toBeGreaterThan(first);
    expect(k).toBeLessThan(last);
    const roi = rasterizePolygon(proposal.pointsIj, g.columns, g.rows);
    let n = 0;
    let jMaxRoi = -Infinity;
    let jMaxMask = -Infinity;
    for (let p = 0; p < plane; p++) {
      if (l1[k * plane + p]) jMaxMask = Math.max(jMaxMask, Math.floor(p / g.columns));
      if (!roi[p]) continue;
      n++;
      expect(l1[k * plane + p]).toBe(1);
      jMaxRoi = Math.max(jMaxRoi, Math.floor(p / g.columns));
    }
    expect(n).toBe(record.pixels);
    expect(n).toBeGreaterThanOrEqual(3); // 3 mm pixels: a small oval, but more than a pixel
    // Rows run to posterior: the ROI ends well in front of the mask's back (the spinous process).
    expect(jMaxRoi).toBeLessThan(jMaxMask - 5);
    // Trabecular bone of an adult lumbar body: between fat-marrow-like 50 HU and 400 HU, far below the
    // cortex (>600 HU) and above soft tissue. No reference value is published for this CT: a plausibility
    // range, not an expected value.
    expect(record.meanHu!).toBeGreaterThan(50);
    expect(record.meanHu!).toBeLessThan(400);
    console.log(`3 mm CT, L1: slice ${k}, ${n} pixels (${record.areaMm2} mm²), mean ${record.meanHu!.toFixed(1)} HU, SD ${record.sdHu!.toFixed(1)} HU; ${proposal.method}`);
    // L3 too (on request): inside its own mask.
    const l3 = r.masks.find((m) => m.name === 'vertebrae_L3')!.data;
    const r3 = boneRoiFromMasks(volume, l3, 'L3');
    if (!r3.ok) throw new Error(r3.reason);
    const roi3 = rasterizePolygon(r3.proposal.pointsIj, g.columns, g.rows);
    for (let p = 0; p < plane; p++) if (roi3[p]) expect(l3[r3.proposal.sliceIndex * plane + p]).toBe(1);
    console.log(`3 mm CT, L3: slice ${r3.proposal.sliceIndex}, ${r3.record.pixels} pixels, mean ${r3.record.meanHu!.toFixed(1)} HU`);
  });
});

describe('the body, not the posterior elements', () => {
  it('a posterior element thicker than the body (a 150 HU bulb behind the canal) never gets the oval', () => {
    // The phantom's body (trabecular 150 HU, semi-axes 20 x 14 mm inside the cortex) and, behind it, a
    // round bulb of radius 24 mm (cortex 2 mm, 150 HU inside) centred 100 mm from the front: deeper than
    // the body, so only the restriction to the anterior part keeps the oval out of it.
    const bulb = (x: number, y: number) => Math.hypot(x - 60, y - 100);
    const hu = (x: number, y: number) => {
      if (bulb(x, y) <= 22) return TRABECULAR;
      if (bulb(x, y) <= 24) return 700;
      return phantom(x, y).hu;
    };
    const inMask = (x: number, y: number) => bulb(x, y) <= 24 || phantom(x, y).mask;
    const n = 130;
    const g = axialGeometry(n, n, 3, 1, 1, 2);
    const volume = volumeOf(g, (i, j) => hu(i, j));
    const mask = new Uint8Array(n * n * 3);
    for (let k = 0; k < 3; k++) for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) mask[(k * n + j) * n + i] = inMask(i, j) ? 1 : 0;
    const r = boneRoiFromMasks(volume, mask, 'L1');
    if (!r.ok) throw new Error(r.reason);
    const roi = rasterizePolygon(r.proposal.pointsIj, n, n);
    for (let p = 0; p < roi.length; p++) if (roi[p]) expect(Math.floor(p / n)).toBeLessThanOrEqual(59); // the body's trabecular bone ends at y = 59
    expect(r.record.meanHu).toBe(TRABECULAR);
  });
});
