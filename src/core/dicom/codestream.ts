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

/** JPEG 2000: the offset of SOC directly followed by SIZ (a raw codestream, or inside a JP2 file's first 64 KiB). */
function j2kSocOffset(b: Uint8Array): number | null {
  const limit = Math.min(b.length - 44, 65536);
  for (let o = 0; o <= limit; o++) {
    if (b[o] === 0xff && b[o + 1] === 0x4f && b[o + 2] === 0xff && b[o + 3] === 0x51) return o;
  }
  return null;
}

/** JPEG 2000: the offset of the SIZ segment's Lsiz. */
function j2kSizOffset(b: Uint8Array): number | null {
  const o = j2kSocOffset(b);
  return o === null ? null : o + 4;
}

/** JPEG 2000: the SIZ marker segment after SOC. */
function j2kSize(b: Uint8Array): DeclaredSize | null {
  const s = j2kSizOffset(b);
  if (s === null) return null;
  const width = u32(b, s + 4) - u32(b, s + 12);
  const height = u32(b, s + 8) - u32(b, s + 16);
  return { width, height, components: u16(b, s + 36) };
}

/** JPEG (lossless, baseline) and JPEG-LS: the offset of the first SOF marker. */
function jpegSofOffset(b: Uint8Array): number | null {
  let o = 2;
  while (o + 9 < b.length) {
    if (b[o] !== 0xff) return null;
    const m = b[o + 1]!;
    if (m === 0xff) {
      o++;
      continue;
    }
    const isSof = (m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc) || m === 0xf7;
    if (isSof) return o;
    if (m === 0xd8 || (m >= 0xd0 && m <= 0xd7) || m === 0x01) {
      o += 2;
      continue;
    }
    o += 2 + u16(b, o + 2);
  }
  return null;
}

/** JPEG (lossless, baseline) and JPEG-LS: the first SOF marker segment. */
function jpegSize(b: Uint8Array): DeclaredSize | null {
  const o = jpegSofOffset(b);
  return o === null ? null : { height: u16(b, o + 5), width: u16(b, o + 7), components: b[o + 9] ?? 0 };
}

/** The size a JPEG 2000, JPEG or JPEG-LS frame declares, or null when not recognised (the decoder decides). */
export function declaredFrameSize(bytes: Uint8Array): DeclaredSize | null {
  if (bytes.length < 4) return null;
  if (bytes[0] === 0xff && bytes[1] === 0xd8) return jpegSize(bytes);
  return j2kSize(bytes);
}

/**
 * Sample precision and sign a codestream declares for its (first) component: JPEG 2000 SIZ Ssiz (bit 7
 * the sign, the rest precision - 1); JPEG and JPEG-LS SOF P (no sign in either: `signed` is null).
 */
export interface DeclaredSamples {
  readonly precision: number;
  readonly signed: boolean | null;
}

/** The sample precision and sign a JPEG 2000, JPEG or JPEG-LS frame declares, or null when not recognised. */
export function declaredSamples(bytes: Uint8Array): DeclaredSamples | null {
  if (bytes.length < 4) return null;
  if (bytes[0] === 0xff && bytes[1] === 0xd8) {
    const o = jpegSofOffset(bytes);
    return o === null ? null : { precision: bytes[o + 4] ?? 0, signed: null };
  }
  const s = j2kSizOffset(bytes);
  if (s === null) return null;
  const ssiz = bytes[s + 38] ?? 0;
  return { precision: (ssiz & 0x7f) + 1, signed: (ssiz & 0x80) !== 0 };
}

/** Where a frame's codestream ends: its end marker reached, or why it is not (cut short, damaged). */
export type CodestreamEnd = { readonly ok: true; readonly eoi: number } | { readonly ok: false; readonly reason: string };

/**
 * Walks the markers of a JPEG / JPEG-LS codestream (segments by their lengths, scan data byte by byte
 * to its next marker) or of a JPEG 2000 codestream (main header segments, then tile-parts by their SOT
 * Psot lengths) and says whether it reaches its end marker (EOI / EOC) inside the bytes given: where
 * not, the codestream is cut short or damaged, and a decoder that fills the rest of the image with
 * whatever it reads past the end gives garbage without an error (jpeg-lossless-decoder-js does; OpenJPEG
 * decodes a truncated codestream as far as it goes, by design). Our own walk, because the decoders do
 * not say how far they read. `eoi` is the end marker's offset. Null when the codestream is not
 * recognised (the decoder decides).
 */
export function codestreamEnd(bytes: Uint8Array): CodestreamEnd | null {
  if (bytes.length < 4) return null;
  if (bytes[0] === 0xff && bytes[1] === 0xd8) return jpegEnd(bytes);
  // A raw codestream (SOC + SIZ first) is walked however short; else SOC + SIZ found in a JP2 wrapper.
  const raw = bytes[0] === 0xff && bytes[1] === 0x4f && bytes[2] === 0xff && bytes[3] === 0x51;
  const soc = raw ? 0 : j2kSocOffset(bytes);
  return soc === null ? null : j2kEnd(bytes, soc);
}

function cut(what: string): CodestreamEnd {
  return { ok: false, reason: what };
}

function jpegEnd(b: Uint8Array): CodestreamEnd {
  const n = b.length;
  let jpegLs = false;
  let o = 2;
  for (;;) {
    if (o >= n) return cut(`ends at byte ${n} without its end marker (EOI): the codestream is cut short`);
    if (b[o] !== 0xff) return cut(`has no marker at byte ${o} where one should be: the codestream is damaged`);
    while (o + 1 < n && b[o + 1] === 0xff) o++; // fill bytes
    if (o + 1 >= n) return cut(`ends at byte ${n} without its end marker (EOI): the codestream is cut short`);
    const m = b[o + 1]!;
    if (m === 0xd9) return { ok: true, eoi: o };
    if (m === 0x01 || (m >= 0xd0 && m <= 0xd7) || m === 0xd8) {
      o += 2;
      continue;
    }
    if (o + 3 >= n) return cut(`ends at byte ${n} inside a marker segment: the codestream is cut short`);
    if (m === 0xf7) jpegLs = true;
    const end = o + 2 + u16(b, o + 2);
    if (end > n) return cut(`ends at byte ${n} inside a marker segment that runs to byte ${end}: the codestream is cut short`);
    o = end;
    if (m !== 0xda) continue;
    // Scan data up to the next marker: in JPEG, 0xFF is followed by a stuffed 0x00, a restart marker
    // (RST0-7) or fill; in JPEG-LS, by a stuffed bit (a byte below 0x80), a marker being 0xFF + >= 0x80.
    for (;;) {
      const ff = b.indexOf(0xff, o);
      if (ff < 0 || ff + 1 >= n) return cut(`ends at byte ${n} inside its image data, without its end marker (EOI): the codestream is cut short`);
      const next = b[ff + 1]!;
      const marker = jpegLs ? next >= 0x80 : next !== 0x00;
      if (marker && !(next >= 0xd0 && next <= 0xd7) && next !== 0xff) {
        o = ff;
        break;
      }
      o = ff + (next === 0xff ? 1 : 2);
    }
  }
}

function j2kEnd(b: Uint8Array, soc: number): CodestreamEnd {
  const n = b.length;
  let o = soc + 2;
  let part = 0;
  for (;;) {
    if (o + 2 > n) return cut(`ends at byte ${n} without its end marker (EOC): the codestream is cut short`);
    const m = u16(b, o);
    if (m === 0xffd9) return { ok: true, eoi: o };
    if (m >>> 8 !== 0xff) return cut(`has no marker at byte ${o} where one should be: the codestream is damaged`);
    if (o + 4 > n) return cut(`ends at byte ${n} inside a marker segment: the codestream is cut short`);
    if (m === 0xff90) {
      // SOT: Lsot, Isot, Psot (bytes from this SOT to the end of its tile-part; 0: up to EOC), TPsot, TNsot.
      part++;
      if (o + 10 > n) return cut(`ends at byte ${n} inside tile-part ${part}'s header: the codestream is cut short`);
      const psot = u32(b, o + 6);
      if (psot === 0) {
        // The last tile-part runs to the EOC marker: the codestream's last two bytes (before padding).
        let e = n;
        while (e > o && b[e - 1] === 0) e--;
        if (e >= o + 2 && b[e - 2] === 0xff && b[e - 1] === 0xd9) return { ok: true, eoi: e - 2 };
        return cut(`ends at byte ${n} without its end marker (EOC): the codestream is cut short`);
      }
      if (o + psot > n) {
        return cut(`tile-part ${part} says ${psot} bytes from byte ${o}, but the codestream ends at byte ${n}: it is cut short`);
      }
      o += psot;
      continue;
    }
    const end = o + 2 + u16(b, o + 2);
    if (end > n) return cut(`ends at byte ${n} inside a marker segment that runs to byte ${end}: the codestream is cut short`);
    o = end;
  }
}

/** The header fields the codestream's samples are compared with. */
export interface StoredFormat {
  readonly bitsStored: number;
  /** 0 unsigned, 1 signed (two's complement). */
  readonly pixelRepresentation: number;
}

const signWord = (signed: boolean): string => (signed ? 'signed' : 'unsigned');

/**
 * Why a frame whose codestream declares `d` cannot be read under the header, before decoding, or null.
 * Only a JPEG 2000 codestream says whether its samples are signed; when that differs from
 * PixelRepresentation the frame is refused, not converted: either side may be the wrong one (an
 * unsigned image whose codestream was flagged signed decodes 2^(P-1) too low, a signed image under an
 * unsigned header 2^BitsStored too high below zero), the file cannot say which, and a guess is a wrong
 * number by thousands of HU on half the values.
 */
export function samplesMismatch(d: DeclaredSamples, h: StoredFormat): string | null {
  if (d.signed === null || d.signed === (h.pixelRepresentation === 1)) return null;
  return (
    `codestream says ${signWord(d.signed)} ${d.precision}-bit samples, the header ${signWord(h.pixelRepresentation === 1)} ` +
    `(PixelRepresentation ${h.pixelRepresentation}, BitsStored ${h.bitsStored}): which one is right cannot be told, so the frame is not read`
  );
}

/**
 * When the codestream's precision P is above BitsStored, a decoded value may not fit the header's
 * stored range, and the volume would keep only its low BitsStored bits (a wrong number). Returns the
 * first decoded value that the header cannot hold, or null when every value means the same under the
 * codestream and the header (then nothing is converted: the values are read as they are). A decoder
 * without sign (JPEG, JPEG-LS) gives a signed header's values as P-bit two's complement patterns: they
 * are read as such (a value sign-extended to P bits, as a 16-bit container holds it, is in range).
 */
export function storedValueOutside(values: ArrayLike<number>, precision: number, h: StoredFormat, signedArray: boolean): number | null {
  const bs = h.bitsStored;
  if (precision <= bs) return null;
  const signed = h.pixelRepresentation === 1;
  const lo = signed ? -(2 ** (bs - 1)) : 0;
  const hi = signed ? 2 ** (bs - 1) - 1 : 2 ** bs - 1;
  const n = values.length;
  if (signed && !signedArray) {
    const half = 2 ** (precision - 1);
    const full = 2 ** precision;
    for (let p = 0; p < n; p++) {
      const v = values[p]!;
      const s = v >= half ? v - full : v;
      if (s < lo || s > hi) return s;
    }
    return null;
  }
  for (let p = 0; p < n; p++) {
    const v = values[p]!;
    if (v < lo || v > hi) return v;
  }
  return null;
}

/** The header's stored range in words: "0..4095 (unsigned, BitsStored 12)". */
export function storedRangeText(h: StoredFormat): string {
  const bs = h.bitsStored;
  const [lo, hi] = h.pixelRepresentation === 1 ? [-(2 ** (bs - 1)), 2 ** (bs - 1) - 1] : [0, 2 ** bs - 1];
  return `${lo}..${hi} (${signWord(h.pixelRepresentation === 1)}, BitsStored ${bs})`;
}
