/**
 * The image size a compressed frame declares in its own codestream header (JPEG 2000 SIZ, JPEG / JPEG-LS
 * SOF), read before decoding so that a frame declaring another size than the DICOM header (a small file
 * claiming 8192 x 8192) is refused without being decoded.
 */

/** Width, height and components a codestream declares, or null when its header is not recognised. */
export interface DeclaredSize {
  readonly width: number;
  readonly height: number;
  readonly components: number;
}

function u16(b: Uint8Array, o: number): number {
  return ((b[o] ?? 0) << 8) | (b[o + 1] ?? 0);
}
function u32(b: Uint8Array, o: number): number {
  return (((b[o] ?? 0) << 24) >>> 0) + (((b[o + 1] ?? 0) << 16) | ((b[o + 2] ?? 0) << 8) | (b[o + 3] ?? 0));
}

/** JPEG 2000: the SIZ marker segment after SOC (a raw codestream, or inside a JP2 file's first 64 KiB). */
function j2kSize(b: Uint8Array): DeclaredSize | null {
  const limit = Math.min(b.length - 44, 65536);
  for (let o = 0; o <= limit; o++) {
    if (b[o] === 0xff && b[o + 1] === 0x4f && b[o + 2] === 0xff && b[o + 3] === 0x51) {
      const s = o + 4; // Lsiz
      const width = u32(b, s + 4) - u32(b, s + 12);
      const height = u32(b, s + 8) - u32(b, s + 16);
      return { width, height, components: u16(b, s + 36) };
    }
  }
  return null;
}

/** JPEG (lossless, baseline) and JPEG-LS: the first SOF marker segment. */
function jpegSize(b: Uint8Array): DeclaredSize | null {
  let o = 2;
  while (o + 9 < b.length) {
    if (b[o] !== 0xff) return null;
    const m = b[o + 1]!;
    if (m === 0xff) {
      o++;
      continue;
    }
    const isSof = (m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc) || m === 0xf7;
    if (isSof) return { height: u16(b, o + 5), width: u16(b, o + 7), components: b[o + 9] ?? 0 };
    if (m === 0xd8 || (m >= 0xd0 && m <= 0xd7) || m === 0x01) {
      o += 2;
      continue;
    }
    o += 2 + u16(b, o + 2);
  }
  return null;
}

/** The size a JPEG 2000, JPEG or JPEG-LS frame declares, or null when not recognised (the decoder decides). */
export function declaredFrameSize(bytes: Uint8Array): DeclaredSize | null {
  if (bytes.length < 4) return null;
  if (bytes[0] === 0xff && bytes[1] === 0xd8) return jpegSize(bytes);
  return j2kSize(bytes);
}
