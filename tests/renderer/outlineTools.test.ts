/**
 * The pixel outline tools and outline commands through the store (slices/outlineTools.ts) on a phantom:
 * region grow gives exactly the blob's pixels, the brush adds only in-range pixels, the eraser removes,
 * scissors partition exactly, mirror reflects across the bone midline; each is one undo step and goes
 * through the annotation guard rails.
 */
import { describe, expect, it } from 'vitest';
import { parseAnnotationDocument } from '../../src/core/annotations/document';
import { measureAnnotations } from '../../src/core/annotations/measureAnnotations';
import { roiOrigin } from '../../src/core/annotations/outlineFlags';
import { firstOpenTarget, isDone, nextTarget } from '../../src/renderer/state/checklist';
import { contourMask } from '../../src/core/roi/contour';
import type { AppState } from '../../src/renderer/state/store';
import { openPhantomStore, phantomSeries } from './phantomStore';

const C = 100;
const R = 80;
const S = 3;
const K = 1; // the slice everything happens on (L3)
/** Blob A: 50 HU, columns 10..19, rows 20..34 (150 px). Strip: 120 HU, columns 20..24, rows 25..29 (touches A). Bone: 500 HU, columns 49..50 (midline 49.5). Fat elsewhere. */
const inA = (i: number, j: number) => i >= 10 && i <= 19 && j >= 20 && j <= 34;
const inStrip = (i: number, j: number) => i >= 20 && i <= 24 && j >= 25 && j <= 29;
const inBone = (i: number, j: number) => (i === 49 || i === 50) && j >= 50 && j <= 60;
function huOf(i: number, j: number): number {
  if (inA(i, j)) return 50;
  if (inStrip(i, j)) return 120;
  if (inBone(i, j)) return 500;
  return -100;
}
const series = phantomSeries({ columns: C, rows: R, slices: S, huOf });
const { geometry } = series;
const openStore = () => openPhantomStore(series, { slice: K, muscle: 'psoas' });

const maskOf = (s: AppState, id: string) => contourMask(geometry, K, s.doc!.rois.find((r) => r.id === id)!.pointsLps);
const count = (m: Uint8Array) => m.reduce((a, b) => a + b, 0);
const pixelsWhere = (f: (i: number, j: number) => boolean) => {
  const m = new Uint8Array(C * R);
  for (let j = 0; j < R; j++) for (let i = 0; i < C; i++) m[j * C + i] = f(i, j) ? 1 : 0;
  return m;
};

describe('outline tools (store)', () => {
  it('region grow from a seed in a blob gives exactly that blob as a new outline (one undo step)', async () => {
    const store = await openStore();
    const s = () => store.getState();
    s().setToolRange([0, 100]); // A (50 HU) but not the strip (120 HU)
    expect(s().growAt([14, 27])).toBe('added');
    const roi = s().doc!.rois[0]!;
    expect(roi).toMatchObject({ level: 'L3', muscle: 'psoas', side: 'left', sliceIndex: K, source: 'drawn' });
    expect(maskOf(s(), roi.id)).toEqual(pixelsWhere(inA));
    const rec = measureAnnotations(s().volume!, s().doc!).find((r) => r.muscle === 'psoas' && r.side === 'left')!;
    expect(rec.pixels).toBe(150);
    expect(rec.meanHu).toBe(50);
    // The default muscle range takes the strip too; a second grow for the same label asks (guard rail).
    // (Without the envelope: with it, the fat in the two corners between A and the strip would join, see below.)
    s().setGrowKeepEnclosed(false);
    s().setToolRange(null);
    s().setActiveMuscle('psoas');
    s().setActiveSide('left');
    expect(s().growAt([14, 27])).toBe('asked');
    s().answerQuestion('replace');
    expect(count(maskOf(s(), s().doc!.rois[0]!.id))).toBe(150 + 25);
    s().undo();
    expect(s().doc!.rois.map((r) => r.id)).toEqual([roi.id]);
  });

  it('refuses a seed outside the range, reports a leak, and respects a drawn limit', async () => {
    const store = await openStore();
    const s = () => store.getState();
    expect(s().growAt([70, 10])).toBe('refused'); // fat
    expect(s().toolHint).toMatch(/outside the range/);
    s().setToolRange([-150, 150]); // fat joins: the whole slice (8000 px > 6000 px guard)
    expect(s().growAt([70, 10])).toBe('refused');
    expect(s().toolHint).toMatch(/Leaked/);
    expect(s().doc!.rois).toEqual([]);
    // A limit between A and the strip (Shift+drag along column 19.5) keeps the default-range grow in A... minus the limit's pixels.
    s().setToolRange(null);
    s().addGrowBarrier([
      [20, 18],
      [20, 36],
    ]);
    expect(s().growAt([14, 27])).toBe('added');
    const m = maskOf(s(), s().doc!.rois[0]!.id);
    expect(m).toEqual(pixelsWhere(inA));
  });

  it('brush adds only pixels in the range, eraser removes, one undo step per stroke', async () => {
    const store = await openStore();
    const s = () => store.getState();
    s().setToolRange([0, 100]);
    s().growAt([14, 27]);
    const id = s().doc!.rois[0]!.id;
    s().setToolRange(null); // brush with the muscle range -29..150: the strip (120) counts, fat (-100) not
    s().setBrushSoftTissue(false);
    s().setBrushRadius(2);
    const past = s().history.past.length;
    expect(s().paintStroke([[18, 22]], 'add', 'b1')).toBe(false); // all of it in A already or fat
    expect(s().paintStroke([[18, 22], [21, 26]], 'add', 'b1')).toBe(true);
    s().paintStroke([[21, 26], [26, 28]], 'add', 'b1');
    expect(s().history.past.length).toBe(past + 1);
    const after = maskOf(s(), id);
    const a = pixelsWhere(inA);
    let added = 0;
    for (let p = 0; p < after.length; p++) {
      expect(after[p]! >= a[p]!).toBe(true); // nothing of A lost
      if (after[p] && !a[p]) {
        added++;
        const hu = huOf(p % C, Math.floor(p / C));
        expect(hu).toBeGreaterThanOrEqual(-29);
        expect(hu).toBeLessThanOrEqual(150);
      }
    }
    expect(added).toBeGreaterThan(0);
    // Eraser across the middle of A's right part: fewer pixels, one more undo step.
    s().paintStroke([[15, 20], [15, 34]], 'erase', 'e1');
    expect(s().history.past.length).toBe(past + 2);
    const erased = maskOf(s(), id);
    expect(count(erased)).toBeLessThan(count(after));
    expect(s().toolHint ?? '').toMatch(/dropped|^$/);
    s().undo();
    expect(maskOf(s(), id)).toEqual(after);
    s().undo();
    expect(maskOf(s(), id)).toEqual(a);
  });

  it('scissors split the outline into two outlines that partition its pixels', async () => {
    const store = await openStore();
    const s = () => store.getState();
    s().setActiveMuscle('erectorSpinae');
    s().setToolRange([0, 100]);
    s().growAt([14, 27]);
    const id = s().doc!.rois[0]!.id;
    const before = maskOf(s(), id);
    s().selectRoi(id);
    // Same label as the outline: refused, the user must pick the cut-off part's muscle first.
    s().setActiveMuscle('erectorSpinae');
    s().setActiveSide('left');
    expect(s().cutOutlineAlong([[16.5, 18], [16.5, 37]])).toBe(false);
    s().setActiveMuscle('multifidus');
    const past = s().history.past.length;
    expect(s().cutOutlineAlong([[16.3, 18], [16.7, 37]])).toBe(true);
    expect(s().history.past.length).toBe(past + 1);
    const rois = s().doc!.rois;
    expect(rois).toHaveLength(2);
    const other = rois.find((r) => r.id !== id)!;
    expect(other).toMatchObject({ level: 'L3', muscle: 'multifidus', side: 'left' });
    const m1 = maskOf(s(), id);
    const m2 = maskOf(s(), other.id);
    for (let p = 0; p < before.length; p++) expect(m1[p]! + m2[p]!).toBe(before[p]);
    expect(count(m1)).toBeGreaterThanOrEqual(count(m2)); // the original keeps the larger part
    expect(count(m1) + count(m2)).toBe(150);
    s().undo();
    expect(s().doc!.rois).toHaveLength(1);
    expect(maskOf(s(), id)).toEqual(before);
  });

  it('mirror reflects across the bone midline to the other side; smooth/simplify keep the area; propagate copies to another level', async () => {
    const store = await openStore();
    const s = () => store.getState();
    s().setToolRange([0, 100]);
    s().growAt([14, 27]);
    const id = s().doc!.rois[0]!.id;
    s().selectRoi(id);
    expect(s().runOutlineCommand('mirror')).toBe(true);
    const mirrored = s().doc!.rois.find((r) => r.id !== id)!;
    expect(mirrored).toMatchObject({ muscle: 'psoas', side: 'right', level: 'L3' });
    // Midline column 49.5: i -> 99 - i, so columns 10..19 become 80..89.
    expect(maskOf(s(), mirrored.id)).toEqual(pixelsWhere((i, j) => inA(99 - i, j)));
    // A rectangle has no vertex to spare; smoothing cuts its four corners (8 vertices) and scales the
    // result back to the rectangle's area (10 x 15 pixels of 1 mm²).
    s().selectRoi(id);
    expect(s().runOutlineCommand('simplify')).toBe(false);
    expect(s().runOutlineCommand('smooth')).toBe(true);
    const sm = s().doc!.rois.find((r) => r.id === id)!.pointsLps;
    expect(sm).toHaveLength(8);
    const shoelace = Math.abs(sm.reduce((a, p, n) => a + p[0] * sm[(n + 1) % sm.length]![1] - sm[(n + 1) % sm.length]![0] * p[1], 0)) / 2;
    expect(shoelace).toBeCloseTo(150, 6);
    // Propagate L3's two outlines to L3/L4 (slice 2): one undo step, both there.
    s().setSlice(2);
    s().markLevel('L3/L4');
    s().setActiveLevel('L3');
    const past = s().history.past.length;
    expect(s().runOutlineCommand('propagate')).toBe(true);
    expect(s().history.past.length).toBe(past + 1);
    const there = s().doc!.rois.filter((r) => r.level === 'L3/L4');
    expect(there.map((r) => `${r.muscle}-${r.side}-${r.sliceIndex}`).sort()).toEqual(['psoas-left-2', 'psoas-right-2']);
    // A second propagate skips labels already outlined there.
    expect(s().runOutlineCommand('propagate')).toBe(false);
  });

  it('propagated and mirrored outlines are proposals: dashed sources, not done in the checklist until confirmed (c / Confirm), flags said in the message line', async () => {
    const store = await openStore();
    const s = () => store.getState();
    s().setToolRange([0, 100]);
    s().growAt([14, 27]); // psoas left, drawn: 150 px (blob A, columns 10..19)
    const drawn = s().doc!.rois[0]!;
    expect(drawn.source).toBe('drawn');
    expect(isDone(s().doc, 'L3', 'psoas', 'left')).toBe(true);
    s().selectRoi(drawn.id);
    // Mirror: a proposal (source 'mirrored'), and psoas right is not done until it is confirmed.
    expect(s().runOutlineCommand('mirror')).toBe(true);
    const mirrored = s().doc!.rois.find((r) => r.id !== drawn.id)!;
    expect(mirrored).toMatchObject({ muscle: 'psoas', side: 'right', level: 'L3', source: 'mirrored' });
    expect(roiOrigin(mirrored)).toBe('mirrored');
    expect(isDone(s().doc, 'L3', 'psoas', 'right')).toBe(false);
    expect(s().toolHint).toMatch(/^Mirrored to the right .* as a proposal \(dashed\): check it and confirm \(c\)/);
    // Propagate L3 to L3/L4 (slice 2): both outlines arrive as 'propagated' proposals; nothing there is done.
    // At L3/L4 a quadratus lumborum left is drawn where blob A is, so the propagated psoas left will overlap it.
    s().setSlice(2);
    s().markLevel('L3/L4');
    s().setActiveMuscle('quadratusLumborum');
    s().setActiveSide('left');
    expect(s().growAt([14, 27])).toBe('added');
    s().setActiveLevel('L3');
    expect(s().runOutlineCommand('propagate')).toBe(true);
    const there = () => s().doc!.rois.filter((r) => r.level === 'L3/L4' && r.muscle === 'psoas');
    expect(there().map((r) => `${r.muscle}-${r.side}-${r.source}`).sort()).toEqual(['psoas-left-propagated', 'psoas-right-propagated']);
    expect(['left', 'right'].map((side) => isDone(s().doc, 'L3/L4', 'psoas', side as 'left' | 'right'))).toEqual([false, false]);
    expect(firstOpenTarget(s().doc, 'L3/L4')).toEqual({ muscle: 'psoas', side: 'left' });
    expect(nextTarget(s().doc, 'L3/L4', { muscle: 'multifidus', side: 'right' })).toEqual({ muscle: 'psoas', side: 'left' });
    // The checks ran on the result and the message line says what they found: the propagated psoas left lies on
    // the quadratus lumborum left (blob A; the copy is snapped and smoothed, its corners cut, so fewer than its
    // 150 px); the psoas right raises nothing, so it is not named.
    expect(s().toolHint).toMatch(/^Propagated 2 outline\(s\) from L3 to L3\/L4 \(slice 3\) as proposals \(dashed, not done until confirmed: c at L3\/L4\)\. Check: PS L: overlaps the quadratus lumborum left outline by 1\d\d px \(those pixels count in both\)$/);
    // The table (core) reports their origin; the exports carry it in `origin`.
    const origins = measureAnnotations(s().volume!, s().doc!).filter((r) => r.level === 'L3/L4' && r.muscle === 'psoas').map((r) => r.origin);
    expect(origins).toEqual(['propagated', 'propagated']);
    // Editing a proposal keeps it a proposal (not done) until it is confirmed.
    const left = there().find((r) => r.side === 'left')!;
    s().editOutline(left.id, left.pointsLps.map((p) => [p[0] + 1, p[1], p[2]]), 'drag-1');
    expect(roiOrigin(there().find((r) => r.side === 'left')!)).toBe('propagated');
    // Confirm at L3/L4 (the c key / Confirm button: the active level's proposals): confirmed, done, origin 'confirmed'.
    s().setActiveLevel('L3/L4');
    s().confirmProposals('L3/L4');
    expect(there().map((r) => `${r.side}-${r.source}-${r.proposedBy}`).sort()).toEqual(['left-confirmed-propagated', 'right-confirmed-propagated']);
    expect(['left', 'right'].map((side) => isDone(s().doc, 'L3/L4', 'psoas', side as 'left' | 'right'))).toEqual([true, true]);
    expect(roiOrigin(there().find((r) => r.side === 'right')!)).toBe('confirmed');
    expect(roiOrigin(there().find((r) => r.side === 'left')!)).toBe('edited'); // edited before it was confirmed
    // L3's mirrored one is still a proposal (confirm acts on one level) until L3 is confirmed.
    expect(s().doc!.rois.find((r) => r.id === mirrored.id)!.source).toBe('mirrored');
    // L3 is not on screen (the view is on L3/L4): the first confirm shows L3's slice and confirms nothing; the second confirms.
    expect(s().confirmProposals('L3')).toBe(false);
    expect(s().doc!.rois.find((r) => r.id === mirrored.id)!.source).toBe('mirrored');
    expect(s().sliceIndex).toBe(s().doc!.rois.find((r) => r.id === mirrored.id)!.sliceIndex);
    expect(s().confirmProposals('L3')).toBe(true);
    expect(s().doc!.rois.find((r) => r.id === mirrored.id)).toMatchObject({ source: 'confirmed', proposedBy: 'mirrored' });
    // One undo step takes the confirmation back.
    s().undo();
    expect(s().doc!.rois.find((r) => r.id === mirrored.id)!.source).toBe('mirrored');
    // The document with the new sources is valid, and so is one from before them (no proposedBy, drawn only).
    const doc = JSON.parse(JSON.stringify(s().doc));
    expect(parseAnnotationDocument(doc).ok).toBe(true);
    const old = { ...doc, rois: doc.rois.map(({ proposedBy: _p, ...r }: Record<string, unknown>) => ({ ...r, source: 'drawn' })) };
    expect(parseAnnotationDocument(old).ok).toBe(true);
    expect(parseAnnotationDocument({ ...doc, rois: [{ ...doc.rois[0], proposedBy: 'guessed' }] }).ok).toBe(false);
  });

  it('propagate leaves a muscle recorded absent at the target absent (and says so), and never carries an acceptance to the copy', async () => {
    const store = await openStore();
    const s = () => store.getState();
    s().setToolRange([0, 100]);
    expect(s().growAt([14, 27])).toBe('added'); // psoas left: blob A
    s().selectRoi(s().doc!.rois[0]!.id);
    expect(s().runOutlineCommand('mirror')).toBe(true); // psoas right: its mirror image
    // The psoas left carries an acceptance (of whatever flags it had at L3): it must not come along.
    const left = s().doc!.rois.find((r) => r.side === 'left')!;
    store.setState({ doc: { ...s().doc!, rois: s().doc!.rois.map((r) => (r.id === left.id ? { ...r, accepted: { flags: ['some flag'], reason: 'checked', rater: 't', at: 'now' } } : r)) } });
    // At L3/L4 the psoas right is recorded absent.
    s().setSlice(2);
    s().markLevel('L3/L4');
    s().toggleAbsent({ level: 'L3/L4', muscle: 'psoas', side: 'right' });
    expect(s().doc!.absent?.map((a) => `${a.level} ${a.muscle} ${a.side}`)).toEqual(['L3/L4 psoas right']);
    s().setActiveLevel('L3');
    expect(s().runOutlineCommand('propagate')).toBe(true);
    const there = s().doc!.rois.filter((r) => r.level === 'L3/L4');
    expect(there.map((r) => `${r.muscle}-${r.side}-${r.source}`)).toEqual(['psoas-left-propagated']);
    expect(there[0]!.accepted).toBeUndefined();
    expect(s().doc!.absent?.map((a) => `${a.level} ${a.muscle} ${a.side}`)).toEqual(['L3/L4 psoas right']);
    expect(s().toolHint).toMatch(/^Propagated 1 outline\(s\) from L3 to L3\/L4 .*; 1 skipped \(recorded absent at L3\/L4\)/);
  });

  it('a brush stroke with no outline starts one; simplify and smooth keep its area within 2%; snap finds no edge in uniform fat', async () => {
    const store = await openStore();
    const s = () => store.getState();
    s().setActiveMuscle('quadratusLumborum');
    s().setBrushRadius(6);
    s().setToolRange([-200, 200]);
    expect(s().paintStroke([[60, 30]], 'add', 'new')).toBe(true); // fat is in this range: a full disk
    const roi = s().doc!.rois[0]!;
    expect(roi).toMatchObject({ muscle: 'quadratusLumborum', side: 'left', level: 'L3' });
    expect(count(maskOf(s(), roi.id))).toBe(113); // pixel centres within 6 px: 113
    const area = (id: string) => {
      const p = s().doc!.rois.find((r) => r.id === id)!.pointsLps;
      let a = 0;
      for (let n = 0; n < p.length; n++) a += p[n]![0] * p[(n + 1) % p.length]![1] - p[(n + 1) % p.length]![0] * p[n]![1];
      return Math.abs(a / 2);
    };
    const a0 = area(roi.id);
    const n0 = roi.pointsLps.length;
    s().selectRoi(roi.id);
    expect(s().runOutlineCommand('simplify')).toBe(true);
    expect(s().doc!.rois[0]!.pointsLps.length).toBeLessThan(n0);
    expect(Math.abs(area(roi.id) - a0)).toBeLessThanOrEqual(0.02 * a0 + 1e-9);
    const a1 = area(roi.id);
    expect(s().runOutlineCommand('smooth')).toBe(true);
    expect(Math.abs(area(roi.id) - a1)).toBeLessThanOrEqual(0.02 * a1 + 1e-9);
    const before = s().doc!.rois[0]!.pointsLps;
    // The disk lies in uniform fat: no edge within 2 px of any vertex, so snap changes nothing and says so.
    const past = s().history.past.length;
    expect(s().runOutlineCommand('snap')).toBe(false);
    expect(s().doc!.rois[0]!.pointsLps).toEqual(before);
    expect(s().history.past.length).toBe(past);
  });
});
