/**
 * Hostile and odd DICOM input: every case either loads correctly or is listed with a one-line reason a
 * person can act on; never a wrong number without a word, never a hang, never a blow-up. Every file is
 * generated here (tests/fixtures) into a temporary folder.
 */
import { execFileSync } from 'node:child_process';
import { symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { createDeflateRaw } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { elementBytes, writeDicom, type DicomElement } from '../fixtures/dicomWriter';
import {
  appendBytes,
  appendElements,
  atPositions,
  encapsulateNativePixelData,
  enhancedCt,
  insertBeforePixelData,
  j2kCodestreamDeclaring,
  jpegLsCodestreamDeclaring,
  pixelDataElementLike,
  withTransferSyntax,
} from '../fixtures/hostileDicom';
import { makePhantomSeries, type PhantomOptions } from '../fixtures/phantomSeries';
import { TS } from '../../src/core/dicom/transferSyntax';
import { loadFiles, loadSeriesFromFolder, readDicomHeader, scanFolder } from '../../src/node/dicomFiles';
import { shared, writeTempFiles } from './helpers';

const MIDDLE = 2; // slice index edited in a 5-slice phantom

/** A 5-slice phantom whose middle slice (k = 2) is changed by `edit`; returns the folder and that file's name. */
async function phantomWithBadMiddle(opts: PhantomOptions): Promise<{ dir: string; bad: string; cleanup: () => Promise<void> }> {
  const p = makePhantomSeries({ slices: 5, rows: 16, columns: 12, ...opts });
  const { dir, cleanup } = await writeTempFiles(p.files);
  return { dir, bad: join(dir, p.files.find((f) => f.slice === MIDDLE)!.name), cleanup };
}

const replace = (tag: number, value: DicomElement['value'] | null) => (els: DicomElement[], k: number): DicomElement[] =>
  k !== MIDDLE ? els : value === null ? els.filter((e) => e.tag !== tag) : els.map((e) => (e.tag === tag ? { ...e, value } : e));

/** Scans the folder: the bad file must be the one problem, with this reason; the rest must load right. */
async function expectOnlyBadListed(opts: PhantomOptions, reason: string | RegExp): Promise<void> {
  const { dir, bad, cleanup } = await phantomWithBadMiddle(opts);
  try {
    const scan = await scanFolder(dir);
    expect(scan.problems).toEqual([{ path: bad, reason: typeof reason === 'string' ? reason : expect.stringMatching(reason) }]);
    expect(scan.series).toHaveLength(1);
    expect(scan.series[0]!.slices).toBe(4);
    const { volume } = await loadSeriesFromFolder(dir);
    expect(volume.geometry.slices).toBe(4);
    // Air outside the body is -1000 HU on every slice kept (never re-interpreted).
    for (let k = 0; k < 4; k++) expect(volume.hu[k * 16 * 12]).toBe(-1000);
  } finally {
    await cleanup();
  }
}

describe('1. rescale that is missing or not a number', () => {
  for (const v of ['NaN', '-Infinity', '1e', '1,5', '0x10', 'Infinity', '1\\2x']) {
    it(`RescaleIntercept '${v}' lists the file, naming the attribute and the value`, async () => {
      await expectOnlyBadListed({ edit: replace(0x00281052, v) }, `RescaleIntercept '${v}' is not a number`);
    });
  }
  it('an empty RescaleIntercept is "empty", not "missing" and not 0', async () => {
    await expectOnlyBadListed({ edit: replace(0x00281052, '') }, 'RescaleIntercept is empty (required for CT)');
  });
  it('RescaleSlope "1,5" and 0 are refused', async () => {
    await expectOnlyBadListed({ edit: replace(0x00281053, '1,5') }, `RescaleSlope '1,5' is not a number`);
    await expectOnlyBadListed({ edit: replace(0x00281053, '0') }, 'RescaleSlope 0 (every pixel would be the intercept)');
  });
  it('missing RescaleIntercept and RescaleSlope on a CT slice: refused, said to be missing', async () => {
    await expectOnlyBadListed(
      { edit: (els, k) => replace(0x00281053, null)(replace(0x00281052, null)(els, k), k) },
      'RescaleIntercept and RescaleSlope missing (required for CT: HU cannot be known)',
    );
    await expectOnlyBadListed({ edit: replace(0x00281052, null) }, 'RescaleIntercept missing (required for CT: HU cannot be known)');
  });
  it('other numbers: present but invalid is never called missing', async () => {
    await expectOnlyBadListed({ edit: replace(0x00280030, '0x1\\1') }, `PixelSpacing '0x1\\1' is not a number`);
    await expectOnlyBadListed({ edit: replace(0x00200032, '1\\abc\\3') }, `ImagePositionPatient '1\\abc\\3' is not a number`);
  });
});

describe('2. pixel description inconsistent with the pixel data', () => {
  it('PixelRepresentation 2 or missing', async () => {
    await expectOnlyBadListed({ edit: replace(0x00280103, 2) }, 'invalid PixelRepresentation 2 (must be 0 or 1)');
    await expectOnlyBadListed({ edit: replace(0x00280103, null) }, 'PixelRepresentation missing');
  });
  it('BitsStored larger than BitsAllocated, HighBit not BitsStored - 1', async () => {
    await expectOnlyBadListed({ edit: replace(0x00280101, 17) }, 'invalid BitsStored 17 (BitsAllocated 16)');
    await expectOnlyBadListed({ edit: replace(0x00280102, 11) }, 'invalid HighBit 11 (BitsStored 16: must be 15)');
  });
  it('pixel data longer or shorter than Rows x Columns x frames x bytes', async () => {
    await expectOnlyBadListed(
      { rawPixelData: (f, k) => (k === MIDDLE ? new Uint8Array(f.length + 64) : undefined) },
      'pixel data is 448 bytes, the header declares 12x16 x 1 frame(s) x 2 bytes = 384 bytes',
    );
    await expectOnlyBadListed(
      { rawPixelData: (f, k) => (k === MIDDLE ? f.subarray(0, 300) : undefined) },
      'truncated pixel data (300 of 384 bytes)',
    );
  });
  it('NumberOfFrames invalid or missing on a multi-frame object', async () => {
    const good = makePhantomSeries({ slices: 3, rows: 4, columns: 4 }).files;
    const bad = [
      { name: 'nf-abc.dcm', bytes: enhancedCt({ frames: 3, edit: (els) => els.map((e) => (e.tag === 0x00280008 ? { ...e, value: 'abc' } : e)) }) },
      { name: 'nf-missing.dcm', bytes: enhancedCt({ frames: 3, edit: (els) => els.filter((e) => e.tag !== 0x00280008) }) },
      { name: 'nf-zero.dcm', bytes: enhancedCt({ frames: 3, edit: (els) => els.map((e) => (e.tag === 0x00280008 ? { ...e, value: '0' } : e)) }) },
    ];
    const { dir, cleanup } = await writeTempFiles([...good, ...bad]);
    try {
      const scan = await scanFolder(dir);
      expect(scan.problems).toEqual([
        { path: join(dir, 'nf-abc.dcm'), reason: `NumberOfFrames 'abc' is not a number` },
        { path: join(dir, 'nf-missing.dcm'), reason: 'NumberOfFrames missing on a multi-frame image (3 per-frame functional group items)' },
        { path: join(dir, 'nf-zero.dcm'), reason: 'invalid NumberOfFrames 0' },
      ]);
      expect(scan.series.map((s) => s.slices)).toEqual([3]);
    } finally {
      await cleanup();
    }
  });
  it('a compressed frame whose codestream declares another size than the header: refused before decoding', async () => {
    const mk = (ts: string, frame: Uint8Array): Uint8Array =>
      enhancedCt({ frames: 1, rows: 4, columns: 4, encapsulated: { transferSyntaxUid: ts, frames: [frame] } });
    const { dir, cleanup } = await writeTempFiles([
      { name: 'j2k.dcm', bytes: mk(TS.j2kLossless, j2kCodestreamDeclaring(8192, 8192)) },
      { name: 'jls.dcm', bytes: mk(TS.jpegLsLossless, jpegLsCodestreamDeclaring(8, 4)) },
    ]);
    try {
      await expect(loadFiles([join(dir, 'j2k.dcm')])).rejects.toThrow(/j2k\.dcm: JPEG 2000 frame 1 is 8192x8192, the header says 4x4$/);
      await expect(loadFiles([join(dir, 'jls.dcm')])).rejects.toThrow(/jls\.dcm: JPEG-LS frame 1 is 8x4, the header says 4x4$/);
    } finally {
      await cleanup();
    }
  });
});

describe('3. rescale that leaves any physical HU range', () => {
  it('intercept 1e9, slope 1e30, and a slope that makes Infinity are refused from the header', async () => {
    await expectOnlyBadListed({ edit: replace(0x00281052, '1e9') }, /^rescale outside any physical HU range \(stored -32768\.\.32767 gives 999967232\.\.1000032767 HU; CT is within -2000\.\.32767\)$/);
    await expectOnlyBadListed({ edit: replace(0x00281053, '1e30') }, /^RescaleSlope 1e\+30 is not a CT rescale \(more than 1000 HU per stored step\)$/);
    await expectOnlyBadListed({ edit: replace(0x00281053, '1e300') }, /^RescaleSlope 1e\+300 is not a CT rescale/);
  });
});

describe('4. a slice far off the line of the others', () => {
  it('ImagePositionPatient x = 1.1e63 on a middle slice: that slice is left out, named', async () => {
    await expectOnlyBadListed(
      { edit: (els, k) => (k === MIDDLE ? els.map((e) => (e.tag === 0x00200032 ? { ...e, value: '1.1e63\\-30.25\\106.5' } : e)) : els) },
      `ImagePositionPatient '1.1e63\\-30.25\\106.5' is outside any scanner (more than 1000000 mm from the origin)`,
    );
  });
  it('a slice 400 mm to the side of the others is left out as off the line of the series', async () => {
    await expectOnlyBadListed(
      { edit: (els, k) => (k === MIDDLE ? els.map((e) => (e.tag === 0x00200032 ? { ...e, value: '379.5\\-30.25\\106.5' } : e)) : els) },
      /^not part of a consistent volume \(position 400 mm off the line of the other slices\)$/,
    );
  });
  it('a gantry-tilted series is not mistaken for slices off the line', async () => {
    const p = makePhantomSeries({ slices: 5, rows: 16, columns: 12, obliqueDeg: 30 });
    const { dir, cleanup } = await writeTempFiles(p.files);
    try {
      const scan = await scanFolder(dir);
      expect(scan.problems).toEqual([]);
      expect(scan.series[0]!.slices).toBe(5);
    } finally {
      await cleanup();
    }
  });
});

describe('5. a multi-frame CT whose frames share a position', () => {
  it('is one listed problem; scan and load of the folder still work', async () => {
    const good = makePhantomSeries({ slices: 3, rows: 4, columns: 4 }).files;
    const same = { name: 'same.dcm', bytes: enhancedCt({ frames: 3, position: () => [0, 0, 7] }) };
    const { dir, cleanup } = await writeTempFiles([...good, same]);
    try {
      const scan = await scanFolder(dir);
      expect(scan.problems).toEqual([{ path: join(dir, 'same.dcm'), reason: 'not part of a consistent volume (frames 1 and 2 share a position)' }]);
      expect(scan.series).toHaveLength(1);
      const { volume, problems } = await loadSeriesFromFolder(dir);
      expect(volume.geometry.slices).toBe(3);
      expect(problems.map((p) => p.path)).toEqual([join(dir, 'same.dcm')]);
      // Loading the bad file alone is a one-line input error naming it, not a geometry exception.
      await expect(loadFiles([join(dir, 'same.dcm')])).rejects.toThrow(/^no usable slice: .*same\.dcm: not part of a consistent volume/);
    } finally {
      await cleanup();
    }
  });
});

describe('6. headers of any length', () => {
  it('Enhanced CT with defined-length sequences and per-frame groups beyond 64 KiB', async () => {
    for (const definedLength of [true, false]) {
      const bytes = enhancedCt({ frames: 3000, definedLength });
      const { dir, cleanup } = await writeTempFiles([{ name: 'enh.dcm', bytes }]);
      try {
        const h = await readDicomHeader(join(dir, 'enh.dcm'));
        expect(h.numberOfFrames).toBe(3000);
        expect(h.framePositions[2999]).toEqual([0, 0, 7497.5]);
        expect(h.pixelDataOffset).toBeGreaterThan(200_000);
      } finally {
        await cleanup();
      }
    }
  });
  it('a normal slice with a 100 KB private item in a defined-length sequence', async () => {
    const item: DicomElement[] = [{ tag: 0x00091011, vr: 'OB', value: new Uint8Array(100_000).fill(7) }];
    const p = makePhantomSeries({
      slices: 3,
      rows: 4,
      columns: 4,
      edit: (els) => [...els, { tag: 0x00090010, vr: 'LO', value: 'PRIV' }, { tag: 0x00091010, vr: 'SQ', value: [item], definedLength: true }],
    });
    const { dir, cleanup } = await writeTempFiles(p.files);
    try {
      const scan = await scanFolder(dir);
      expect(scan.problems).toEqual([]);
      expect(scan.series[0]!.slices).toBe(3);
    } finally {
      await cleanup();
    }
  });
});

describe('7. special files in a series folder', () => {
  it('a FIFO and a symlink to /dev/zero are listed as unusable and never opened', async () => {
    const p = makePhantomSeries({ slices: 3, rows: 4, columns: 4 });
    const { dir, cleanup } = await writeTempFiles(p.files);
    try {
      execFileSync('mkfifo', [join(dir, 'pipe.dcm')]);
      await symlink('/dev/zero', join(dir, 'zero.dcm'));
      const scan = await scanFolder(dir);
      expect(scan.problems).toEqual([
        { path: join(dir, 'pipe.dcm'), reason: 'not a regular file (FIFO)' },
        { path: join(dir, 'zero.dcm'), reason: 'not a regular file (character device)' },
      ]);
      expect(scan.series[0]!.slices).toBe(3);
      await expect(readDicomHeader(join(dir, 'pipe.dcm'))).rejects.toThrow('not a regular file (FIFO)');
      await expect(loadFiles([join(dir, 'zero.dcm')])).rejects.toThrow(/zero\.dcm: not a regular file \(character device\)/);
    } finally {
      await cleanup();
    }
  });
});

/** Raw-deflates `zeros` zero bytes after `head` (streamed: the input never exists in memory). */
async function deflateZeros(head: Uint8Array, zeros: number, tail: Uint8Array): Promise<Uint8Array> {
  const z = createDeflateRaw({ level: 9 });
  const chunks: Buffer[] = [];
  z.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<void>((res, rej) => {
    z.on('end', res);
    z.on('error', rej);
  });
  const block = Buffer.alloc(1 << 20);
  z.write(head);
  for (let left = zeros; left > 0; left -= block.length) {
    if (!z.write(left >= block.length ? block : block.subarray(0, left))) await new Promise((r) => z.once('drain', r));
  }
  z.end(tail);
  await done;
  return new Uint8Array(Buffer.concat(chunks));
}

describe('8. bounded work', () => {
  it('a deflated file whose header inflates past the header limit is refused after inflating at most that much', async () => {
    // A 4x4 CT slice whose private OB element, before the pixel data, inflates to 80 MiB of zeros.
    const base = makePhantomSeries({ slices: 1, rows: 4, columns: 4, encoding: 'explicitLE' }).files[0]!.bytes;
    const metaEnd = 132 + 12 + new DataView(base.buffer).getUint32(140, true);
    const body = base.subarray(metaEnd);
    const pd = body.length - 32 - 12; // Pixel Data element header (12 bytes) + 32 bytes
    const priv = new Uint8Array(12);
    const dv = new DataView(priv.buffer);
    dv.setUint16(0, 0x0029, true);
    dv.setUint16(2, 0x1010, true);
    priv.set([0x4f, 0x42], 4);
    const big = 80 * 1024 * 1024;
    dv.setUint32(8, big, true);
    const before = new Uint8Array(pd + 12);
    before.set(body.subarray(0, pd));
    before.set(priv, pd);
    const deflated = await deflateZeros(before, big, body.subarray(pd));
    // The file meta of the same slice written as Deflated (its transfer syntax UID differs in length).
    const dflBase = makePhantomSeries({ slices: 1, rows: 4, columns: 4, encoding: 'deflatedLE' }).files[0]!.bytes;
    const meta = dflBase.subarray(0, 132 + 12 + new DataView(dflBase.buffer).getUint32(140, true));
    const file = new Uint8Array(meta.length + deflated.length);
    file.set(meta);
    file.set(deflated, meta.length);
    expect(file.length).toBeLessThan(1024 * 1024);
    const { dir, cleanup } = await writeTempFiles([{ name: 'bomb.dcm', bytes: file }]);
    try {
      const scan = await scanFolder(dir);
      expect(scan.problems).toEqual([{ path: join(dir, 'bomb.dcm'), reason: 'header longer than 64 MiB (inflated)' }]);
    } finally {
      await cleanup();
    }
  });

  it('a deflated slice loads, inflating only up to its declared pixel data', async () => {
    const p = makePhantomSeries({ slices: 3, rows: 8, columns: 6, encoding: 'deflatedLE' });
    const ref = makePhantomSeries({ slices: 3, rows: 8, columns: 6 });
    const a = await writeTempFiles(p.files);
    const b = await writeTempFiles(ref.files);
    try {
      const va = await loadSeriesFromFolder(a.dir);
      const vb = await loadSeriesFromFolder(b.dir);
      expect(Array.from(va.volume.hu)).toEqual(Array.from(vb.volume.hu));
      expect(va.problems).toEqual([]);
    } finally {
      await a.cleanup();
      await b.cleanup();
    }
  });

  it('12 JPEG 2000 files declaring 8192x8192: the load is refused by the budget before decoding anything', async () => {
    const files = Array.from({ length: 12 }, (_, k) => ({
      name: `big${String(k).padStart(2, '0')}.dcm`,
      bytes: enhancedCt({
        frames: 1,
        rows: 8192,
        columns: 8192,
        position: () => [0, 0, 2.5 * k],
        encapsulated: { transferSyntaxUid: TS.j2kLossless, frames: [j2kCodestreamDeclaring(8192, 8192)] },
        edit: (els) => els.map((e) => (e.tag === 0x00080018 ? { ...e, value: `1.2.3.${k}` } : e)),
      }),
    }));
    const { dir, cleanup } = await writeTempFiles(files);
    try {
      const scan = await scanFolder(dir);
      expect(scan.problems).toEqual([]);
      expect(scan.series[0]!.slices).toBe(12);
      await expect(loadFiles(scan.series[0]!.files)).rejects.toThrow(
        'series too large to load: 12 slices of 8192x8192 need 1.5 GiB (HU volume 1.5 GiB); the limit is 1 GiB',
      );
    } finally {
      await cleanup();
    }
  });

  it('the budget is per load: a series within it loads, the same series with a smaller budget does not', async () => {
    const p = makePhantomSeries({ slices: 4, rows: 16, columns: 12 });
    const { dir, cleanup } = await writeTempFiles(p.files);
    try {
      const paths = p.files.map((f) => join(dir, f.name));
      expect((await loadFiles(paths)).volume.geometry.slices).toBe(4);
      await expect(loadFiles(paths, { maxDecodedBytes: 1000 })).rejects.toThrow(
        'series too large to load: 4 slices of 12x16 need 1.5 KiB (HU volume 1.5 KiB); the limit is 1000 bytes',
      );
    } finally {
      await cleanup();
    }
  });
});

describe('9. many frames', () => {
  it('two 20,000-frame Enhanced CT files of one series lay out (interleaved positions) without quadratic work', async () => {
    const files = [0, 1].map((i) => ({
      name: `mf${i}.dcm`,
      bytes: enhancedCt({ frames: 20000, rows: 2, columns: 2, position: (f) => [0, 0, 2 * f + i], edit: (els) => els.map((e) => (e.tag === 0x00080018 ? { ...e, value: `1.2.3.${i}` } : e)) }),
    }));
    const { dir, cleanup } = await writeTempFiles(files);
    try {
      const scan = await scanFolder(dir);
      expect(scan.problems).toEqual([]);
      expect(scan.series[0]!.slices).toBe(40000);
      expect(scan.series[0]!.sliceSpacingMm).toBe(1);
    } finally {
      await cleanup();
    }
  });
});

/** Undefined-length sequence nested `depth` deep (raw bytes of the outer sequence's value). */
function nested(depth: number): Uint8Array {
  const open = [0x09, 0x00, 0x10, 0x10, 0x53, 0x51, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xfe, 0xff, 0x00, 0xe0, 0xff, 0xff, 0xff, 0xff];
  const item = [0xfe, 0xff, 0x00, 0xe0, 0xff, 0xff, 0xff, 0xff];
  const close = [0xfe, 0xff, 0x0d, 0xe0, 0, 0, 0, 0, 0xfe, 0xff, 0xdd, 0xe0, 0, 0, 0, 0];
  const out: number[] = [...item];
  for (let d = 0; d < depth; d++) out.push(...open);
  for (let d = 0; d < depth; d++) out.push(...close);
  out.push(...close);
  return Uint8Array.from(out);
}

describe('10. messages a person can act on', () => {
  it('a damaged sequence and a header nested too deep give plain reasons, no library internals', async () => {
    const damaged = Uint8Array.from([0xfe, 0xff, 0x00, 0xe0, 10, 0, 0, 0, 0x10, 0, 0x10, 0, 0x50, 0x4e, 2, 0, 0x41, 0x20, 0x12, 0x34, 0x56, 0x78, 0, 0, 0, 0]);
    await expectOnlyBadListed(
      { edit: (els, k) => (k === MIDDLE ? [...els, { tag: 0x00091010, vr: 'SQ', value: damaged }] : els) },
      'damaged sequence (an item or its delimiter is missing)',
    );
    await expectOnlyBadListed(
      { edit: (els, k) => (k === MIDDLE ? [...els, { tag: 0x00091010, vr: 'SQ', value: nested(20000) }] : els) },
      'header too deep (sequences nested beyond what can be read)',
    );
  });
});

describe('11. values that are not Hounsfield units', () => {
  it("RescaleType 'US' on a classic CT slice is refused, naming the type; an absent one or 'HU' is HU", async () => {
    await expectOnlyBadListed(
      { edit: (els, k) => (k === MIDDLE ? [...els, { tag: 0x00281054, vr: 'LO', value: 'US' }] : els) },
      "values are not Hounsfield units (RescaleType 'US': unspecified units); only HU can be measured as muscle attenuation",
    );
    await expectOnlyBadListed(
      { edit: (els, k) => (k === MIDDLE ? [...els, { tag: 0x00281054, vr: 'LO', value: 'MGML' }] : [...els, { tag: 0x00281054, vr: 'LO', value: 'HU' }]) },
      "values are not Hounsfield units (RescaleType 'MGML': mg/ml); only HU can be measured as muscle attenuation",
    );
  });

  it('an Enhanced CT perfusion map (DERIVED RCBF, RescaleType US in the Pixel Value Transformation): refused; the HU one beside it loads', async () => {
    const perfusion = enhancedCt({ frames: 3, imageType: 'DERIVED\\PRIMARY\\PERFUSION\\RCBF', pixelValueTransformation: { rescaleType: 'US' }, seriesInstanceUid: '1.2.3.77' });
    const ct = enhancedCt({ frames: 3, pixelValueTransformation: { rescaleType: null } }); // absent: HU
    const { dir, cleanup } = await writeTempFiles([
      { name: 'rcbf.dcm', bytes: perfusion },
      { name: 'ct.dcm', bytes: ct },
    ]);
    try {
      const scan = await scanFolder(dir);
      expect(scan.problems).toEqual([
        { path: join(dir, 'rcbf.dcm'), reason: "values are not Hounsfield units (RescaleType of frame 1 'US': unspecified units); only HU can be measured as muscle attenuation" },
      ]);
      expect(scan.series.map((s) => s.slices)).toEqual([3]);
      const { volume } = await loadSeriesFromFolder(dir);
      // Stored 1024 + f with intercept -1024: HU f, exactly.
      expect([volume.hu[0], volume.hu[16], volume.hu[32]]).toEqual([0, 1, 2]);
    } finally {
      await cleanup();
    }
  });

  it('Enhanced CT with a rescale in each frame\'s functional group: each frame takes its own, not frame 1\'s', async () => {
    // Stored 1024 + f in every pixel of frame f; HU by hand: frame 0: 1024 - 1024 = 0; frame 1: 1025 - 1000 = 25;
    // frame 2: 1026 * 2 - 2000 = 52; frame 3: 1027 * 0.5 - 500.25 = 13.25 (not an integer: the volume cannot be int16).
    const rescale = [
      { intercept: '-1024', slope: '1' },
      { intercept: '-1000', slope: '1' },
      { intercept: '-2000', slope: '2' },
      { intercept: '-500.25', slope: '0.5' },
    ];
    const { dir, cleanup } = await writeTempFiles([{ name: 'ct.dcm', bytes: enhancedCt({ frames: 4, frameRescale: (f) => rescale[f]! }) }]);
    try {
      const { volume } = await loadSeriesFromFolder(dir);
      expect(volume.geometry.slices).toBe(4);
      expect([0, 1, 2, 3].map((k) => Array.from(volume.hu.subarray(k * 16, (k + 1) * 16)))).toEqual([0, 25, 52, 13.25].map((v) => new Array(16).fill(v)));
    } finally {
      await cleanup();
    }
  });

  it('the CLI: `info --hu-stats` on a folder holding only the perfusion map refuses it, naming the file and the type', async () => {
    const { cli } = await import('../cli/run');
    const perfusion = enhancedCt({ frames: 2, imageType: 'DERIVED\\PRIMARY\\PERFUSION\\RCBF', pixelValueTransformation: { rescaleType: 'US' } });
    const { dir, cleanup } = await writeTempFiles([{ name: 'rcbf.dcm', bytes: perfusion }]);
    try {
      const r = await cli('info', dir, '--hu-stats');
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.errors).toHaveLength(1);
      expect(r.errors[0]).toContain(`${join(dir, 'rcbf.dcm')}: values are not Hounsfield units (RescaleType of frame 1 'US': unspecified units)`);
      expect(r.errors[0]).not.toMatch(/undefined|\n|    at /);
    } finally {
      await cleanup();
    }
  });

  it('DERIVED images in HU load, with a note in the series warnings; ORIGINAL ones get none', async () => {
    const derived = enhancedCt({ frames: 2, imageType: 'DERIVED\\SECONDARY\\AXIAL', seriesInstanceUid: '1.2.3.78' });
    const original = enhancedCt({ frames: 2, imageType: 'ORIGINAL\\PRIMARY\\AXIAL', seriesInstanceUid: '1.2.3.79' });
    const { dir, cleanup } = await writeTempFiles([
      { name: 'derived.dcm', bytes: derived },
      { name: 'original.dcm', bytes: original },
    ]);
    try {
      const scan = await scanFolder(dir);
      expect(scan.problems).toEqual([]);
      const byUid = new Map(scan.series.map((s) => [s.seriesInstanceUid, s]));
      expect(byUid.get('1.2.3.78')!.warnings).toEqual([
        'ImageType DERIVED\\SECONDARY\\AXIAL (the file): not ORIGINAL images (reformatted, filtered or computed from others); check this is the series to measure',
      ]);
      expect(byUid.get('1.2.3.79')!.warnings).toEqual([]);
    } finally {
      await cleanup();
    }
  });
});

describe('12. transfer syntax and pixel data that disagree', () => {
  it('Explicit VR Little Endian with encapsulated Pixel Data (undefined length): refused, never read from the item tags', async () => {
    await expectOnlyBadListed(
      { rewrite: (f, k) => (k === MIDDLE ? encapsulateNativePixelData(f) : f) },
      'transfer syntax and pixel data disagree: Explicit VR Little Endian is uncompressed, but the pixel data is encapsulated (fragments of undefined length)',
    );
  });
  it('RLE Lossless with a plain (native) Pixel Data value: refused', async () => {
    await expectOnlyBadListed(
      { rewrite: (f, k) => (k === MIDDLE ? withTransferSyntax(f, TS.explicitLE, '1.2.840.10008.1.2.5\0') : f) },
      'transfer syntax and pixel data disagree: RLE Lossless is compressed, but the pixel data is a plain 384-byte value (not encapsulated)',
    );
  });
  it('a file meta that declares another byte order than the data set has: "transfer syntax mismatch", not "truncated"', async () => {
    await expectOnlyBadListed(
      { rewrite: (f, k) => (k === MIDDLE ? withTransferSyntax(f, TS.explicitLE, TS.explicitBE) : f) },
      'transfer syntax mismatch: the file meta declares Explicit VR Big Endian, but the data set is written as Explicit VR Little Endian',
    );
  });
});

describe('13. a slice whose values no CT holds', () => {
  it('RescaleIntercept +20000 on one slice of the series: left out at the scan, named, its rescale and the others\'', async () => {
    await expectOnlyBadListed(
      { edit: replace(0x00281052, '20000') },
      "rescale unlike the rest of the series: RescaleSlope 1, RescaleIntercept 20000 where 4 other slice(s) have RescaleSlope 1, RescaleIntercept -1024 (its HU would not match its neighbours')",
    );
  });
  it('the real 3 mm CT with RescaleIntercept +20000 on one slice: that slice is left out and named; `measure` never gives 21,000 HU', async () => {
    const { cli } = await import('../cli/run');
    const { readdir, readFile } = await import('node:fs/promises');
    const src = shared('ct-abdomen-3mm', 'dicom');
    const names = (await readdir(src)).sort(); // IM0001 (slice 0) .. IM0112: file names run foot to head
    expect(names).toHaveLength(112);
    /** The 112 files, slice `bad`'s RescaleIntercept '-1024 ' rewritten '20000 ' (same length). */
    const withBad = async (bad: number) =>
      Promise.all(
        names.map(async (name, k) => {
          const bytes = new Uint8Array(await readFile(join(src, name)));
          if (k !== bad) return { name, bytes };
          const at = Buffer.from(bytes).indexOf(Buffer.from('(\0R\x10DS\x06\0-1024 ', 'latin1'));
          expect(at).toBeGreaterThan(0);
          bytes.set(Buffer.from('20000 ', 'latin1'), at + 8);
          return { name, bytes };
        }),
      );
    const reason = "rescale unlike the rest of the series: RescaleSlope 1, RescaleIntercept 20000 where 111 other slice(s) have RescaleSlope 1, RescaleIntercept -1024 (its HU would not match its neighbours')";
    // A slice away from L3 (slice 20): L3 keeps the reference values of ../shared/data/README.md, one index lower.
    const away = await writeTempFiles(await withBad(20));
    try {
      const r = await cli('measure', away.dir, '--masks', shared('ct-abdomen-3mm', 'masks'), '--levels', 'L3', '--structures', 'iliopsoas_left,iliopsoas_right');
      expect(r.code).toBe(0);
      const json = JSON.parse(r.stdout);
      expect(json.problems).toEqual([{ path: join(away.dir, 'IM0021.dcm'), reason }]);
      const left = json.measurements.find((m: { structure: string }) => m.structure === 'iliopsoas_left');
      expect([left.sliceIndex, left.pixels, left.areaMm2]).toEqual([72, 79, 711]);
      expect(left.meanHu).toBeCloseTo(27.0506, 4);
      expect(json.measurements.find((m: { structure: string }) => m.structure === 'iliopsoas_right').meanHu).toBeCloseTo(33.2949, 4);
    } finally {
      await away.cleanup();
    }
    // The L3 slice itself (73): left out and named; L3 then falls in the gap, so it is not found (never
    // measured on a neighbour, and no value anywhere near 21,000 HU).
    const l3 = await writeTempFiles(await withBad(73));
    try {
      const r = await cli('measure', l3.dir, '--masks', shared('ct-abdomen-3mm', 'masks'), '--levels', 'L3', '--structures', 'iliopsoas_left,iliopsoas_right');
      expect(r.code).toBe(1);
      expect(r.notes.join('\n')).toContain(`${join(l3.dir, 'IM0074.dcm')}: ${reason}`);
      expect(r.errors).toEqual([expect.stringMatching(/^level L3 not found: the series has no slice at the centroid of vertebrae_L3/)]);
      expect(r.stdout).not.toMatch(/2\d{4}\./);
    } finally {
      await l3.cleanup();
    }
  });
  it('the same rescale written another way (-1024.0, slope 1.000) is the same rescale', async () => {
    const p = makePhantomSeries({ slices: 5, rows: 16, columns: 12, edit: (els, k) => (k === MIDDLE ? replace(0x00281053, '1.000')(replace(0x00281052, '-1024.0')(els, k), k) : els) });
    const { dir, cleanup } = await writeTempFiles(p.files);
    try {
      const scan = await scanFolder(dir);
      expect(scan.problems).toEqual([]);
      expect(scan.series[0]!.slices).toBe(5);
    } finally {
      await cleanup();
    }
  });
  it('a series whose every slice has RescaleIntercept +20000: the load stops, naming the file and the values it holds', async () => {
    const p = makePhantomSeries({ slices: 3, rows: 16, columns: 12, edit: (els) => els.map((e) => (e.tag === 0x00281052 ? { ...e, value: '20000' } : e)) });
    const { dir, cleanup } = await writeTempFiles(p.files);
    try {
      const scan = await scanFolder(dir);
      expect(scan.problems).toEqual([]);
      // Phantom HU -1000..700 stored as HU + 1024, read with +20000: 21024 HU above the truth.
      const message = await loadSeriesFromFolder(dir).then(() => 'loaded', (e: Error) => e.message);
      const [file, reason] = message.split(/: (.*)/s);
      expect(scan.series[0]!.files).toContain(file);
      expect(reason).toBe('the image holds no CT value: HU from 20024 to 21724 (RescaleSlope 1, RescaleIntercept 20000), none within -1024..3071 HU (air to dense bone); its rescale is wrong');
    } finally {
      await cleanup();
    }
  });
});

describe('14. files DICOM forbids: one Pixel Data, elements in ascending order', () => {
  const intercept = (v: string): DicomElement[] => [{ tag: 0x00281052, vr: 'DS', value: v }];
  it('a second Pixel Data element after the real one', async () => {
    await expectOnlyBadListed(
      { rewrite: (f, k) => (k === MIDDLE ? appendBytes(f, pixelDataElementLike(f, 500)) : f) },
      'two Pixel Data elements (DICOM allows one; readers differ on which image the file holds)',
    );
  });
  it('a second Pixel Data element before the real one', async () => {
    await expectOnlyBadListed(
      { rewrite: (f, k) => (k === MIDDLE ? insertBeforePixelData(f, pixelDataElementLike(f, 500)) : f) },
      'two Pixel Data elements (DICOM allows one; readers differ on which image the file holds)',
    );
  });
  it('a RescaleIntercept appended after the pixels', async () => {
    await expectOnlyBadListed(
      { rewrite: (f, k) => (k === MIDDLE ? appendElements(f, intercept('-524')) : f) },
      'element (0028,1052) RescaleIntercept after the Pixel Data (out of tag order, which DICOM forbids; readers differ on its value)',
    );
  });
  it('a RescaleIntercept appended after the fragments of an RLE slice', async () => {
    await expectOnlyBadListed(
      { encoding: 'rle', rewrite: (f, k) => (k === MIDDLE ? appendElements(f, intercept('-524')) : f) },
      'element (0028,1052) RescaleIntercept after the Pixel Data (out of tag order, which DICOM forbids; readers differ on its value)',
    );
  });
  it('a second RescaleIntercept in the header (out of order before the pixels)', async () => {
    await expectOnlyBadListed(
      { rewrite: (f, k) => (k === MIDDLE ? insertBeforePixelData(f, elementBytes(intercept('-524'))) : f) },
      'element (0028,1052) RescaleIntercept appears twice in the header (DICOM allows it once; readers differ on which value counts)',
    );
  });
  it('legal trailers load: Data Set Trailing Padding (FFFC,FFFC) and zero bytes after the pixels', async () => {
    const p = makePhantomSeries({
      slices: 3,
      rows: 16,
      columns: 12,
      rewrite: (f, k) =>
        k === 0 ? appendElements(f, [{ tag: 0xfffcfffc, vr: 'OB', value: new Uint8Array(100).fill(0x55) }]) : k === 1 ? appendBytes(f, new Uint8Array(64)) : f,
    });
    const { dir, cleanup } = await writeTempFiles(p.files);
    try {
      const scan = await scanFolder(dir);
      expect(scan.problems).toEqual([]);
      const { volume } = await loadSeriesFromFolder(dir);
      expect(Array.from(volume.hu)).toEqual(Array.from(p.expected.hu));
    } finally {
      await cleanup();
    }
  });
});

describe('15. messages that say what is wrong', () => {
  it('SamplesPerPixel 0 is an invalid sample count, not a "colour image (MONOCHROME2)"', async () => {
    await expectOnlyBadListed({ edit: replace(0x00280002, 0) }, 'invalid SamplesPerPixel 0 (MONOCHROME2 greyscale has 1 sample per pixel)');
  });
  it('damaged compressed fragments say "damaged pixel data", a cut one "truncated pixel data", never "file ends inside the header"', async () => {
    const lastItem = (f: Uint8Array): number => Buffer.from(f).lastIndexOf(Buffer.from([0xfe, 0xff, 0x00, 0xe0]));
    await expectOnlyBadListed(
      {
        encoding: 'rle',
        rewrite: (f, k) => {
          if (k !== MIDDLE) return f;
          const c = Uint8Array.from(f);
          c[lastItem(c)] = 0x12; // the fragment's item tag damaged
          return c;
        },
      },
      'damaged pixel data (compressed fragment 1 does not start with an item tag: found (FF12,E000))',
    );
    await expectOnlyBadListed(
      { encoding: 'rle', rewrite: (f, k) => (k === MIDDLE ? f.subarray(0, f.length - 20) : f) },
      'truncated pixel data (compressed fragment 1 runs past the end of the file)',
    );
  });
});

/**
 * Gantry tilt as a scanner writes it: the image plane tilted by `deg` about the patient x axis, slice
 * positions advancing along the table (patient z) by `stepMm`. Every slice is then sheared by the same
 * in-plane step, tan(deg) per mm along the normal.
 */
const ORIGIN: [number, number, number] = [-20.5, -30.25, 101.5];
function tilted(deg: number, stepMm = 2.5, move: (k: number, p: [number, number, number]) => [number, number, number] = (_k, p) => p) {
  return { obliqueDeg: deg, edit: atPositions((k) => move(k, [ORIGIN[0], ORIGIN[1], ORIGIN[2] + stepMm * k])) };
}

/** Scans and loads a 9-slice phantom; returns the scan, the load, and the file name of each slice k. */
async function nineSlices(opts: PhantomOptions) {
  const p = makePhantomSeries({ slices: 9, rows: 16, columns: 12, ...opts });
  const { dir, cleanup } = await writeTempFiles(p.files);
  const file = (k: number): string => join(dir, p.files.find((f) => f.slice === k)!.name);
  try {
    const scan = await scanFolder(dir);
    const loaded = scan.series.length === 1 ? await loadSeriesFromFolder(dir) : undefined;
    return { scan, loaded, file };
  } finally {
    await cleanup();
  }
}

describe('16. a slice that jumps sideways off the line of its neighbours', () => {
  for (const mm of [10, 51]) {
    it(`a middle slice ${mm} mm to the side (all else equal) is left out, named with how far it jumped`, async () => {
      await expectOnlyBadListed(
        { edit: atPositions((k) => (k === MIDDLE ? [ORIGIN[0] + mm, ORIGIN[1], ORIGIN[2] + 2.5 * k] : undefined)) },
        `not part of a consistent volume (position ${mm} mm off the line of the other slices)`,
      );
    });
  }

  it('one pixel is a jump; jitter below half a pixel (0.75 mm pixels) is not', async () => {
    await expectOnlyBadListed(
      { edit: atPositions((k) => (k === MIDDLE ? [ORIGIN[0], ORIGIN[1] - 0.8, ORIGIN[2] + 2.5 * k] : undefined)) },
      'not part of a consistent volume (position 0.8 mm off the line of the other slices)',
    );
    // Every slice off by up to 0.2 mm in x and in y (together under half the 0.75 mm pixel): far coarser
    // than the rounding of any scanner's positions.
    const jitter = (k: number): number => [0.2, -0.15, 0.05, -0.2, 0.15, -0.1, 0.2, -0.15, 0.1][k]!;
    const { scan, loaded } = await nineSlices({ edit: atPositions((k) => [ORIGIN[0] + jitter(k), ORIGIN[1] - jitter(8 - k), ORIGIN[2] + 2.5 * k]) });
    expect(scan.problems).toEqual([]);
    expect(scan.series[0]!.slices).toBe(9);
    expect(scan.series[0]!.warnings.join('\n')).not.toMatch(/line/);
    expect(loaded!.volume.geometry.slices).toBe(9);
  });

  it('a gantry-tilted series (every slice sheared by the same step) keeps every slice; the tilt comes from all of them', async () => {
    const { scan } = await nineSlices(tilted(20));
    expect(scan.problems).toEqual([]);
    expect(scan.series[0]!.slices).toBe(9);
    expect(scan.series[0]!.warnings).toEqual([expect.stringMatching(/^gantry tilt 20\.0°: slice positions are sheared/)]);
  });

  it('a tilted series with a missing slice (a double step) is still one line', async () => {
    const { scan } = await nineSlices(tilted(20, 2.5, (k, p) => (k >= 5 ? [p[0], p[1], p[2] + 2.5] : p)));
    expect(scan.problems).toEqual([]);
    expect(scan.series[0]!.warnings.join('\n')).toMatch(/^gantry tilt 20\.0°.*\nirregular slice spacing: .*about 1 missing slice/s);
  });

  it('in a tilted series, a jump of the middle slice or of the first one is named; the tilt stays 20°', async () => {
    for (const k0 of [4, 0]) {
      const { scan, loaded, file } = await nineSlices(tilted(20, 2.5, (k, p) => (k === k0 ? [p[0] + 10, p[1], p[2]] : p)));
      expect(scan.problems).toEqual([{ path: file(k0), reason: 'not part of a consistent volume (position 10 mm off the line of the other slices)' }]);
      expect(scan.series[0]!.slices).toBe(8);
      expect(scan.series[0]!.warnings[0]).toMatch(/^gantry tilt 20\.0°/);
      // The rest loads: the kept slices hold the phantom's values (air in the corner, a muscle disc's HU).
      const v = loaded!.volume;
      expect(v.geometry.slices).toBe(8);
      for (let k = 0; k < 8; k++) expect(v.hu[k * 16 * 12]).toBe(-1000);
    }
  });

  it('a tilted series with positions rounded to 0.1 mm (as some scanners write them) keeps every slice', async () => {
    // 0.625 mm steps along the table rounded to 0.1 mm: the steps (and the in-plane shear) alternate.
    const r = (v: number): number => Math.round(v * 10) / 10;
    const { scan } = await nineSlices({ obliqueDeg: 17, edit: atPositions((k) => [r(ORIGIN[0]), r(ORIGIN[1]), r(ORIGIN[2] + 0.625 * k)]) });
    expect(scan.problems).toEqual([]);
    expect(scan.series[0]!.slices).toBe(9);
    // The rounding shows as irregular gaps (0.6 or 0.7 mm along the table), never as a slice off the line.
    expect(scan.series[0]!.warnings).toEqual([expect.stringMatching(/^gantry tilt 17\.0°/), expect.stringMatching(/^irregular slice spacing/)]);
  });

  it('a frame of a multi-frame CT that jumps is left out with a warning naming the file and frame; the other frames load', async () => {
    const bytes = enhancedCt({ frames: 8, position: (f) => (f === 3 ? [10, 0, 2.5 * f] : [0, 0, 2.5 * f]) });
    const { dir, cleanup } = await writeTempFiles([{ name: 'enh.dcm', bytes }]);
    try {
      const scan = await scanFolder(dir);
      expect(scan.problems).toEqual([]);
      expect(scan.series[0]!.slices).toBe(7);
      expect(scan.series[0]!.warnings).toContain(`${join(dir, 'enh.dcm')}: frame(s) 4 left out: position up to 10 mm off the line of the other slices`);
      const { volume } = await loadSeriesFromFolder(dir);
      expect(volume.geometry.slices).toBe(7);
      // Frame f holds stored 1024 + f, HU f: frame 4 (f = 3) is not in the volume.
      expect([...new Set(Array.from(volume.hu))].sort((x, y) => x - y)).toEqual([0, 1, 2, 4, 5, 6, 7]);
    } finally {
      await cleanup();
    }
  });

  it('positions scattered so that no line holds half the slices leave nothing out, with a warning', async () => {
    const { scan } = await nineSlices({ edit: atPositions((k) => [ORIGIN[0] + (k % 3) * 5, ORIGIN[1], ORIGIN[2] + 2.5 * k]) });
    expect(scan.problems).toEqual([]);
    expect(scan.series[0]!.slices).toBe(9);
    expect(scan.series[0]!.warnings[0]).toMatch(/^slice positions do not lie on one line \(up to [\d.]+ mm to the side of it\): volume kept as acquired, check the series$/);
  });
});
