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

/** PackBits-encodes one byte plane (one RLE segment). */
function packBits(plane: Uint8Array): number[] {
  const out: number[] = [];
  let i = 0;
  const n = plane.length;
  while (i < n) {
    let run = 1;
    while (i + run < n && run < 128 && plane[i + run] === plane[i]) run++;
    if (run >= 2) {
      out.push(257 - run, plane[i]!);
      i += run;
      continue;
    }
    let lit = 1;
    while (i + lit < n && lit < 128 && !(i + lit + 1 < n && plane[i + lit] === plane[i + lit + 1])) lit++;
    out.push(lit - 1);
    for (let k = 0; k < lit; k++) out.push(plane[i + k]!);
    i += lit;
  }
  if (out.length % 2 === 1) out.push(128); // pad segment to even length with a no-op
  return out;
}

/**
 * Encodes one frame as DICOM RLE Lossless (for test phantoms). `littleEndianBytes` are the frame's
 * pixels as stored natively (little endian), `bytesPerPixel` 1, 2 or 4.
 */
export function encodeRleFrame(littleEndianBytes: Uint8Array, bytesPerPixel: number): Uint8Array {
  const n = littleEndianBytes.length / bytesPerPixel;
  const segments: number[][] = [];
  for (let s = 0; s < bytesPerPixel; s++) {
    const lane = bytesPerPixel - 1 - s;
    const plane = new Uint8Array(n);
    for (let p = 0; p < n; p++) plane[p] = littleEndianBytes[p * bytesPerPixel + lane]!;
    segments.push(packBits(plane));
  }
  const total = 64 + segments.reduce((a, s) => a + s.length, 0);
  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, bytesPerPixel, true);
  let offset = 64;
  segments.forEach((seg, s) => {
    dv.setUint32(4 + 4 * s, offset, true);
    out.set(seg, offset);
    offset += seg.length;
  });
  return out;
}
