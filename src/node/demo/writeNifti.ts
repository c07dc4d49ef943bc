/**
 * Minimal NIfTI-1 writer (single .nii, little-endian, optional gzip) for masks and label images.
 * Writes the affine as sform (sform_code 2, aligned anatomy) unless told otherwise; the qform is
 * written only when given explicitly. Written by hand (no NIfTI writer is among our dependencies): the
 * demo generator (src/node/demo) writes its masks with it; tests and the bench use it for phantoms.
 */
import { gzipSync } from 'node:zlib';
import type { Affine4x4 } from '../../core/masks/nifti';

export interface WriteNiftiInput {
  readonly dims: readonly [number, number, number];
  /** uint8 (2), int16 (4), int32 (8), float32 (16), float64 (64). */
  readonly datatype: 2 | 4 | 8 | 16 | 64;
  /** Voxel (i, j, k) at i + nx*(j + ny*k). */
  readonly data: ArrayLike<number>;
  /** Voxel -> RAS row-major 4x4 written to srow_x/y/z; sformCode defaults to 2 when given. */
  readonly affine?: Affine4x4;
  readonly sformCode?: number;
  /** Explicit qform: quaternion (b, c, d), offset, qfac; qformCode defaults to 1 when given. */
  readonly qform?: { readonly bcd: readonly [number, number, number]; readonly offset: readonly [number, number, number]; readonly qfac: 1 | -1 };
  readonly qformCode?: number;
  /** pixdim[1..3]; defaults to the column norms of the affine, else 1. */
  readonly pixdim?: readonly [number, number, number];
  readonly sclSlope?: number;
  readonly sclInter?: number;
  readonly gzip?: boolean;
}

const BYTES: Record<number, number> = { 2: 1, 4: 2, 8: 4, 16: 4, 64: 8 };

export function writeNifti1(input: WriteNiftiInput): Uint8Array {
  const [nx, ny, nz] = input.dims;
  const count = nx * ny * nz;
  if (input.data.length !== count) throw new Error(`data has ${input.data.length} values; dims need ${count}`);
  const bpv = BYTES[input.datatype]!;
  const voxOffset = 352;
  const out = new Uint8Array(voxOffset + count * bpv);
  const dv = new DataView(out.buffer);
  dv.setInt32(0, 348, true);
  dv.setInt16(40, 3, true);
  dv.setInt16(42, nx, true);
  dv.setInt16(44, ny, true);
  dv.setInt16(46, nz, true);
  for (let n = 4; n < 8; n++) dv.setInt16(40 + 2 * n, 1, true);
  dv.setInt16(70, input.datatype, true);
  dv.setInt16(72, bpv * 8, true);
  const a = input.affine;
  const colNorm = (c: number) => (a ? Math.hypot(a[c]!, a[4 + c]!, a[8 + c]!) : 1);
  const pix = input.pixdim ?? [colNorm(0), colNorm(1), colNorm(2)];
  dv.setFloat32(76, input.qform ? input.qform.qfac : 1, true);
  dv.setFloat32(80, pix[0], true);
  dv.setFloat32(84, pix[1], true);
  dv.setFloat32(88, pix[2], true);
  dv.setFloat32(108, voxOffset, true);
  dv.setFloat32(112, input.sclSlope ?? 1, true);
  dv.setFloat32(116, input.sclInter ?? 0, true);
  dv.setInt8(123, 2 | 8); // xyzt_units: mm, s
  if (input.qform) {
    dv.setInt16(252, input.qformCode ?? 1, true);
    input.qform.bcd.forEach((v, n) => dv.setFloat32(256 + 4 * n, v, true));
    input.qform.offset.forEach((v, n) => dv.setFloat32(268 + 4 * n, v, true));
  }
  if (a) {
    dv.setInt16(254, input.sformCode ?? 2, true);
    for (let n = 0; n < 12; n++) dv.setFloat32(280 + 4 * n, a[n]!, true);
  }
  out.set([0x6e, 0x2b, 0x31, 0], 344); // 'n+1\0'
  // uint8 from a typed array: one copy (the demo's masks are 6 MB each)
  if (input.datatype === 2 && input.data instanceof Uint8Array) out.set(input.data, voxOffset);
  else for (let n = 0; n < count; n++) {
    const v = input.data[n]!;
    const o = voxOffset + n * bpv;
    switch (input.datatype) {
      case 2:
        dv.setUint8(o, v);
        break;
      case 4:
        dv.setInt16(o, v, true);
        break;
      case 8:
        dv.setInt32(o, v, true);
        break;
      case 16:
        dv.setFloat32(o, v, true);
        break;
      case 64:
        dv.setFloat64(o, v, true);
        break;
    }
  }
  // node's zlib (native, several times faster than a JS deflate); its gzip header holds no time, so the bytes stay the same run to run
  return input.gzip ? new Uint8Array(gzipSync(out)) : out;
}
