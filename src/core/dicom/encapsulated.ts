import { dicomParser } from './dicomParserLib';
import { DicomFileError, errorMessage } from './errors';
import { parseDataSet } from './parseHeader';
import type { DicomHeader } from './types';

/** Compressed bytestreams of each frame of an encapsulated Pixel Data element. */
export interface EncapsulatedFrames {
  readonly count: number;
  /** The compressed bytes of frame i (0-based). */
  frame(i: number): Uint8Array;
}

function startsFrame(b: Uint8Array, o: number): boolean {
  const a = b[o];
  const c = b[o + 1];
  if (a === 0xff && (c === 0xd8 || c === 0x4f)) return true; // JPEG / JPEG-LS SOI, J2K SOC
  // JP2 signature box
  return a === 0 && c === 0 && b[o + 2] === 0 && b[o + 3] === 0x0c && b[o + 4] === 0x6a && b[o + 5] === 0x50;
}

/**
 * Splits the encapsulated pixel data of a whole file into frames: one fragment per frame, the Basic
 * Offset Table when present, or else frame starts found by their codestream markers.
 */
export function encapsulatedFrames(fileBytes: Uint8Array, header: DicomHeader): EncapsulatedFrames {
  let parsed;
  try {
    parsed = parseDataSet(fileBytes, fileBytes.length, false);
  } catch (e) {
    // The header parsed before (up to the pixel data), so what fails now lies in the fragments or after.
    const msg = e instanceof DicomFileError ? e.message : '';
    throw new DicomFileError(
      /^truncated/.test(msg) ? 'truncated pixel data (the file ends inside the compressed fragments)' : 'damaged pixel data (the compressed fragments cannot be read)',
    );
  }
  const ds = parsed.dataSet;
  const el = ds.elements.x7fe00010;
  const fragments = el?.fragments;
  // dicom-parser takes a fragment without its item tag, or a missing delimiter, with a warning only.
  const warnings: readonly string[] = (ds as { warnings?: string[] }).warnings ?? [];
  if (warnings.some((w) => /unexpected tag .* pixel data/.test(w))) throw new DicomFileError('damaged pixel data (a compressed fragment does not start with an item tag)');
  if (warnings.some((w) => /missing sequence delimiter/.test(w))) throw new DicomFileError('truncated pixel data (the compressed fragments have no sequence delimiter)');
  if (!el || !fragments || fragments.length === 0) throw new DicomFileError('encapsulated pixel data has no fragments');
  const frames = header.numberOfFrames;
  const read = (start: number, count: number): Uint8Array => {
    try {
      return dicomParser.readEncapsulatedPixelDataFromFragments(ds, el, start, count) as Uint8Array;
    } catch (e) {
      throw new DicomFileError(`pixel data unreadable (${errorMessage(e)})`);
    }
  };
  for (const f of fragments) {
    if (f.position + f.length > ds.byteArray.length) throw new DicomFileError('truncated pixel data (fragment runs past the end of the file)');
  }
  if (frames === 1) return { count: 1, frame: () => read(0, fragments.length) };
  if (fragments.length === frames) return { count: frames, frame: (i) => read(i, 1) };
  // Group fragments by where a frame starts (works with or without a Basic Offset Table).
  const starts: number[] = [];
  const bot = el.basicOffsetTable ?? [];
  if (bot.length === frames) {
    for (const off of bot) {
      const idx = fragments.findIndex((f) => f.offset === off);
      if (idx < 0) throw new DicomFileError('Basic Offset Table does not match the fragments');
      starts.push(idx);
    }
  } else {
    fragments.forEach((f, idx) => {
      if (startsFrame(ds.byteArray as Uint8Array, f.position)) starts.push(idx);
    });
  }
  if (starts.length !== frames || starts[0] !== 0) {
    throw new DicomFileError(`cannot split ${fragments.length} fragments into ${frames} frames`);
  }
  return {
    count: frames,
    frame: (i) => {
      const s = starts[i]!;
      const e = i + 1 < starts.length ? starts[i + 1]! : fragments.length;
      return read(s, e - s);
    },
  };
}
