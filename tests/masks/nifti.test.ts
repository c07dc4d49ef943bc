import { describe, expect, it } from 'vitest';
import { gzip } from 'pako';
import { readNifti } from '../../src/core/masks/nifti';
import { writeNifti1 } from '../fixtures/writeNifti';

const AFF = [-2, 0, 0, 5, 0, -2, 0, 4, 0, 0, 3, 10, 0, 0, 0, 1];

/** Tiny NIfTI-2 writer (little-endian, int16, sform) for the reader test. */
function writeNifti2(dims: [number, number, number], data: number[], affine: number[]): Uint8Array {
  const off = 544;
  const out = new Uint8Array(off + data.length * 2);
  const dv = new DataView(out.buffer);
  dv.setInt32(0, 540, true);
  out.set([0x6e, 0x2b, 0x32, 0, 0x0d, 0x0a, 0x1a, 0x0a], 4);
  dv.setInt16(12, 4, true);
  dv.setInt16(14, 16, true);
  dv.setBigInt64(16, 3n, true);
  dims.forEach((d, n) => dv.setBigInt64(24 + 8 * n, BigInt(d), true));
  for (let n = 4; n < 8; n++) dv.setBigInt64(16 + 8 * n, 1n, true);
  dv.setBigInt64(168, BigInt(off), true);
  dv.setFloat64(176, 1, true);
  dv.setInt32(348, 1, true);
  for (let n = 0; n < 12; n++) dv.setFloat64(400 + 8 * n, affine[n]!, true);
  data.forEach((v, n) => dv.setInt16(off + 2 * n, v, true));
  return out;
}

describe('readNifti', () => {
  const data = Array.from({ length: 2 * 3 * 4 }, (_, n) => n * 3 - 7);

  it('reads dims, datatype, scaling, sform affine and data from .nii and .nii.gz', () => {
    for (const gz of [false, true]) {
      const img = readNifti(writeNifti1({ dims: [2, 3, 4], datatype: 4, data, affine: AFF, sclSlope: 2, sclInter: 1, gzip: gz }));
      expect(img.version).toBe(1);
      expect([img.nx, img.ny, img.nz]).toEqual([2, 3, 4]);
      expect(img.datatype).toBe(4);
      expect(img.data).toBeInstanceOf(Int16Array);
      expect(Array.from(img.data)).toEqual(data);
      expect(img.sclSlope).toBe(2);
      expect(img.sclInter).toBe(1);
      expect(img.affineSource).toBe('sform');
      expect(img.affine).toEqual(AFF);
      expect(img.pixdim.slice(1, 4)).toEqual([2, 2, 3]);
    }
  });

  it('reads float64 and uint8 data', () => {
    const f = readNifti(writeNifti1({ dims: [2, 3, 4], datatype: 64, data: data.map((v) => v / 4), affine: AFF }));
    expect(f.data).toBeInstanceOf(Float64Array);
    expect(f.data[5]).toBe(data[5]! / 4);
    const u = readNifti(writeNifti1({ dims: [2, 3, 4], datatype: 2, data: data.map((v) => Math.abs(v)), affine: AFF }));
    expect(u.data).toBeInstanceOf(Uint8Array);
    expect(u.data[0]).toBe(7);
  });

  it('builds the affine from the qform when there is no sform (180 degrees about z = LPS-aligned)', () => {
    const img = readNifti(
      writeNifti1({ dims: [2, 3, 4], datatype: 4, data, pixdim: [2, 2, 3], qform: { bcd: [0, 0, 1], offset: [5, 4, 10], qfac: 1 } }),
    );
    expect(img.affineSource).toBe('qform');
    img.affine.forEach((v, n) => expect(v).toBeCloseTo(AFF[n]!, 6));
    const flipped = readNifti(
      writeNifti1({ dims: [2, 3, 4], datatype: 4, data, pixdim: [2, 2, 3], qform: { bcd: [0, 0, 1], offset: [5, 4, 10], qfac: -1 } }),
    );
    expect(flipped.affine[10]).toBeCloseTo(-3, 6); // qfac = -1 flips k
  });

  it('falls back to pixdim scaling (and says so) without sform or qform', () => {
    const img = readNifti(writeNifti1({ dims: [2, 3, 4], datatype: 4, data, pixdim: [1.5, 2, 2.5] }));
    expect(img.affineSource).toBe('pixdim');
    expect(img.affine).toEqual([1.5, 0, 0, 0, 0, 2, 0, 0, 0, 0, 2.5, 0, 0, 0, 0, 1]);
    expect(img.notes.join(' ')).toMatch(/pixdim/);
  });

  it('reads NIfTI-2', () => {
    const img = readNifti(gzip(writeNifti2([2, 3, 4], data, AFF)));
    expect(img.version).toBe(2);
    expect([img.nx, img.ny, img.nz]).toEqual([2, 3, 4]);
    expect(img.affine).toEqual(AFF);
    expect(Array.from(img.data)).toEqual(data);
  });

  it('reads a big-endian NIfTI-1 (header fields and data byte-swapped)', () => {
    const le = writeNifti1({ dims: [2, 3, 4], datatype: 4, data, affine: AFF });
    const be = le.slice();
    const src = new DataView(le.buffer);
    const dst = new DataView(be.buffer);
    const i32 = [0];
    const i16 = [40, 42, 44, 46, 48, 50, 52, 54, 70, 72, 252, 254];
    const f32 = [76, 80, 84, 88, 92, 96, 100, 104, 108, 112, 116, ...Array.from({ length: 12 }, (_, n) => 280 + 4 * n)];
    i32.forEach((o) => dst.setInt32(o, src.getInt32(o, true), false));
    i16.forEach((o) => dst.setInt16(o, src.getInt16(o, true), false));
    f32.forEach((o) => dst.setFloat32(o, src.getFloat32(o, true), false));
    for (let n = 0; n < data.length; n++) dst.setInt16(352 + 2 * n, data[n]!, false);
    const img = readNifti(be);
    expect([img.nx, img.ny, img.nz]).toEqual([2, 3, 4]);
    expect(img.affine).toEqual(AFF);
    expect(Array.from(img.data)).toEqual(data);
  });

  it('gives one-line errors for unreadable files', () => {
    const good = writeNifti1({ dims: [2, 3, 4], datatype: 4, data, affine: AFF });
    expect(() => readNifti(new TextEncoder().encode('hello, this is not an image'.repeat(20)), 'masks/x.nii.gz')).toThrow(
      /^masks\/x\.nii\.gz: not a NIfTI file$/,
    );
    expect(() => readNifti(new Uint8Array(10), 'x.nii')).toThrow(/^x\.nii: not a NIfTI file$/);
    const gz = gzip(good);
    expect(() => readNifti(gz.subarray(0, gz.length - 20), 'x.nii.gz')).toThrow(/^x\.nii\.gz: gzip data corrupt/);
    const bad = gz.slice();
    for (let n = 20; n < bad.length - 8; n += 7) bad[n] = bad[n]! ^ 0x5a;
    expect(() => readNifti(bad, 'x.nii.gz')).toThrow(/^x\.nii\.gz: gzip data corrupt/);
    expect(() => readNifti(good.subarray(0, good.length - 1), 'x.nii')).toThrow(/^x\.nii: data shorter than header declares/);
    const odd = good.slice();
    new DataView(odd.buffer).setInt16(70, 32, true); // complex64
    expect(() => readNifti(odd, 'x.nii')).toThrow(/unsupported NIfTI datatype 32/);
  });
});
