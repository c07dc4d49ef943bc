/**
 * The marker walk of core/dicom/codestream.ts on small codestreams built here byte by byte: what a real
 * encoder may put in scan data (stuffed bytes, restart markers, fill bytes) never ends the walk early,
 * and a codestream cut anywhere never reaches its end marker.
 */
import { describe, expect, it } from 'vitest';
import { codestreamEnd, declaredSamples, storedValueOutside } from '../../src/core/dicom/codestream';

const seg = (marker: number, body: number[]): number[] => [0xff, marker, ((body.length + 2) >> 8) & 0xff, (body.length + 2) & 0xff, ...body];

/** SOI, SOF (marker sof, precision 16, 4 x 4, 1 component), a DHT, SOS, scan data, EOI. */
function jpeg(sof: number, scan: number[]): Uint8Array {
  return new Uint8Array([
    0xff, 0xd8,
    ...seg(sof, [16, 0, 4, 0, 4, 1, 1, 0x11, 0]),
    ...seg(0xc4, [0, 1, 2, 3]),
    ...seg(0xda, [1, 1, 0, 1, 0, 0]),
    ...scan,
    0xff, 0xd9,
  ]);
}

const u32 = (v: number): number[] => [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];

/** SOC, SIZ (16-bit unsigned, or signed), COD-like segment, tile-parts of the given data lengths, EOC. */
function j2k(parts: number[], opts: { signed?: boolean; lastPsotZero?: boolean } = {}): Uint8Array {
  const siz = [0, 0, ...u32(4), ...u32(4), ...u32(0), ...u32(0), ...u32(4), ...u32(4), ...u32(0), ...u32(0), 0, 1, (opts.signed ? 0x80 : 0) | 15, 1, 1];
  const out = [0xff, 0x4f, ...seg(0x51, siz), ...seg(0x52, [0, 0, 0, 1, 0, 5, 4, 4, 0, 1])];
  parts.forEach((len, i) => {
    const psot = opts.lastPsotZero && i === parts.length - 1 ? 0 : 12 + 2 + len;
    out.push(0xff, 0x90, 0, 10, 0, 0, ...u32(psot), i, parts.length, 0xff, 0x93, ...new Array<number>(len).fill(0x5a));
  });
  out.push(0xff, 0xd9);
  return new Uint8Array(out);
}

describe('codestreamEnd: JPEG and JPEG-LS', () => {
  it('stuffed 0xFF00, restart markers and fill bytes in scan data: the walk reaches EOI', () => {
    const b = jpeg(0xc3, [1, 2, 0xff, 0x00, 3, 0xff, 0xd0, 4, 0xff, 0xff, 0xd1, 5, 0xff, 0xff]);
    expect(codestreamEnd(b)).toEqual({ ok: true, eoi: b.length - 2 });
  });

  it('JPEG-LS: 0xFF followed by a stuffed bit (a byte below 0x80) is scan data', () => {
    const b = jpeg(0xf7, [1, 0xff, 0x7f, 0xff, 0x00, 2]);
    expect(codestreamEnd(b)).toEqual({ ok: true, eoi: b.length - 2 });
    expect(declaredSamples(b)).toEqual({ precision: 16, signed: null });
  });

  it('a codestream cut anywhere never reaches EOI', () => {
    const b = jpeg(0xc3, [1, 2, 0xff, 0x00, 3, 0xff, 0xd0, 4, 5, 6, 7]);
    for (let n = 4; n < b.length; n++) {
      const r = codestreamEnd(b.subarray(0, n));
      expect(r?.ok, `cut at ${n}`).toBe(false);
    }
  });

  it('padding after EOI is allowed; junk where a marker should be is damage', () => {
    const b = jpeg(0xc3, [1, 2]);
    const padded = new Uint8Array([...b, 0]);
    expect(codestreamEnd(padded)).toEqual({ ok: true, eoi: b.length - 2 });
    const junk = b.slice();
    junk[2] = 0x12; // where the SOF marker is
    expect(codestreamEnd(junk)).toEqual({ ok: false, reason: 'has no marker at byte 2 where one should be: the codestream is damaged' });
  });
});

describe('codestreamEnd: JPEG 2000', () => {
  it('tile-parts by their Psot lengths to EOC, also when the last says 0 (up to EOC)', () => {
    const b = j2k([10, 3, 7]);
    expect(codestreamEnd(b)).toEqual({ ok: true, eoi: b.length - 2 });
    const z = j2k([10, 3], { lastPsotZero: true });
    expect(codestreamEnd(z)).toEqual({ ok: true, eoi: z.length - 2 });
    expect(declaredSamples(b)).toEqual({ precision: 16, signed: false });
    expect(declaredSamples(j2k([1], { signed: true }))).toEqual({ precision: 16, signed: true });
  });

  it('cut anywhere (also just before EOC): never complete', () => {
    for (const b of [j2k([10, 3, 7]), j2k([10, 3], { lastPsotZero: true })]) {
      for (let n = 4; n < b.length; n++) expect(codestreamEnd(b.subarray(0, n))?.ok, `cut at ${n}`).toBe(false);
    }
  });
});

describe('storedValueOutside: a codestream of more bits than BitsStored', () => {
  it('unsigned: values above 2^BitsStored - 1 are outside', () => {
    expect(storedValueOutside(new Uint16Array([0, 4095]), 16, { bitsStored: 12, pixelRepresentation: 0 }, false)).toBeNull();
    expect(storedValueOutside(new Uint16Array([0, 4096]), 16, { bitsStored: 12, pixelRepresentation: 0 }, false)).toBe(4096);
  });
  it('signed header, unsigned decoder: values are P-bit two\u2019s complement (sign-extended negatives are in range)', () => {
    const h = { bitsStored: 12, pixelRepresentation: 1 };
    expect(storedValueOutside(new Uint16Array([65536 - 2048, 2047]), 16, h, false)).toBeNull();
    expect(storedValueOutside(new Uint16Array([2048]), 16, h, false)).toBe(2048);
    expect(storedValueOutside(new Uint16Array([65536 - 2049]), 16, h, false)).toBe(-2049);
  });
  it('precision not above BitsStored: nothing to check', () => {
    expect(storedValueOutside(new Uint16Array([65535]), 12, { bitsStored: 12, pixelRepresentation: 0 }, false)).toBeNull();
  });
});
