/**
 * The guard rails of "annotation you can trust" in the store and core: outlines only on their level's
 * slice, moving a level asks, one outline per level x muscle x side, delete only what is shown, mask
 * import twice, side check, overlay colours apart from the muscles'.
 */
import { describe, expect, it } from 'vitest';
import { newAnnotationDocument, type AnnotationDocument, type Roi } from '../../src/core/annotations/document';
import { measureAnnotationsChecked } from '../../src/core/annotations/measureAnnotations';
import { isEdited, roiOrigin } from '../../src/core/annotations/outlineFlags';
import { centroidX, midlineX, sideFlag } from '../../src/core/annotations/sideCheck';
import { makeGeometry } from '../../src/core/geometry/volumeGeometry';
import type { Vec3 } from '../../src/core/geometry/vec3';
import { DEFAULT_RANGES } from '../../src/core/metrics/ranges';
import type { HuVolume } from '../../src/core/volume';
import type { LoadedSeriesMeta, MaskImportResult, ParaspineApi } from '../../src/shared/contract';
import { applyMaskImport } from '../../src/renderer/state/documentOps';
import { MUSCLE_COLORS } from '../../src/renderer/state/checklist';
import { FAT_RGBA, LEAN_RGBA } from '../../src/renderer/overlay/leanFat';
import { createAppStore } from '../../src/renderer/state/store';
import { slicesFrom } from './sliceApi';

// 10 columns x 6 rows x 4 slices, 2 mm pixels, 3 mm slices; x = 2 i, y = 2 j, z = 3 k.
const geometry = makeGeometry({ columns: 10, rows: 6, slices: 4, columnSpacingMm: 2, rowSpacingMm: 2, rowDirection: [1, 0, 0], columnDirection: [0, 1, 0], slicePositions: [[0, 0, 0], [0, 0, 3], [0, 0, 6], [0, 0, 9]] });
const summary = { patientName: 'P', patientId: 'ID', studyInstanceUid: 'st', studyDate: '20200101', studyDescription: '', seriesInstanceUid: 'se', seriesDescription: 'd', seriesNumber: 1, modality: 'CT', slices: 4, rows: 6, columns: 10, pixelSpacing: [2, 2] as const, sliceSpacingMm: 3, sliceThickness: 3, imageOrientation: [1, 0, 0, 0, 1, 0], transferSyntaxUids: [], files: [], warnings: [] };
const meta: LoadedSeriesMeta = { summary, geometry, huType: 'int16', warnings: [] };

async function open(existing: AnnotationDocument | null = null) {
  let n = 0;
  const api = {
    'app:info': async () => ({ version: '1', workspace: '/ws', recentFolders: [], mode: 'web' as const }),
    'series:scan': async (p: string) => {
      if (p === '/typo') throw new Error('/typo: no such folder');
      return { series: p === '/empty' ? [] : [summary], problems: [] };
    },
    'series:load': async () => meta,
    'series:slices': slicesFrom(() => new Int16Array(10 * 6 * 4).fill(40).buffer, meta),
    'annotations:load': async () => ({ document: existing, problem: null }),
    'annotations:save': async () => ({ path: '/ws/se.json' }),
  } as unknown as ParaspineApi;
  const store = createAppStore({ api: () => api, now: () => `2024-01-01T00:00:${String(n++).padStart(2, '0')}Z`, newId: () => `id${n}`, rater: () => 'r' });
  await store.getState().init();
  await store.getState().openFolder('/data');
  await store.getState().selectSeries('se');
  return store;
}

/** A square outline on slice k, columns i0..i0+2 (x = 2 i mm). */
const square = (k: number, i0 = 6): Vec3[] => [
  [2 * i0, 2, 3 * k],
  [2 * i0 + 4, 2, 3 * k],
  [2 * i0 + 4, 6, 3 * k],
  [2 * i0, 6, 3 * k],
];

describe('guard rails in the store', () => {
  it('an outline drawn off its level’s slice is refused with a message; nothing is stored', async () => {
    const store = await open();
    const st = store.getState;
    st().setSlice(2);
    st().markLevel('L3');
    st().setSlice(1);
    expect(st().addOutline('a', square(1))).toBe('refused');
    expect(st().doc!.rois).toEqual([]);
    expect(st().toast).toEqual({ kind: 'error', text: 'L3 is marked on slice 3; this is slice 2 — outline not saved: go to L3 (Shift+1) or re-mark L3 here (1)' });
    st().setSlice(2);
    expect(st().addOutline('b', square(2))).toBe('added');
    expect(st().doc!.rois.map((r) => [r.id, r.level, r.sliceIndex])).toEqual([['b', 'L3', 2]]);
  });

  it('moving a level with outlines asks: move them, keep them (flagged), or cancel (one undo step each)', async () => {
    const store = await open();
    const st = store.getState;
    st().setSlice(2);
    st().markLevel('L3');
    st().addOutline('a', square(2));
    const past = st().history.past.length;
    st().setSlice(3);
    st().markLevel('L3');
    expect(st().question).toMatchObject({ kind: 'moveLevel', level: 'L3', fromSlice: 2, toSlice: 3, roiIds: ['a'], roiSlices: [2] });
    st().answerQuestion('move');
    expect(st().question).toBeNull();
    expect(st().doc!.levels.map((l) => [l.level, l.sliceIndex])).toEqual([['L3', 3]]);
    const moved = st().doc!.rois[0]!;
    expect([moved.sliceIndex, moved.z]).toEqual([3, 9]);
    expect(moved.pointsLps).toEqual(square(3));
    expect(st().history.past.length).toBe(past + 1);
    st().undo();
    expect(st().doc!.rois[0]!.pointsLps).toEqual(square(2));
    expect(st().doc!.levels[0]!.sliceIndex).toBe(2);

    // keep: the level is marked on 3, its outline stays on 2, and the measurement says so
    st().markLevel('L3');
    st().answerQuestion('keep');
    expect(st().doc!.levels[0]!.sliceIndex).toBe(3);
    expect(st().doc!.rois[0]!.sliceIndex).toBe(2);
    const rec = measureAnnotationsChecked(st().volume!, st().doc!).records[0]!;
    expect(rec.sliceIndex).toBe(2);
    // slices as the viewer shows them: position from the feet (index + 1) of 4 (no InstanceNumbers in this phantom)
    expect(rec.warnings).toContain('L3 is marked on slice 4 / 4; this outline is on slice 3 / 4');
    st().undo();

    // cancel: the level goes back to where it was
    st().setSlice(0);
    st().markLevel('L3');
    expect(st().doc!.levels[0]!.sliceIndex).toBe(0);
    st().answerQuestion('cancel');
    expect(st().doc!.levels.map((l) => [l.level, l.sliceIndex])).toEqual([['L3', 2]]);
    expect(st().doc!.rois[0]!.sliceIndex).toBe(2);
  });

  it('a second outline of one level x muscle x side asks: replace, keep both, or discard', async () => {
    const store = await open();
    const st = store.getState;
    st().setSlice(2);
    st().markLevel('L3');
    st().addOutline('a', square(2));
    st().setActiveMuscle('psoas');
    st().setActiveSide('left');
    expect(st().addOutline('b', square(2, 7))).toBe('asked');
    expect(st().question).toMatchObject({ kind: 'duplicate', level: 'L3', muscle: 'psoas', side: 'left', existingIds: ['a'] });
    expect(st().addOutline('c', square(2, 5))).toBe('refused'); // nothing while a question is open
    st().answerQuestion('cancel');
    expect(st().doc!.rois.map((r) => r.id)).toEqual(['a']);
    st().setActiveSide('left');
    st().addOutline('b', square(2, 7));
    st().answerQuestion('replace');
    expect(st().doc!.rois.map((r) => r.id)).toEqual(['b']);
    st().setActiveSide('left');
    st().addOutline('c', square(2, 5));
    st().answerQuestion('keepBoth');
    expect(st().doc!.rois.map((r) => r.id).sort()).toEqual(['b', 'c']);
  });

  it('Delete removes the selected outline only on the slice it lies on', async () => {
    const store = await open();
    const st = store.getState;
    st().setSlice(2);
    st().markLevel('L3');
    st().addOutline('a', square(2));
    st().selectRoi('a');
    st().setSlice(1);
    st().deleteSelectedRoi();
    expect(st().doc!.rois).toHaveLength(1);
    expect(st().toast?.text).toBe('The selected outline (Psoas left, L3) is on slice 3, not on this slice: nothing deleted');
    st().setSlice(2);
    st().deleteSelectedRoi();
    expect(st().doc!.rois).toHaveLength(0);
  });

  it('a mistyped folder or one without CT keeps the open series and its document', async () => {
    const store = await open();
    const st = store.getState;
    st().setSlice(2);
    st().markLevel('L3');
    const doc = st().doc;
    await st().openFolder('/typo');
    expect(st().volume).not.toBeNull();
    expect(st().doc).toBe(doc);
    expect(st().folder).toBe('/data');
    expect(st().error).toBe('/typo: no such folder (the open series stays open)');
    await st().openFolder('/empty');
    expect(st().doc).toBe(doc);
    expect(st().error).toBe('No usable CT series in /empty; the open series stays open');
  });
});

describe('mask import twice', () => {
  const T0 = '2024-01-01T00:00:00Z';
  const roi = (id: string, source: Roi['source'], modifiedAt = T0): Roi => ({ id, level: 'L3', muscle: 'psoas', side: 'left', sliceIndex: 2, z: 6, pointsLps: square(2), source, createdAt: T0, modifiedAt });
  const result = (ids: string[]): MaskImportResult => ({ proposedLevels: [], rois: ids.map((id) => roi(id, 'imported')), problems: [] });
  const base = newAnnotationDocument({ ...summary }, DEFAULT_RANGES, '1', 'r', 't0');

  it('replaces unedited imported outlines, keeps drawn and edited ones', () => {
    const once = applyMaskImport(base, result(['m1']), 't1');
    const twice = applyMaskImport(once, result(['m1']), 't2');
    expect(twice.rois.map((r) => r.id)).toEqual(['m1']);
    const edited = { ...once, rois: [{ ...once.rois[0]!, modifiedAt: '2024-01-03T00:00:00Z' }] };
    expect(applyMaskImport(edited, result(['m1']), 't4').rois).toEqual(edited.rois);
    const drawn = { ...base, rois: [roi('d', 'drawn')] };
    expect(applyMaskImport(drawn, result(['m1']), 't4').rois.map((r) => r.id)).toEqual(['d']);
  });

  it('an outline is edited when changed after it was made (old documents need no new field)', () => {
    expect(isEdited(roi('a', 'imported'))).toBe(false);
    expect(roiOrigin(roi('a', 'imported', '2024-01-02T00:00:00Z'))).toBe('edited');
    expect(roiOrigin(roi('a', 'drawn'))).toBe('drawn');
  });
});

describe('side check', () => {
  const volume = (bone: number[]): HuVolume => {
    const hu = new Int16Array(10 * 6 * 4);
    // bone columns on every row of every slice (6 rows x columns x 4 slices)
    for (let k = 0; k < 4; k++) for (let j = 0; j < 6; j++) for (const i of bone) hu[k * 60 + j * 10 + i] = 700;
    return { geometry, hu, warnings: [] };
  };

  it('the midline is the median x of the bone pixels, else the image centre', () => {
    // 6 rows x 4 bone columns = 24 bone pixels, too few for the rule (50): the image centre, x = 4.5 columns x 2 mm
    expect(midlineX(volume([1, 2, 3, 4]), 0)).toEqual({ x: 9, rule: 'image-centre' });
    // 40 x 20 pixels, bone in columns 4..7 (80 pixels, off the image centre at x = 39 mm): median between columns 5 and 6, x = 11 mm
    const g = makeGeometry({ columns: 40, rows: 20, slices: 1, columnSpacingMm: 2, rowSpacingMm: 2, rowDirection: [1, 0, 0], columnDirection: [0, 1, 0], slicePositions: [[0, 0, 0]] });
    const hu = new Int16Array(800);
    for (let j = 0; j < 20; j++) for (let i = 4; i <= 7; i++) hu[j * 40 + i] = 700;
    expect(midlineX({ geometry: g, hu, warnings: [] }, 0)).toEqual({ x: 11, rule: 'bone' });
  });

  it('flags an outline whose centroid is on the other side of its label (LPS: +x is patient left)', () => {
    // 40 x 20 pixels, bone in columns 4..7: midline x = 11 mm (the image centre, 39 mm, is not used)
    const g = makeGeometry({ columns: 40, rows: 20, slices: 1, columnSpacingMm: 2, rowSpacingMm: 2, rowDirection: [1, 0, 0], columnDirection: [0, 1, 0], slicePositions: [[0, 0, 0]] });
    const hu = new Int16Array(800);
    for (let j = 0; j < 20; j++) for (let i = 4; i <= 7; i++) hu[j * 40 + i] = 700;
    const v: HuVolume = { geometry: g, hu, warnings: [] };
    expect(centroidX(square(0, 6))).toBe(14);
    expect(sideFlag(v, 0, { side: 'left', pointsLps: square(0, 6) })).toBeNull(); // x 14 > 11: patient left
    expect(sideFlag(v, 0, { side: 'right', pointsLps: square(0, 6) })).toBe("side check: labelled right but its centre lies 3.0 mm on the patient's left of the midline (median x of the bone pixels)");
    expect(sideFlag(v, 0, { side: 'left', pointsLps: square(0, 1) })).toMatch(/labelled left but its centre lies 7\.0 mm on the patient's right/);
    // Without bone on the slice (a phantom) the side is not checked: the image centre is no midline to flag by.
    const noBone: HuVolume = { geometry: g, hu: new Int16Array(800), warnings: [] };
    expect(sideFlag(noBone, 0, { side: 'right', pointsLps: square(0, 6) })).toBeNull();
  });
});

it('the lean/fat overlay colours are not the muscles’ colours', () => {
  const hex = (h: string) => [1, 3, 5].map((o) => parseInt(h.slice(o, o + 2), 16));
  const dist = (a: readonly number[], b: readonly number[]) => Math.hypot(a[0]! - b[0]!, a[1]! - b[1]!, a[2]! - b[2]!);
  for (const c of Object.values(MUSCLE_COLORS)) {
    expect(dist(LEAN_RGBA, hex(c))).toBeGreaterThan(100);
    expect(dist(FAT_RGBA, hex(c))).toBeGreaterThan(100);
  }
  expect(dist(LEAN_RGBA, FAT_RGBA)).toBeGreaterThan(200);
});
