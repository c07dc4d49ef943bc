import { readdir } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFiles, scanFolder } from '../../src/node/dicomFiles';
import { forceSimd16Fallback, simd16Available } from '../../src/core/dicom/simd16';
import { KERNEL_PATHS, relabelledCopies, shared } from './helpers';

const NEMA = (name: string): string => shared('conformance', 'nema-wg04-ct', name);
const DP = (name: string): string => shared('conformance', 'dicomparser-ct', name);
const MF = (name: string): string => shared('conformance', 'dicomparser-ct', 'encapsulated', 'multi-frame', name);
const PD = (name: string): string => shared('conformance', 'pydicom-data', name);

/**
 * CT0012 and eCT_Supplemental are a perfusion map (ImageType DERIVED\\PRIMARY\\PERFUSION\\RCBF, RescaleType
 * 'US'): refused as not HU (last describe). The decoders are compared on copies relabelled HU.
 */
const PERFUSION = [
  'CT0012.explicit_little_endian.dcm',
  'CT0012.fragmented_no_bot_jpeg_lossless.57.dcm',
  'CT0012.fragmented_no_bot_jpeg_lossless.70.dcm',
  'CT0012.fragmented_no_bot_jpeg_ls.80.dcm',
  'CT0012.fragmented_no_bot_jpeg_ls.81.dcm',
  'CT0012.not_fragmented_no_bot_jpeg_ls.80.dcm',
  'CT0012.not_fragmented_bot_jpeg_ls.80.dcm',
  'CT0012.not_fragmented_no_bot_rle.dcm',
  'CT0012.not_fragmented_bot_rle.dcm',
];
let relabelled: Awaited<ReturnType<typeof relabelledCopies>>;
beforeAll(async () => {
  relabelled = await relabelledCopies([...PERFUSION.map(MF), PD('eCT_Supplemental.dcm')]);
});
afterAll(() => relabelled.cleanup());
/** The copy of a perfusion-map file relabelled HU. */
const HU = (path: string): string => relabelled.copy(path);

async function hu(path: string): Promise<Int16Array | Float32Array> {
  return (await loadFiles([path])).volume.hu;
}

function range(a: ArrayLike<number>): number {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < a.length; i++) {
    lo = Math.min(lo, a[i]!);
    hi = Math.max(hi, a[i]!);
  }
  return hi - lo;
}

function countDifferences(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) d++;
  return d;
}

describe.each(KERNEL_PATHS)('%s', (_path, fallback) => {
  beforeAll(() => forceSimd16Fallback(fallback));
  afterAll(() => forceSimd16Fallback(false));

  it('takes that path', () => {
    expect(simd16Available()).toBe(!fallback);
  });

  describe('lossless encodings decode to exactly the uncompressed pixels', () => {
    for (const ct of ['CT1', 'CT2']) {
      for (const variant of ['RLE', 'JPLL', 'JLSL', 'J2KR']) {
        it(`NEMA WG04 ${ct}_${variant} equals ${ct}_UNC`, async () => {
          const ref = await hu(NEMA(`${ct}_UNC`));
          expect(ref.length).toBe(512 * 512);
          // A real image, not a constant: the check below means something.
          expect(range(ref)).toBeGreaterThan(1000);
          expect(countDifferences(await hu(NEMA(`${ct}_${variant}`)), ref)).toBe(0);
        });
      }
    }

    it('NEMA lossy JPEG-LS near-lossless and J2K lossy load, close to but not all equal to UNC', async () => {
      const ref = await hu(NEMA('CT1_UNC'));
      for (const v of ['CT1_JLSN', 'CT1_J2KI']) {
        const lossy = await hu(NEMA(v));
        let maxErr = 0;
        for (let i = 0; i < ref.length; i++) maxErr = Math.max(maxErr, Math.abs(lossy[i]! - ref[i]!));
        expect(maxErr).toBeLessThan(600);
      }
    });

    it('dicomParser CT1 in big endian, implicit LE and JPEG-LS (fragmented/unfragmented, with/without BOT) equal explicit LE', async () => {
      const ref = await hu(DP('CT1_UNC.explicit_little_endian.dcm'));
      expect(countDifferences(ref, await hu(NEMA('CT1_UNC')))).toBe(0);
      for (const f of ['CT1_UNC.explicit_big_endian.dcm', 'CT1_UNC.implicit_little_endian.dcm']) {
        expect(countDifferences(await hu(DP(f)), ref)).toBe(0);
      }
      for (const f of ['fragmented_no_bot', 'fragmented_bot', 'not_fragmented_no_bot', 'not_fragmented_bot']) {
        expect(countDifferences(await hu(DP(`encapsulated/single-frame/CT1_UNC.${f}_jpeg_ls.80.dcm`)), ref)).toBe(0);
      }
    });

    for (const f of [
      'CT0012.fragmented_no_bot_jpeg_lossless.57.dcm',
      'CT0012.fragmented_no_bot_jpeg_lossless.70.dcm',
      'CT0012.fragmented_no_bot_jpeg_ls.80.dcm',
      'CT0012.not_fragmented_no_bot_jpeg_ls.80.dcm',
      'CT0012.not_fragmented_bot_jpeg_ls.80.dcm',
      'CT0012.not_fragmented_no_bot_rle.dcm',
      'CT0012.not_fragmented_bot_rle.dcm',
    ]) {
      it(`multi-frame Enhanced CT ${f} equals the explicit LE original (both frames)`, async () => {
        const ref = await loadFiles([HU(MF('CT0012.explicit_little_endian.dcm'))]);
        expect(ref.volume.geometry.slices).toBe(2);
        const got = await loadFiles([HU(MF(f))]);
        expect(got.volume.geometry.slices).toBe(2);
        expect(countDifferences(got.volume.hu, ref.volume.hu)).toBe(0);
      });
    }

    it('JPEG-LS near-lossless multi-frame (.81) loads both frames close to the original', async () => {
      const ref = (await loadFiles([HU(MF('CT0012.explicit_little_endian.dcm'))])).volume.hu;
      const got = (await loadFiles([HU(MF('CT0012.fragmented_no_bot_jpeg_ls.81.dcm'))])).volume.hu;
      let maxErr = 0;
      for (let i = 0; i < ref.length; i++) maxErr = Math.max(maxErr, Math.abs(got[i]! - ref[i]!));
      expect(maxErr).toBeLessThan(50);
    });

    it('pydicom 693_J2KR (BitsStored 16) equals 693_UNCR (BitsStored 14); 693_UNCI is the lossy J2KI image', async () => {
      const uncr = await hu(PD('693_UNCR.dcm'));
      const unci = await hu(PD('693_UNCI.dcm'));
      expect(range(uncr)).toBeGreaterThan(1000);
      expect(countDifferences(await hu(PD('693_J2KR.dcm')), uncr)).toBe(0);
      // UNCI is the decompressed irreversible (lossy) variant: same image, small differences everywhere.
      const diffs = countDifferences(unci, uncr);
      expect(diffs).toBeGreaterThan(100000);
      let sumErr = 0;
      for (let i = 0; i < unci.length; i++) sumErr += Math.abs(unci[i]! - uncr[i]!);
      expect(sumErr / unci.length).toBeLessThan(100);
    });
  });

  describe('Enhanced CT with geometry and rescale only in functional groups', () => {
    it('eCT_Supplemental (relabelled HU) loads as a 2-slice volume, spacing 0.388672, intercept -1024, ordered along its normal', async () => {
      const { volume, summary } = await loadFiles([HU(PD('eCT_Supplemental.dcm'))]);
      const g = volume.geometry;
      expect(g.slices).toBe(2);
      expect([g.rows, g.columns]).toEqual([512, 512]);
      expect(g.rowSpacingMm).toBeCloseTo(0.388672, 9);
      expect(g.columnSpacingMm).toBeCloseTo(0.388672, 9);
      // ImageOrientationPatient -1\\0\\0\\0\\1\\0: the normal points to the feet (-z), so along the
      // normal z = -149 comes before z = -159.
      expect(g.normal[2]).toBeCloseTo(-1, 12);
      expect(g.slicePositions.map((p) => p[2])).toEqual([-149, -159]);
      expect(summary.sliceSpacingMm).toBeCloseTo(10, 9);
      expect(summary.sliceThickness).toBe(10);
      // Intercept -1024 applied: stored unsigned 0 becomes -1024, so the minimum is at most -1000,
      // and the volume matches the dicomParser copy of the same object.
      let min = Infinity;
      for (let i = 0; i < volume.hu.length; i++) min = Math.min(min, volume.hu[i]!);
      expect(min).toBeLessThanOrEqual(-1000);
      const same = await loadFiles([HU(shared('conformance', 'dicomparser-ct', 'encapsulated', 'multi-frame', 'CT0012.explicit_little_endian.dcm'))]);
      expect(countDifferences(volume.hu, same.volume.hu)).toBe(0);
      // A derived image: said in the series notes.
      expect(summary.warnings).toContain(
        'ImageType DERIVED\\PRIMARY\\PERFUSION\\RCBF (the file): not ORIGINAL images (reformatted, filtered or computed from others); check this is the series to measure',
      );
    });
  });

  describe('values that are not Hounsfield units', () => {
    it('the perfusion map (RescaleType US in its Pixel Value Transformation) is refused in every encoding, naming the file and the type', async () => {
      const dir = shared('conformance', 'dicomparser-ct', 'encapsulated', 'multi-frame');
      const scan = await scanFolder(dir);
      expect(scan.series).toEqual([]);
      const reason = "values are not Hounsfield units (RescaleType of frame 1 'US': unspecified units); only HU can be measured as muscle attenuation";
      // Every CT0012 file the decoders read (the lossy JPEG baseline .51 is refused for its transfer syntax first).
      const ct0012 = (await readdir(dir)).filter((f) => f.startsWith('CT0012.') && !f.includes('baseline')).sort();
      expect(ct0012).toEqual([...PERFUSION].sort());
      for (const f of ct0012) expect(scan.problems).toContainEqual({ path: MF(f), reason });
      await expect(loadFiles([PD('eCT_Supplemental.dcm')])).rejects.toThrow(`no loadable CT image among 1 file(s): ${PD('eCT_Supplemental.dcm')}: ${reason}`);
    });
  });
});
