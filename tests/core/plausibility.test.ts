/**
 * Plausibility of outlines (core/annotations/plausibility.ts through outlineFlagger) on an exact phantom
 * of a lumbar slice, 1 mm pixels (so 1 px = 1 mm²), patient x = column, y = row (posterior down):
 * - bone (300 HU): a vertebral body (disc at column 100, row 70, radius 18), transverse processes
 *   (rows 86..90, columns 60..140), lamina (rows 91..95, columns 85..115), spinous process (rows
 *   96..124, columns 97..103);
 * - muscle (40 HU): psoas discs (column 100 -/+ 35, row 70, radius 14), multifidus rectangles (columns
 *   104..122 / 78..96, rows 98..128), erector spinae (columns 123..160 / 40..77, rows 95..130),
 *   quadratus lumborum discs (column 100 -/+ 58, row 86, radius 8);
 * - fat (-100 HU) everywhere else.
 * Patient left = larger x = larger column. Expected counts come from these shapes, counted here.
 */
import { describe, expect, it } from 'vitest';
import type { Roi } from '../../src/core/annotations/document';
import { measureAnnotationsChecked } from '../../src/core/annotations/measureAnnotations';
import { outlineFlagger } from '../../src/core/annotations/outlineFlags';
import { findVertebra, isPlausibilityFlag, plausibilityChecks, plausibilityFlags, plausibilityKind, PLAUSIBILITY_PREFIX } from '../../src/core/annotations/plausibility';
import { newAnnotationDocument } from '../../src/core/annotations/document';
import { AREA_BANDS_MM2 } from '../../src/core/anatomy/plausibility';
import { DEFAULT_RANGES } from '../../src/core/metrics/ranges';
import { sliceIjToLps } from '../../src/core/roi/contour';
import type { PointIj } from '../../src/core/roi/rasterize';
import { flagWord } from '../../src/renderer/state/checklist';
import { axialGeometry, volumeOf } from './helpers';

const C = 200;
const R = 160;
const g = axialGeometry(C, R, 1);
const BONE = 300;
const MUSCLE = 40;
const FAT = -100;
const inDisc = (i: number, j: number, ci: number, cj: number, r: number) => (i - ci) ** 2 + (j - cj) ** 2 <= r * r;
const inBox = (i: number, j: number, i0: number, i1: number, j0: number, j1: number) => i >= i0 && i <= i1 && j >= j0 && j <= j1;
function isBone(i: number, j: number): boolean {
  return inDisc(i, j, 100, 70, 18) || inBox(i, j, 60, 140, 86, 90) || inBox(i, j, 85, 115, 91, 95) || inBox(i, j, 97, 103, 96, 124);
}
function isMuscle(i: number, j: number): boolean {
  return (
    inDisc(i, j, 65, 70, 14) || inDisc(i, j, 135, 70, 14) || inBox(i, j, 104, 122, 98, 128) || inBox(i, j, 78, 96, 98, 128) ||
    inBox(i, j, 123, 160, 95, 130) || inBox(i, j, 40, 77, 95, 130) || inDisc(i, j, 42, 86, 8) || inDisc(i, j, 158, 86, 8)
  );
}
const phantom = volumeOf(g, (i, j) => (isBone(i, j) ? BONE : isMuscle(i, j) ? MUSCLE : FAT));
/** The same phantom without its bone (fat there): no vertebra to be found. */
const noBone = volumeOf(g, (i, j) => (isMuscle(i, j) ? MUSCLE : FAT));

let n = 0;
function roi(muscle: Roi['muscle'], side: Roi['side'], ij: readonly PointIj[], level: Roi['level'] = 'L3'): Roi {
  return { id: `r${n++}`, level, muscle, side, sliceIndex: 0, z: 0, pointsLps: sliceIjToLps(g, 0, ij), source: 'drawn', createdAt: 't', modifiedAt: 't' };
}
/** Pixels i0..i1 x j0..j1 (inclusive): a rectangle through the pixel edges. */
const rect = (i0: number, i1: number, j0: number, j1: number): PointIj[] => [
  [i0 - 0.5, j0 - 0.5],
  [i1 + 0.5, j0 - 0.5],
  [i1 + 0.5, j1 + 0.5],
  [i0 - 0.5, j1 + 0.5],
];
/**
 * A polygon around a disc: 96 vertices at radius r + 0.02, so its inner radius ((r + 0.02) cos(1.875°)) is
 * above r and its outer one below the next lattice distance (sqrt(r² + 1)) for the radii used here: it
 * holds exactly the pixel centres within r.
 */
const disc = (ci: number, cj: number, r: number): PointIj[] => Array.from({ length: 96 }, (_, t) => [ci + (r + 0.02) * Math.cos((2 * Math.PI * t) / 96), cj + (r + 0.02) * Math.sin((2 * Math.PI * t) / 96)] as PointIj);

/** The eight muscles where they are. */
const right = {
  psoasL: roi('psoas', 'left', disc(135, 70, 14)),
  psoasR: roi('psoas', 'right', disc(65, 70, 14)),
  mfL: roi('multifidus', 'left', rect(104, 122, 98, 128)),
  mfR: roi('multifidus', 'right', rect(78, 96, 98, 128)),
  esL: roi('erectorSpinae', 'left', rect(123, 160, 95, 130)),
  esR: roi('erectorSpinae', 'right', rect(40, 77, 95, 130)),
  qlL: roi('quadratusLumborum', 'left', disc(158, 86, 8)),
  qlR: roi('quadratusLumborum', 'right', disc(42, 86, 8)),
};
const anatomy = (flags: readonly string[]) => flags.filter(isPlausibilityFlag);

describe('the vertebra from the image', () => {
  it('midline on the spine, back at the spinous process tip; none without bone', () => {
    const v = findVertebra(phantom, 0)!;
    expect(v.midX).toBe(100);
    // the 98th percentile of the bone pixels' rows within 25 mm of the midline: in the spinous process's last rows
    expect(v.backY).toBeGreaterThanOrEqual(118);
    expect(v.backY).toBeLessThanOrEqual(124);
    expect(v.frontY).toBeLessThanOrEqual(55);
    expect(findVertebra(noBone, 0)).toBeNull();
  });
});

describe('plausibility flags on the phantom', () => {
  it('outlines where the muscles are: no flag at L3 (areas inside the bands, no bone, muscle HU, positions right)', () => {
    const flag = outlineFlagger(phantom, { levels: [], rois: Object.values(right) });
    for (const r of Object.values(right)) expect([r.muscle, r.side, anatomy(flag(r, 0))]).toEqual([r.muscle, r.side, []]);
  });

  it('a "QL" drawn over the transverse process: the bone share (pixels >= 200 HU) is named, with the question', () => {
    // columns 128..147 x rows 86..93 = 160 px; bone: the transverse process, rows 86..90 x columns 128..140 = 65 px (41%); the rest fat.
    const onBone = roi('quadratusLumborum', 'left', rect(128, 147, 86, 93));
    const checks = plausibilityChecks(phantom, onBone, 0);
    expect(checks).toEqual([{ kind: 'bone', message: `${PLAUSIBILITY_PREFIX}QL left at L3: 41% of its pixels are bone (>= 200 HU, more than 5%): is it on the transverse process or a rib?` }]);
    // at L5/S1 the question names the iliac crest and sacral ala (and the area is within 0..300 mm² there)
    expect(plausibilityFlags(phantom, { ...onBone, level: 'L5/S1' }, 0)).toEqual([`${PLAUSIBILITY_PREFIX}QL left at L5/S1: 41% of its pixels are bone (>= 200 HU, more than 5%): is it on the iliac crest or sacral ala?`]);
    // through the document pipeline: on the record (CSV flags) and as the checklist's word
    const doc = { ...newAnnotationDocument({ studyInstanceUid: 's', seriesInstanceUid: 'u', rows: R, columns: C, slices: 1 } as never, DEFAULT_RANGES, '1', 'r', 't'), rois: [onBone] };
    const rec = measureAnnotationsChecked(phantom, doc).records[0]!;
    expect(rec.pixels).toBe(160);
    expect(rec.warnings!.map(plausibilityKind)).toEqual(['bone']);
    expect(flagWord(rec.warnings!)).toBe('anatomy?');
  });

  it('a mean HU that muscle cannot have: an outline in the fat, and one on the vertebral body', () => {
    const inFat = roi('multifidus', 'left', rect(104, 122, 131, 140)); // behind the multifidus: fat only, 190 px
    expect(plausibilityChecks(phantom, inFat, 0).map((f) => f.message)).toEqual([
      `${PLAUSIBILITY_PREFIX}multifidus left at L3: mean -100 HU is outside -50..100 HU, what muscle can be (source aubrey2014): mostly fat: is it in the subcutaneous or retroperitoneal fat?`,
    ]);
    const onBody = roi('psoas', 'left', rect(101, 112, 64, 76)); // inside the body disc (all within radius 18 of (100, 70)): 156 px of bone
    expect(plausibilityChecks(phantom, onBody, 0).map((f) => f.kind)).toEqual(['bone', 'meanHu', 'position']);
    expect(plausibilityFlags(phantom, onBody, 0)[2]).toMatch(/psoas left at L3: its centre lies 7 mm from the midline \(the psoas lies beside the vertebral body, not in front of it\)/);
  });

  it('a region grown over three muscles (QL + erector spinae + multifidus of the left back) saved as QL: its area and its position', () => {
    // Traced along pixel edges: the multifidus (19 x 31 = 589 px) and erector spinae (38 x 36 = 1368 px) rectangles, and the
    // QL's square (columns 150..166 x rows 78..94 = 289 px, the QL disc and fat corners): 2246 px = 2246 mm², above the
    // QL band at L3 (50..1800 mm²); its centre (row 109.2) lies among the back muscles, about 11 mm in front of the back of the vertebra.
    const grown = roi('quadratusLumborum', 'left', [
      [103.5, 97.5],
      [122.5, 97.5],
      [122.5, 94.5],
      [149.5, 94.5],
      [149.5, 77.5],
      [166.5, 77.5],
      [166.5, 94.5],
      [160.5, 94.5],
      [160.5, 130.5],
      [122.5, 130.5],
      [122.5, 128.5],
      [103.5, 128.5],
    ]);
    const flags = plausibilityFlags(phantom, grown, 0);
    const band = AREA_BANDS_MM2.quadratusLumborum.L3;
    expect(flags.map(plausibilityKind)).toEqual(['area', 'position']);
    expect(flags[0]).toMatch(new RegExp(`^${PLAUSIBILITY_PREFIX}QL left at L3: area \\d+ mm² \\([\\d.]+ cm²\\) is above ${band.maxMm2} mm², the largest expected there \\(${band.minMm2}..${band.maxMm2} mm², source ${band.source}\\): does it take in a neighbouring muscle\\?$`));
    expect(Number(/area (\d+) mm²/.exec(flags[0]!)![1])).toBeGreaterThan(band.maxMm2);
    expect(flags[1]).toMatch(/QL left at L3: its centre lies \d+ mm in front of the back of the vertebra \(the QL lies at the transverse processes, in front of the back muscles, at least 20 mm\)/);
  });

  it('the exact union of the three muscles saved as QL: area 589 + 1368 + 197 = 2154 mm² named exactly', () => {
    // Three outlines of one label (kept both: measured as their union), each exactly one muscle's rectangle or disc.
    const parts = [roi('quadratusLumborum', 'left', rect(104, 122, 98, 128)), roi('quadratusLumborum', 'left', rect(123, 160, 95, 130)), roi('quadratusLumborum', 'left', disc(158, 86, 8))];
    let ql = 0;
    for (let j = 0; j < R; j++) for (let i = 0; i < C; i++) if (inDisc(i, j, 158, 86, 8) && !inBox(i, j, 123, 160, 95, 130)) ql++;
    expect(ql).toBe(197);
    const flag = outlineFlagger(phantom, { levels: [], rois: parts });
    const area = anatomy(flag(parts[0]!, 0)).filter((f) => plausibilityKind(f) === 'area');
    expect(area).toEqual([`${PLAUSIBILITY_PREFIX}QL left at L3: area of its 3 outlines 2154 mm² (21.54 cm²) is above 1800 mm², the largest expected there (50..1800 mm², source ivanac2026): does it take in a neighbouring muscle?`]);
  });

  it('a multifidus in front of the vertebral body, and one on the wrong side of the spine', () => {
    const inFront = roi('multifidus', 'left', disc(112, 40, 9)); // a muscle-free patch in front of the body: also fat
    const flags = plausibilityFlags(phantom, inFront, 0);
    expect(flags.map(plausibilityKind)).toEqual(['meanHu', 'position']);
    expect(flags[1]).toMatch(/^anatomy check: multifidus left at L3: its centre lies \d+ mm in front of the back of the vertebra \(the multifidus lies beside the spinous process and lamina, within 45 mm\): is it in front of the spine\?$/);
    // the right multifidus labelled left: the side check says so (and it is not flagged twice)
    const wrongSide = { ...right.mfR, side: 'left' as const };
    const all = outlineFlagger(phantom, { levels: [], rois: [wrongSide] })(wrongSide, 0);
    expect(all.filter((f) => f.startsWith('side check'))).toHaveLength(1);
    expect(flagWord(all)).toBe('side?');
  });

  it('a QL drawn on the psoas of its side: its centre not lateral to the psoas centre is said (the 30 mm rule alone let it pass)', () => {
    const onPsoas = roi('quadratusLumborum', 'left', disc(135, 70, 14)); // exactly the left psoas disc
    const alone = anatomy(outlineFlagger(phantom, { levels: [], rois: [onPsoas] })(onPsoas, 0));
    expect(alone.filter((f) => plausibilityKind(f) === 'position')).toEqual([]); // without a psoas outline nothing to compare with
    const flag = outlineFlagger(phantom, { levels: [], rois: [right.psoasL, onPsoas] });
    expect(anatomy(flag(onPsoas, 0)).filter((f) => plausibilityKind(f) === 'position')).toEqual([
      `${PLAUSIBILITY_PREFIX}QL left at L3: its centre lies 35 mm from the midline, the psoas of its side 35 mm (the QL lies lateral to the psoas, at least 10 mm farther out): is it on the psoas?`,
    ]);
    // the phantom's own QL, 58 mm off (23 mm lateral to the psoas): no position flag
    const ok = outlineFlagger(phantom, { levels: [], rois: [right.psoasL, right.qlL] });
    expect(anatomy(ok(right.qlL, 0)).filter((f) => plausibilityKind(f) === 'position')).toEqual([]);
  });

  it('multifidus and erector spinae swapped: the erector spinae medial to the multifidus, the multifidus far from the midline', () => {
    const es = roi('erectorSpinae', 'left', rect(104, 122, 98, 128));
    const mf = roi('multifidus', 'left', rect(123, 160, 95, 130));
    const flag = outlineFlagger(phantom, { levels: [], rois: [es, mf] });
    expect(anatomy(flag(es, 0))).toEqual([`${PLAUSIBILITY_PREFIX}erector spinae left at L3: its centre lies 13 mm from the midline, medial to the multifidus of its side (42 mm): the erector spinae lies lateral to it; are the two swapped?`]);
    expect(anatomy(flag(mf, 0))).toEqual([
      `${PLAUSIBILITY_PREFIX}multifidus left at L3: area 1368 mm² (13.68 cm²) is above 1200 mm², the largest expected there (80..1200 mm², source fortin2013): does it take in a neighbouring muscle?`,
      `${PLAUSIBILITY_PREFIX}multifidus left at L3: its centre lies 42 mm from the midline (the multifidus lies beside the spinous process, within 40 mm): is it the erector spinae?`,
    ]);
  });

  it('a psoas behind the transverse processes, and a QL beside the spine', () => {
    expect(plausibilityChecks(phantom, roi('psoas', 'left', rect(123, 160, 95, 130)), 0).map((f) => f.kind)).toEqual(['position']);
    const beside = plausibilityFlags(phantom, roi('quadratusLumborum', 'left', disc(118, 70, 5)), 0).filter((f) => plausibilityKind(f) === 'position');
    expect(beside).toHaveLength(1);
    expect(beside[0]).toMatch(/QL left at L3: its centre lies 18 mm from the midline \(the QL lies lateral to the transverse process, at least 30 mm\)/);
  });

  it('an area below the band (a sliver of psoas), and levels without a band unchecked', () => {
    const sliver = roi('psoas', 'left', rect(130, 139, 65, 74)); // 100 px of muscle
    expect(plausibilityFlags(phantom, sliver, 0)).toEqual([`${PLAUSIBILITY_PREFIX}psoas left at L3: area 100 mm² (1.00 cm²) is below 150 mm², the smallest expected there (150..2500 mm², source derstine2018): only part of the muscle?`]);
    expect(plausibilityFlags(phantom, { ...sliver, level: 'L2' }, 0)).toEqual([]);
  });

  it('without bone on the slice: no vertebra, so no check (as the side check): the bands are for a slice through the spine', () => {
    expect(plausibilityFlags(noBone, roi('psoas', 'left', rect(130, 139, 65, 74)), 0)).toEqual([]);
    expect(plausibilityFlags(noBone, roi('multifidus', 'left', disc(112, 40, 9)), 0)).toEqual([]);
  });
});
