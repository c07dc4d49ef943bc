/** TotalSegmentator classes to Paraspine muscles (src/core/muscles): phantoms with exact expectations, and properties. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { splitAutochthon } from '../../src/core/muscles/autochthonSplit';
import { components8 } from '../../src/core/muscles/components';
import { musclesOnSlice, spineCentreOnSlice } from '../../src/core/muscles/fromTotalSegmentator';
import { psoasComponent } from '../../src/core/muscles/psoas';
import { rasterizePolygon } from '../../src/core/roi/rasterize';

const count = (m: Uint8Array) => m.reduce((s, v) => s + (v ? 1 : 0), 0);
function rect(m: Uint8Array | Float32Array, columns: number, i0: number, i1: number, j0: number, j1: number, v = 1) {
  for (let j = j0; j <= j1; j++) for (let i = i0; i <= i1; i++) m[i + j * columns] = v;
}

describe('psoasComponent', () => {
  // 60 x 40 slice. Spine (vertebral body) around column 30; psoas beside it (columns 36..41, rows 10..17);
  // the iliacus along the wing, lateral and larger (columns 48..57, rows 4..15); a 2-pixel speck right
  // beside the body (columns 33..34, row 20), nearer the spine than the psoas but under 10 % of the mask.
  const C = 60;
  const R = 40;
  const iliopsoas = new Uint8Array(C * R);
  rect(iliopsoas, C, 36, 41, 10, 17); // psoas: 48 pixels
  rect(iliopsoas, C, 48, 57, 4, 15); // iliacus: 120 pixels
  rect(iliopsoas, C, 33, 34, 20, 20); // speck: 2 pixels
  const body = new Uint8Array(C * R);
  rect(body, C, 24, 36, 14, 26);

  it('keeps the component nearest the vertebral body and leaves the iliacus (and specks) out', () => {
    const spine = spineCentreOnSlice([body], C)!;
    expect(spine).toEqual({ i: 30, j: 20 });
    const p = psoasComponent(iliopsoas, C, R, spine);
    const expected = new Uint8Array(C * R);
    rect(expected, C, 36, 41, 10, 17);
    expect(p.components).toBe(3);
    expect(p.keptPixels).toBe(48);
    expect(p.droppedPixels).toBe(122);
    expect(Array.from(p.mask)).toEqual(Array.from(expected));
  });

  it('uses the image left-right centre without a vertebra on the slice, and mm for anisotropic pixels', () => {
    expect(spineCentreOnSlice([new Uint8Array(C * R)], C)).toBeNull();
    expect(psoasComponent(iliopsoas, C, R, null).keptPixels).toBe(48);
    // Distances are in mm: with rows 0.1 mm apart the row offsets shrink and the iliacus becomes nearer.
    const spine = { i: 52, j: 38 };
    expect(psoasComponent(iliopsoas, C, R, spine).keptPixels).toBe(48); // psoas centroid (38.5, 13.5) vs iliacus (52.5, 9.5): 27.8 vs 28.5
    expect(psoasComponent(iliopsoas, C, R, spine, { columnSpacingMm: 1, rowSpacingMm: 0.1 }).keptPixels).toBe(120);
  });

  it('returns an empty mask for an empty slice, and one component unchanged', () => {
    expect(psoasComponent(new Uint8Array(C * R), C, R, null)).toMatchObject({ keptPixels: 0, droppedPixels: 0, components: 0 });
    const one = new Uint8Array(C * R);
    rect(one, C, 10, 20, 10, 20);
    expect(Array.from(psoasComponent(one, C, R, { i: 50, j: 5 }).mask)).toEqual(Array.from(one));
  });
});

describe('splitAutochthon', () => {
  // 40 x 30 slice; the left autochthon (patient left = higher columns) spans columns 20..39, rows 5..24,
  // midline at column 10 (medial = lower columns). Muscle 50 HU, a fat plane (-100 HU) one pixel wide on
  // column 28 on rows 5..14, then slanting one column laterally per row to column 32 on rows 18..24.
  const C = 40;
  const R = 30;
  const mask = new Uint8Array(C * R);
  rect(mask, C, 20, 39, 5, 24);
  const hu = new Float32Array(C * R).fill(-1000);
  rect(hu, C, 20, 39, 5, 24, 50);
  const planeCol = (j: number) => (j <= 14 ? 28 : Math.min(32, 28 + (j - 14)));
  for (let j = 5; j <= 24; j++) hu[planeCol(j) + j * C] = -100;

  it('follows the fat plane: multifidus medial to it, the plane and the rest erector spinae', () => {
    const s = splitAutochthon(mask, hu, C, R, { midlineI: 10 });
    expect(s.cutColumns).toEqual(Array.from({ length: 20 }, (_, r) => planeCol(5 + r)));
    expect(s.firstRow).toBe(5);
    expect(s.fatPixelsOnCut).toBe(20);
    for (let j = 5; j <= 24; j++) {
      for (let i = 20; i <= 39; i++) {
        expect(s.medial[i + j * C]).toBe(i < planeCol(j) ? 1 : 0);
        expect(s.lateral[i + j * C]).toBe(i >= planeCol(j) ? 1 : 0);
      }
    }
    // The cut runs along the pixel edges just medial of the plane, ventral to dorsal.
    expect(s.cutIj).toEqual([
      [27.5, 4.5], [27.5, 14.5], [28.5, 14.5], [28.5, 15.5], [29.5, 15.5], [29.5, 16.5], [30.5, 16.5], [30.5, 17.5],
      [31.5, 17.5], [31.5, 24.5],
    ]);
  });

  it('keeps to the prior line (45 % of the extent from the medial edge) where there is no fat plane, on either side', () => {
    const flat = new Float32Array(C * R).fill(40);
    const left = splitAutochthon(mask, flat, C, R, { midlineI: 10 });
    // extent 20 columns: t0 = 0.45 * 19 = 8.55 -> t = 9 (column 29); medial 9 columns per row.
    expect(new Set(left.cutColumns)).toEqual(new Set([29]));
    expect(count(left.medial)).toBe(9 * 20);
    // The mirror image (right side, midline at higher columns): medial is towards increasing i.
    const right = splitAutochthon(mask, flat, C, R, { midlineI: 60 });
    expect(new Set(right.cutColumns)).toEqual(new Set([30]));
    expect(count(right.medial)).toBe(9 * 20);
    for (let j = 5; j <= 24; j++) expect(right.medial[31 + j * C]).toBe(1);
  });

  it('ignores a fat plane outside the band around the prior', () => {
    const h = new Float32Array(C * R).fill(40);
    for (let j = 5; j <= 24; j++) h[21 + j * C] = -150; // 1 column from the medial edge: t = 1, band 4.55..12.55
    const s = splitAutochthon(mask, h, C, R, { midlineI: 10 });
    expect(new Set(s.cutColumns)).toEqual(new Set([29]));
    expect(s.fatPixelsOnCut).toBe(0);
  });

  it('an empty mask gives empty parts and no cut', () => {
    const s = splitAutochthon(new Uint8Array(C * R), hu, C, R, { midlineI: 10 });
    expect([count(s.medial), count(s.lateral), s.cutIj.length]).toEqual([0, 0, 0]);
  });

  it('property: the two parts partition the mask exactly, and the cut separates them row by row', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 24 }),
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        fc.double({ min: -50, max: 80, noNaN: true }),
        fc.double({ min: 0.05, max: 0.9, noNaN: true }),
        (C2, R2, seed, midlineI, density) => {
          let x = seed || 1;
          const rnd = () => ((x = (x * 1103515245 + 12345) & 0x7fffffff), x / 0x7fffffff);
          const m = new Uint8Array(C2 * R2);
          const h = new Float32Array(C2 * R2);
          for (let p = 0; p < m.length; p++) {
            m[p] = rnd() < density ? 1 : 0;
            h[p] = rnd() < 0.1 ? NaN : -200 + 300 * rnd();
          }
          const s = splitAutochthon(m, h, C2, R2, { midlineI });
          for (let p = 0; p < m.length; p++) {
            if ((s.medial[p]! | s.lateral[p]!) !== m[p] || (s.medial[p]! & s.lateral[p]!) !== 0) return false;
          }
          if (count(m) === 0) return s.cutIj.length === 0;
          // Medial is the midline's side of the mask's centroid column; on each row the medial pixels are
          // exactly those on that side of the cut pixel, and the cut boundary lies half a pixel that way.
          let sum = 0;
          for (let p = 0; p < m.length; p++) if (m[p]) sum += p % C2;
          const towards = midlineI > sum / count(m) ? 1 : -1;
          for (let p = 0; p < m.length; p++) {
            if (!m[p]) continue;
            const i = p % C2;
            const cut = s.cutColumns[(p - i) / C2 - s.firstRow]!;
            if (s.medial[p] !== ((i - cut) * towards > 0 ? 1 : 0)) return false;
          }
          for (const [bi, bj] of s.cutIj) {
            const r = Math.min(s.cutColumns.length - 1, Math.max(0, Math.round(bj - 0.5) - s.firstRow + 1));
            const r0 = Math.max(0, r - 1);
            if (bi !== s.cutColumns[r]! + towards * 0.5 && bi !== s.cutColumns[r0]! + towards * 0.5) return false;
          }
          // The polyline joins (b, first - 0.5) to (b', last + 0.5) through axis-parallel steps.
          const ys = s.cutIj.map((q) => q[1]);
          return s.cutIj.every((q, n) => n === 0 || q[0] === s.cutIj[n - 1]![0] || q[1] === s.cutIj[n - 1]![1]) && Math.min(...ys) === s.firstRow - 0.5;
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('splitAutochthon by level (published multifidus share)', () => {
  // A 20-column x 20-row autochthon (columns 20..39, rows 5..24), midline at column 10 (medial = lower
  // columns), all muscle (40 HU): every column holds 20 pixels, so a cut at t columns from the medial edge
  // gives the multifidus a share of exactly t / 20. The level's share and band (mfShareByLevel.ts, from the
  // published areas) are restated here from the sources: L3 0.20 [0.12, 0.34], L3/L4 0.25 [0.17, 0.34],
  // L4/L5 0.37 [0.27, 0.49], L5/S1 0.55 [0.50, 0.66].
  const C = 40;
  const R = 30;
  const mask = new Uint8Array(C * R);
  rect(mask, C, 20, 39, 5, 24);
  const flat = new Float32Array(C * R).fill(40);
  const published = { L3: [0.2, 0.12, 0.34], 'L3/L4': [0.25, 0.17, 0.34], 'L4/L5': [0.37, 0.27, 0.49], 'L5/S1': [0.55, 0.5, 0.66] } as const;

  it('without a fat plane the cut keeps to the level\'s share (the column nearest it), on either side', () => {
    for (const [level, [share]] of Object.entries(published)) {
      const left = splitAutochthon(mask, flat, C, R, { midlineI: 10, level: level as keyof typeof published });
      // t0 = share x 20 columns; the cut is a straight column at round(t0): L3 4, L3/L4 5, L4/L5 7 (7.4), L5/S1 11.
      const t = Math.round(share * 20);
      expect(new Set(left.cutColumns), level).toEqual(new Set([20 + t]));
      expect(count(left.medial), level).toBe(t * 20);
      expect(left.medialShare).toBeCloseTo(t / 20, 12);
      expect(left.shareLevel).toBe(level);
      const right = splitAutochthon(mask, flat, C, R, { midlineI: 60, level: level as keyof typeof published });
      expect(new Set(right.cutColumns), level).toEqual(new Set([39 - t]));
      expect(count(right.medial), level).toBe(t * 20);
    }
  });

  it('at L5/S1 the multifidus gets the bulk; at L3 the erector spinae does; without a level the geometric prior (as before)', () => {
    expect(splitAutochthon(mask, flat, C, R, { midlineI: 10, level: 'L5/S1' }).medialShare).toBeGreaterThan(0.5);
    expect(splitAutochthon(mask, flat, C, R, { midlineI: 10, level: 'L3' }).medialShare).toBeLessThan(0.3);
    const none = splitAutochthon(mask, flat, C, R, { midlineI: 10, level: null });
    expect(new Set(none.cutColumns)).toEqual(new Set([29]));
    expect(none.shareLevel).toBeNull();
    // A level without published values (L2/L3) uses the geometric prior too.
    expect(new Set(splitAutochthon(mask, flat, C, R, { midlineI: 10, level: 'L2/L3' }).cutColumns)).toEqual(new Set([29]));
  });

  it('a fat plane inside the band wins over the share: the cut follows it, slanting posterolaterally from the lamina', () => {
    // L4/L5 (band 0.27..0.49 -> t 6..9): a fat line (-100 HU) from t = 6 on the ventral rows (beside the
    // lamina) slanting one column laterally per row to t = 9 and running on dorsally: the multifidus gets
    // the pixels medial to it on every row.
    const h = flat.slice();
    const planeT = (j: number) => Math.min(9, 6 + Math.max(0, j - 8));
    for (let j = 5; j <= 24; j++) h[20 + planeT(j) + j * C] = -100;
    const s = splitAutochthon(mask, h, C, R, { midlineI: 10, level: 'L4/L5' });
    expect(s.cutColumns).toEqual(Array.from({ length: 20 }, (_, r) => 20 + planeT(5 + r)));
    expect(s.fatPixelsOnCut).toBe(20);
    let medial = 0;
    for (let j = 5; j <= 24; j++) medial += planeT(j);
    expect(count(s.medial)).toBe(medial);
  });

  it('a fat line that would give a share outside the band is fat inside a muscle, not the plane: the share stays in the band', () => {
    for (const [level, [, lo, hi]] of Object.entries(published)) {
      for (const t of [1, 2, 15, 17]) {
        const h = flat.slice();
        for (let j = 5; j <= 24; j++) h[20 + t + j * C] = -150;
        const s = splitAutochthon(mask, h, C, R, { midlineI: 10, level: level as keyof typeof published });
        expect(s.medialShare, `${level} fat at t=${t}`).toBeGreaterThanOrEqual(lo);
        expect(s.medialShare, `${level} fat at t=${t}`).toBeLessThanOrEqual(hi);
      }
    }
  });

  it('property: with a level the multifidus share always lies in the level\'s band, and the parts partition the mask', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 8, max: 30 }),
        fc.integer({ min: 4, max: 20 }),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        fc.constantFrom(...(Object.keys(published) as (keyof typeof published)[])),
        (W, H, seed, level) => {
          let x = seed || 1;
          const rnd = () => ((x = (x * 1103515245 + 12345) & 0x7fffffff), x / 0x7fffffff);
          const C2 = W + 10;
          const m = new Uint8Array(C2 * H);
          const h = new Float32Array(C2 * H);
          // A blob: each row a run of random length from a random start; HU random in -200..100.
          for (let j = 0; j < H; j++) {
            const a = 5 + Math.floor(rnd() * 3);
            const b = Math.min(C2 - 1, a + 4 + Math.floor(rnd() * (W - 4)));
            for (let i = a; i <= b; i++) m[i + j * C2] = 1;
          }
          for (let p = 0; p < h.length; p++) h[p] = -200 + 300 * rnd();
          const s = splitAutochthon(m, h, C2, H, { midlineI: 0, level });
          for (let p = 0; p < m.length; p++) if ((s.medial[p]! | s.lateral[p]!) !== m[p] || (s.medial[p]! & s.lateral[p]!) !== 0) return false;
          const [, lo, hi] = published[level];
          // In the band, unless no column boundary lies in it (then the one nearest the share).
          const n = count(m);
          const colShares: number[] = [];
          let acc = 0;
          for (let i = 0; i < C2; i++) {
            colShares.push(acc / n);
            for (let j = 0; j < H; j++) acc += m[i + j * C2]!;
          }
          const any = colShares.some((v) => v >= lo && v <= hi);
          return !any || (s.medialShare >= lo - 1e-12 && s.medialShare <= hi + 1e-12);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('musclesOnSlice', () => {
  it('maps iliopsoas to its psoas component, autochthon to multifidus + erector spinae, other muscles unchanged', () => {
    const C = 60;
    const R = 40;
    const ilio = new Uint8Array(C * R);
    rect(ilio, C, 36, 41, 10, 17);
    rect(ilio, C, 48, 57, 4, 15);
    const auto = new Uint8Array(C * R);
    rect(auto, C, 34, 45, 28, 37);
    const ql = new Uint8Array(C * R);
    rect(ql, C, 44, 47, 20, 24);
    const body = new Uint8Array(C * R);
    rect(body, C, 24, 36, 14, 26);
    const r = musclesOnSlice({
      columns: C,
      rows: R,
      spacing: { columnSpacingMm: 1, rowSpacingMm: 1 },
      hu: new Float32Array(C * R).fill(40),
      structures: [
        { name: 'iliopsoas_left', mask: ilio },
        { name: 'autochthon_left', mask: auto },
        { name: 'quadratus_lumborum_left', mask: ql },
        { name: 'liver', mask: ql },
      ],
      vertebrae: [body],
    });
    expect(r.parts.map((p) => [p.muscle, p.side, p.source, p.derived, count(p.mask)])).toEqual([
      ['psoas', 'left', 'iliopsoas_left: psoas component nearest the spine', true, 48],
      ['multifidus', 'left', 'autochthon_left: medial part (fat-plane split)', true, 5 * 10], // extent 12: t0 = 4.95 -> 5 columns
      ['erectorSpinae', 'left', 'autochthon_left: lateral part (fat-plane split)', true, 7 * 10],
      ['quadratusLumborum', 'left', 'quadratus_lumborum_left', false, 20],
    ]);
    expect(r.cuts).toEqual([{ side: 'left', structure: 'autochthon_left', cutIj: [[38.5, 27.5], [38.5, 37.5]] }]);
    expect(components8(r.parts[0]!.mask, C, R)).toHaveLength(1);
    // The cut outlines the medial part: rasterising the medial part's outline built from the cut gives it back.
    const outline = [[33.5, 27.5], [38.5, 27.5], [38.5, 37.5], [33.5, 37.5]] as const;
    expect(Array.from(rasterizePolygon(outline, C, R))).toEqual(Array.from(r.parts[1]!.mask));
  });
});
