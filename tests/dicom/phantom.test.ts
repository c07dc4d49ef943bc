import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePhantomSeries, type PhantomStorage } from '../fixtures/phantomSeries';
import type { PhantomEncoding } from '../fixtures/dicomWriter';
import { loadSeries, loadSeriesFromFolder, scanFolder } from '../../src/node/dicomFiles';
import { parseDicomHeader } from '../../src/core/dicom/parseHeader';
import { forceSimd16Fallback, simd16Available } from '../../src/core/dicom/simd16';
import { KERNEL_PATHS, writeTempFiles } from './helpers';

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups) await c();
});

const encodings: PhantomEncoding[] = ['explicitLE', 'implicitLE', 'explicitBE', 'rle'];
const storages: PhantomStorage[] = ['int16', 'uint12', 'int12', 'slopeHalf'];

describe.each(KERNEL_PATHS)('%s', (_path, fallback) => {
  beforeAll(() => forceSimd16Fallback(fallback));
  afterAll(() => forceSimd16Fallback(false));

  it('takes that path', () => {
    expect(simd16Available()).toBe(!fallback);
  });

  describe('phantom round trip through our writer and loader', () => {
    for (const encoding of encodings) {
      for (const storage of storages) {
        it(`${encoding} / ${storage}: exact HU and geometry`, async () => {
          const phantom = makePhantomSeries({ encoding, storage, obliqueDeg: storage === 'int12' ? 20 : 0 });
          const { dir, cleanup } = await writeTempFiles(phantom.files);
          cleanups.push(cleanup);
          const scan = await scanFolder(dir);
          expect(scan.problems).toEqual([]);
          expect(scan.series).toHaveLength(1);
          const s = scan.series[0]!;
          expect(s.slices).toBe(6);
          expect([s.rows, s.columns]).toEqual([64, 56]);
          expect(s.pixelSpacing).toEqual([0.75, 0.8]);
          expect(s.sliceSpacingMm).toBeCloseTo(2.5, 6);
          expect(s.warnings).toEqual([]);
          const volume = await loadSeries(s);
          const e = phantom.expected;
          expect(volume.hu.length).toBe(e.hu.length);
          // Integer rescale gives Int16, slope 0.5 gives Float32.
          expect(volume.hu instanceof Int16Array).toBe(storage !== 'slopeHalf');
          let mismatches = 0;
          for (let p = 0; p < e.hu.length; p++) if (volume.hu[p] !== e.hu[p]) mismatches++;
          expect(mismatches).toBe(0);
          const g = volume.geometry;
          expect([g.columns, g.rows, g.slices]).toEqual([56, 64, 6]);
          expect(g.columnSpacingMm).toBe(0.8);
          expect(g.rowSpacingMm).toBe(0.75);
          for (let k = 0; k < 6; k++) {
            for (let c = 0; c < 3; c++) expect(g.slicePositions[k]![c]).toBeCloseTo(e.geometry.slicePositions[k]![c]!, 9);
          }
          for (let c = 0; c < 3; c++) expect(g.normal[c]).toBeCloseTo(e.geometry.normal[c]!, 6);
        });
      }
    }

    it('the phantom really is shuffled with wrong InstanceNumbers (so ordering by either would fail)', () => {
      const phantom = makePhantomSeries();
      const headers = phantom.files.map((f) => parseDicomHeader(f.bytes, f.name, f.bytes.length));
      const z = headers.map((h) => h.framePositions[0]![2]);
      const sortedZ = [...z].sort((a, b) => a - b);
      expect(z).not.toEqual(sortedZ);
      const inst = headers.map((h) => h.instanceNumber!);
      const zByInstance = [...headers].sort((a, b) => a.instanceNumber! - b.instanceNumber!).map((h) => h.framePositions[0]![2]);
      expect(zByInstance).not.toEqual(sortedZ);
      expect(new Set(inst).size).toBe(6);
    });

    it('loads a file written without preamble and file meta (Implicit VR LE guessed)', async () => {
      const phantom = makePhantomSeries({ encoding: 'implicitLE', noFileMeta: true });
      const { dir, cleanup } = await writeTempFiles(phantom.files);
      cleanups.push(cleanup);
      const { summary, volume } = await loadSeriesFromFolder(dir);
      expect(summary.transferSyntaxUids).toEqual(['1.2.840.10008.1.2']);
      expect(Array.from(volume.hu)).toEqual(Array.from(phantom.expected.hu));
    });
  });
});
