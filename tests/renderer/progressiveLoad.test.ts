/**
 * The store opens a series slice range by slice range: the first slice is shown alone and at once, the
 * rest fills in behind it. Expected volumes come from the whole-volume path (huVolumeFromBytes over
 * the series:volume bytes), never from the progressive code under test.
 */
import { describe, expect, it } from 'vitest';
import { newAnnotationDocument } from '../../src/core/annotations/document';
import { makeGeometry } from '../../src/core/geometry/volumeGeometry';
import { DEFAULT_RANGES } from '../../src/core/metrics/ranges';
import type { LoadedSeriesMeta, ParaspineApi, SeriesSlices } from '../../src/shared/contract';
import { setLevel } from '../../src/renderer/state/documentOps';
import { huVolumeFromBytes } from '../../src/renderer/state/huVolume';
import { ProgressiveVolume, SliceLoadStopped, SlicePlan, chunkSlices } from '../../src/renderer/state/progressiveVolume';
import { createAppStore } from '../../src/renderer/state/store';
import type { Vec3 } from '../../src/core/geometry/vec3';

const COLS = 8;
const ROWS = 6;
const N = 40;
const PIX = COLS * ROWS;

/** A JPEG 2000 series (ranges of 8 slices after the first). */
function summaryOf(uid: string, slices = N, transferSyntaxUids: string[] = ['1.2.840.10008.1.2.4.90']) {
  return { patientName: 'P', patientId: 'ID', studyInstanceUid: 'st', studyDate: '20200101', studyDescription: '', seriesInstanceUid: uid, seriesDescription: uid, seriesNumber: 1, modality: 'CT', slices, rows: ROWS, columns: COLS, pixelSpacing: [2, 2] as const, sliceSpacingMm: 3, sliceThickness: 3, imageOrientation: [1, 0, 0, 0, 1, 0], transferSyntaxUids, files: [], warnings: [] };
}
const geometry = makeGeometry({ columns: COLS, rows: ROWS, slices: N, columnSpacingMm: 2, rowSpacingMm: 2, rowDirection: [1, 0, 0], columnDirection: [0, 1, 0], slicePositions: Array.from({ length: N }, (_, k) => [0, 0, 3 * k] as Vec3) });
const metaOf = (uid: string, huType: 'int16' | 'float32' = 'int16'): LoadedSeriesMeta => ({ summary: summaryOf(uid), geometry, huType, warnings: [] });

/** Whole-volume bytes of series `uid` (what series:volume gives): every voxel distinct, the series in it. */
function wholeBytes(uid: string): ArrayBuffer {
  const hu = new Int16Array(PIX * N);
  const base = uid === 'A' ? 0 : 5000;
  for (let p = 0; p < hu.length; p++) hu[p] = base + (p % 3001) - 1000;
  return hu.buffer;
}

interface Pending {
  uid: string;
  start: number;
  count: number;
  release(): void;
  fail(message: string): void;
}

/** A fake services API whose series:slices calls wait until the test releases them (in any order). */
function fakeApi(opts: { doc?: ReturnType<typeof newAnnotationDocument> | null; float32Slice?: number } = {}) {
  const pending: Pending[] = [];
  const log: string[] = [];
  const api = {
    'app:info': async () => ({ version: '9.9.9', workspace: '/ws', recentFolders: [], mode: 'web' as const }),
    'series:scan': async () => ({ series: [summaryOf('A'), summaryOf('B')], problems: [] }),
    'series:load': async (loc: { seriesUid: string }) => {
      log.push(`load ${loc.seriesUid}`);
      return metaOf(loc.seriesUid);
    },
    'annotations:load': async (uid: string) => {
      log.push(`annotations ${uid}`);
      return { document: uid === 'A' ? (opts.doc ?? null) : null, problem: null };
    },
    'annotations:save': async () => ({ path: '/ws/x.json' }),
    'series:slices': (loc: { seriesUid: string }, r: { start: number; count: number }) =>
      new Promise<SeriesSlices>((resolve, reject) => {
        log.push(`slices ${loc.seriesUid} ${r.start}+${r.count}`);
        pending.push({
          uid: loc.seriesUid,
          start: r.start,
          count: r.count,
          release: () => {
            const whole = new Int16Array(wholeBytes(loc.seriesUid));
            const part = whole.slice(r.start * PIX, (r.start + r.count) * PIX);
            const f = opts.float32Slice;
            if (f !== undefined && f >= r.start && f < r.start + r.count) resolve({ start: r.start, count: r.count, huType: 'float32', bytes: Float32Array.from(part).buffer });
            else resolve({ start: r.start, count: r.count, huType: 'int16', bytes: part.buffer });
          },
          fail: (m) => reject(new Error(m)),
        });
      }),
  };
  return { api: api as unknown as ParaspineApi, pending, log };
}

function makeStore(f: ReturnType<typeof fakeApi>) {
  let t = 0;
  return createAppStore({ api: () => f.api, now: () => `2024-01-01T00:00:${String(t++).padStart(2, '0')}Z`, newId: () => `id${t}`, rater: () => 'tester' });
}

const tick = () => new Promise((r) => setTimeout(r, 0));
/** Releases the waiting series:slices calls (oldest first) until none is left. */
async function releaseAll(f: ReturnType<typeof fakeApi>): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    await tick();
    const p = f.pending.shift();
    if (!p) {
      await tick();
      if (f.pending.length === 0) return;
      continue;
    }
    p.release();
  }
  throw new Error('series:slices calls did not stop');
}

async function waitFor(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !cond(); i++) await tick();
  expect(cond()).toBe(true);
}

describe('opening a series slice by slice', () => {
  it('shows the first marked level slice first (the document is read before any pixel), then fills the rest; the finished volume equals the whole-volume one', async () => {
    const doc = setLevel(newAnnotationDocument(summaryOf('A'), DEFAULT_RANGES, '1', 'r', 't'), 'L3', 31, 93, 't2');
    const f = fakeApi({ doc });
    const store = makeStore(f);
    await store.getState().init();
    await store.getState().openFolder('/data');
    const opening = store.getState().selectSeries('A');
    await waitFor(() => f.pending.length === 1);
    expect(f.log.indexOf('annotations A')).toBeGreaterThanOrEqual(0);
    expect(f.log.indexOf('annotations A')).toBeLessThan(f.log.indexOf('slices A 31+1'));
    expect(f.pending[0]).toMatchObject({ start: 31, count: 1 });
    expect(store.getState().shown).toBeNull(); // nothing on screen before the first slice is in
    f.pending.shift()!.release();
    await waitFor(() => store.getState().shown !== null);

    // The first slice is shown while the rest is still loading.
    const s = store.getState();
    const whole = huVolumeFromBytes(wholeBytes('A'), metaOf('A'));
    expect(s.sliceIndex).toBe(31);
    expect(s.shown!.slices.has(31)).toBe(true);
    expect(s.shown!.slices.has(30)).toBe(false);
    expect(Array.from(s.shown!.volume.hu.subarray(31 * PIX, 32 * PIX))).toEqual(Array.from(whole.hu.subarray(31 * PIX, 32 * PIX)));
    expect(s.sliceLoad).toEqual({ loaded: 1, total: N });
    expect(s.volume).toBeNull(); // nothing that needs every slice runs yet
    expect(s.loadingSeries).toBe(true);
    expect(s.doc).toEqual(doc);
    // The next ranges are those nearest the slice shown, two at a time.
    await waitFor(() => f.pending.length === 2);
    const near = f.pending.map((p) => [p.start, p.count]);
    expect(near).toEqual([
      [32, 8],
      [16, 15],
    ]);

    await releaseAll(f);
    await opening;
    const done = store.getState();
    expect(done.volume).not.toBeNull();
    expect(done.volume!.hu).toBeInstanceOf(Int16Array);
    expect(done.volume!.hu).toEqual(whole.hu);
    expect(done.volume!.geometry).toEqual(whole.geometry);
    expect(done.shown!.volume).toBe(done.volume); // the same array: no second copy, no re-registration
    expect(done.sliceLoad).toBeNull();
    expect(done.loadingSeries).toBe(false);
    // Every slice was asked for exactly once.
    const asked = f.log.filter((l) => l.startsWith('slices A')).flatMap((l) => {
      const [a, b] = l.split(' ')[2]!.split('+').map(Number);
      return Array.from({ length: b! }, (_, i) => a! + i);
    });
    expect(asked.sort((a, b) => a - b)).toEqual(Array.from({ length: N }, (_, k) => k));
  });

  it('without a marked level the middle slice comes first; nothing in the document changes until every slice is in', async () => {
    const f = fakeApi();
    const store = makeStore(f);
    await store.getState().init();
    await store.getState().openFolder('/data');
    const opening = store.getState().selectSeries('A');
    await waitFor(() => f.pending.length === 1);
    expect(f.pending[0]).toMatchObject({ start: N / 2, count: 1 });
    f.pending.shift()!.release();
    await waitFor(() => store.getState().shown !== null);
    const before = store.getState().doc;
    const counter = store.getState().changeCounter;
    store.getState().markLevel('L3');
    expect(store.getState().toast?.text).toMatch(/^Loading slices 1 \/ 40: marking, outlining and editing start when every slice is in/);
    store.getState().setRanges({ muscleHu: [-20, 140], fatHu: [-190, -30] });
    const square: Vec3[] = [[1, 1, 60], [7, 1, 60], [7, 5, 60], [1, 5, 60]];
    expect(store.getState().addOutline('x', square)).toBe('refused');
    expect(store.getState().doc).toBe(before);
    expect(store.getState().changeCounter).toBe(counter);
    // Scrolling works while loading; the next ranges follow the slice shown.
    store.getState().setSlice(2);
    expect(store.getState().sliceIndex).toBe(2);
    await releaseAll(f);
    await opening;
    store.getState().markLevel('L3');
    expect(store.getState().doc!.levels.map((l) => [l.level, l.sliceIndex])).toEqual([['L3', 2]]);
    const order = f.log.filter((l) => l.startsWith('slices A')).slice(3, 4);
    expect(order).toEqual(['slices A 0+16']); // asked after the jump to slice 2: the range holding it
  });

  it('switching series while loading cancels it cleanly: no slice of the first series reaches the second', async () => {
    const f = fakeApi();
    const store = makeStore(f);
    await store.getState().init();
    await store.getState().openFolder('/data');
    const first = store.getState().selectSeries('A');
    await waitFor(() => f.pending.length === 1);
    f.pending.shift()!.release();
    await waitFor(() => f.pending.length === 2);
    const aShown = store.getState().shown!;
    const waitA = expect(aShown.slices.whenLoaded(0)).rejects.toBeInstanceOf(SliceLoadStopped);
    const stale = f.pending.splice(0); // A's ranges still in flight
    const second = store.getState().selectSeries('B');
    expect(store.getState().shown).toBeNull();
    await waitA; // the viewer's wait for A ends
    for (const p of stale) p.release(); // A's answers arrive after the switch: dropped
    await first;
    await releaseAll(f);
    await second;
    const s = store.getState();
    expect(s.selectedSeriesUid).toBe('B');
    expect(s.volume!.hu).toEqual(huVolumeFromBytes(wholeBytes('B'), metaOf('B')).hu);
    expect(s.doc!.series.seriesInstanceUid).toBe('B');
    expect(s.error).toBeNull();
    expect(aShown.slices.has(0)).toBe(false); // A's volume got nothing after the switch
  });

  it('closing the folder while loading stops it too', async () => {
    const f = fakeApi();
    const store = makeStore(f);
    await store.getState().init();
    await store.getState().openFolder('/data');
    const opening = store.getState().selectSeries('A');
    await waitFor(() => f.pending.length === 1);
    f.pending.shift()!.release();
    await waitFor(() => f.pending.length === 2);
    store.getState().closeSeries();
    await releaseAll(f);
    await opening;
    expect(store.getState()).toMatchObject({ shown: null, volume: null, sliceLoad: null, doc: null, loadingSeries: false, error: null });
  });

  it('a range that fails to load: one line naming the slices, no image and no document left', async () => {
    const f = fakeApi();
    const store = makeStore(f);
    await store.getState().init();
    await store.getState().openFolder('/data');
    const opening = store.getState().selectSeries('A');
    await waitFor(() => f.pending.length === 1);
    f.pending.shift()!.release();
    await waitFor(() => f.pending.length === 2);
    const shown = store.getState().shown!;
    const stopped = expect(shown.slices.whenLoaded(0)).rejects.toBeInstanceOf(SliceLoadStopped);
    expect(f.pending[0]).toMatchObject({ start: 21, count: 3 });
    f.pending.shift()!.fail('/data/IM0033.dcm: JPEG 2000 codestream is truncated\nat decoder');
    await opening;
    const s = store.getState();
    expect(s.error).toBe('Slices 22..24 of 40 could not be loaded: /data/IM0033.dcm: JPEG 2000 codestream is truncated at decoder');
    expect(s).toMatchObject({ shown: null, volume: null, meta: null, doc: null, sliceLoad: null, loadingSeries: false, selectedSeriesUid: 'A' });
    await stopped;
    // The other range still in flight changes nothing when it comes back.
    await releaseAll(f);
    expect(store.getState().shown).toBeNull();
  });

  it('the first slice failing leaves nothing on screen either', async () => {
    const f = fakeApi();
    const store = makeStore(f);
    await store.getState().init();
    await store.getState().openFolder('/data');
    const opening = store.getState().selectSeries('A');
    await waitFor(() => f.pending.length === 1);
    f.pending.shift()!.fail('/data/IM0020.dcm: unreadable (permission denied)');
    await opening;
    expect(store.getState().error).toBe('Slice 21 of 40 could not be loaded: /data/IM0020.dcm: unreadable (permission denied)');
    expect(store.getState().shown).toBeNull();
  });

  it('a range that comes as float32 promotes the volume; the finished volume equals the whole float32 volume', async () => {
    const f = fakeApi({ float32Slice: 3 });
    const store = makeStore(f);
    await store.getState().init();
    await store.getState().openFolder('/data');
    const opening = store.getState().selectSeries('A');
    await waitFor(() => f.pending.length === 1);
    f.pending.shift()!.release();
    await waitFor(() => store.getState().shown !== null);
    const firstShown = store.getState().shown!;
    await releaseAll(f);
    await opening;
    const s = store.getState();
    expect(s.shown).not.toBe(firstShown); // the viewer registers the promoted volume
    const expected = Float32Array.from(new Int16Array(wholeBytes('A')));
    expect(s.volume!.hu).toBeInstanceOf(Float32Array);
    expect(s.volume!.hu).toEqual(huVolumeFromBytes(expected.buffer, metaOf('A', 'float32')).hu);
  });
});

describe('ProgressiveVolume and SlicePlan', () => {
  it('a wait for a slice resolves when it is written, rejects when the load stops; wrong byte counts are refused', async () => {
    const pv = new ProgressiveVolume(metaOf('A'));
    const w = pv.whenLoaded(5);
    pv.write({ start: 4, count: 2, huType: 'int16', bytes: new Int16Array(2 * PIX).fill(7).buffer });
    await expect(w).resolves.toBeUndefined();
    expect([pv.has(4), pv.has(5), pv.has(6), pv.loadedCount, pv.complete]).toEqual([true, true, false, 2, false]);
    expect(() => pv.write({ start: 0, count: 1, huType: 'int16', bytes: new ArrayBuffer(10) })).toThrow(/10 bytes, expected 96/);
    expect(() => pv.write({ start: N - 1, count: 2, huType: 'int16', bytes: new ArrayBuffer(4 * PIX) })).toThrow(/outside the series' slices 0\.\.39/);
    const later = expect(pv.whenLoaded(6)).rejects.toThrow('cancelled');
    pv.stop('cancelled');
    await later;
    await expect(pv.whenLoaded(7)).rejects.toThrow('cancelled');
    await expect(pv.whenLoaded(4)).resolves.toBeUndefined();
  });

  it('the plan asks for every slice once, nearest the slice shown first, in ranges on a grid that grows', () => {
    const fixed = new SlicePlan(20, 4);
    fixed.take(9, 1);
    const got: [number, number][] = [];
    for (let r = fixed.next(9); r; r = fixed.next(9)) got.push([r.start, r.count]);
    expect(got).toEqual([
      [10, 2],
      [8, 1],
      [4, 4],
      [12, 4],
      [0, 4],
      [16, 4],
    ]);
    const growing = new SlicePlan(100, 4, 16);
    growing.take(50, 1);
    const sizes: [number, number][] = [];
    const seen = new Uint8Array(100);
    seen[50] = 1;
    for (let r = growing.next(50); r; r = growing.next(50)) {
      sizes.push([r.start, r.count]);
      for (let k = r.start; k < r.start + r.count; k++) seen[k] = seen[k]! + 1;
    }
    // Sizes 4, 8, 16, then 16 (the most): each range on its size's grid, only slices not asked yet, nearest 50 first.
    expect(sizes).toEqual([
      [51, 1],
      [48, 2],
      [52, 12],
      [32, 16],
      [64, 16],
      [16, 16],
      [80, 16],
      [0, 16],
      [96, 4],
    ]);
    expect(Array.from(seen).every((n) => n === 1)).toBe(true);
  });

  it('range size: a few slices of a compressed series (JPEG ones stay small), about 8 MiB of an uncompressed one', () => {
    expect(chunkSlices({ ...metaOf('A'), summary: summaryOf('A', N, ['1.2.840.10008.1.2.4.90']) })).toEqual({ first: 8, most: 16 });
    const big = { ...metaOf('A'), geometry: { ...geometry, rows: 512, columns: 512 } };
    expect(chunkSlices({ ...big, summary: summaryOf('A', N, ['1.2.840.10008.1.2.5']) })).toEqual({ first: 8, most: 64 });
    const plain = summaryOf('A', N, ['1.2.840.10008.1.2.1']);
    expect(chunkSlices({ ...big, summary: plain })).toEqual({ first: 16, most: 64 });
    expect(chunkSlices({ ...metaOf('A'), summary: plain })).toEqual({ first: Math.floor((8 * 1024 * 1024) / (PIX * 2)), most: Math.floor((32 * 1024 * 1024) / (PIX * 2)) });
  });
});
