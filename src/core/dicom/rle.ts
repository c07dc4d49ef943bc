import { DicomFileError } from './errors';
import type { RawPixels } from './assembleVolume';

/**
 * Decodes one DICOM RLE Lossless frame (PS3.5 Annex G) of single-sample pixels. Segment s holds byte s
 * of each pixel, most significant first. Bounds-checked: corrupt input gives DicomFileError, never an
 * out-of-range write.
 */
export function decodeRleFrame(src: Uint8Array, rows: number, columns: number, bitsAllocated: number, signed: boolean): RawPixels {
  const n = rows * columns;
  const bytesPerPixel = bitsAllocated / 8;
  if (src.length < 64) throw new DicomFileError('RLE frame shorter than its 64-byte header');
  const dv = new DataView(src.buffer, src.byteOffset, src.byteLength);
  const segments = dv.getUint32(0, true);
  if (segments !== bytesPerPixel) {
    throw new DicomFileError(`RLE frame has ${segments} segments, expected ${bytesPerPixel} for ${bitsAllocated}-bit pixels`);
  }
  const out = new Uint8Array(n * bytesPerPixel);
  for (let s = 0; s < segments; s++) {
    let i = dv.getUint32(4 + 4 * s, true);
    const end = s + 1 < segments ? dv.getUint32(8 + 4 * s, true) : src.length;
    if (i < 64 || end > src.length || end < i) throw new DicomFileError('RLE segment offsets out of range');
    // Little-endian output: byte s (from the most significant) goes to position bytesPerPixel-1-s.
    const lane = bytesPerPixel - 1 - s;
    let p = 0;
    while (i < end && p < n) {
      const c = src[i++]!;
      if (c < 128) {
        const count = Math.min(c + 1, n - p, end - i);
        for (let k = 0; k < count; k++) out[(p + k) * bytesPerPixel + lane] = src[i + k]!;
        i += c + 1;
        p += count;
      } else if (c > 128) {
        if (i >= end) break;
        const v = src[i++]!;
        const count = Math.min(257 - c, n - p);
        for (let k = 0; k < count; k++) out[(p + k) * bytesPerPixel + lane] = v;
        p += count;
      }
    }
    if (p < n) throw new DicomFileError(`RLE segment ${s + 1} decodes to ${p} of ${n} pixels`);
  }
  if (bytesPerPixel === 1) return signed ? new Int8Array(out.buffer) : out;
  if (bytesPerPixel === 2) return signed ? new Int16Array(out.buffer) : new Uint16Array(out.buffer);
  return signed ? new Int32Array(out.buffer) : new Uint32Array(out.buffer);
}
