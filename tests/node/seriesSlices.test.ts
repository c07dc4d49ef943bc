/**
 * series:slices: the HU of a range of slices, read and decoded for that range only. Expected bytes come
 * from the whole volume loaded Node-side (a folder source's load) from the same files, never from the
 * range code itself.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ScanResult } from '../../src/core/dicom/types';
import { FolderAccess } from '../../src/node/access';
import { createApi, type ParaspineService } from '../../src/node/api';
import { closeDecoderPool, framesDecodedOnWorkers, setDecoderWorkers } from '../../src/node/decoderPool';
import { FolderSeriesSource } from '../../src/node/seriesSource';
import { SettingsStore } from '../../src/node/settings';
import { folderLocator, type LoadedSeriesMeta, type SeriesLocator, type SeriesSlices, type FolderSeriesLocator } from '../../src/shared/contract';
import { makePhantomSeries } from '../fixtures/phantomSeries';
import { shared } from '../dicom/helpers';
import { tmpDir, countingFiles } from './helpers';

const ABDOMEN = shared('ct-abdomen-3mm', 'dicom');
const J2K = shared('ct-thorax-j2k', 'dicom');

afterAll(() => {
  setDecoderWorkers(null);
  closeDecoderPool();
});

async function service(): Promise<{ api: ParaspineService; calls: ReturnType<typeof countingFiles>['calls'] }> {
  const root = tmpDir();
  const settings = SettingsStore.inDir(path.join(root, 'userdata'));
  await settings.load();
  const { files, calls } = countingFiles();
  const api = createApi({
    mode: 'web',
    version: '1.0.0',
    settings,
    access: new FolderAccess(),
    sources: { folder: new FolderSeriesSource(files) },
    masks: { loadMasks: async () => ({ masks: [], problems: [] }) },
  });
  return { api, calls };
}

async function open(api: ParaspineService, folder: string): Promise<{ loc: SeriesLocator; meta: LoadedSeriesMeta }> {
  const scan = (await api.dispatch('series:scan', [folder])) as ScanResult;
  expect(scan.series).toHaveLength(1);
  const loc = folderLocator(folder, scan.series[0]!.seriesInstanceUid);
  return { loc, meta: (await api.dispatch('series:load', [loc])) as LoadedSeriesMeta };
}

const slices = (api: ParaspineService, loc: SeriesLocator, start: number, count: number) => api.dispatch('series:slices', [loc, { start, count }]) as Promise<SeriesSlices>;

/** The whole volume's HU as the folder source loads it (all slices at once, not the range code). */
async function wholeVolume(loc: SeriesLocator): Promise<Int16Array | Float32Array> {
  return (await new FolderSeriesSource().load(loc as FolderSeriesLocator)).volume.hu; // a folder's locator (the contract has other kinds)
}

/** Bytes start..start+count-1 slices of a whole volume's bytes. */
function part(whole: Int16Array | Float32Array, sliceBytes: number, start: number, count: number): Buffer {
  return Buffer.from(whole.buffer, whole.byteOffset + start * sliceBytes, count * sliceBytes);
}

describe.each([
  ['ct-abdomen-3mm (uncompressed, 112 slices)', ABDOMEN, 112],
  ['ct-thorax-j2k (JPEG 2000, 20 slices of 512 x 512)', J2K, 20],
])('series:slices on %s', (_name, folder, n) => {
  it.skipIf(!existsSync(folder))('every range gives exactly the bytes of those slices of the whole volume', async () => {
    const { api } = await service();
    const { loc, meta } = await open(api, folder);
    expect(meta.geometry.slices).toBe(n);
    const whole = await wholeVolume(loc);
    const bpe = meta.huType === 'int16' ? 2 : 4;
    const sliceBytes = meta.geometry.rows * meta.geometry.columns * bpe;
    expect(whole.byteLength).toBe(sliceBytes * n);
    // One slice (first, middle, last), an odd chunking that covers the series, and the whole range.
    const ranges: [number, number][] = [[0, 1], [Math.floor(n / 2), 1], [n - 1, 1], [0, n]];
    for (let s = 0; s < n; s += 7) ranges.push([s, Math.min(7, n - s)]);
    for (const [start, count] of ranges) {
      const r = await slices(api, loc, start, count);
      expect([r.start, r.count, r.huType]).toEqual([start, count, meta.huType]);
      expect(r.bytes.byteLength).toBe(count * sliceBytes);
      expect(Buffer.from(r.bytes).equals(part(whole, sliceBytes, start, count)), `slices ${start}..${start + count - 1}`).toBe(true);
    }
  });

  it.skipIf(!existsSync(folder))('bad ranges are refused with a message that says what is wrong', async () => {
    const { api } = await service();
    const { loc } = await open(api, folder);
    await expect(slices(api, loc, n - 2, 3)).rejects.toThrow(`series:slices: slices ${n - 2}..${n} are outside the series' slices 0..${n - 1}`);
    await expect(slices(api, loc, n, 1)).rejects.toThrow(`slices ${n}..${n} are outside the series' slices 0..${n - 1}`);
    await expect(slices(api, loc, -1, 1)).rejects.toThrow(/series:slices: argument 1\.start: .*>=0/);
    await expect(slices(api, loc, 0, 0)).rejects.toThrow(/series:slices: argument 1\.count: .*>=1/);
    await expect(slices(api, loc, 1.5, 1)).rejects.toThrow(/series:slices: argument 1\.start: .*expected int/);
    await expect(api.dispatch('series:slices', [loc])).rejects.toThrow(/series:slices: expects 2 argument/);
    await expect(api.dispatch('series:slices', [loc, { start: 0 }])).rejects.toThrow(/series:slices: argument 1\.count/);
    for (const e of await Promise.allSettled([slices(api, loc, n - 2, 3)])) expect(e.status === 'rejected' && (e.reason as { kind?: string }).kind).toBe('usage');
  });
}, 120_000);

describe('series:slices reads only what is asked', () => {
  it.skipIf(!existsSync(J2K))('series:load reads no pixel data; one slice decodes one frame (on a decoder worker)', async () => {
    setDecoderWorkers(2);
    try {
      const { api, calls } = await service();
      const { loc, meta } = await open(api, J2K);
      expect(meta.huType).toBe('int16');
      expect(calls.loadFiles).toBe(0);
      expect(calls.readSlices).toEqual([]);
      const before = framesDecodedOnWorkers();
      const r = await slices(api, loc, 7, 1);
      expect(framesDecodedOnWorkers() - before).toBe(1);
      const two = await slices(api, loc, 3, 2);
      expect(framesDecodedOnWorkers() - before).toBe(3);
      expect(calls.readSlices).toEqual([[7, 1], [3, 2]]);
      expect(calls.openFiles).toBe(1); // series:load opened it; the slices calls reuse it
      expect(r.bytes.byteLength).toBe(512 * 512 * 2);
      expect(two.bytes.byteLength).toBe(2 * 512 * 512 * 2);
    } finally {
      setDecoderWorkers(null);
    }
  });

  it('a series not opened by series:load (the services restarted) is opened by series:slices', async () => {
    const root = tmpDir();
    const ct = path.join(root, 'ct');
    mkdirSync(ct);
    const phantom = makePhantomSeries({ slices: 4, rows: 12, columns: 10, encoding: 'rle' });
    for (const f of phantom.files) writeFileSync(path.join(ct, f.name), f.bytes);
    const { api, calls } = await service();
    const scan = (await api.dispatch('series:scan', [ct])) as ScanResult;
    const loc = folderLocator(ct, scan.series[0]!.seriesInstanceUid);
    const r = await slices(api, loc, 1, 2);
    expect(calls.openFiles).toBe(1);
    // The phantom's own truth (independent of the loader) for slices 1 and 2.
    expect(Array.from(new Int16Array(r.bytes))).toEqual(Array.from(phantom.expected.hu.subarray(1 * 120, 3 * 120)));
  });

  it('a slice with a value outside int16 comes as float32 (as the whole volume does); the other slices as int16', async () => {
    const root = tmpDir();
    const ct = path.join(root, 'ct');
    mkdirSync(ct);
    // Unsigned 16-bit stored values (BitsStored 16, intercept -1024: the declared range is wider than
    // int16); slice 2 holds one stored 65535, HU 64511.
    const phantom = makePhantomSeries({
      slices: 4,
      rows: 8,
      columns: 6,
      edit: (els) => els.map((e) => (e.tag === 0x00280103 ? { ...e, value: 0 } : e)),
      rawPixelData: (frame, k) => {
        if (k !== 2) return undefined;
        const f = frame.slice();
        f[0] = 0xff;
        f[1] = 0xff;
        return f;
      },
    });
    for (const f of phantom.files) writeFileSync(path.join(ct, f.name), f.bytes);
    const { api } = await service();
    const { loc, meta } = await open(api, ct);
    expect(meta.huType).toBe('int16');
    const whole = await wholeVolume(loc);
    expect(whole).toBeInstanceOf(Float32Array);
    const n = 48;
    expect(whole[2 * n]).toBe(64511);
    const low = await slices(api, loc, 0, 2);
    expect(low.huType).toBe('int16');
    expect(Array.from(new Int16Array(low.bytes))).toEqual(Array.from(whole.subarray(0, 2 * n)));
    const high = await slices(api, loc, 1, 3);
    expect(high.huType).toBe('float32');
    expect(Array.from(new Float32Array(high.bytes))).toEqual(Array.from(whole.subarray(n, 4 * n)));
  });

  it('a file changed on disk after series:load is reported for its slices, naming the file', async () => {
    const root = tmpDir();
    const ct = path.join(root, 'ct');
    mkdirSync(ct);
    const phantom = makePhantomSeries({ slices: 3, rows: 8, columns: 6 });
    for (const f of phantom.files) writeFileSync(path.join(ct, f.name), f.bytes);
    const { api } = await service();
    const { loc } = await open(api, ct);
    const victim = phantom.files.find((f) => f.slice === 1)!;
    writeFileSync(path.join(ct, victim.name), new Uint8Array(victim.bytes.length + 10));
    await expect(slices(api, loc, 0, 1)).resolves.toMatchObject({ start: 0, count: 1 });
    const err = await slices(api, loc, 1, 1).catch((e: unknown) => e as Error & { kind?: string });
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toContain(victim.name);
    expect((err as Error).message).toMatch(/changed on disk since the series was opened/);
    expect((err as { kind?: string }).kind).toBe('input');
  });
});
