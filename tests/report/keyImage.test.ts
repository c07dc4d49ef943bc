import { describe, expect, it } from 'vitest';
import type { AnnotationDocument } from '../../src/core/annotations/document';
import { cropBox, directionLetters, keyImageInputsFromDocument, keyImageInputsFromMasks, renderKeyImage, type KeyImageInput } from '../../src/core/report/keyImage';
import { rasterizePolygon } from '../../src/core/roi/rasterize';
import { axialGeometry, volumeOf } from '../core/helpers';

const WINDOW = { center: 50, width: 250 }; // -75 .. 175 HU
const FULL = { crop: false } as const;
const PSOAS_RGB = [0xff, 0x6b, 0x6b];
const ES_RGB = [0x4d, 0xab, 0xf7];

/** 20 columns x 10 rows, rows 2 mm apart, columns 1 mm: HU -75 at (0,0), 175 at (1,0), 50 at (2,0), 0 elsewhere. */
function slice(): KeyImageInput {
  const hu = new Int16Array(200);
  hu[0] = -75;
  hu[1] = 175;
  hu[2] = 50;
  return {
    level: 'L3',
    sliceIndex: 0,
    columns: 20,
    rows: 10,
    hu,
    pixelSpacing: [2, 1],
    rowDirection: [1, 0, 0],
    columnDirection: [0, 1, 0],
    // Pixels i 10..13, j 3..6, along their outer corners.
    outlines: [{ muscle: 'psoas', side: 'left', structure: 'psoas_left', points: [[9.5, 2.5], [13.5, 2.5], [13.5, 6.5], [9.5, 6.5]] }],
  };
}

const px = (k: { width: number; rgba: Uint8Array }, x: number, y: number) => [...k.rgba.subarray((y * k.width + x) * 4, (y * k.width + x) * 4 + 4)];

describe('key image', () => {
  it('maps HU through the window: lower edge black, upper edge white, centre mid-grey; nearest-neighbour pixels', () => {
    const k = renderKeyImage(slice(), WINDOW, FULL);
    expect(k.scale).toBe(25); // floor(512 / 20)
    expect([k.width, k.height]).toEqual([500, 250]);
    expect(px(k, 0, 0)).toEqual([0, 0, 0, 255]);
    expect(px(k, 24, 24)).toEqual([0, 0, 0, 255]);
    expect(px(k, 25, 0)).toEqual([255, 255, 255, 255]);
    expect(px(k, 50, 0)).toEqual([128, 128, 128, 255]); // (50 + 75) / 250 * 255 = 127.5
    expect(px(k, 100, 100)).toEqual([77, 77, 77, 255]); // 0 HU: 75 / 250 * 255 = 76.5
  });

  it('keeps the patient aspect: the slice is 20 mm by 20 mm though it has 20 x 10 pixels', () => {
    const k = renderKeyImage(slice(), WINDOW, FULL);
    expect([k.widthMm, k.heightMm]).toEqual([20, 20]);
  });

  it('strokes the outline in its muscle colour along the pixel corners, and leaves inside and outside grey', () => {
    const k = renderKeyImage(slice(), WINDOW, FULL);
    // Corner (9.5, 2.5) -> image (250, 75); the left edge runs down x = 250 from y = 75 to 175.
    expect(px(k, 250, 125).slice(0, 3)).toEqual(PSOAS_RGB);
    expect(px(k, 300, 75).slice(0, 3)).toEqual(PSOAS_RGB);
    expect(px(k, 350, 175).slice(0, 3)).toEqual(PSOAS_RGB);
    expect(px(k, 300, 125)).toEqual([77, 77, 77, 255]);
    expect(px(k, 200, 125)).toEqual([77, 77, 77, 255]);
  });

  it('places the label outside the outline it names, with its leader line ending on the outline', () => {
    const k = renderKeyImage(slice(), WINDOW, FULL);
    expect(k.labels).toHaveLength(1);
    const l = k.labels[0]!;
    expect(l.text).toBe('PS L');
    expect(l.color).toBe('#ff6b6b');
    const inside = l.x > 250 && l.x < 350 && l.y > 75 && l.y < 175;
    expect(inside).toBe(false);
    // One outline: no spine to point away from, so the label goes above it; the leader line ends on its top edge.
    expect(l.y).toBeLessThan(75);
    expect(l.anchorY).toBe(75);
    expect(l.anchorX).toBeGreaterThanOrEqual(250);
    expect(l.anchorX).toBeLessThanOrEqual(350);
  });

  it('keeps the labels of neighbouring outlines apart, each outside every outline', () => {
    const s = slice();
    const input: KeyImageInput = {
      ...s,
      outlines: [
        { muscle: 'psoas', side: 'right', structure: 'psoas_right', points: [[3.5, 2.5], [7.5, 2.5], [7.5, 6.5], [3.5, 6.5]] },
        { muscle: 'erectorSpinae', side: 'left', structure: 'es_left', points: [[12.5, 2.5], [16.5, 2.5], [16.5, 6.5], [12.5, 6.5]] },
        { muscle: 'multifidus', side: 'left', structure: 'mf_left', points: [[9.5, 6.5], [11.5, 6.5], [11.5, 8.5], [9.5, 8.5]] },
      ],
    };
    const k = renderKeyImage(input, WINDOW, FULL);
    expect(k.labels.map((l) => l.text)).toEqual(['PS R', 'ES L', 'MF L']);
    expect(px(k, 425, 125).slice(0, 3)).toEqual(ES_RGB); // (16.5 + 0.5) * 25
    const boxes = k.labels.map((l) => ({ x0: l.x - 30, x1: l.x + 30, y0: l.y - 7, y1: l.y + 7 }));
    for (let a = 0; a < boxes.length; a++) for (let b = a + 1; b < boxes.length; b++) {
      const A = boxes[a]!;
      const B = boxes[b]!;
      expect(A.x0 < B.x1 && B.x0 < A.x1 && A.y0 < B.y1 && B.y0 < A.y1, `${k.labels[a]!.text} / ${k.labels[b]!.text}`).toBe(false);
    }
    const outlinesPx = input.outlines.map((o) => o.points.map(([i, j]) => [(i + 0.5) * 25, (j + 0.5) * 25] as const));
    for (const l of k.labels) {
      for (const pts of outlinesPx) {
        const xs = pts.map((p) => p[0]);
        const ys = pts.map((p) => p[1]);
        const inside = l.x > Math.min(...xs) && l.x < Math.max(...xs) && l.y > Math.min(...ys) && l.y < Math.max(...ys);
        expect(inside, l.text).toBe(false);
      }
    }
  });

  it('names the patient sides at the image edges from the orientation (axial: R left, L right, A top, P bottom)', () => {
    expect(renderKeyImage(slice(), WINDOW, FULL).edges).toEqual({ left: 'R', right: 'L', top: 'A', bottom: 'P' });
    const flipped = renderKeyImage({ ...slice(), rowDirection: [-1, 0, 0] }, WINDOW, FULL);
    expect(flipped.edges?.left).toBe('L');
    const { rowDirection: _r, ...unknown } = slice();
    void _r;
    expect(renderKeyImage(unknown, WINDOW, FULL).edges).toBeNull();
    expect(directionLetters([0.8, 0.6, 0])).toBe('LP');
    expect(directionLetters([0, 0, -1])).toBe('F');
  });

  it('shows the part of the slice around the outlines: their box grown by half its larger side (or the margin), cut to the slice', () => {
    // Outline box i 9.5..13.5 (4 mm), j 2.5..6.5 (8 mm): half the larger side is 4 mm = 4 columns or 2 rows.
    expect(cropBox(slice(), 2)).toEqual({ i0: 5, j0: 0, columns: 14, rows: 10 });
    // A 10 mm margin is larger: 10 columns (cut at the slice's right edge) and 5 rows.
    expect(cropBox(slice(), 10)).toEqual({ i0: 0, j0: 0, columns: 20, rows: 10 });
    expect(cropBox({ ...slice(), outlines: [] }, 2)).toEqual({ i0: 0, j0: 0, columns: 20, rows: 10 });
    const k = renderKeyImage(slice(), WINDOW, { cropMarginMm: 2 });
    expect(k.crop).toEqual({ i0: 5, j0: 0, columns: 14, rows: 10 });
    expect(k.scale).toBe(36); // floor(512 / 14)
    expect([k.widthMm, k.heightMm]).toEqual([14, 20]);
    // The outline's left edge, slice x 9.5, is at (9.5 - 5 + 0.5) x 36 = 180 in the cropped image.
    expect(px(k, 180, 150).slice(0, 3)).toEqual(PSOAS_RGB);
    expect(px(k, 0, 0)).toEqual([77, 77, 77, 255]); // slice pixel (5, 0): 0 HU
  });

  it('labels a muscle and side once, on its largest piece', () => {
    const s = slice();
    const pieces: KeyImageInput = { ...s, outlines: [...s.outlines, { muscle: 'psoas', side: 'left', structure: 'psoas_left', points: [[1.5, 7.5], [2.5, 7.5], [2.5, 8.5], [1.5, 8.5]] }] };
    const k = renderKeyImage(pieces, WINDOW, FULL);
    expect(k.labels.map((l) => l.text)).toEqual(['PS L']);
    expect(k.labels[0]!.anchorX).toBeGreaterThanOrEqual(250);
  });

  it('refuses a slice whose size does not match its values, and a window of no width', () => {
    expect(() => renderKeyImage({ ...slice(), hu: new Int16Array(10) }, WINDOW, FULL)).toThrow(/slice has 10 values, expected 20x10/);
    expect(() => renderKeyImage(slice(), { center: 0, width: 0 })).toThrow(/window width must be positive/);
  });
});

describe('key image inputs', () => {
  const g = axialGeometry(8, 6, 3);
  const volume = volumeOf(g, (i, j, k) => i + 10 * j + 100 * k);

  it('traces the measured masks of each level on its slice (the outline rasterises back to the mask)', () => {
    const mask = new Uint8Array(48);
    for (let j = 1; j <= 3; j++) for (let i = 2; i <= 5; i++) mask[j * 8 + i] = 1;
    const inputs = keyImageInputsFromMasks(volume, [
      { level: 'L3', sliceIndex: 2, structure: 'iliopsoas_left', muscle: 'psoas', side: 'left', mask },
      { level: 'L4/L5', sliceIndex: 1, structure: 'iliopsoas_left', muscle: 'psoas', side: 'left', mask: new Uint8Array(48) },
    ]);
    expect(inputs.map((x) => [x.level, x.sliceIndex])).toEqual([['L3', 2], ['L4/L5', 1]]);
    const l3 = inputs[0]!;
    expect(l3.hu[0]).toBe(200);
    expect(l3.outlines).toHaveLength(1);
    expect([...rasterizePolygon(l3.outlines[0]!.points, 8, 6)]).toEqual([...mask]);
    expect(inputs[1]!.outlines).toEqual([]);
  });

  it('takes a document level outlines onto the level slice in pixel coordinates', () => {
    const doc = {
      levels: [{ level: 'L3', sliceIndex: 1, z: 1, source: 'manual' }],
      rois: [
        { id: 'a', level: 'L3', muscle: 'psoas', side: 'right', sliceIndex: 1, z: 1, pointsLps: [[1, 1, 1], [3, 1, 1], [3, 4, 1]] },
      ],
    } as unknown as Pick<AnnotationDocument, 'rois' | 'levels'>;
    const [l3] = keyImageInputsFromDocument(volume, doc);
    expect(l3!.sliceIndex).toBe(1);
    expect(l3!.outlines[0]!.points.map((p) => [...p])).toEqual([[1, 1], [3, 1], [3, 4]]);
    expect(l3!.outlines[0]!.muscle).toBe('psoas');
  });
});
