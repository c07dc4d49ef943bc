import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeGeometry } from '../../src/core/geometry/volumeGeometry';
import type { HuVolume } from '../../src/core/volume';
import { loadSeriesFromFolder } from '../../src/node/dicomFiles';
import { loadMasks } from '../../src/node/masks';
import { bodyExtent, reformatCount, reformatImage, reformatWidth, spineColumn, spinePosition, spineRow, zoomBasis, zoomWindow } from '../../src/renderer/state/reformat';
import { openPhantomStore, phantomSeries } from './phantomStore';

// 4 columns (i), 3 rows (j), 2 slices (k); HU encodes the voxel: 100*k + 10*j + i.
const geometry = makeGeometry({ columns: 4, rows: 3, slices: 2, columnSpacingMm: 1, rowSpacingMm: 2, rowDirection: [1, 0, 0], columnDirection: [0, 1, 0], slicePositions: [[0, 0, 0], [0, 0, 5]] });
const hu = new Int16Array(4 * 3 * 2);
for (let k = 0; k < 2; k++) for (let j = 0; j < 3; j++) for (let i = 0; i < 4; i++) hu[k * 12 + j * 4 + i] = 100 * k + 10 * j + i;
const volume: HuVolume = { geometry, hu, warnings: [] };

/** Grey values of an image (window 0..255 HU: grey == HU), rows top to bottom. */
function greys(rgba: Uint8ClampedArray, w: number): number[][] {
  const out: number[][] = [];
  for (let y = 0; y < rgba.length / 4 / w; y++) out.push(Array.from({ length: w }, (_, x) => rgba[(y * w + x) * 4]!));
  return out;
}

describe('reformats', () => {
  it('sagittal: column i, j across, head (last slice) at the top', () => {
    expect(reformatWidth(volume, 'sagittal')).toBe(3);
    expect(reformatCount(volume, 'sagittal')).toBe(4);
    expect(greys(reformatImage(volume, 'sagittal', 2, 127.5, 255), 3)).toEqual([
      [102, 112, 122],
      [2, 12, 22],
    ]);
  });
  it('coronal: row j, i across, head at the top', () => {
    expect(reformatWidth(volume, 'coronal')).toBe(4);
    expect(reformatCount(volume, 'coronal')).toBe(3);
    expect(greys(reformatImage(volume, 'coronal', 1, 127.5, 255), 4)).toEqual([
      [110, 111, 112, 113],
      [10, 11, 12, 13],
    ]);
  });
  it('spineRow finds the row with the most bone near the middle column, the middle row without bone', () => {
    const g = makeGeometry({ columns: 20, rows: 10, slices: 3, columnSpacingMm: 1, rowSpacingMm: 1, rowDirection: [1, 0, 0], columnDirection: [0, 1, 0], slicePositions: [[0, 0, 0], [0, 0, 1], [0, 0, 2]] });
    const soft = new Int16Array(20 * 10 * 3).fill(40);
    expect(spineRow({ geometry: g, hu: soft, warnings: [] })).toBe(5);
    const bone = soft.slice();
    for (let k = 0; k < 3; k++) for (let i = 8; i < 12; i++) bone[k * 200 + 7 * 20 + i] = 700;
    expect(spineRow({ geometry: g, hu: bone, warnings: [] })).toBe(7);
  });

  // A lying patient over the CT table (thorax CT: the table, at row 487 of 512, has more dense pixels
  // near the middle column than the spine). 60 x 60 pixels of 1 mm: soft tissue (40 HU) in rows 15..39,
  // columns 20..39, a vertebral body (700 HU) in rows 30..32, columns 26..33; air (-1000) around; the
  // table (700 HU, across the whole width) in rows 50..52 under 5 rows of foam mattress (-900 HU).
  const C = 60;
  const table = phantomSeries({
    columns: C,
    rows: 60,
    slices: 20,
    huOf: (i, j) => (j >= 50 && j <= 52 ? 700 : j >= 45 && j < 50 ? -900 : j >= 30 && j <= 32 && i >= 26 && i <= 33 ? 700 : j >= 15 && j <= 39 && i >= 20 && i <= 39 ? 40 : -1000),
  });
  const tableVolume: HuVolume = { geometry: table.geometry, hu: new Int16Array(table.volumeBytes()), warnings: [] };

  it('spineRow picks the vertebra inside the patient, not the CT table under it', () => {
    expect(spineRow(tableVolume)).toBe(31);
  });

  it('zoomBasis centres the sagittal on the spine row and the coronal on the spine column', () => {
    // Vertebra rows 30..32 and columns 26..33: centres 31.5 and 30 (pixel centres at index + 0.5).
    expect(zoomBasis(tableVolume, 'sagittal')).toEqual({ from: 5, to: 49, centre: 31.5, pixelMm: 1, heightMm: 60 });
    expect(zoomBasis(tableVolume, 'coronal').centre).toBe(30);
  });

  it('the coronal view opens on the spine row when the series is opened', async () => {
    const store = await openPhantomStore(table, { slice: 10 });
    expect(store.getState().coronalRow).toBe(31);
  });

  it('bodyExtent: the patient across (10 mm margin), the table left out of the sagittal', () => {
    // Sagittal runs along rows: body rows 15..39 -> 5..49 with the margin (the table is not the patient).
    expect(bodyExtent(tableVolume, 'sagittal')).toEqual({ from: 5, to: 49 });
    // Coronal runs along columns: body columns 20..39 -> 10..49.
    expect(bodyExtent(tableVolume, 'coronal')).toEqual({ from: 10, to: 49 });
  });

  // A patient 300 px of 1 mm across (pixels 100..399), the spine at 316.5.
  const basis = { from: 100, to: 399, centre: 316.5, pixelMm: 1, heightMm: 40 };
  it('zoomWindow: a short series (40 mm) in a 233 x 314 box shows 80 mm around the spine, not the 300 mm strip', () => {
    expect(zoomWindow(basis, 233, 314)).toEqual({ from: 276.5, to: 356.5 });
    // Near the patient's edge the window stays inside the patient.
    expect(zoomWindow({ ...basis, centre: 110 }, 233, 314)).toEqual({ from: 100, to: 180 });
  });
  it('zoomWindow: a series tall enough shows the whole patient across', () => {
    // 600 mm high in a 200 x 300 box: 400 mm across would fill the height, more than the 300 mm patient.
    expect(zoomWindow({ ...basis, heightMm: 600 }, 200, 300)).toEqual({ from: 100, to: 400 });
    // 300 mm high in a 200 x 300 box: 200 mm across fill it, centred on the spine.
    expect(zoomWindow({ ...basis, heightMm: 300 }, 200, 300)).toEqual({ from: 200, to: 400 });
  });

  // A lumbar slab with a known spine, off the image's middle: 200 x 200 pixels of 1 mm, 30 slices; the
  // patient (40 HU) with subcutaneous fat; the spinal midline at column 88 (the middle column, 100, misses
  // it); the vertebral body rows 100..135 (cortex 700, trabecular 180 HU), the canal rows 137..151, the
  // arch and spinous process rows 152..175 (700 HU, columns 85..91) with laminae; in front of the body the
  // aorta with contrast (300 HU, 14 mm across, centre row 88, 18 mm left of the midline) and a calcified
  // plaque; under the patient the CT table (700 HU, full width) on a foam mattress. Every 4th slice is a
  // disc (80 HU, no arch at the middle).
  const MID = 88;
  const spine = phantomSeries({
    columns: 200,
    rows: 200,
    slices: 30,
    huOf: (i, j, k) => {
      const dx = i - MID;
      if (j >= 190 && j <= 193) return 700; // the table
      if (j >= 184 && j < 190) return -900; // foam
      if (((i - 100) / 95) ** 2 + ((j - 100) / 80) ** 2 > 1) return -1000;
      if ((dx - 18) ** 2 + (j - 88) ** 2 <= 49) return 300; // aorta
      const disc = k % 4 === 0;
      if ((dx / 22) ** 2 + ((j - 117.5) / 18) ** 2 <= 1) {
        if (disc) return 80;
        return (dx / 20) ** 2 + ((j - 117.5) / 16) ** 2 <= 1 ? 180 : 700;
      }
      if (!disc && j >= 137 && j <= 151 && Math.abs(dx) >= 8 && Math.abs(dx) <= 12) return 700; // pedicles
      if (!disc && j >= 152 && j <= 158 && Math.abs(dx) <= 20) return 700; // laminae
      if (!disc && j >= 152 && j <= 175 && Math.abs(dx) <= 3) return 700; // spinous process
      if (((i - 100) / 88) ** 2 + ((j - 100) / 73) ** 2 > 1) return -100;
      return 40;
    },
  });
  const spineVolume: HuVolume = { geometry: spine.geometry, hu: new Int16Array(spine.volumeBytes()), warnings: [] };

  it('spinePosition: the coronal row through the middle of the vertebral bodies, the sagittal column on the spinal midline', () => {
    // body rows 100..135 (middle 117.5); not the aorta (81..95), not the canal, not the table
    const p = spinePosition(spineVolume)!;
    expect(Math.abs(p.row - 117.5)).toBeLessThanOrEqual(2);
    expect(p.column).toBe(MID);
    expect(spineRow(spineVolume)).toBe(p.row);
    expect(spineColumn(spineVolume, p.row)).toBe(MID);
  });

  it('the series opens with the coronal on the bodies and the sagittal on the midline', async () => {
    const store = await openPhantomStore(spine, { slice: 10 });
    expect(Math.abs(store.getState().coronalRow - 117.5)).toBeLessThanOrEqual(2);
    expect(store.getState().sagittalColumn).toBe(MID);
  });

  // The real CTs: where their vertebra masks (TotalSegmentator) put the body and the arch.
  const DATA = join(__dirname, '../../../shared/data');
  const cases = [
    { name: 'ct-abdomen-3mm (L3)', dicom: join(DATA, 'ct-abdomen-3mm/dicom'), masks: join(DATA, 'ct-abdomen-3mm/masks'), mask: 'vertebrae_L3' },
    { name: 'ct-thorax-j2k (T12)', dicom: join(DATA, 'ct-thorax-j2k'), masks: join(DATA, 'ct-thorax-j2k/masks'), mask: 'vertebrae_T12' },
  ];
  for (const c of cases) {
    it.skipIf(!existsSync(c.dicom))(`${c.name}: the coronal row through the middle of the vertebral body, the sagittal column on its midline`, async () => {
      const { volume } = await loadSeriesFromFolder(c.dicom);
      const g = volume.geometry;
      const mask = (await loadMasks(c.masks, g, { include: (n) => n === c.mask })).masks[0]!.data;
      const plane = g.rows * g.columns;
      const slices = [...Array(g.slices).keys()].filter((k) => mask.subarray(k * plane, (k + 1) * plane).some((x) => x !== 0));
      const k = slices[slices.length >> 1]!;
      const p = spinePosition(volume)!;
      // along the chosen column: the body is the front run of mask rows (the canal parts it from the arch)
      const rows = [...Array(g.rows).keys()].filter((j) => mask[k * plane + j * g.columns + p.column] !== 0);
      expect(rows.length, `column ${p.column} crosses the ${c.mask} mask`).toBeGreaterThan(0);
      const end = rows.findIndex((j, n) => n > 0 && j - rows[n - 1]! > 1);
      const body = end > 0 ? rows.slice(0, end) : rows;
      // the coronal row lies in the body, in its middle half (not at its front edge, not in the canal)
      const depth = body[body.length - 1]! - body[0]!;
      expect(p.row).toBeGreaterThanOrEqual(body[0]! + depth / 4);
      expect(p.row).toBeLessThanOrEqual(body[body.length - 1]! - depth / 4);
      // the sagittal column: within 3 mm of the middle of the body's width on that row
      const across = [...Array(g.columns).keys()].filter((i) => mask[k * plane + p.row * g.columns + i] !== 0);
      let lo = p.column;
      let hi = p.column;
      while (across.includes(lo - 1)) lo--;
      while (across.includes(hi + 1)) hi++;
      expect(Math.abs(p.column - (lo + hi) / 2) * g.columnSpacingMm, `body columns ${lo}..${hi} on row ${p.row}`).toBeLessThanOrEqual(3);
    });
  }
});
