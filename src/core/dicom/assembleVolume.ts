import type { HuVolume } from '../volume';
import type { SeriesLayout } from './groupSeries';
import { DicomFileError } from './errors';
import { CT_VALUE_HU } from './parseHeader';
import { rescaleInt16 } from './simd16';
import { TS } from './transferSyntax';
import type { DicomHeader } from './types';

/** Pixel values of one frame as a codec or the file gives them (stored values, before rescale). */
export type RawPixels = Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array;

type Mode = 0 | 1 | 2 | 3;
const PLAIN: Mode = 0;
const SIGN_EXTEND: Mode = 1;
const MASK: Mode = 2;
const UNSIGNED32: Mode = 3;

/**
 * Int16 write that also checks every value fits: (x + 32768) >>> 16 is non-zero exactly when the
 * integer x is outside -32768..32767. Returns false when some value did not fit (the frame must then
 * be rewritten into a Float32 volume).
 */
function writeInt16Checked(out: Int16Array, o: number, raw: RawPixels, n: number, mode: Mode, shift: number, mask: number, slope: number, intercept: number): boolean {
  const d = out.subarray(o, o + n);
  let bad = 0;
  // The bit trick needs |x| < 2^31: true for 8/16-bit stored values with a modest rescale.
  const small = raw.BYTES_PER_ELEMENT <= 2 && Math.abs(slope) <= 1024 && Math.abs(intercept) <= 2 ** 30;
  if (!small) {
    for (let p = 0; p < n; p++) {
      const r = raw[p]!;
      const v = mode === PLAIN ? r : mode === SIGN_EXTEND ? (r << shift) >> shift : mode === MASK ? r & mask : r >>> 0;
      const x = v * slope + intercept;
      d[p] = x;
      if (x < -32768 || x > 32767) bad = 1;
    }
  } else if (mode === PLAIN) {
    if (slope === 1 && Number.isInteger(intercept)) {
      // The usual CT rescale: an integer add (no float multiply) is markedly faster.
      for (let p = 0; p < n; p++) {
        const x = raw[p]! + intercept;
        d[p] = x;
        bad |= (x + 32768) >>> 16;
      }
    } else {
      for (let p = 0; p < n; p++) {
        const x = raw[p]! * slope + intercept;
        d[p] = x;
        bad |= (x + 32768) >>> 16;
      }
    }
  } else if (mode === SIGN_EXTEND) {
    for (let p = 0; p < n; p++) {
      const x = ((raw[p]! << shift) >> shift) * slope + intercept;
      d[p] = x;
      bad |= (x + 32768) >>> 16;
    }
  } else if (mode === MASK) {
    for (let p = 0; p < n; p++) {
      const x = (raw[p]! & mask) * slope + intercept;
      d[p] = x;
      bad |= (x + 32768) >>> 16;
    }
  } else {
    for (let p = 0; p < n; p++) {
      const x = (raw[p]! >>> 0) * slope + intercept;
      d[p] = x;
      bad |= x < -32768 || x > 32767 ? 1 : 0;
    }
  }
  return bad === 0;
}

// The two writers below are the same code for two output types, kept apart so that each loop sees one
// array type (monomorphic element access is several times faster in V8).

function writeInt16(all: Int16Array, o: number, raw: RawPixels, n: number, mode: Mode, shift: number, mask: number, slope: number, intercept: number): void {
  const out = all.subarray(o, o + n);
  if (mode === PLAIN) {
    if (slope === 1) for (let p = 0; p < n; p++) out[p] = raw[p]! + intercept;
    else for (let p = 0; p < n; p++) out[p] = raw[p]! * slope + intercept;
  } else if (mode === SIGN_EXTEND) {
    for (let p = 0; p < n; p++) out[p] = ((raw[p]! << shift) >> shift) * slope + intercept;
  } else if (mode === MASK) {
    for (let p = 0; p < n; p++) out[p] = (raw[p]! & mask) * slope + intercept;
  } else {
    for (let p = 0; p < n; p++) out[p] = (raw[p]! >>> 0) * slope + intercept;
  }
}

function writeFloat32(all: Float32Array, o: number, raw: RawPixels, n: number, mode: Mode, shift: number, mask: number, slope: number, intercept: number): void {
  const out = all.subarray(o, o + n);
  if (mode === PLAIN) {
    if (slope === 1) for (let p = 0; p < n; p++) out[p] = raw[p]! + intercept;
    else for (let p = 0; p < n; p++) out[p] = raw[p]! * slope + intercept;
  } else if (mode === SIGN_EXTEND) {
    for (let p = 0; p < n; p++) out[p] = ((raw[p]! << shift) >> shift) * slope + intercept;
  } else if (mode === MASK) {
    for (let p = 0; p < n; p++) out[p] = (raw[p]! & mask) * slope + intercept;
  } else {
    for (let p = 0; p < n; p++) out[p] = (raw[p]! >>> 0) * slope + intercept;
  }
}

/** Range of stored values a header allows: [min, max]. */
function storedRange(h: DicomHeader): [number, number] {
  const bs = h.bitsStored;
  return h.pixelRepresentation === 1 ? [-(2 ** (bs - 1)), 2 ** (bs - 1) - 1] : [0, 2 ** bs - 1];
}

/** Whether every frame of the layout can be written as exact int16 HU (integer rescale, range fits). */
export function fitsInt16(layout: SeriesLayout): { integer: boolean; declaredRangeFits: boolean } {
  let integer = true;
  let declaredRangeFits = true;
  for (const fr of layout.frames) {
    const { slope, intercept } = fr.header.frameRescale[fr.frameIndex]!;
    if (!Number.isInteger(slope) || !Number.isInteger(intercept)) integer = false;
    const [lo, hi] = storedRange(fr.header);
    const a = lo * slope + intercept;
    const b = hi * slope + intercept;
    if (Math.min(a, b) < -32768 || Math.max(a, b) > 32767) declaredRangeFits = false;
  }
  return { integer, declaredRangeFits };
}

/** Slices start..start+count-1 of a series (slice indices feet to head). */
export interface SliceRange {
  readonly start: number;
  readonly count: number;
}

/**
 * Writes frames of a laid-out series into one preallocated HU volume (or into the slices of one range
 * of it). Int16Array when every rescale of the series is an integer and the values fit (checked against
 * the declared BitsStored range, or frame by frame when that range is wider than int16: the values are
 * promoted to Float32Array on the first value out of range); Float32Array otherwise. The choice is the
 * series' (every frame's rescale), so a range comes out in the type the whole volume would have, except
 * that a range is promoted only when one of its own values does not fit.
 */
export class VolumeAssembler {
  private hu: Int16Array | Float32Array;
  private readonly checkRange: boolean;
  private readonly written: Uint8Array;
  readonly frameLength: number;
  /** The slices this assembler holds (the whole series unless a range was given). */
  readonly range: SliceRange;

  constructor(
    readonly layout: SeriesLayout,
    range?: SliceRange,
    /** Values of an earlier range to write over (same length and element type; else a new array): a reader of many ranges reuses one. */
    into?: Int16Array | Float32Array,
  ) {
    const g = layout.geometry;
    const r = range ?? { start: 0, count: g.slices };
    if (!Number.isInteger(r.start) || !Number.isInteger(r.count) || r.start < 0 || r.count < 1 || r.start + r.count > g.slices) {
      throw new RangeError(`slices ${r.start}..${r.start + r.count - 1} are outside 0..${g.slices - 1}`);
    }
    this.range = { start: r.start, count: r.count };
    this.frameLength = g.rows * g.columns;
    const total = this.frameLength * r.count;
    const { integer, declaredRangeFits } = fitsInt16(layout);
    const reusable = into && into.length === total && (integer ? into instanceof Int16Array : into instanceof Float32Array);
    this.hu = reusable ? into : integer ? new Int16Array(total) : new Float32Array(total);
    this.checkRange = integer && !declaredRangeFits;
    this.written = new Uint8Array(r.count);
  }

  /**
   * Writes slice k from the raw stored values of its frame. BitsStored < container bits is masked
   * (unsigned) or sign-extended (signed); signedness follows PixelRepresentation whatever the array type.
   * Throws DicomFileError when the slice holds no value a CT image of a body holds (see checkValues).
   */
  writeFrame(k: number, raw: RawPixels): void {
    this.write(k, raw);
    this.checkValues(k);
  }

  /**
   * Refuses slice k when not one of its HU lies within CT_VALUE_HU (air to dense bone): every real CT
   * slice holds air or tissue, so its rescale is wrong (e.g. RescaleIntercept +20000: muscle would read
   * 20,000 HU). Stops at the first value in range, which for a real slice is within its first row.
   */
  private checkValues(k: number): void {
    const n = this.frameLength;
    const at = (k - this.range.start) * n;
    const v = this.hu.subarray(at, at + n);
    const [lo, hi] = CT_VALUE_HU;
    for (let p = 0; p < n; p++) {
      const x = v[p]!;
      if (x >= lo && x <= hi) return;
    }
    let min = Infinity;
    let max = -Infinity;
    for (let p = 0; p < n; p++) {
      min = Math.min(min, v[p]!);
      max = Math.max(max, v[p]!);
    }
    const fr = this.layout.frames[k]!;
    const { slope, intercept } = fr.header.frameRescale[fr.frameIndex]!;
    const which = fr.header.numberOfFrames > 1 ? `frame ${fr.frameIndex + 1}` : 'the image';
    const values = min === max ? `${min} HU everywhere` : `HU from ${min} to ${max}`;
    throw new DicomFileError(
      `${which} holds no CT value: ${values} (RescaleSlope ${slope}, RescaleIntercept ${intercept}), none within ${lo}..${hi} HU (air to dense bone); its rescale is wrong`,
    );
  }

  private write(k: number, raw: RawPixels): void {
    const fr = this.layout.frames[k];
    if (!fr) throw new RangeError(`slice ${k} is outside 0..${this.layout.frames.length - 1}`);
    const { start, count } = this.range;
    if (k < start || k >= start + count) throw new RangeError(`slice ${k} is outside the range ${start}..${start + count - 1}`);
    const h = fr.header;
    const n = this.frameLength;
    const at = k - start; // the slice's place in this assembler's values
    if (raw.length < n) {
      throw new DicomFileError(`frame ${fr.frameIndex + 1} has ${raw.length} pixels, expected ${h.columns}x${h.rows}`); // the caller names the file
    }
    const { slope, intercept } = h.frameRescale[fr.frameIndex]!;
    const bits = raw.BYTES_PER_ELEMENT * 8;
    const arraySigned = raw instanceof Int8Array || raw instanceof Int16Array || raw instanceof Int32Array;
    const signed = h.pixelRepresentation === 1;
    const bs = Math.min(h.bitsStored, bits);
    const fix = bs < bits || arraySigned !== signed;
    const mode: Mode = !fix ? PLAIN : signed ? SIGN_EXTEND : bs >= 32 ? UNSIGNED32 : MASK;
    const shift = 32 - bs;
    const mask = bs >= 32 ? 0 : 2 ** bs - 1;
    if (
      this.hu instanceof Int16Array &&
      slope === 1 &&
      Number.isInteger(intercept) &&
      (raw instanceof Int16Array || raw instanceof Uint16Array)
    ) {
      // The usual CT case: 16-bit stored values plus an integer intercept, in WebAssembly SIMD.
      const done = rescaleInt16(this.hu, at * n, raw, n, signed, bs, intercept);
      if (done === true) {
        this.written[at] = 1;
        return;
      }
      // A value outside int16 where the declared range is wider: promote, as writeInt16Checked would.
      if (done === false && this.checkRange) this.promote();
      // Else (no kernels here, or a value out of a declared range that fits): the loops below, as ever.
    }
    if (this.checkRange && this.hu instanceof Int16Array) {
      // Declared range wider than int16: write and check in one pass; promote on the first overflow.
      if (writeInt16Checked(this.hu, at * n, raw, n, mode, shift, mask, slope, intercept)) {
        this.written[at] = 1;
        return;
      }
      this.promote();
    }
    const out = this.hu;
    if (out instanceof Int16Array) writeInt16(out, at * n, raw, n, mode, shift, mask, slope, intercept);
    else writeFloat32(out, at * n, raw, n, mode, shift, mask, slope, intercept);
    this.written[at] = 1;
  }

  private promote(): void {
    if (this.hu instanceof Float32Array) return;
    const f = new Float32Array(this.hu.length);
    f.set(this.hu);
    this.hu = f;
  }

  /** The volume; throws when a slice was never written, or when this assembler holds a range only. */
  result(): HuVolume {
    if (this.range.count !== this.layout.geometry.slices) throw new Error('result() of a range: use values()');
    return { geometry: this.layout.geometry, hu: this.values(), warnings: this.layout.warnings };
  }

  /** The HU of the range's slices, slice after slice; throws when a slice was never written. */
  values(): Int16Array | Float32Array {
    const missing = this.written.indexOf(0);
    if (missing >= 0) throw new Error(`slice ${this.range.start + missing} was not written`);
    return this.hu;
  }
}

/** Bytes of one frame of uncompressed pixel data. */
export function nativeFrameBytes(header: DicomHeader): number {
  return header.rows * header.columns * header.samplesPerPixel * (header.bitsAllocated / 8);
}

/**
 * The stored values of one frame of uncompressed (native) pixel data. `data` holds the file bytes (or
 * the inflated data set for Deflated files) from file offset `dataOffset` on (0: the whole file), and
 * `pixelDataOffset` is the header's offset into the file. Little-endian data is returned as a view when
 * aligned (no copy: valid as long as `data` is); big-endian data is byte-swapped into a new array.
 */
export function nativeFrame(data: Uint8Array, header: DicomHeader, frameIndex: number, dataOffset = 0): RawPixels {
  const bpp = header.bitsAllocated / 8;
  const n = header.rows * header.columns * header.samplesPerPixel;
  const frameBytes = n * bpp;
  const start = header.pixelDataOffset + frameIndex * frameBytes - dataOffset;
  if (start < 0 || start + frameBytes > data.length) {
    const fileStart = start + dataOffset;
    throw new DicomFileError(
      `truncated pixel data (frame ${frameIndex + 1} needs bytes ${fileStart}..${fileStart + frameBytes}, file has ${dataOffset + data.length})`,
    );
  }
  const signed = header.pixelRepresentation === 1;
  const bigEndian = header.transferSyntaxUid === TS.explicitBE;
  const abs = data.byteOffset + start;
  if (bpp === 1) return signed ? new Int8Array(data.buffer, abs, n) : new Uint8Array(data.buffer, abs, n);
  if (bpp === 2) {
    if (bigEndian) {
      const out = signed ? new Int16Array(n) : new Uint16Array(n);
      const u = new Uint16Array(out.buffer);
      for (let p = 0, q = start; p < n; p++, q += 2) u[p] = (data[q]! << 8) | data[q + 1]!;
      return out;
    }
    if (abs % 2 === 0) return signed ? new Int16Array(data.buffer, abs, n) : new Uint16Array(data.buffer, abs, n);
    const copy = Uint8Array.prototype.slice.call(data, start, start + frameBytes);
    return signed ? new Int16Array(copy.buffer) : new Uint16Array(copy.buffer);
  }
  // 32-bit
  if (bigEndian) {
    const dv = new DataView(data.buffer, abs, frameBytes);
    const out = signed ? new Int32Array(n) : new Uint32Array(n);
    for (let p = 0; p < n; p++) out[p] = signed ? dv.getInt32(p * 4, false) : dv.getUint32(p * 4, false);
    return out;
  }
  if (abs % 4 === 0) return signed ? new Int32Array(data.buffer, abs, n) : new Uint32Array(data.buffer, abs, n);
  const copy = Uint8Array.prototype.slice.call(data, start, start + frameBytes);
  return signed ? new Int32Array(copy.buffer) : new Uint32Array(copy.buffer);
}
