import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { writeDicom, type DicomElement } from '../fixtures/dicomWriter';
import { parseDicomHeader, MAX_DIMENSION } from '../../src/core/dicom/parseHeader';
import { DicomFileError } from '../../src/core/dicom/errors';
import { VolumeAssembler, nativeFrame } from '../../src/core/dicom/assembleVolume';
import { groupSeries, layoutSeries } from '../../src/core/dicom/groupSeries';
import { decodeRleFrame } from '../../src/core/dicom/rle';
import { encodeRleFrame } from '../fixtures/rleEncoder';
import { makePhantomSeries } from '../fixtures/phantomSeries';
import type { DicomHeader } from '../../src/core/dicom/types';
import { readDicomHeader, scanFolder } from '../../src/node/dicomFiles';
import { shared, writeTempFiles } from './helpers';

function ctElements(rows: number, columns: number, extra: DicomElement[] = []): DicomElement[] {
  return [
    { tag: 0x00080016, vr: 'UI', value: '1.2.840.10008.5.1.4.1.1.2' },
    { tag: 0x00080018, vr: 'UI', value: '1.2.3.4' },
    { tag: 0x00080060, vr: 'CS', value: 'CT' },
    { tag: 0x0020000e, vr: 'UI', value: '1.2.3.5' },
    { tag: 0x00200032, vr: 'DS', value: '0\\0\\0' },
    { tag: 0x00200037, vr: 'DS', value: '1\\0\\0\\0\\1\\0' },
    { tag: 0x00280002, vr: 'US', value: 1 },
    { tag: 0x00280004, vr: 'CS', value: 'MONOCHROME2' },
    { tag: 0x00280010, vr: 'US', value: rows },
    { tag: 0x00280011, vr: 'US', value: columns },
    { tag: 0x00280030, vr: 'DS', value: '1\\1' },
    { tag: 0x00280100, vr: 'US', value: 16 },
    { tag: 0x00280101, vr: 'US', value: 16 },
    { tag: 0x00280103, vr: 'US', value: 1 },
    { tag: 0x00281052, vr: 'DS', value: '-1024' },
    { tag: 0x00281053, vr: 'DS', value: '1' },
    ...extra,
  ];
}

describe('limits and hostile headers', () => {
  it('a header declaring 65535x65535 is rejected from its first bytes, before any pixel buffer exists', async () => {
    // Only 256 bytes of "pixel data" follow the header, as in a truncated or hostile file.
    const bytes = writeDicom(ctElements(65535, 65535), { encoding: 'explicitLE', framesLittleEndian: [new Uint8Array(256)], bitsAllocated: 16 });
    const before = process.memoryUsage().arrayBuffers;
    let err: unknown;
    try {
      parseDicomHeader(bytes, 'huge.dcm', bytes.length);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DicomFileError);
    expect((err as Error).message).toBe(`image too large (65535x65535 declared; limit ${MAX_DIMENSION}x${MAX_DIMENSION})`);
    // 65535^2 * 2 bytes would be 8 GiB; nothing near that was allocated.
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(64 * 1024 * 1024);
    // Through the file service and scan too: a problem, never a throw.
    const { dir, cleanup } = await writeTempFiles([{ name: 'huge.dcm', bytes }]);
    try {
      const scan = await scanFolder(dir);
      expect(scan.series).toEqual([]);
      expect(scan.problems).toEqual([{ path: `${dir}/huge.dcm`, reason: expect.stringMatching(/^image too large/) }]);
    } finally {
      await cleanup();
    }
  });

  it('a 4096x4096 header with 256 bytes of pixel data is "truncated pixel data", not an allocation', () => {
    const bytes = writeDicom(ctElements(4096, 4096), { encoding: 'explicitLE', framesLittleEndian: [new Uint8Array(256)], bitsAllocated: 16 });
    expect(() => parseDicomHeader(bytes, 'x.dcm', bytes.length)).toThrow('truncated pixel data (256 of 33554432 bytes)');
  });

  it('colour and missing geometry are reported', () => {
    const rgb = writeDicom(
      ctElements(4, 4).map((e) => (e.tag === 0x00280002 ? { ...e, value: 3 } : e.tag === 0x00280004 ? { ...e, value: 'RGB' } : e)),
      { encoding: 'explicitLE', framesLittleEndian: [new Uint8Array(96)], bitsAllocated: 16 },
    );
    expect(() => parseDicomHeader(rgb, 'rgb.dcm', rgb.length)).toThrow(/^colour image \(RGB\)/);
    const noPos = writeDicom(
      ctElements(4, 4).filter((e) => e.tag !== 0x00200032),
      { encoding: 'explicitLE', framesLittleEndian: [new Uint8Array(32)], bitsAllocated: 16 },
    );
    expect(() => parseDicomHeader(noPos, 'p.dcm', noPos.length)).toThrow('no geometry (ImagePositionPatient missing)');
  });

  it('a prefix shorter than the header asks for more bytes; the file service grows its read', async () => {
    const big = new Uint8Array(200_000).fill(0x41); // a long private OB element before the pixel data
    const bytes = writeDicom(ctElements(2, 2, [{ tag: 0x00091010, vr: 'OB', value: big }]), {
      encoding: 'explicitLE',
      framesLittleEndian: [new Uint8Array(8)],
      bitsAllocated: 16,
    });
    let err: DicomFileError | undefined;
    try {
      parseDicomHeader(bytes.subarray(0, 65536), 'p.dcm', bytes.length);
    } catch (e) {
      err = e as DicomFileError;
    }
    expect(err?.needMoreBytes).toBe(true);
    const { dir, cleanup } = await writeTempFiles([{ name: 'long.dcm', bytes }]);
    try {
      const h = await readDicomHeader(`${dir}/long.dcm`);
      expect(h.pixelDataOffset).toBe(bytes.length - 8);
      expect([h.rows, h.columns]).toEqual([2, 2]);
    } finally {
      await cleanup();
    }
  });

  it('nativeFrame copies when pixel data is not 2-byte aligned and swaps big endian', () => {
    const phantom = makePhantomSeries({ slices: 1 });
    const f = phantom.files[0]!.bytes;
    const h = parseDicomHeader(f, 'a.dcm', f.length);
    const shifted = new Uint8Array(f.length + 1);
    shifted.set(f, 1);
    const odd = shifted.subarray(1);
    expect(odd.byteOffset % 2).toBe(1);
    const a = nativeFrame(f, h, 0);
    const b = nativeFrame(odd, h, 0);
    expect(Array.from(b)).toEqual(Array.from(a));
    expect(a[0]).toBe(-1000 + 1024);
  });

  it('RLE encode/decode round-trips arbitrary 16-bit frames (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 65535 }), { minLength: 1, maxLength: 600 }), fc.boolean(), (values, runs) => {
        const v = runs ? values.map((x, i) => values[Math.floor(i / 7) * 7]!) : values;
        const src = new Uint16Array(v);
        const enc = encodeRleFrame(new Uint8Array(src.buffer), 2);
        const dec = decodeRleFrame(enc, 1, v.length, 16, false);
        expect(Array.from(dec)).toEqual(v);
      }),
      { numRuns: 200 },
    );
  });

  it('corrupt RLE gives a DicomFileError, not a crash', () => {
    const noise = Uint8Array.from({ length: 200 }, (_, i) => (i * 97 + 13) % 251);
    const enc = encodeRleFrame(noise, 2);
    expect(Array.from(new Uint8Array(decodeRleFrame(enc, 10, 10, 16, false).buffer))).toEqual(Array.from(noise));
    expect(() => decodeRleFrame(enc.subarray(0, 150), 10, 10, 16, false)).toThrow(DicomFileError);
    expect(() => decodeRleFrame(new Uint8Array(10), 10, 10, 16, false)).toThrow(DicomFileError);
  });
});

describe('grouping and assembly (pure)', () => {
  const base = (): DicomHeader[] => {
    const p = makePhantomSeries({ slices: 5 });
    return p.files.map((f) => parseDicomHeader(f.bytes, f.name, f.bytes.length));
  };

  it('orders by position along the normal whatever the file order (property)', () => {
    const headers = base();
    fc.assert(
      fc.property(fc.shuffledSubarray(headers, { minLength: 5, maxLength: 5 }), (shuffled) => {
        const layout = layoutSeries(shuffled);
        const z = layout.frames.map((f) => f.position[2]);
        expect(z).toEqual([...z].sort((a, b) => a - b));
      }),
    );
  });

  it('a file with a different size in the same series is split out as not part of a consistent volume', () => {
    const headers = base();
    const odd: DicomHeader = { ...headers[0]!, path: 'odd.dcm', rows: 32, framePositions: [[0, 0, 999]] };
    const r = groupSeries([...headers, odd]);
    expect(r.series).toHaveLength(1);
    expect(r.series[0]!.slices).toBe(5);
    expect(r.problems).toEqual([{ path: 'odd.dcm', reason: 'not part of a consistent volume (32x56 while the series is 64x56 (rows x columns))' }]);
  });

  it('the reason names each conflict with the series: size, orientation, pixel spacing', () => {
    const headers = base();
    const h = headers[0]!;
    const at = (z: number): DicomHeader['framePositions'] => [[h.framePositions[0]![0], h.framePositions[0]![1], z]];
    const tilted: DicomHeader = { ...h, path: 'tilted.dcm', imageOrientation: [1, 0, 0, 0, 0.8, -0.6], framePositions: at(500) };
    const fine: DicomHeader = { ...h, path: 'fine.dcm', pixelSpacing: [0.5, 0.5], framePositions: at(501) };
    const all: DicomHeader = { ...h, path: 'all.dcm', rows: 512, columns: 512, imageOrientation: [0, 1, 0, 0, 0, -1], pixelSpacing: [0.5, 0.5], framePositions: at(502) };
    const r = groupSeries([...headers, tilted, fine, all]);
    expect(r.series).toHaveLength(1);
    expect(r.series[0]!.slices).toBe(5);
    const reason = (p: string) => r.problems.find((x) => x.path === p)?.reason;
    expect(reason('tilted.dcm')).toBe('not part of a consistent volume (orientation differs from the series: 1\\0\\0\\0\\0.8\\-0.6 vs 1\\0\\0\\0\\1\\0)');
    expect(reason('fine.dcm')).toBe('not part of a consistent volume (pixel spacing 0.5\\0.5 mm while the series has 0.75\\0.8 mm)');
    expect(reason('all.dcm')).toBe(
      'not part of a consistent volume (512x512 while the series is 64x56 (rows x columns); orientation differs from the series: ' +
        '0\\1\\0\\0\\0\\-1 vs 1\\0\\0\\0\\1\\0; pixel spacing 0.5\\0.5 mm while the series has 0.75\\0.8 mm)',
    );
  });

  it('a real 512x512 slice with the UID of the 101x122 abdomen series is named with the size conflict', async () => {
    const scan = await scanFolder(shared('ct-abdomen-3mm', 'dicom'));
    const abdomen = scan.series[0]!;
    const abdomenHeaders = await Promise.all(abdomen.files.map((f) => readDicomHeader(f)));
    const thoraxFile = (await scanFolder(shared('ct-thorax-j2k', 'dicom'))).series[0]!.files[0]!;
    const stray = { ...(await readDicomHeader(thoraxFile)), seriesInstanceUid: abdomen.seriesInstanceUid };
    const r = groupSeries([...abdomenHeaders, stray]);
    expect(r.series).toHaveLength(1);
    expect(r.series[0]!.slices).toBe(112);
    expect(r.problems).toEqual([
      { path: thoraxFile, reason: expect.stringMatching(/^not part of a consistent volume \(512x512 while the series is 101x122 \(rows x columns\); pixel spacing /) },
    ]);
  });

  it('two series UIDs give two series; a missing middle slice warns about spacing', () => {
    const a = base();
    const b = base().map((h) => ({ ...h, path: `b/${h.path}`, seriesInstanceUid: '9.9' }));
    const r = groupSeries([...a, ...b.filter((h) => h.framePositions[0]![2] !== b.map((x) => x.framePositions[0]![2]).sort((x, y) => x - y)[2])]);
    expect(r.series).toHaveLength(2);
    const s9 = r.series.find((s) => s.seriesInstanceUid === '9.9')!;
    expect(s9.slices).toBe(4);
    expect(s9.warnings.join()).toMatch(/irregular slice spacing.*about 1 missing slice/);
  });

  it('promotes to Float32 when an integer rescale overflows int16 on real values', () => {
    const h0 = base()[0]!;
    const h: DicomHeader = { ...h0, pixelRepresentation: 0, bitsStored: 16, frameRescale: [{ slope: 1, intercept: 0 }] };
    const layout = layoutSeries([h]);
    const asm = new VolumeAssembler(layout);
    const raw = new Uint16Array(h.rows * h.columns).fill(1000);
    raw[5] = 60000;
    asm.writeFrame(0, raw);
    const v = asm.result();
    expect(v.hu).toBeInstanceOf(Float32Array);
    expect(v.hu[5]).toBe(60000);
    expect(v.hu[6]).toBe(1000);
  });

  it('keeps Int16 when unsigned 16-bit values stay in range', () => {
    const h0 = base()[0]!;
    const h: DicomHeader = { ...h0, pixelRepresentation: 0, bitsStored: 16, frameRescale: [{ slope: 1, intercept: -1024 }] };
    const asm = new VolumeAssembler(layoutSeries([h]));
    asm.writeFrame(0, new Uint16Array(h.rows * h.columns).fill(3000));
    const v = asm.result();
    expect(v.hu).toBeInstanceOf(Int16Array);
    expect(v.hu[0]).toBe(1976);
  });
});
