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

/**
 * Everything a NIfTI header says, without the voxel data: what the first 348 (NIfTI-1) or 540 (NIfTI-2)
 * bytes give, so a caller can check a mask against a CT before inflating or reading its data.
 */
export type NiftiHeader = Omit<NiftiImage, 'data'> & { readonly layout: NiftiLayout };

/** Error with a one-line, user-facing reason; message = `${name}: ${reason}` when a name is given. */
export class NiftiError extends UserError {
  readonly reason: string;
  constructor(name: string | undefined, reason: string) {
    super('input', name ? `${name}: ${reason}` : reason);
    this.name = 'NiftiError';
    this.reason = reason;
  }
}

/** A header that declares more than a reader may take (checked before the data is read). */
export class NiftiLimitError extends NiftiError {}

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

/**
 * Largest image a mask file may declare: dims x bytes per voxel of its first 3-D volume (512 MiB,
 * e.g. 512 x 512 x 2048 uint8 or 512 x 512 x 512 float32). Checked from the header, before the voxel
 * data is inflated or read; larger files are refused with a reason.
 */
export const MAX_NIFTI_DATA_BYTES = 512 * 1024 * 1024;

/** Thrown from the inflater's output callback to stop it (the rest is not inflated). */
const STOP = Symbol('stop');

/**
 * Gunzip (every member of a multi-member file, as pigz and bgzip write). Stops once `limit` bytes have
 * come out, or as many as `want` asks for once it sees the first 540 bytes (the rest is not inflated;
 * the result may hold up to one output chunk more). `want` may throw to refuse the data: the stream is
 * then still inflated, output discarded, up to MAX_NIFTI_DATA_BYTES, to tell damaged gzip data from a
 * bad header (a NiftiLimitError is thrown at once). Throws NiftiError 'gzip data corrupt' (never the
 * inflater's own words) on bad or truncated streams.
 */
export function gunzip(bytes: Uint8Array, name?: string, limit = Infinity, want?: (head: Uint8Array) => number): Uint8Array {
  // One push of the whole input: pako continues into the next gzip member only within a push.
  const inf = new Inflate({ chunkSize: 256 * 1024 });
  const chunks: Uint8Array[] = [];
  let total = 0;
  let target = limit;
  let refused: unknown;
  let asked = false;
  inf.onData = (c: Uint8Array) => {
    total += c.length;
    if (refused === undefined) chunks.push(c);
    if (want && !asked && total >= 540) {
      asked = true;
      try {
        target = Math.min(limit, want(concat(chunks, total)));
      } catch (e) {
        if (e instanceof NiftiLimitError) throw e;
        refused = e;
        chunks.length = 0;
        target = Math.min(limit, MAX_NIFTI_DATA_BYTES);
      }
    }
    if (total >= target) throw STOP;
  };
  inf.onEnd = (status: number) => {
    // pako's own onEnd records the status in `err` (0 = fine); keep that, without its result copy.
    (inf as unknown as { err: number }).err = status;
  };
  let stopped = false;
  try {
    inf.push(bytes, true);
  } catch (e) {
    if (e instanceof NiftiError) throw e;
    if (e !== STOP) throw new NiftiError(name, 'gzip data corrupt');
    stopped = true;
  }
  if (!stopped && inf.err) throw new NiftiError(name, 'gzip data corrupt');
  if (refused !== undefined) throw refused;
  // `ended` exists at runtime (pako 2) but not in @types/pako.
  if (!stopped && (inf as unknown as { ended?: boolean }).ended !== true) throw new NiftiError(name, 'gzip data corrupt (truncated)');
  return concat(chunks, total);
}

function concat(chunks: Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(total);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  chunks.length = 0;
  chunks.push(out);
  return out;
}

export interface ReadNiftiOptions {
  /** Refuse images whose first 3-D volume declares more voxel bytes than this (default MAX_NIFTI_DATA_BYTES). */
  readonly maxDataBytes?: number;
  /**
   * Let `data` view the input bytes instead of a copy when the byte order and alignment allow it
   * (callers that hand over a buffer they no longer use; default false).
   */
  readonly adopt?: boolean;
}

/**
 * Parse a NIfTI-1 or NIfTI-2 single file (.nii) from bytes; gzipped bytes (.nii.gz) are detected by
 * their magic number and inflated first, only as far as the header declares (never more than
 * `maxDataBytes` of voxel data: a larger declared image is refused before it is inflated).
 * `name` prefixes error messages (e.g. 'masks/x.nii.gz').
 */
export function readNifti(input: Uint8Array, name?: string, opts: ReadNiftiOptions = {}): NiftiImage {
  const max = opts.maxDataBytes ?? MAX_NIFTI_DATA_BYTES;
  const gz = isGzip(input);
  const bytes = gz ? gunzip(input, name, Infinity, (head) => niftiLayout(head, name, max).totalBytes) : input;
  const { h, le } = parseHeader(bytes, name);
  return finish(bytes, headerOf(h, layoutOf(h, name, max)), le, name, gz || opts.adopt === true);
}

/**
 * The header of a NIfTI file from its first bytes (uncompressed: at least 348 bytes for NIfTI-1, 540
 * for NIfTI-2): dims, datatype, the voxel->RAS affine chosen and the notes on it. Throws NiftiError as
 * readNifti does for the header (not NIfTI, invalid, more than `maxDataBytes` of voxel data).
 */
export function readNiftiHeader(head: Uint8Array, name?: string, maxDataBytes = MAX_NIFTI_DATA_BYTES): NiftiHeader {
  const { h } = parseHeader(head, name);
  return headerOf(h, layoutOf(h, name, maxDataBytes));
}

/** Where the first 3-D volume lies in a NIfTI file, from its header. */
export interface NiftiLayout {
  readonly nx: number;
  readonly ny: number;
  readonly nz: number;
  /** Volumes beyond the first (dim[4..7] multiplied). */
  readonly volumes: number;
  readonly bytesPerVoxel: number;
  /** Offset of the voxel data (vox_offset). */
  readonly dataOffset: number;
  /** Bytes of the first 3-D volume (nx*ny*nz*bytesPerVoxel). */
  readonly dataBytes: number;
  /** dataOffset + dataBytes: what a reader needs of the (inflated) file. */
  readonly totalBytes: number;
}

/**
 * The declared layout from the first bytes of an uncompressed NIfTI file (at least 348 bytes for
 * NIfTI-1, 540 for NIfTI-2). Throws NiftiError when the header is not NIfTI, is invalid, or declares
 * more than `maxDataBytes` of voxel data.
 */
export function niftiLayout(head: Uint8Array, name?: string, maxDataBytes = MAX_NIFTI_DATA_BYTES): NiftiLayout {
  return layoutOf(parseHeader(head, name).h, name, maxDataBytes);
}

function parseHeader(bytes: Uint8Array, name?: string): { h: RawHeader; le: boolean } {
  if (bytes.length < 348) throw new NiftiError(name, 'not a NIfTI file');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const s1le = dv.getInt32(0, true);
  const s1be = dv.getInt32(0, false);
  if (s1le === 348 || s1be === 348) return { h: parseNifti1(bytes, dv, s1le === 348, name), le: s1le === 348 };
  if (s1le === 540 || s1be === 540) return { h: parseNifti2(bytes, dv, s1le === 540, name), le: s1le === 540 };
  throw new NiftiError(name, 'not a NIfTI file');
}

function mib(n: number): string {
  return `${(n / (1024 * 1024)).toFixed(n < 10 * 1024 * 1024 ? 1 : 0)} MiB`;
}

function layoutOf(h: RawHeader, name: string | undefined, maxDataBytes: number): NiftiLayout {
  const nd = h.dim[0]!;
  if (!(nd >= 1 && nd <= 7)) throw new NiftiError(name, `invalid dim[0] = ${nd} (the number of dimensions must be 1 to 7)`);
  const size = (n: number) => (n <= nd ? h.dim[n]! : 1);
  const nx = size(1);
  const ny = size(2);
  const nz = size(3);
  if (!(nx >= 1 && ny >= 1 && nz >= 1)) throw new NiftiError(name, `invalid dimensions ${nx}x${ny}x${nz}`);
  let volumes = 1;
  for (let n = 4; n <= nd; n++) volumes *= Math.max(1, h.dim[n]!);
  const bpv = BYTES_PER_TYPE[h.datatype];
  if (bpv === undefined) throw new NiftiError(name, `unsupported NIfTI datatype ${h.datatype}`);
  const headerSize = h.version === 1 ? 348 : 540;
  const dataOffset = Math.floor(h.voxOffset);
  if (!(dataOffset >= headerSize) || !Number.isSafeInteger(dataOffset)) throw new NiftiError(name, `invalid vox_offset ${h.voxOffset}`);
  const dataBytes = nx * ny * nz * bpv;
  if (!(dataBytes <= maxDataBytes)) {
    throw new NiftiLimitError(name, `image of ${nx}x${ny}x${nz} voxels (${mib(dataBytes)}) is larger than the limit of ${mib(maxDataBytes)} per mask file`);
  }
  return { nx, ny, nz, volumes, bytesPerVoxel: bpv, dataOffset, dataBytes, totalBytes: dataOffset + dataBytes };
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

function parseNifti1(bytes: Uint8Array, dv: DataView, le: boolean, name?: string): RawHeader {
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
  return h;
}

function parseNifti2(bytes: Uint8Array, dv: DataView, le: boolean, name?: string): RawHeader {
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
  return h;
}

function headerOf(h: RawHeader, layout: NiftiLayout): NiftiHeader {
  const notes: string[] = [];
  if (layout.volumes > 1) notes.push(`${layout.volumes} volumes in the file (dim[4..7]); only the first 3-D volume is used`);
  const { affine, source, notes: affineNotes } = chooseAffine(h, layout);
  if (source === 'pixdim') notes.push('no sform or qform: voxel->RAS affine from pixdim scaling only (no orientation, origin 0)');
  const bad = invalidPixdim(h.pixdim);
  if (bad && source === 'sform') notes.push(`${bad}; ignored (the sform gives the geometry)`);
  notes.push(...affineNotes);
  return {
    version: h.version,
    dim: h.dim,
    nx: layout.nx,
    ny: layout.ny,
    nz: layout.nz,
    pixdim: h.pixdim,
    datatype: h.datatype,
    bitpix: h.bitpix,
    sclSlope: h.sclSlope,
    sclInter: h.sclInter,
    qformCode: h.qformCode,
    sformCode: h.sformCode,
    affine,
    affineSource: source,
    notes,
    layout,
  };
}

function finish(bytes: Uint8Array, header: NiftiHeader, le: boolean, name: string | undefined, adopt: boolean): NiftiImage {
  const { layout, ...rest } = header;
  const { nx, ny, nz, dataOffset, dataBytes } = layout;
  if (dataOffset + dataBytes > bytes.length) {
    throw new NiftiError(name, `data shorter than header declares (${Math.max(0, bytes.length - dataOffset)} of ${dataBytes} bytes)`);
  }
  const data = decodeData(bytes.subarray(dataOffset, dataOffset + dataBytes), header.datatype, nx * ny * nz, le, adopt);
  return { ...rest, data };
}

function decodeData(src: Uint8Array, datatype: number, count: number, le: boolean, adopt: boolean): NiftiData {
  const bpv = BYTES_PER_TYPE[datatype]!;
  if (adopt && (le || bpv === 1) && src.byteOffset % bpv === 0 && datatype !== 1024 && datatype !== 1280) {
    // A view on bytes nobody else uses (the inflated file): no copy.
    return view(src, datatype, count);
  }
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
  return view(buf, datatype, count);
}

function view(buf: Uint8Array, datatype: number, count: number): NiftiData {
  const ab = buf.buffer;
  const o = buf.byteOffset;
  switch (datatype) {
    case 2:
      return buf;
    case 4:
      return new Int16Array(ab, o, count);
    case 8:
      return new Int32Array(ab, o, count);
    case 16:
      return new Float32Array(ab, o, count);
    case 64:
      return new Float64Array(ab, o, count);
    case 256:
      return new Int8Array(ab, o, count);
    case 512:
      return new Uint16Array(ab, o, count);
    case 768:
      return new Uint32Array(ab, o, count);
    case 1024:
      return Float64Array.from(new BigInt64Array(ab, o, count), (v) => Number(v));
    case 1280:
      return Float64Array.from(new BigUint64Array(ab, o, count), (v) => Number(v));
    default:
      throw new Error(`unreachable datatype ${datatype}`);
  }
}

/** NIfTI xform codes (sform_code, qform_code) and what their space is. */
const XFORM_NAMES: Record<number, string> = { 1: 'scanner', 2: 'aligned', 3: 'Talairach template space', 4: 'MNI 152 template space', 5: 'template space' };

/** sform_code / qform_code 3, 4, 5: coordinates in a template (an atlas), not in the scan's own space. */
export function isTemplateCode(code: number): boolean {
  return code === 3 || code === 4 || code === 5;
}

function xformName(code: number): string {
  return XFORM_NAMES[code] ?? `code ${code}`;
}

/**
 * The voxel->RAS affine, as the NIfTI standard (and nibabel) choose it: the sform when sform_code > 0,
 * else the qform, else pixdim scaling. One exception: an sform in a template space (sform_code 3, 4, 5:
 * Talairach, MNI 152, other template) with a qform in the scanner's space (qform_code 1 or 2) gives the
 * qform, since a mask is placed on this scan's CT, not on an atlas. Notes say when the sform is a
 * template's and when sform and qform disagree (an axis flipped, or the grid placed elsewhere).
 */
function chooseAffine(h: RawHeader, layout: NiftiLayout): { affine: Affine4x4; source: 'sform' | 'qform' | 'pixdim'; notes: string[] } {
  const px = (n: number) => {
    const v = Math.abs(h.pixdim[n]!);
    return v > 0 && Number.isFinite(v) ? v : 1;
  };
  const sform: Affine4x4 | undefined = h.sformCode > 0 ? [...h.srow, 0, 0, 0, 1] : undefined;
  const qform: Affine4x4 | undefined = h.qformCode > 0 ? quaternToAffine(h.quatern, h.qoffset, [px(1), px(2), px(3)], h.pixdim[0]!) : undefined;
  const notes: string[] = [];
  const sName = `sform (sform_code ${h.sformCode}, ${xformName(h.sformCode)})`;
  const qName = `qform (qform_code ${h.qformCode}, ${xformName(h.qformCode)})`;
  if (sform && qform) {
    const qformFirst = isTemplateCode(h.sformCode) && !isTemplateCode(h.qformCode);
    const [used, usedName, other] = qformFirst ? [qform, qName, sform] : [sform, sName, qform];
    const why = qformFirst ? `the ${qName} is used: the sform places the mask in a template, not in this scan` : `the ${sName} is used, as the NIfTI standard says`;
    // A qform with invalid voxel sizes is named elsewhere (untrustedGeometry, or ignored beside the sform).
    const differ = invalidPixdim(h.pixdim) ? undefined : xformDisagreement(used, other, layout);
    if (differ) notes.push(`sform and qform disagree (${differ}): ${why}`);
    else if (qformFirst) notes.push(`sform_code ${h.sformCode} (${xformName(h.sformCode)}): ${why}`);
    return { affine: used, source: qformFirst ? 'qform' : 'sform', notes };
  }
  if (sform) {
    if (isTemplateCode(h.sformCode)) notes.push(`sform_code ${h.sformCode} (${xformName(h.sformCode)}) and no qform: the sform is used as this scan's coordinates; check that the mask lies on the anatomy`);
    return { affine: sform, source: 'sform', notes };
  }
  if (qform) {
    if (isTemplateCode(h.qformCode)) notes.push(`qform_code ${h.qformCode} (${xformName(h.qformCode)}) and no sform: the qform is used as this scan's coordinates; check that the mask lies on the anatomy`);
    return { affine: qform, source: 'qform', notes };
  }
  return { affine: [px(1), 0, 0, 0, 0, px(2), 0, 0, 0, 0, px(3), 0, 0, 0, 0, 1], source: 'pixdim', notes };
}

const AXIS_NAMES: readonly string[] = ['left-right', 'front-back', 'head-foot'];

/**
 * How two voxel->RAS affines of one grid differ, or undefined when they agree: which patient axes the
 * second runs the other way along (the voxel axis the first maps most onto each RAS axis), and how far
 * apart they place the grid's corners, when more than half the smallest voxel (at most 1 mm).
 */
function xformDisagreement(a: Affine4x4, b: Affine4x4, layout: NiftiLayout): string | undefined {
  const flipped: string[] = [];
  for (let r = 0; r < 3; r++) {
    let c = 0;
    for (let n = 1; n < 3; n++) if (Math.abs(a[4 * r + n]!) > Math.abs(a[4 * r + c]!)) c = n;
    const x = a[4 * r + c]!;
    const y = b[4 * r + c]!;
    if (x !== 0 && Math.sign(x) !== Math.sign(y) && Math.abs(y) > 0.5 * Math.abs(x)) flipped.push(AXIS_NAMES[r]!);
  }
  let far = 0;
  const n = [layout.nx - 1, layout.ny - 1, layout.nz - 1];
  for (let corner = 0; corner < 8; corner++) {
    const v = [corner & 1 ? n[0]! : 0, corner & 2 ? n[1]! : 0, corner & 4 ? n[2]! : 0];
    let d2 = 0;
    for (let r = 0; r < 3; r++) {
      const pa = a[4 * r]! * v[0]! + a[4 * r + 1]! * v[1]! + a[4 * r + 2]! * v[2]! + a[4 * r + 3]!;
      const pb = b[4 * r]! * v[0]! + b[4 * r + 1]! * v[1]! + b[4 * r + 2]! * v[2]! + b[4 * r + 3]!;
      d2 += (pa - pb) ** 2;
    }
    far = Math.max(far, Math.sqrt(d2));
  }
  let smallest = Infinity;
  for (let c = 0; c < 3; c++) smallest = Math.min(smallest, Math.hypot(a[c]!, a[4 + c]!, a[8 + c]!));
  const tolerance = Math.min(1, smallest / 2);
  if (!Number.isFinite(far)) return 'the other has a value that is not a finite number';
  if (flipped.length === 0 && !(far > tolerance)) return undefined;
  const apart = `${far.toFixed(1)} mm apart at the grid's corners`;
  return flipped.length ? `${flipped.join(', ')} flipped, ${apart}` : apart;
}

/** Voxel sizes (mm) a mask's geometry may have; outside this range it is not a real image's. */
export const VOXEL_SIZE_RANGE_MM: readonly [number, number] = [1e-3, 1000];

function validSize(v: number): boolean {
  return Number.isFinite(v) && v >= VOXEL_SIZE_RANGE_MM[0] && v <= VOXEL_SIZE_RANGE_MM[1];
}

/** 'pixdim[2] = NaN is not a valid voxel size' for the first of pixdim[1..3] that is not, else undefined. */
function invalidPixdim(pixdim: readonly number[]): string | undefined {
  for (let n = 1; n <= 3; n++) {
    const v = pixdim[n]!;
    if (!validSize(v)) return `pixdim[${n}] = ${v} is not a valid voxel size (${VOXEL_SIZE_RANGE_MM[0]} to ${VOXEL_SIZE_RANGE_MM[1]} mm)`;
  }
  return undefined;
}

/**
 * Why a mask's geometry cannot be trusted to place it on a CT, or undefined when it can: no sform or
 * qform (the position in the patient is unknown: only pixdim scaling from an arbitrary origin), a qform
 * whose voxel sizes pixdim[1..3] are not valid sizes (NaN, 0, negative, absurd), or an affine that is
 * not finite or whose voxel sizes (column lengths) are not valid. TotalSegmentator always writes an
 * sform, so a mask without one is not its output.
 */
export function untrustedGeometry(img: Pick<NiftiImage, 'affineSource' | 'pixdim' | 'affine'>): string | undefined {
  if (img.affineSource === 'pixdim') {
    return 'no sform or qform (sform_code and qform_code are 0): the position of the mask in the patient is unknown';
  }
  if (img.affineSource === 'qform') {
    const bad = invalidPixdim(img.pixdim);
    if (bad) return `${bad}, and the qform needs it`;
  }
  const a = img.affine;
  for (let n = 0; n < 12; n++) if (!Number.isFinite(a[n]!)) return `the ${img.affineSource} has a value that is not a finite number`;
  for (let c = 0; c < 3; c++) {
    const len = Math.hypot(a[c]!, a[4 + c]!, a[8 + c]!);
    if (!validSize(len)) return `the ${img.affineSource} gives voxel size ${len} mm along axis ${c + 1} (valid: ${VOXEL_SIZE_RANGE_MM[0]} to ${VOXEL_SIZE_RANGE_MM[1]} mm)`;
  }
  return undefined;
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
