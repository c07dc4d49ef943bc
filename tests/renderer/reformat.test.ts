import { describe, expect, it } from 'vitest';
import { makeGeometry } from '../../src/core/geometry/volumeGeometry';
import type { HuVolume } from '../../src/core/volume';
import { bodyExtent, reformatCount, reformatImage, reformatWidth, spineRow, zoomBasis, zoomWindow } from '../../src/renderer/state/reformat';
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
});
