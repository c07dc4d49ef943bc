/**
 * Hostile compressed frames: a codestream whose samples (sign, precision) contradict the header, and a
 * codestream cut short. Real JPEG 2000, JPEG Lossless and JPEG-LS slices from ../shared/data are changed
 * in memory (tests/fixtures/hostileDicom.ts) and written into a temporary folder beside the phantom
 * series; every case is either read exactly or refused with one line naming the file, and the phantom
 * series in the same folder still loads exactly.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encapsulatedFile, j2kSignFlipped, withUs } from '../fixtures/hostileDicom';
import { makePhantomSeries } from '../fixtures/phantomSeries';
import { loadFiles, loadSeriesFromFolder, scanFolder } from '../../src/node/dicomFiles';
import { setDecoderWorkers } from '../../src/node/decoderPool';
import { shared, writeTempFiles } from './helpers';
import { cli } from '../cli/run';

const NEMA = (name: string): Uint8Array => new Uint8Array(readFileSync(shared('conformance', 'nema-wg04-ct', name)));
const THORAX_DIR = shared('ct-thorax-j2k', 'dicom');
const THORAX = (): Uint8Array => new Uint8Array(readFileSync(join(THORAX_DIR, readdirSync(THORAX_DIR).sort()[0]!)));
const PHANTOM_UID = '1.2.826.0.1.3680043.10.1459.2.1';
const BITS_STORED = 0x00280101;
const HIGH_BIT = 0x00280102;
const PIXEL_REPRESENTATION = 0x00280103;

/** The file with BitsStored (and HighBit) set to `bits`. */
const withBitsStored = (file: Uint8Array, bits: number): Uint8Array => withUs(withUs(file, BITS_STORED, bits), HIGH_BIT, bits - 1);

/** The file with its one frame's codestream changed by `edit` (the fragment's length adjusted). */
function withCodestream(file: Uint8Array, edit: (codestream: Uint8Array) => Uint8Array): Uint8Array {
  const f = encapsulatedFile(file);
  return f.withFrame(edit(f.frame));
}

/**
 * Writes `bad.dcm` beside the 5-slice phantom series and checks: loading bad.dcm is refused with one line
 * `<path>: <reason>` (with the worker pool and in the calling thread alike), and the phantom series in the
 * same folder loads exactly.
 */
async function expectRefused(bytes: Uint8Array, reason: RegExp): Promise<void> {
  const phantom = makePhantomSeries({ slices: 5, rows: 16, columns: 12 });
  const { dir, cleanup } = await writeTempFiles([...phantom.files, { name: 'bad.dcm', bytes }]);
  const bad = join(dir, 'bad.dcm');
  try {
    // The header is fine: the file is listed in its series, and refused when its pixels are read.
    const scan = await scanFolder(dir);
    expect(scan.problems).toEqual([]);
    expect(scan.series).toHaveLength(2);
    for (const workers of [2, 0]) {
      setDecoderWorkers(workers);
      const err = await loadFiles([bad]).then(
        () => null,
        (e: Error) => e,
      );
      expect(err, `loaded with ${workers} workers`).not.toBeNull();
      const message = err!.message;
      expect(message.startsWith(`${bad}: `)).toBe(true);
      expect(message.slice(bad.length + 2)).toMatch(reason);
      expect(message).not.toMatch(/\n|undefined|NaN/);
    }
    const { volume } = await loadSeriesFromFolder(dir, PHANTOM_UID);
    expect(Array.from(volume.hu)).toEqual(Array.from(phantom.expected.hu));
  } finally {
    setDecoderWorkers(null);
    await cleanup();
  }
}

/** HU of a file written alone into a temporary folder. */
async function huOf(bytes: Uint8Array): Promise<Int16Array | Float32Array> {
  const { dir, cleanup } = await writeTempFiles([{ name: 'f.dcm', bytes }]);
  try {
    return (await loadFiles([join(dir, 'f.dcm')])).volume.hu;
  } finally {
    await cleanup();
  }
}

function countDifferences(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) d++;
  return d;
}

describe('codestream samples against the header (sign, precision)', () => {
  it('JPEG 2000 codestream flagged signed under an unsigned 12-bit header: refused (not +2048 HU below 2048 stored)', async () => {
    await expectRefused(
      withCodestream(THORAX(), j2kSignFlipped),
      /^JPEG 2000 frame 1: codestream says signed 12-bit samples, the header unsigned \(PixelRepresentation 0, BitsStored 12\): which one is right cannot be told, so the frame is not read$/,
    );
  });

  it('JPEG 2000 unsigned codestream under a header saying signed: refused', async () => {
    await expectRefused(
      withUs(THORAX(), PIXEL_REPRESENTATION, 1),
      /^JPEG 2000 frame 1: codestream says unsigned 12-bit samples, the header signed \(PixelRepresentation 1, BitsStored 12\)/,
    );
  });

  it('JPEG 2000 12-bit codestream under BitsStored 11: a value above 2047 is refused, never cut to 11 bits', async () => {
    // The slice's stored values reach 2460 (bone): 0..2047 cannot hold them.
    await expectRefused(
      withBitsStored(THORAX(), 11),
      /^JPEG 2000 frame 1 holds the stored value \d+, outside the header's 0\.\.2047 \(unsigned, BitsStored 11\); its codestream says 12-bit samples$/,
    );
  });

  it('JPEG Lossless 16-bit codestream under BitsStored 12 (signed): values above 2047 are refused (2278 would read as -1818)', async () => {
    // NEMA CT1 holds stored values -2000..2278 (HU -3024..1254 with intercept -1024).
    await expectRefused(
      withBitsStored(NEMA('CT1_JPLL'), 12),
      /^JPEG Lossless frame 1 holds the stored value \d+, outside the header's -2048\.\.2047 \(signed, BitsStored 12\); its codestream says 16-bit samples$/,
    );
  });

  it('JPEG-LS 16-bit codestream under BitsStored 11 (signed): refused', async () => {
    // NEMA CT2 holds stored values -2048..1433: -2048 does not fit -1024..1023.
    await expectRefused(
      withBitsStored(NEMA('CT2_JLSL'), 11),
      /^JPEG-LS frame 1 holds the stored value -?\d+, outside the header's -1024\.\.1023 \(signed, BitsStored 11\); its codestream says 16-bit samples$/,
    );
  });

  it('a 16-bit codestream whose every value fits BitsStored 13 / 12: read as it is, exactly the uncompressed pixels', async () => {
    const ct1 = await huOf(NEMA('CT1_UNC'));
    expect(countDifferences(await huOf(withBitsStored(NEMA('CT1_JPLL'), 13)), ct1)).toBe(0);
    const ct2 = await huOf(NEMA('CT2_UNC'));
    expect(countDifferences(await huOf(withBitsStored(NEMA('CT2_JLSL'), 12)), ct2)).toBe(0);
    expect(countDifferences(await huOf(withBitsStored(NEMA('CT2_JPLL'), 12)), ct2)).toBe(0);
  });
});

describe('a codestream cut short or damaged is refused, never decoded as garbage', () => {
  const half = (c: Uint8Array): Uint8Array => c.slice(0, Math.floor(c.length / 2));
  const withEoi = (c: Uint8Array): Uint8Array => {
    const out = new Uint8Array(c.length + 2);
    out.set(c);
    out.set([0xff, 0xd9], c.length);
    return out;
  };

  it('JPEG Lossless cut to half (fragment length adjusted): refused, no end marker (EOI)', async () => {
    await expectRefused(
      withCodestream(NEMA('CT1_JPLL'), half),
      /^JPEG Lossless frame 1 ends at byte 102008 inside its image data, without its end marker \(EOI\): the codestream is cut short$/,
    );
  });

  it('JPEG Lossless cut to half with an end marker (EOI) put after it: refused, the decoder runs past it or stops early', async () => {
    await expectRefused(withCodestream(NEMA('CT1_JPLL'), (c) => withEoi(half(c))), /^JPEG Lossless frame 1 is damaged: its image data (runs to byte \d+, past its end marker \(EOI\) at byte 102008|ends after row \d+ of 512)$/);
    await expectRefused(withCodestream(NEMA('CT2_JPLL'), (c) => withEoi(half(c))), /^JPEG Lossless frame 1 is damaged: its image data (runs to byte \d+, past its end marker \(EOI\) at byte \d+|ends after row \d+ of 512)$/);
  });

  it('JPEG 2000 cut to half: refused, its tile-part length (SOT Psot) runs past the end', async () => {
    await expectRefused(
      withCodestream(THORAX(), half),
      /^JPEG 2000 frame 1 tile-part 1 says \d+ bytes from byte \d+, but the codestream ends at byte 76056: it is cut short$/,
    );
  });

  it('JPEG 2000 without its end marker (EOC): refused', async () => {
    await expectRefused(
      withCodestream(THORAX(), (c) => {
        let e = c.length;
        while (c[e - 1] === 0) e--; // padding
        return c.slice(0, e - 2);
      }),
      /^JPEG 2000 frame 1 ends at byte \d+ without its end marker \(EOC\): the codestream is cut short$/,
    );
  });

  it('JPEG-LS cut to half: refused', async () => {
    await expectRefused(withCodestream(NEMA('CT2_JLSL'), half), /^JPEG-LS frame 1 ends at byte \d+ inside its image data, without its end marker \(EOI\): the codestream is cut short$/);
  });

  it('the intact codestreams, taken apart and written again the same way, still decode exactly', async () => {
    expect(countDifferences(await huOf(withCodestream(NEMA('CT1_JPLL'), (c) => c)), await huOf(NEMA('CT1_UNC')))).toBe(0);
    expect(countDifferences(await huOf(withCodestream(NEMA('CT2_JLSL'), (c) => c)), await huOf(NEMA('CT2_UNC')))).toBe(0);
    expect(countDifferences(await huOf(withCodestream(THORAX(), (c) => c)), await huOf(THORAX()))).toBe(0);
  });
});

describe('on the command line', () => {
  it('info --hu-stats on the damaged series: exit 1, one line naming the file; the other series of the folder still measures', async () => {
    const phantom = makePhantomSeries({ slices: 5, rows: 16, columns: 12 });
    const { dir, cleanup } = await writeTempFiles([...phantom.files, { name: 'bad.dcm', bytes: withCodestream(THORAX(), j2kSignFlipped) }]);
    try {
      const thorax = (await scanFolder(dir)).series.find((s) => s.seriesInstanceUid !== PHANTOM_UID)!;
      const bad = await cli('info', dir, '--hu-stats', '--series', thorax.seriesInstanceUid);
      expect(bad.code).toBe(1);
      expect(bad.stdout).toBe('');
      expect(bad.errors).toHaveLength(1);
      expect(bad.errors[0]!.startsWith(`${join(dir, 'bad.dcm')}: JPEG 2000 frame 1: codestream says signed 12-bit samples`)).toBe(true);
      const good = await cli('info', dir, '--hu-stats', '--series', PHANTOM_UID, '--json');
      expect(good.code).toBe(0);
      const j = JSON.parse(good.stdout);
      // The phantom's truth: air -1000 HU outside the body, the bone disc 700 HU.
      expect([j.huStats.voxels, j.huStats.min, j.huStats.max]).toEqual([5 * 16 * 12, -1000, 700]);
    } finally {
      await cleanup();
    }
  });
});
