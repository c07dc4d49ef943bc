import type { HuVolume } from '../volume';
import type { SeriesLayout } from './groupSeries';
import { DicomFileError } from './errors';
import { TS } from './transferSyntax';
import type { DicomHeader } from './types';

/** Pixel values of one frame as a codec or the file gives them (stored values, before rescale). */
export type RawPixels = Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array;

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

/**
 * Writes frames of a laid-out series into one preallocated HU volume. Int16Array when every rescale is
 * an integer and the values fit (checked against the declared BitsStored range, or frame by frame when
 * that range is wider than int16: the volume is promoted to Float32Array on the first value out of range);
 * Float32Array otherwise.
 */
export class VolumeAssembler {
  private hu: Int16Array | Float32Array;
  private readonly checkRange: boolean;
  private readonly written: Uint8Array;
  readonly frameLength: number;

  constructor(readonly layout: SeriesLayout) {
    const g = layout.geometry;
    this.frameLength = g.rows * g.columns;
    const total = this.frameLength * g.slices;
    const { integer, declaredRangeFits } = fitsInt16(layout);
    this.hu = integer ? new Int16Array(total) : new Float32Array(total);
    this.checkRange = integer && !declaredRangeFits;
    this.written = new Uint8Array(g.slices);
  }

  /**
   * Writes slice k from the raw stored values of its frame. BitsStored < container bits is masked
   * (unsigned) or sign-extended (signed); signedness follows PixelRepresentation whatever the array type.
   */
  writeFrame(k: number, raw: RawPixels): void {
    const fr = this.layout.frames[k];
    if (!fr) throw new RangeError(`slice ${k} is outside 0..${this.layout.frames.length - 1}`);
    const h = fr.header;
    const n = this.frameLength;
    if (raw.length < n) {
      throw new DicomFileError(`${h.path}: frame ${fr.frameIndex + 1} has ${raw.length} pixels, expected ${h.columns}x${h.rows}`);
    }
    const { slope, intercept } = h.frameRescale[fr.frameIndex]!;
    const bits = raw.BYTES_PER_ELEMENT * 8;
    const arraySigned = raw instanceof Int8Array || raw instanceof Int16Array || raw instanceof Int32Array;
    const signed = h.pixelRepresentation === 1;
    const bs = Math.min(h.bitsStored, bits);
    const fix = bs < bits || arraySigned !== signed;
    const o = k * n;
    if (this.checkRange && this.hu instanceof Int16Array) {
      if (!this.writeChecked(o, raw, n, signed, fix, bs, slope, intercept)) this.promote();
    }
    const out = this.hu;
    if (out instanceof Float32Array || !this.checkRange) {
      if (!fix) {
        if (slope === 1) for (let p = 0; p < n; p++) out[o + p] = raw[p]! + intercept;
        else for (let p = 0; p < n; p++) out[o + p] = raw[p]! * slope + intercept;
      } else if (signed) {
        const s = 32 - bs;
        for (let p = 0; p < n; p++) out[o + p] = ((raw[p]! << s) >> s) * slope + intercept;
      } else if (bs >= 32) {
        for (let p = 0; p < n; p++) out[o + p] = (raw[p]! >>> 0) * slope + intercept;
      } else {
        const m = 2 ** bs - 1;
        for (let p = 0; p < n; p++) out[o + p] = (raw[p]! & m) * slope + intercept;
      }
    }
    this.written[k] = 1;
  }

  /** Int16 write with range check; false (nothing to trust) when a value falls outside int16. */
  private writeChecked(
    o: number,
    raw: RawPixels,
    n: number,
    signed: boolean,
    fix: boolean,
    bs: number,
    slope: number,
    intercept: number,
  ): boolean {
    const out = this.hu;
    const s = 32 - bs;
    const m = bs >= 32 ? 0xffffffff : 2 ** bs - 1;
    let lo = 0;
    let hi = 0;
    for (let p = 0; p < n; p++) {
      const r = raw[p]!;
      const v = !fix ? r : signed ? (r << s) >> s : bs >= 32 ? r >>> 0 : r & m;
      const x = v * slope + intercept;
      if (x < lo) lo = x;
      if (x > hi) hi = x;
      out[o + p] = x;
    }
    return lo >= -32768 && hi <= 32767;
  }

  private promote(): void {
    if (this.hu instanceof Float32Array) return;
    const f = new Float32Array(this.hu.length);
    f.set(this.hu);
    this.hu = f;
  }

  /** The volume; throws when a slice was never written. */
  result(): HuVolume {
    const missing = this.written.indexOf(0);
    if (missing >= 0) throw new Error(`slice ${missing} was not written`);
    return { geometry: this.layout.geometry, hu: this.hu, warnings: this.layout.warnings };
  }
}

/**
 * The stored values of one frame of uncompressed (native) pixel data. `data` holds the file bytes (or
 * the inflated data set for Deflated files) and `pixelDataOffset` is the header's offset into it.
 * Little-endian data is returned as a view when aligned (no copy); big-endian data is byte-swapped
 * into a new array.
 */
export function nativeFrame(data: Uint8Array, header: DicomHeader, frameIndex: number): RawPixels {
  const bpp = header.bitsAllocated / 8;
  const n = header.rows * header.columns * header.samplesPerPixel;
  const frameBytes = n * bpp;
  const start = header.pixelDataOffset + frameIndex * frameBytes;
  if (start < 0 || start + frameBytes > data.length) {
    throw new DicomFileError(`truncated pixel data (frame ${frameIndex + 1} needs bytes ${start}..${start + frameBytes}, file has ${data.length})`);
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
