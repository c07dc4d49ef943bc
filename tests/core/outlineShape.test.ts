/**
 * Outlines that rasterise to nothing or cross themselves (core/roi/selfCrossing.ts, the shape flags of
 * core/annotations/outlineFlags.ts), on a synthetic 40 x 30 grid of 1 mm pixels with the origin at 0
 * (exact coordinates). Pixel counts are worked out by hand from the pixel-centre rule (a pixel counts
 * when its centre is enclosed an odd number of times, edges half-open).
 */
import { describe, expect, it } from 'vitest';
import { measureAnnotationsChecked } from '../../src/core/annotations/measureAnnotations';
import { outlineFlagger } from '../../src/core/annotations/outlineFlags';
import { findSelfCrossing } from '../../src/core/roi/selfCrossing';
import { traceComponents } from '../../src/core/roi/maskToContours';
import type { PointIj } from '../../src/core/roi/rasterize';
import { bowTieIj, collinearIj, documentFor, flatVolume, rectIj, rectTracedTwiceIj, roiOn, touchingSquaresIj } from '../fixtures/hostileDocument';

const volume = flatVolume(40, 30, 3);
const g = volume.geometry;
const K = 1;
const L3 = (muscle: 'psoas' | 'multifidus' | 'erectorSpinae', side: 'left' | 'right' = 'left') => ({ level: 'L3' as const, muscle, side });

/** Measure outlines (each its own label) of one document; the records by roi id. */
function measure(outlines: { id: string; label: ReturnType<typeof L3>; ij: PointIj[] }[]) {
  const doc = documentFor(volume, [{ level: 'L3', sliceIndex: K }], outlines.map((o) => roiOn(g, K, o.id, o.label, o.ij)));
  const { records, warnings } = measureAnnotationsChecked(volume, doc);
  return { byId: new Map(records.map((r) => [r.roiIds![0]!, r])), warnings };
}

const CROSS = /^the outline crosses itself near column [\d.]+, row [\d.]+: measured by the even-odd rule/;
const BACK = /^the outline runs back over itself near column [\d.]+, row [\d.]+ \(an edge traced twice\): measured by the even-odd rule/;
const EMPTY = 'the outline encloses no pixel centre: measured as 0 px';

describe('outlines that rasterise to nothing, or twice', () => {
  it('a square traced twice round gives 0 px by the even-odd rule: measured as 0 px and flagged (runs back over itself, no pixel)', () => {
    const { byId } = measure([
      { id: 'twice', label: L3('psoas'), ij: rectTracedTwiceIj(5, 14, 5, 14) },
      { id: 'once', label: L3('multifidus'), ij: rectIj(20, 29, 5, 14) },
    ]);
    expect(byId.get('twice')!.pixels).toBe(0);
    expect(byId.get('twice')!.areaMm2).toBe(0);
    expect(byId.get('twice')!.warnings).toHaveLength(2);
    expect(byId.get('twice')!.warnings![0]).toMatch(BACK);
    expect(byId.get('twice')!.warnings![1]).toBe(EMPTY);
    // the rest of the document is measured as before: 10 x 10 pixels, no flag
    expect(byId.get('once')!.pixels).toBe(100);
    expect(byId.get('once')!.warnings).toEqual([]);
  });

  it('three collinear vertices: 0 px, flagged', () => {
    const { byId } = measure([{ id: 'line', label: L3('psoas'), ij: collinearIj(5, 5, 15, 15) }]);
    expect(byId.get('line')!.pixels).toBe(0);
    expect(byId.get('line')!.warnings![0]).toMatch(BACK);
    expect(byId.get('line')!.warnings![1]).toBe(EMPTY);
  });

  it('a bow tie is measured by the even-odd rule (both triangles, 50 px), flagged as crossing itself at its centre', () => {
    // Corners at pixel edges 4.5 and 14.5; diagonals x = y and x + y = 19 cross at (9.5, 9.5). Row j = 5..9
    // holds i = j .. 18 - j (9, 7, 5, 3, 1 px), rows 10..14 hold i = 19 - j .. j - 1 (1, 3, 5, 7, 9): 50 px.
    const { byId } = measure([{ id: 'tie', label: L3('psoas'), ij: bowTieIj(5, 14, 5, 14) }]);
    expect(byId.get('tie')!.pixels).toBe(50);
    expect(byId.get('tie')!.warnings).toEqual(['the outline crosses itself near column 9.5, row 9.5: measured by the even-odd rule (a pixel counts when the outline goes round it an odd number of times); redraw it']);
  });

  it('an outline that only touches itself at a corner (two squares traced through their shared corner) is not flagged', () => {
    const { byId } = measure([{ id: 'touch', label: L3('psoas'), ij: touchingSquaresIj(5, 5, 4) }]);
    expect(byId.get('touch')!.pixels).toBe(2 * 4 * 4);
    expect(byId.get('touch')!.warnings).toEqual([]);
  });

  it('outlines traced from masks (diagonal pixels: the outline passes a corner twice) are never flagged', () => {
    // a checkerboard block and a diagonal staircase, 8-connected (one component each) and 4-connected
    const mask = new Uint8Array(40 * 30);
    for (let j = 2; j < 10; j++) for (let i = 2; i < 10; i++) if ((i + j) % 2 === 0) mask[j * 40 + i] = 1;
    for (let t = 0; t < 12; t++) mask[(15 + t) * 40 + 20 + t] = 1;
    let corners = 0;
    for (const connectivity of [4, 8] as const) {
      for (const c of traceComponents(mask, 40, 30, { connectivity })) {
        corners += c.contour.length - new Set(c.contour.map((p) => p.join())).size; // vertices visited twice
        expect(findSelfCrossing(c.contour)).toBeNull();
      }
    }
    expect(corners).toBeGreaterThan(0);
    // and random masks (a fixed pseudo-random sequence), every component, both connectivities
    let seed = 12345;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let t = 0; t < 200; t++) {
      const m = Uint8Array.from({ length: 12 * 12 }, () => (rnd() < 0.5 ? 1 : 0));
      for (const connectivity of [4, 8] as const) for (const c of traceComponents(m, 12, 12, { connectivity })) expect(findSelfCrossing(c.contour), JSON.stringify(c.contour)).toBeNull();
    }
  });

  it('a spike that folds back, and a vertex whose outline crosses an edge through it, are found', () => {
    expect(findSelfCrossing([[0, 0], [10, 0], [10, 5], [16, 5], [10, 5], [10, 10], [0, 10]])?.kind).toBe('overlap');
    // vertex (5, 0) lies inside edge (0,0)-(10,0); the outline comes from above and leaves below it
    expect(findSelfCrossing([[0, 0], [10, 0], [10, 10], [5, 0], [2, -10]])).toEqual({ kind: 'cross', at: [5, 0] });
    // the same vertex touched from above only: no crossing
    expect(findSelfCrossing([[0, 0], [10, 0], [10, 10], [5, 0], [0, 10]])).toBeNull();
  });

  it('repeated consecutive vertices and the closing vertex repeated are one vertex (not a fold)', () => {
    expect(findSelfCrossing([[0, 0], [0, 0], [10, 0], [10, 10], [10, 10], [0, 10], [0, 0]])).toBeNull();
  });

  it('the check is bounded: a smooth 5,000-vertex outline passes; past the bound it says "not checked", never a silent no', () => {
    const circle: PointIj[] = Array.from({ length: 5000 }, (_, n) => [200 + 150 * Math.cos((2 * Math.PI * n) / 5000), 200 + 150 * Math.sin((2 * Math.PI * n) / 5000)]);
    expect(findSelfCrossing(circle)).toBeNull();
    expect(findSelfCrossing(circle, 100)).toEqual({ kind: 'unchecked', pairs: 100 });
  });

  it('the flags reach the app checklist (outlineFlagger), as on the records', () => {
    const tie = roiOn(g, K, 'tie', L3('psoas'), bowTieIj(5, 14, 5, 14));
    const flag = outlineFlagger(volume, documentFor(volume, [{ level: 'L3', sliceIndex: K }], [tie]));
    expect(flag(tie, K)[0]).toMatch(CROSS);
  });
});
