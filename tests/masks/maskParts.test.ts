/**
 * The masks -> muscles step shared by `paraspine measure` (records) and the app's mask import
 * (outlines): src/core/muscles/maskParts.ts, on an exact phantom (expected pixels from the phantom's
 * construction).
 */
import { describe, expect, it } from 'vitest';
import { maskParts, splitNeedsHu, type MaskPartsInput } from '../../src/core/muscles/maskParts';

const C = 60;
const R = 40;
const plane = () => new Uint8Array(C * R);
function rect(m: Uint8Array | Float32Array, i0: number, i1: number, j0: number, j1: number, v = 1) {
  for (let j = j0; j <= j1; j++) for (let i = i0; i <= i1; i++) m[i + j * C] = v;
}
const count = (m: Uint8Array) => m.reduce((s, v) => s + (v ? 1 : 0), 0);

// Two target slices. Slice 0: the left iliopsoas has a psoas beside the spine (columns 36..41, rows
// 10..17: 48 px) and a larger iliacus further out (columns 48..57, rows 4..15: 120 px); slice 1: the psoas
// only. A left autochthon (columns 34..45, rows 28..35: 96 px) and a mask no rule knows ('spleen', 10 px).
const iliopsoas = [plane(), plane()];
rect(iliopsoas[0]!, 36, 41, 10, 17);
rect(iliopsoas[0]!, 48, 57, 4, 15);
rect(iliopsoas[1]!, 36, 41, 10, 17);
const autochthon = [plane(), plane()];
for (const m of autochthon) rect(m, 34, 45, 28, 35);
const spleen = [plane(), plane()];
for (const m of spleen) rect(m, 2, 6, 2, 3);
const body = [plane(), plane()];
for (const m of body) rect(m, 24, 36, 14, 26);

/** HU: muscle everywhere (50 HU). */
const huOf = () => {
  const hu = new Float32Array(C * R);
  hu.fill(50);
  return hu;
};

function input(split: boolean, asked: number[]): MaskPartsInput {
  return {
    columns: C,
    rows: R,
    spacing: { columnSpacingMm: 1, rowSpacingMm: 1 },
    slices: [{ level: 'L3' }, { level: null }],
    structures: [
      { name: 'iliopsoas_left', sliceMasks: iliopsoas },
      { name: 'autochthon_left', sliceMasks: autochthon },
      { name: 'spleen', sliceMasks: spleen },
    ],
    vertebrae: [{ name: 'vertebrae_L3', sliceMasks: body }],
    split,
    hu: (n) => {
      asked.push(n);
      return huOf();
    },
  };
}

describe('maskParts', () => {
  it('without the split: every mask raw, named by its structure (no HU read, no cuts)', () => {
    const asked: number[] = [];
    const out = maskParts(input(false, asked));
    expect(asked).toEqual([]);
    expect(out).toHaveLength(2);
    for (const [n, s] of out.entries()) {
      expect(s.cuts).toEqual([]);
      expect(s.parts.map((p) => [p.structure, p.muscle, p.side, p.source, p.derived])).toEqual([
        ['iliopsoas_left', 'psoas', 'left', 'iliopsoas_left', false],
        ['autochthon_left', 'autochthon', 'left', 'autochthon_left', false],
        ['spleen', null, null, 'spleen', false],
      ]);
      expect(s.parts[0]!.mask).toBe(iliopsoas[n]);
    }
  });

  it('with the split: psoas component, autochthon medial + lateral (a partition, with a cut), unknown masks raw; HU asked for each slice once', () => {
    const asked: number[] = [];
    const out = maskParts(input(true, asked));
    expect(asked).toEqual([0, 1]);
    for (const [n, s] of out.entries()) {
      expect(s.parts.map((p) => [p.structure, p.muscle, p.side, p.derived])).toEqual([
        ['iliopsoas_left', 'psoas', 'left', true],
        ['autochthon_left', 'multifidus', 'left', true],
        ['autochthon_left', 'erectorSpinae', 'left', true],
        ['spleen', null, null, false],
      ]);
      expect(s.parts[3]!.source).toBe('spleen');
      expect(count(s.parts[0]!.mask)).toBe(48); // the iliacus (slice 0) left out
      expect(count(s.parts[1]!.mask) + count(s.parts[2]!.mask)).toBe(96);
      for (let p = 0; p < C * R; p++) expect(s.parts[1]!.mask[p]! & s.parts[2]!.mask[p]!).toBe(0);
      expect(s.cuts.map((c) => [c.structure, c.side])).toEqual([['autochthon_left', 'left']]);
      expect(count(s.parts[3]!.mask)).toBe(10);
      expect(s.parts[3]!.mask).toBe(spleen[n]);
    }
  });

  it('reads no HU when no autochthon is split', () => {
    expect(splitNeedsHu(['iliopsoas_left', 'spleen'])).toBe(false);
    expect(splitNeedsHu(['Autochthon_Right'])).toBe(true);
    const asked: number[] = [];
    const base = input(true, asked);
    const out = maskParts({ ...base, structures: base.structures.filter((s) => s.name !== 'autochthon_left') });
    expect(asked).toEqual([]);
    expect(out[0]!.parts.map((p) => p.muscle)).toEqual(['psoas', null]);
  });
});
