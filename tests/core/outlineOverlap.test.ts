/**
 * Overlap flags (core/annotations/outlineFlags.ts) on a synthetic 40 x 30 grid of 1 mm pixels: two
 * rectangles whose pixel sets share an exactly known block, counted by hand from the pixel-centre rule.
 */
import { describe, expect, it } from 'vitest';
import type { Roi } from '../../src/core/annotations/document';
import { measureAnnotationsChecked } from '../../src/core/annotations/measureAnnotations';
import { outlineFlagger } from '../../src/core/annotations/outlineFlags';
import { newAnnotationDocument } from '../../src/core/annotations/document';
import type { Vec3 } from '../../src/core/geometry/vec3';
import { makeGeometry } from '../../src/core/geometry/volumeGeometry';
import { DEFAULT_RANGES } from '../../src/core/metrics/ranges';
import { sliceIjToLps } from '../../src/core/roi/contour';
import type { HuVolume } from '../../src/core/volume';
import { LABELS, MANY_SIZE, MANY_STEP, flatVolume, manyOutlinesDocument } from '../fixtures/hostileDocument';

const C = 40;
const R = 30;
const S = 3;
const g = makeGeometry({ columns: C, rows: R, slices: S, columnSpacingMm: 1, rowSpacingMm: 1, rowDirection: [1, 0, 0], columnDirection: [0, 1, 0], slicePositions: Array.from({ length: S }, (_, k) => [0, 0, 2 * k] as Vec3) });
const volume: HuVolume = { geometry: g, hu: new Int16Array(C * R * S).fill(40), warnings: [] };

/** The outline of pixels i0..i1 x j0..j1 (inclusive) on slice k: a rectangle through the pixel edges. */
function rect(id: string, muscle: Roi['muscle'], side: Roi['side'], k: number, i0: number, i1: number, j0: number, j1: number): Roi {
  const pts = sliceIjToLps(g, k, [
    [i0 - 0.5, j0 - 0.5],
    [i1 + 0.5, j0 - 0.5],
    [i1 + 0.5, j1 + 0.5],
    [i0 - 0.5, j1 + 0.5],
  ]);
  return { id, level: 'L3', muscle, side, sliceIndex: k, z: 2 * k, pointsLps: pts, source: 'drawn', createdAt: 't', modifiedAt: 't' };
}

/** The muscle names the flags use (written out as a person reads them). */
const WORDS: Record<string, string> = { psoas: 'psoas', erectorSpinae: 'erector spinae', multifidus: 'multifidus', quadratusLumborum: 'quadratus lumborum', autochthon: 'autochthon' };

describe('overlap flags', () => {
  // psoas left: columns 5..14, rows 5..14; erector spinae left: columns 12..20, rows 10..19: shared 3 x 5 = 15 px.
  const ps = rect('a', 'psoas', 'left', 1, 5, 14, 5, 14);
  const es = rect('b', 'erectorSpinae', 'left', 1, 12, 20, 10, 19);
  const apart = rect('c', 'multifidus', 'left', 1, 25, 30, 5, 10);
  const sameLabel = rect('d', 'psoas', 'left', 1, 10, 18, 5, 8); // kept both: measured as a union, not flagged
  const otherSlice = rect('e', 'quadratusLumborum', 'left', 2, 5, 14, 5, 14);

  it('names the other outline and the shared pixel count, on both; not for outlines apart, of the same label, or on another slice', () => {
    const doc = { levels: [], rois: [ps, es, apart, sameLabel, otherSlice] };
    const flag = outlineFlagger(volume, doc);
    expect(flag(ps, 1)).toEqual(['overlaps the erector spinae left outline by 15 px (those pixels count in both)']);
    // psoas left has two outlines (ps and sameLabel, measured as their union): the count is against that union
    expect(flag(es, 1)).toEqual(['overlaps the psoas left outlines by 15 px (those pixels count in both)']);
    expect(flag(apart, 1)).toEqual([]);
    expect(flag(otherSlice, 2)).toEqual([]);
    // a copy of an outline (not the document's object) is checked the same way
    expect(flag({ ...ps }, 1)).toEqual(flag(ps, 1));
  });

  it('reaches the measurement records (their warnings: the CSV flags column)', () => {
    const doc = { ...newAnnotationDocument({ patientName: '', patientId: '', studyInstanceUid: 's', studyDate: '', studyDescription: '', seriesInstanceUid: 'u', seriesDescription: '', seriesNumber: 1, modality: 'CT', rows: R, columns: C, slices: S } as never, DEFAULT_RANGES, '1', 'r', 't'), rois: [ps, es, apart] };
    const { records } = measureAnnotationsChecked(volume, doc);
    const flagsOf = (muscle: string) => records.find((r) => r.muscle === muscle)?.warnings ?? [];
    expect(flagsOf('psoas')).toEqual(['overlaps the erector spinae left outline by 15 px (those pixels count in both)']);
    expect(flagsOf('multifidus')).toEqual([]);
  });
});

describe('overlap check: ids and big documents', () => {
  it('two different muscles with the same id are both checked (the check never goes by id)', () => {
    const a = rect('same', 'psoas', 'left', 1, 5, 14, 5, 14);
    const b = rect('same', 'erectorSpinae', 'left', 1, 12, 20, 10, 19);
    const flag = outlineFlagger(volume, { levels: [], rois: [a, b] });
    expect(flag(a, 1)).toEqual(['overlaps the erector spinae left outline by 15 px (those pixels count in both)']);
    expect(flag(b, 1)).toEqual(['overlaps the psoas left outline by 15 px (those pixels count in both)']);
  });

  it('a document of 2,000 outlines: every outline flagged with exactly its neighbours (labels and shared pixels from the grid)', { timeout: 60_000 }, () => {
    const big = flatVolume(340, 340, 30);
    const doc = manyOutlinesDocument(big, 2000);
    const { records } = measureAnnotationsChecked(big, doc);
    // 10 levels x 10 labels, each label's 20 outlines measured as their union
    expect(records).toHaveLength(100);
    const flag = outlineFlagger(big, doc);
    // outline m: level m % 10, cell c = floor(m / 10) of a 32-wide grid; its label is (cx + 3 cy) % 10
    const labelOf = (cx: number, cy: number) => LABELS[(cx + 3 * cy) % 10]!;
    let checked = 0;
    doc.rois.forEach((roi, m) => {
      const c = Math.floor(m / 10);
      const cx = c % 32;
      const cy = Math.floor(c / 32);
      const expected = new Map<string, number>();
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          if (!dx && !dy) continue;
          const nc = c + dx + 32 * dy;
          // the neighbour exists at this level: in the grid, and among the 200 cells of each level
          if (cx + dx < 0 || cx + dx > 31 || cy + dy < 0 || nc >= 200) continue;
          const l = labelOf(cx + dx, cy + dy);
          expected.set(`${WORDS[l.muscle]} ${l.side}`, (MANY_SIZE - MANY_STEP) * (dx && dy ? MANY_SIZE - MANY_STEP : MANY_SIZE));
        }
      }
      const got = new Map(
        flag(roi, roi.sliceIndex).map((f) => {
          const [, label, n] = /^overlaps the (.+) outlines? by (\d+) px/.exec(f)!;
          return [label!, Number(n)] as const;
        }),
      );
      expect(got).toEqual(expected);
      checked++;
    });
    expect(checked).toBe(2000);
  });
});
