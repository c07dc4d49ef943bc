/**
 * NIfTI-1 / NIfTI-2 reader (single-file .nii, optionally gzipped). Pure TypeScript: gzip through pako,
 * no Node or DOM types.
 *
 * Coordinate space: NIfTI world space is RAS+ (+x towards the patient's right, +y anterior,
 * +z superior), millimetres. DICOM patient space is LPS+, so lps = (-x, -y, z).
 *
 * The voxel->RAS affine is chosen as the NIfTI standard (and nibabel) do:
 *   1. sform (srow_x/y/z) when sform_code > 0;
 *   2. else qform (quaternion + qoffset + pixdim, qfac = pixdim[0]) when qform_code > 0;
 *   3. else plain pixdim scaling with origin 0 (the standard's "method 1", Analyze compatibility):
 *      x = i*pixdim[1], y = j*pixdim[2], z = k*pixdim[3]. Such a file carries no real orientation.
 */
import { Inflate } from 'pako';
import { UserError } from '../errors';

/** Row-major 4x4 matrix (16 numbers), last row 0 0 0 1: [x y z 1]^T = A [i j k 1]^T. */
export type Affine4x4 = readonly number[];

export type NiftiData =
  | Uint8Array
  | Int8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | Float32Array
  | Float64Array;

export interface NiftiImage {
  readonly version: 1 | 2;
  /** dim[0..7] as in the header (dim[0] = number of dimensions). */
  readonly dim: readonly number[];
  /** Voxel counts along i, j, k (dim[1..3], missing ones = 1). */
  readonly nx: number;
  readonly ny: number;
  readonly nz: number;
  /** pixdim[0..7] as in the header (pixdim[0] = qfac). */
  readonly pixdim: readonly number[];
  /** NIfTI datatype code (2 uint8, 4 int16, 8 int32, 16 float32, 64 float64, 256 int8, 512 uint16, 768 uint32, 1024 int64, 1280 uint64). */
  readonly datatype: number;
  readonly bitpix: number;
  /** Raw scl_slope / scl_inter; the scaling applies only when sclSlope is finite and non-zero. */
  readonly sclSlope: number;
  readonly sclInter: number;
  readonly qformCode: number;
  readonly sformCode: number;
  /** Voxel index (i, j, k) -> RAS mm. */
  readonly affine: Affine4x4;
  readonly affineSource: 'sform' | 'qform' | 'pixdim';
  /**
   * Stored voxel values (unscaled) of the first 3-D volume, voxel (i, j, k) at i + nx*(j + ny*k).
   * 64-bit integer data is converted to Float64Array.
   */
  readonly data: NiftiData;
  /** Things a person may want to know (extra volumes ignored, pixdim fallback, ...). */
  readonly notes: readonly string[];
}

/** Error with a one-line, user-facing reason; message = `${name}: ${reason}` when a name is given. */
export class NiftiError extends UserError {
  readonly reason: string;
  constructor(name: string | undefined, reason: string) {
    super('input', name ? `${name}: ${reason}` : reason);
    this.name = 'NiftiError';
    this.reason = reason;
  }
}

const BYTES_PER_TYPE: Record<number, number> = {
  2: 1,
  4: 2,
  8: 4,
  16: 4,
  64: 8,
  256: 1,
  512: 2,
  768: 4,
  1024: 8,
  1280: 8,
};

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Gunzip; throws NiftiError 'gzip data corrupt' on bad or truncated streams. */
export function gunzip(bytes: Uint8Array, name?: string): Uint8Array {
  const inf = new Inflate();
  try {
    inf.push(bytes, true);
  } catch {
    throw new NiftiError(name, 'gzip data corrupt');
  }
  if (inf.err) throw new NiftiError(name, `gzip data corrupt (${inf.msg || `zlib error ${inf.err}`})`);
  // `ended` exists at runtime (pako 2) but not in @types/pako.
  const ended = (inf as unknown as { ended?: boolean }).ended === true;
  if (!ended || !(inf.result instanceof Uint8Array)) throw new NiftiError(name, 'gzip data corrupt (truncated)');
  return inf.result;
}

/**
 * Parse a NIfTI-1 or NIfTI-2 single file (.nii) from bytes; gzipped bytes (.nii.gz) are detected by
 * their magic number and inflated first. `name` prefixes error messages (e.g. 'masks/x.nii.gz').
 */
export function readNifti(input: Uint8Array, name?: string): NiftiImage {
  const bytes = isGzip(input) ? gunzip(input, name) : input;
  if (bytes.length < 348) throw new NiftiError(name, 'not a NIfTI file');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const s1le = dv.getInt32(0, true);
  const s1be = dv.getInt32(0, false);
  if (s1le === 348 || s1be === 348) return parseNifti1(bytes, dv, s1le === 348, name);
  if (s1le === 540 || s1be === 540) return parseNifti2(bytes, dv, s1le === 540, name);
  throw new NiftiError(name, 'not a NIfTI file');
}

function magicAt(bytes: Uint8Array, off: number, len: number): string {
  let s = '';
  for (let n = 0; n < len; n++) s += String.fromCharCode(bytes[off + n]!);
  return s;
}

interface RawHeader {
  version: 1 | 2;
  dim: number[];
  datatype: number;
  bitpix: number;
  pixdim: number[];
  voxOffset: number;
  sclSlope: number;
  sclInter: number;
  qformCode: number;
  sformCode: number;
  quatern: [number, number, number];
  qoffset: [number, number, number];
  srow: number[]; // 12, row-major 3x4
}

function parseNifti1(bytes: Uint8Array, dv: DataView, le: boolean, name?: string): NiftiImage {
  const magic = magicAt(bytes, 344, 4);
  if (magic === 'ni1\0') throw new NiftiError(name, 'header-only NIfTI (.hdr/.img pair) is not supported; convert to a single .nii file');
  if (magic !== 'n+1\0') throw new NiftiError(name, 'not a NIfTI file');
  const i16 = (o: number) => dv.getInt16(o, le);
  const f32 = (o: number) => dv.getFloat32(o, le);
  const h: RawHeader = {
    version: 1,
    dim: Array.from({ length: 8 }, (_, n) => i16(40 + 2 * n)),
    datatype: i16(70),
    bitpix: i16(72),
    pixdim: Array.from({ length: 8 }, (_, n) => f32(76 + 4 * n)),
    voxOffset: f32(108),
    sclSlope: f32(112),
    sclInter: f32(116),
    qformCode: i16(252),
    sformCode: i16(254),
    quatern: [f32(256), f32(260), f32(264)],
    qoffset: [f32(268), f32(272), f32(276)],
    srow: Array.from({ length: 12 }, (_, n) => f32(280 + 4 * n)),
  };
  return finish(bytes, h, le, name);
}

function parseNifti2(bytes: Uint8Array, dv: DataView, le: boolean, name?: string): NiftiImage {
  if (bytes.length < 540) throw new NiftiError(name, 'not a NIfTI file');
  const magic = magicAt(bytes, 4, 4);
  if (magic === 'ni2\0') throw new NiftiError(name, 'header-only NIfTI-2 (.hdr/.img pair) is not supported; convert to a single .nii file');
  if (magic !== 'n+2\0') throw new NiftiError(name, 'not a NIfTI file');
  const i16 = (o: number) => dv.getInt16(o, le);
  const i32 = (o: number) => dv.getInt32(o, le);
  const i64 = (o: number) => Number(dv.getBigInt64(o, le));
  const f64 = (o: number) => dv.getFloat64(o, le);
  const h: RawHeader = {
    version: 2,
    dim: Array.from({ length: 8 }, (_, n) => i64(16 + 8 * n)),
    datatype: i16(12),
    bitpix: i16(14),
    pixdim: Array.from({ length: 8 }, (_, n) => f64(104 + 8 * n)),
    voxOffset: i64(168),
    sclSlope: f64(176),
    sclInter: f64(184),
    qformCode: i32(344),
    sformCode: i32(348),
    quatern: [f64(352), f64(360), f64(368)],
    qoffset: [f64(376), f64(384), f64(392)],
    srow: Array.from({ length: 12 }, (_, n) => f64(400 + 8 * n)),
  };
  return finish(bytes, h, le, name);
}

function finish(bytes: Uint8Array, h: RawHeader, le: boolean, name?: string): NiftiImage {
  const notes: string[] = [];
  const nd = h.dim[0]!;
  if (!(nd >= 1 && nd <= 7)) throw new NiftiError(name, `invalid dim[0] = ${nd}`);
  const size = (n: number) => (n <= nd ? h.dim[n]! : 1);
  const nx = size(1);
  const ny = size(2);
  const nz = size(3);
  if (!(nx >= 1 && ny >= 1 && nz >= 1)) throw new NiftiError(name, `invalid dimensions ${nx}x${ny}x${nz}`);
  let extra = 1;
  for (let n = 4; n <= nd; n++) extra *= Math.max(1, h.dim[n]!);
  if (extra > 1) notes.push(`${extra} volumes in the file; only the first 3-D volume is used`);
  const bpv = BYTES_PER_TYPE[h.datatype];
  if (bpv === undefined) throw new NiftiError(name, `unsupported NIfTI datatype ${h.datatype}`);
  const voxOffset = Math.floor(h.voxOffset);
  const headerSize = h.version === 1 ? 348 : 540;
  if (!(voxOffset >= headerSize)) throw new NiftiError(name, `invalid vox_offset ${h.voxOffset}`);
  const count = nx * ny * nz;
  const byteLen = count * bpv;
  if (voxOffset + byteLen > bytes.length) {
    throw new NiftiError(name, `data shorter than header declares (${bytes.length - voxOffset} of ${byteLen} bytes)`);
  }
  const data = decodeData(bytes.subarray(voxOffset, voxOffset + byteLen), h.datatype, count, le);
  const { affine, source } = chooseAffine(h);
  if (source === 'pixdim') notes.push('no sform or qform: voxel->RAS affine from pixdim scaling only (no orientation, origin 0)');
  return {
    version: h.version,
    dim: h.dim,
    nx,
    ny,
    nz,
    pixdim: h.pixdim,
    datatype: h.datatype,
    bitpix: h.bitpix,
    sclSlope: h.sclSlope,
    sclInter: h.sclInter,
    qformCode: h.qformCode,
    sformCode: h.sformCode,
    affine,
    affineSource: source,
    data,
    notes,
  };
}

function decodeData(src: Uint8Array, datatype: number, count: number, le: boolean): NiftiData {
  const bpv = BYTES_PER_TYPE[datatype]!;
  // Copy into a fresh, aligned buffer; swap bytes in place for big-endian files.
  const buf = new Uint8Array(src.length);
  buf.set(src);
  if (!le && bpv > 1) {
    for (let o = 0; o < buf.length; o += bpv) {
      for (let a = o, b = o + bpv - 1; a < b; a++, b--) {
        const t = buf[a]!;
        buf[a] = buf[b]!;
        buf[b] = t;
      }
    }
  }
  const ab = buf.buffer;
  switch (datatype) {
    case 2:
      return buf;
    case 4:
      return new Int16Array(ab, 0, count);
    case 8:
      return new Int32Array(ab, 0, count);
    case 16:
      return new Float32Array(ab, 0, count);
    case 64:
      return new Float64Array(ab, 0, count);
    case 256:
      return new Int8Array(ab, 0, count);
    case 512:
      return new Uint16Array(ab, 0, count);
    case 768:
      return new Uint32Array(ab, 0, count);
    case 1024:
      return Float64Array.from(new BigInt64Array(ab, 0, count), (v) => Number(v));
    case 1280:
      return Float64Array.from(new BigUint64Array(ab, 0, count), (v) => Number(v));
    default:
      throw new Error(`unreachable datatype ${datatype}`);
  }
}

function chooseAffine(h: RawHeader): { affine: Affine4x4; source: 'sform' | 'qform' | 'pixdim' } {
  if (h.sformCode > 0) {
    return { affine: [...h.srow, 0, 0, 0, 1], source: 'sform' };
  }
  const px = (n: number) => {
    const v = Math.abs(h.pixdim[n]!);
    return v > 0 && Number.isFinite(v) ? v : 1;
  };
  if (h.qformCode > 0) {
    return { affine: quaternToAffine(h.quatern, h.qoffset, [px(1), px(2), px(3)], h.pixdim[0]!), source: 'qform' };
  }
  return { affine: [px(1), 0, 0, 0, 0, px(2), 0, 0, 0, 0, px(3), 0, 0, 0, 0, 1], source: 'pixdim' };
}

/** NIfTI qform (quatern_b/c/d, qoffset, voxel sizes, qfac = pixdim[0]) to a row-major 4x4 affine. */
export function quaternToAffine(
  bcd: readonly [number, number, number],
  offset: readonly [number, number, number],
  size: readonly [number, number, number],
  qfacRaw: number,
): Affine4x4 {
  let [b, c, d] = bcd;
  let a = 1 - (b * b + c * c + d * d);
  if (a < 1e-7) {
    // Numerically a 180-degree rotation: a = 0, renormalise (b, c, d) as nifti1_io does.
    const n = 1 / Math.sqrt(b * b + c * c + d * d);
    b *= n;
    c *= n;
    d *= n;
    a = 0;
  } else {
    a = Math.sqrt(a);
  }
  const qfac = qfacRaw < 0 ? -1 : 1;
  const [dx, dy, dz0] = size;
  const dz = dz0 * qfac;
  const r = [
    [a * a + b * b - c * c - d * d, 2 * (b * c - a * d), 2 * (b * d + a * c)],
    [2 * (b * c + a * d), a * a + c * c - b * b - d * d, 2 * (c * d - a * b)],
    [2 * (b * d - a * c), 2 * (c * d + a * b), a * a + d * d - c * c - b * b],
  ] as const;
  return [
    r[0][0] * dx, r[0][1] * dy, r[0][2] * dz, offset[0],
    r[1][0] * dx, r[1][1] * dy, r[1][2] * dz, offset[1],
    r[2][0] * dx, r[2][1] * dy, r[2][2] * dz, offset[2],
    0, 0, 0, 1,
  ];
}

/** Stored value -> real value with scl_slope/scl_inter (no scaling when slope is 0 or not finite). */
export function scaledValue(img: Pick<NiftiImage, 'sclSlope' | 'sclInter'>, raw: number): number {
  const s = img.sclSlope;
  if (!Number.isFinite(s) || s === 0) return raw;
  return raw * s + (Number.isFinite(img.sclInter) ? img.sclInter : 0);
}
