import { DicomFileError } from './errors';
import { tagText } from './parseHeader';
import { TS } from './transferSyntax';
import type { DicomHeader } from './types';

/** Bytes of the file from a file offset on (any length > 0; fewer, or none, at the end of the file). */
export type ReadFrom = (offset: number) => Uint8Array | Promise<Uint8Array>;

/** Most encapsulated items (offset table and fragments) walked in one file. */
const MAX_FRAGMENTS = 1_000_000;
/** Most elements walked after the Pixel Data. */
const MAX_TRAILING_ELEMENTS = 10_000;
const PIXEL_DATA = 0x7fe00010;
const ITEM = 0xfffee000;
const SEQUENCE_DELIMITER = 0xfffee0dd;
const LONG_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'UC', 'UN', 'UR', 'UT', 'SV', 'UV']);

function tagOf(n: number): string {
  return `x${n.toString(16).padStart(8, '0')}`;
}

/**
 * Checks what follows the header in a file: the encapsulated fragments (each an item, then the sequence
 * delimiter) and every element after the Pixel Data. DICOM requires ascending tags, so nothing after the
 * Pixel Data may repeat it or carry a smaller tag (a second image, a RescaleIntercept appended after the
 * pixels): readers differ on such files (one takes the first value, another the last), so the file is
 * refused with a reason. Legal trailers pass: elements with larger tags in order (Digital Signatures
 * (FFFA,FFFA), Data Set Trailing Padding (FFFC,FFFC)), an undefined-length one ends the walk (a
 * sequence), and trailing zero bytes or fewer bytes than an element header are ignored.
 * Deflated files are not walked (their trailer is inside the deflate stream). Reads only element and
 * item headers, through `read` (a window from an offset). Throws DicomFileError.
 */
export async function checkAfterPixelData(h: DicomHeader, fileSize: number, read: ReadFrom): Promise<void> {
  if (h.transferSyntaxUid === TS.deflatedLE) return;
  const le = h.transferSyntaxUid !== TS.explicitBE;
  const explicit = h.transferSyntaxUid !== TS.implicitLE;
  let win: Uint8Array = new Uint8Array(0);
  let winAt = 0;
  /** The window holding bytes pos..pos+n (fewer at the end of the file). */
  const at = async (pos: number, n: number): Promise<number> => {
    if (pos < winAt || pos + n > winAt + win.length) {
      win = await read(pos);
      winAt = pos;
    }
    return Math.max(0, Math.min(n, winAt + win.length - pos));
  };
  const u16 = (pos: number): number => {
    const o = pos - winAt;
    return le ? win[o]! | (win[o + 1]! << 8) : (win[o]! << 8) | win[o + 1]!;
  };
  const u32 = (pos: number): number => (le ? (u16(pos) + u16(pos + 2) * 65536) : u16(pos) * 65536 + u16(pos + 2));
  const tagAt = (pos: number): number => (u16(pos) * 65536 + u16(pos + 2)) >>> 0;

  let pos: number;
  if (h.pixelDataLength >= 0) {
    pos = h.pixelDataOffset + h.pixelDataLength;
  } else {
    // Encapsulated: the offset table and the fragments are items; the sequence delimiter ends them.
    pos = h.pixelDataOffset;
    for (let n = 0; ; n++) {
      if (n > MAX_FRAGMENTS) throw new DicomFileError(`pixel data in more than ${MAX_FRAGMENTS} fragments`);
      const what = n === 0 ? 'the offset table of the compressed pixel data' : `compressed fragment ${n}`;
      if ((await at(pos, 8)) < 8) throw new DicomFileError(`truncated pixel data (the file ends inside the compressed fragments, before ${what})`);
      const tag = tagAt(pos);
      const length = u32(pos + 4);
      if (tag === SEQUENCE_DELIMITER) {
        if (n === 0) throw new DicomFileError('damaged pixel data (the compressed pixel data has no offset table item)');
        pos += 8;
        break;
      }
      if (tag !== ITEM) {
        throw new DicomFileError(`damaged pixel data (${what} does not start with an item tag: found ${tagText(tagOf(tag))})`);
      }
      if (length === 0xffffffff) throw new DicomFileError(`damaged pixel data (${what} has an undefined length)`);
      pos += 8 + length;
      if (pos > fileSize) throw new DicomFileError(`truncated pixel data (${what} runs past the end of the file)`);
    }
  }

  let prev = PIXEL_DATA;
  for (let n = 0; pos < fileSize; n++) {
    if (n >= MAX_TRAILING_ELEMENTS) throw new DicomFileError(`more than ${MAX_TRAILING_ELEMENTS} elements after the pixel data`);
    const got = await at(pos, 12);
    if (got < 8) return; // a stray byte or two: no element
    const tag = tagAt(pos);
    if (tag === 0) {
      // Zero bytes to the end (padding some writers add) are not elements; anything else after them is.
      for (let p = pos; p < fileSize; ) {
        const len = await at(p, 65536);
        if (len === 0) break;
        for (let i = 0; i < len; i++) {
          if (win[p - winAt + i] !== 0) throw new DicomFileError('bytes after the pixel data are not DICOM elements');
        }
        p += len;
      }
      return;
    }
    if (tag === PIXEL_DATA) {
      throw new DicomFileError('two Pixel Data elements (DICOM allows one; readers differ on which image the file holds)');
    }
    if (tag <= prev) {
      throw new DicomFileError(
        `element ${tagText(tagOf(tag))} after ${prev === PIXEL_DATA ? 'the Pixel Data' : tagText(tagOf(prev))} (out of tag order, which DICOM forbids; readers differ on its value)`,
      );
    }
    let header = 8;
    let length: number;
    const vr = String.fromCharCode(win[pos - winAt + 4]!, win[pos - winAt + 5]!);
    if (explicit && (tag >>> 16) !== 0xfffe) {
      if (LONG_VRS.has(vr)) {
        if (got < 12) throw new DicomFileError(`truncated (element ${tagText(tagOf(tag))} after the pixel data is cut short)`);
        length = u32(pos + 8);
        header = 12;
      } else {
        length = u16(pos + 6);
      }
    } else {
      length = u32(pos + 4);
    }
    if (length === 0xffffffff) return; // a sequence of undefined length (digital signatures): not walked
    prev = tag;
    pos += header + length;
    if (pos > fileSize) throw new DicomFileError(`truncated (element ${tagText(tagOf(tag))} after the pixel data runs past the end of the file)`);
  }
}
