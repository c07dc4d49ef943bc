/**
 * Reading annotation documents (core/annotations/document.ts): every refusal says which field of which
 * outline or level is wrong, in the user's terms, and never "undefined"; duplicate outline ids are
 * given fresh ones on load with a note, never used to skip a check.
 */
import { describe, expect, it } from 'vitest';
import { parseAnnotationDocument, readAnnotationDocument, uniqueRoiIds } from '../../src/core/annotations/document';
import { documentFor, flatVolume, rectIj, roiOn } from '../fixtures/hostileDocument';

const volume = flatVolume(40, 30, 3);
const g = volume.geometry;
const good = () =>
  JSON.parse(
    JSON.stringify(
      documentFor(volume, [{ level: 'L3', sliceIndex: 1 }], [
        roiOn(g, 1, 'a', { level: 'L3', muscle: 'psoas', side: 'left' }, rectIj(5, 14, 5, 14)),
        roiOn(g, 1, 'b', { level: 'L3', muscle: 'multifidus', side: 'right' }, rectIj(20, 29, 5, 14)),
      ]),
    ),
  ) as Record<string, unknown> & { rois: Record<string, unknown>[]; levels: Record<string, unknown>[]; series: Record<string, unknown>; ranges: Record<string, unknown> };

function reason(edit: (d: ReturnType<typeof good>) => unknown): string {
  const d = good();
  const r = parseAnnotationDocument(edit(d) ?? d);
  expect(r.ok).toBe(false);
  const text = (r as { reason: string }).reason;
  expect(text).not.toMatch(/undefined/);
  expect(text).not.toContain('\n');
  return text;
}

describe('annotation document errors in the user’s terms', () => {
  it('a missing field names the outline (number, label, id) and says "missing"', () => {
    expect(
      reason((d) => {
        delete d.rois[1]!.id;
      }),
    ).toBe('invalid annotation document: rois.1.id (outline 2 of 2 (L3 multifidus right)): missing');
    expect(
      reason((d) => {
        delete d.rois[0]!.level;
      }),
    ).toBe('invalid annotation document: rois.0.level (outline 1 of 2 (psoas left, id "a")): missing');
  });

  it('no format, another format', () => {
    expect(
      reason((d) => {
        delete d.format;
      }),
    ).toBe('not a Paraspine annotation document (it has no format field)');
    expect(reason((d) => ({ ...d, format: 'other' }))).toBe('not a Paraspine annotation document (its format is "other")');
    expect(reason(() => [1, 2])).toBe('not a JSON object');
  });

  it('a wrong type, a value not allowed, a number out of range', () => {
    expect(reason((d) => void (d.rois[0]!.z = 'high'))).toBe('invalid annotation document: rois.0.z (outline 1 of 2 (L3 psoas left, id "a")): expected a number, found text "high"');
    expect(reason((d) => void (d.rois[0]!.muscle = 'biceps'))).toBe(
      'invalid annotation document: rois.0.muscle (outline 1 of 2 (L3 biceps left, id "a")): expected one of psoas, erectorSpinae, multifidus, quadratusLumborum, autochthon, found text "biceps"',
    );
    expect(reason((d) => void (d.rois[0]!.sliceIndex = 1.5))).toBe('invalid annotation document: rois.0.sliceIndex (outline 1 of 2 (L3 psoas left, id "a")): expected a whole number, found 1.5');
    expect(reason((d) => void (d.levels[0]!.sliceIndex = -1))).toBe('invalid annotation document: levels.0.sliceIndex (level mark 1 of 1 (L3)): must be at least 0, found -1');
    expect(reason((d) => void (d.levels[0]!.level = 'L9'))).toMatch(/^invalid annotation document: levels\.0\.level \(level mark 1 of 1 \(L9\)\): expected one of L1, L1\/L2, .*, found text "L9"$/);
    expect(reason((d) => void (d.rois[0]!.id = ''))).toBe('invalid annotation document: rois.0.id (outline 1 of 2 (L3 psoas left)): empty');
    expect(reason((d) => void delete d.series.rows)).toBe('invalid annotation document: series.rows (the series identity): missing');
    expect(reason((d) => void (d.ranges.muscleHu = [150, -29]))).toBe('invalid annotation document: ranges.muscleHu (the muscle HU range): range LO must be <= HI, found a list ([150,-29])');
  });

  it('vertices: too few, a coordinate missing or null', () => {
    expect(reason((d) => void (d.rois[0]!.pointsLps = [[0, 0, 3]]))).toBe('invalid annotation document: rois.0.pointsLps (outline 1 of 2 (L3 psoas left, id "a")): an outline needs at least 3 vertices; it has 1');
    expect(reason((d) => void ((d.rois[0]!.pointsLps as unknown[])[1] = [0, 0]))).toBe(
      'invalid annotation document: rois.0.pointsLps.1 (outline 1 of 2 (L3 psoas left, id "a"), vertex 2): a vertex needs 3 coordinates (x, y, z); it has 2',
    );
    expect(reason((d) => void ((d.rois[0]!.pointsLps as unknown[][])[2]![2] = null))).toBe(
      'invalid annotation document: rois.0.pointsLps.2.2 (outline 1 of 2 (L3 psoas left, id "a"), vertex 3, coordinate z): expected a number, found null',
    );
  });

  it('several problems: the first, and how many more', () => {
    expect(
      reason((d) => {
        delete d.rois[0]!.id;
        delete d.rois[1]!.id;
        delete d.rater;
      }),
    ).toBe('invalid annotation document: rater: missing (and 2 more problems)');
  });
});

describe('duplicate outline ids', () => {
  it('the later outline gets a fresh id, with a note; the first keeps its id; unique ids are untouched', () => {
    const d = good();
    d.rois[1]!.id = 'a';
    const r = readAnnotationDocument(d);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.document.rois.map((x) => x.id)).toEqual(['a', 'a-2']);
    expect(r.notes).toEqual(['outline 2 (L3 multifidus right) had the id "a" of the L3 psoas left outline: it now has the id "a-2"']);
    const clean = readAnnotationDocument(good());
    expect(clean.ok && clean.notes).toEqual([]);
  });

  it('a fresh id never takes one already used; three of a kind get -2 and -3', () => {
    const d = good();
    const r0 = d.rois[0]!;
    d.rois = [r0, { ...r0, id: 'a-2' }, { ...r0 }, { ...r0 }];
    const r = parseAnnotationDocument(d);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(uniqueRoiIds(r.document).document.rois.map((x) => x.id)).toEqual(['a', 'a-2', 'a-3', 'a-4']);
  });
});
