import { Inflate } from 'pako';
import type { Vec3 } from '../geometry/vec3';
import { cross, dot, norm } from '../geometry/vec3';
import { dicomParser, type DataSet, type Element } from './dicomParserLib';
import { DicomFileError, errorMessage } from './errors';
import { TS, isEncapsulated, pixelEncoding, transferSyntaxName } from './transferSyntax';
import type { DicomHeader } from './types';

/** Largest Rows or Columns accepted: nothing bigger is ever allocated. */
export const MAX_DIMENSION = 8192;
/** Largest decoded pixel data accepted for one file (bytes). */
export const MAX_PIXEL_BYTES = 1024 * 1024 * 1024;
/** Largest number of frames accepted in one file. */
export const MAX_FRAMES = 20000;

const PIXEL_DATA = 'x7fe00010';

/** A parsed data set and how its byte offsets map back to the file. */
export interface ParsedDataSet {
  readonly dataSet: DataSet;
  readonly transferSyntaxUid: string;
  /** Add to an offset in dataSet.byteArray to get the file offset (not meaningful when deflated). */
  readonly offsetShift: number;
  /** True when the data set was inflated: offsets refer to dataSet.byteArray only. */
  readonly inflated: boolean;
}

const VRS = new Set(
  'AE AS AT CS DA DS DT FL FD IS LO LT OB OD OF OL OV OW PN SH SL SQ SS ST SV TM UC UI UL UN UR US UT UV'.split(' '),
);

function u16le(b: Uint8Array, o: number): number {
  return (b[o] ?? 0) | ((b[o + 1] ?? 0) << 8);
}
function u16be(b: Uint8Array, o: number): number {
  return ((b[o] ?? 0) << 8) | (b[o + 1] ?? 0);
}
function vrAt(b: Uint8Array, o: number): string {
  return String.fromCharCode(b[o] ?? 0, b[o + 1] ?? 0);
}

/** Plausible first group of a data set (meta 0002, identifying 0008, or a handful of early groups). */
function plausibleGroup(g: number): boolean {
  return g === 0x0002 || g === 0x0008 || (g >= 0x0010 && g <= 0x0028 && g % 2 === 0);
}

/** Guesses the transfer syntax of a data set starting at `o` from its first element. */
function guessTransferSyntax(b: Uint8Array, o: number, lenient = false): string | null {
  if (b.length - o < 8) return null;
  const vr = vrAt(b, o + 4);
  const explicit = VRS.has(vr);
  const ok = (g: number): boolean => plausibleGroup(g) || (lenient && g >= 1 && g < 0x7fe0);
  if (ok(u16le(b, o))) return explicit ? TS.explicitLE : TS.implicitLE;
  if (explicit && ok(u16be(b, o))) return TS.explicitBE;
  return null;
}

/** Inflates as much of a raw deflate stream as is present (a header prefix is a truncated stream). */
function inflatePartial(data: Uint8Array): Uint8Array {
  const inflator = new Inflate({ raw: true, chunkSize: 65536 });
  const chunks: Uint8Array[] = [];
  inflator.onData = (chunk: Uint8Array) => {
    chunks.push(chunk);
  };
  inflator.push(data, 2 /* Z_SYNC_FLUSH: emit everything decodable so far */);
  if (chunks.length === 0 && inflator.err) throw new DicomFileError(`deflated data set cannot be inflated (${inflator.msg})`);
  let total = 0;
  for (const c of chunks) total += c.length;
  const out = new Uint8Array(total);
  let p = 0;
  for (const c of chunks) {
    out.set(c, p);
    p += c.length;
  }
  return out;
}

function inflater(arr: Uint8Array, position: number): Uint8Array {
  const inflated = inflatePartial(arr.subarray(position));
  const full = new Uint8Array(position + inflated.length);
  full.set(arr.subarray(0, position), 0);
  full.set(inflated, position);
  return full;
}

function isEndOfBuffer(msg: string): boolean {
  return /past end|end of buffer|buffer overrun|beyond|outside the bounds|out of range|eof|offset is out|maxPosition|cannot be greater than/i.test(msg);
}

function cleanUid(s: string | undefined): string {
  return (s ?? '').replace(/[\0\s]+$/g, '').replace(/^\s+/, '');
}

/**
 * Parses a DICOM data set (up to the pixel data when `untilPixelData`), handling files with or without
 * the 128-byte preamble and file meta, Implicit/Explicit VR Little Endian, Explicit Big Endian and
 * Deflated. Throws DicomFileError (needMoreBytes when `bytes` is a prefix shorter than `fileSize`).
 */
export function parseDataSet(bytes: Uint8Array, fileSize: number, untilPixelData: boolean): ParsedDataSet {
  const isPrefix = bytes.length < fileSize;
  if (fileSize === 0 || bytes.length === 0) throw new DicomFileError('not DICOM (empty file)');
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) throw new DicomFileError('not DICOM (gzip archive)');
  if (bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && (bytes[2] === 3 || bytes[2] === 5 || bytes[2] === 7)) {
    throw new DicomFileError('not DICOM (zip archive)');
  }
  const hasPreamble =
    bytes.length >= 132 && bytes[128] === 0x44 && bytes[129] === 0x49 && bytes[130] === 0x43 && bytes[131] === 0x4d;
  const options: { untilTag?: string; inflater: typeof inflater; TransferSyntaxUID?: string } = { inflater };
  if (untilPixelData) options.untilTag = PIXEL_DATA;

  let array = bytes;
  let offsetShift = 0;
  if (hasPreamble) {
    // Find the transfer syntax in the file meta ourselves, so a missing one can be guessed.
    let metaTs = '';
    let metaEnd = 132;
    try {
      const meta = dicomParser.readPart10Header(bytes) as DataSet & { position?: number };
      metaTs = cleanUid(meta.string('x00020010'));
      metaEnd = meta.position ?? 132;
    } catch (e) {
      const msg = errorMessage(e);
      if (isEndOfBuffer(msg)) {
        if (isPrefix) throw new DicomFileError('file meta longer than the bytes read', true);
        throw new DicomFileError('truncated (file ends inside the file meta information)');
      }
      throw new DicomFileError(`not readable as DICOM (file meta: ${msg})`);
    }
    if (!metaTs) {
      const guess = guessTransferSyntax(bytes, metaEnd, true);
      if (!guess) throw new DicomFileError('not readable as DICOM (no transfer syntax and no recognisable data set)');
      array = bytes.subarray(metaEnd);
      offsetShift = metaEnd;
      options.TransferSyntaxUID = guess;
    }
  } else if (bytes.length < 132 && isPrefix) {
    throw new DicomFileError('prefix too short', true);
  } else {
    const guess = guessTransferSyntax(bytes, 0);
    if (!guess) throw new DicomFileError('not DICOM (no DICM marker and no recognisable data set)');
    if (u16le(bytes, 0) === 0x0002 && guess === TS.explicitLE) {
      // File meta without the preamble: give dicom-parser the preamble it expects.
      array = new Uint8Array(132 + bytes.length);
      array.set([0x44, 0x49, 0x43, 0x4d], 128);
      array.set(bytes, 132);
      offsetShift = -132;
    } else {
      options.TransferSyntaxUID = guess;
    }
  }

  let dataSet: DataSet;
  try {
    dataSet = dicomParser.parseDicom(array, options as Parameters<typeof dicomParser.parseDicom>[1]);
  } catch (e) {
    if (e instanceof DicomFileError) throw e;
    const msg = errorMessage(e);
    if (isEndOfBuffer(msg)) {
      if (isPrefix) throw new DicomFileError('header longer than the bytes read', true);
      throw new DicomFileError('truncated (file ends inside the header)');
    }
    if (/DICM prefix/.test(msg)) throw new DicomFileError('not DICOM (no DICM marker)');
    throw new DicomFileError(`not readable as DICOM (${msg})`);
  }
  const transferSyntaxUid = options.TransferSyntaxUID ?? cleanUid(dataSet.string('x00020010'));
  return { dataSet, transferSyntaxUid, offsetShift, inflated: transferSyntaxUid === TS.deflatedLE };
}

// ---------------------------------------------------------------------------------------------
// Element access

function str(ds: DataSet | undefined, tag: string): string {
  if (!ds || !ds.elements[tag]) return '';
  try {
    return (ds.string(tag) ?? '').replace(/\0/g, '').trim();
  } catch {
    return '';
  }
}

function numbers(ds: DataSet | undefined, tag: string): number[] | null {
  const s = str(ds, tag);
  if (!s) return null;
  const parts = s.split('\\').map((p) => Number(p.trim()));
  return parts.every((v) => Number.isFinite(v)) ? parts : null;
}

function firstNumber(ds: DataSet | undefined, tag: string): number | null {
  const n = numbers(ds, tag);
  return n && n.length > 0 ? n[0]! : null;
}

function us(ds: DataSet, tag: string): number | null {
  const el = ds.elements[tag];
  if (!el || el.length < 2) return null;
  const v = ds.uint16(tag);
  return v === undefined ? null : v;
}

function item(ds: DataSet | undefined, seqTag: string, index = 0): DataSet | undefined {
  const el: Element | undefined = ds?.elements[seqTag];
  return el?.items?.[index]?.dataSet;
}

/** Value from the functional groups of frame f: per-frame first, then shared. */
function functionalGroup(ds: DataSet, f: number, macroTag: string): DataSet[] {
  const out: DataSet[] = [];
  const perFrame = item(item(ds, 'x52009230', f), macroTag);
  if (perFrame) out.push(perFrame);
  const shared = item(item(ds, 'x52009229'), macroTag);
  if (shared) out.push(shared);
  return out;
}

function fgNumbers(ds: DataSet, f: number, macroTag: string, tag: string): number[] | null {
  for (const d of functionalGroup(ds, f, macroTag)) {
    const n = numbers(d, tag);
    if (n) return n;
  }
  return null;
}

function elementEnd(el: Element): number {
  return el.hadUndefinedLength ? el.dataOffset : el.dataOffset + el.length;
}

function tagName(tag: string): string {
  return `(${tag.slice(1, 5)},${tag.slice(5, 9)})`.toUpperCase();
}

/**
 * Reads what Paraspine needs from a DICOM file's header, from the file's first bytes (`bytes` may be a
 * prefix of a file of `fileSize` bytes; parsing stops at the pixel data). Throws DicomFileError with a
 * one-line reason for anything that is not a usable CT image; `needMoreBytes` is set when a longer
 * prefix may succeed.
 */
export function parseDicomHeader(bytes: Uint8Array, path: string, fileSize: number): DicomHeader {
  const parsed = parseDataSet(bytes, fileSize, true);
  return headerFromDataSet(parsed, bytes.length < fileSize, path, fileSize);
}

/** Builds and validates a DicomHeader from a parsed data set (see parseDicomHeader). */
export function headerFromDataSet(parsed: ParsedDataSet, isPrefix: boolean, path: string, fileSize: number): DicomHeader {
  const { dataSet: ds, transferSyntaxUid, offsetShift, inflated } = parsed;
  const pixel = ds.elements[PIXEL_DATA];
  if (!pixel) {
    if (isPrefix) throw new DicomFileError('no pixel data in the bytes read', true);
    let lastEnd = 0;
    let lastTag = '';
    for (const el of Object.values(ds.elements)) {
      const end = elementEnd(el);
      if (end > lastEnd) {
        lastEnd = end;
        lastTag = el.tag;
      }
    }
    if (lastEnd > ds.byteArray.length) {
      throw new DicomFileError(`truncated (element ${tagName(lastTag)} runs past the end of the file)`);
    }
    if (ds.elements.x7fe00008 || ds.elements.x7fe00009) throw new DicomFileError('unsupported float pixel data');
    throw new DicomFileError('not an image (no pixel data)');
  }

  const rows = us(ds, 'x00280010');
  const columns = us(ds, 'x00280011');
  if (!rows || !columns) {
    throw new DicomFileError(`not an image (${!rows ? 'Rows' : 'Columns'} missing or zero)`);
  }
  if (rows > MAX_DIMENSION || columns > MAX_DIMENSION) {
    throw new DicomFileError(`image too large (${columns}x${rows} declared; limit ${MAX_DIMENSION}x${MAX_DIMENSION})`);
  }
  const numberOfFrames = firstNumber(ds, 'x00280008') ?? 1;
  if (!Number.isInteger(numberOfFrames) || numberOfFrames < 1 || numberOfFrames > MAX_FRAMES) {
    throw new DicomFileError(`invalid NumberOfFrames ${numberOfFrames}`);
  }
  const samplesPerPixel = us(ds, 'x00280002') ?? 1;
  const bitsAllocated = us(ds, 'x00280100') ?? 0;
  const bitsStored = us(ds, 'x00280101') ?? bitsAllocated;
  const pixelRepresentation = (us(ds, 'x00280103') ?? 0) === 1 ? 1 : 0;
  const photometricInterpretation = str(ds, 'x00280004').toUpperCase();
  if (bitsAllocated !== 8 && bitsAllocated !== 16 && bitsAllocated !== 32) {
    throw new DicomFileError(`unsupported BitsAllocated ${bitsAllocated}`);
  }
  if (!(bitsStored >= 1 && bitsStored <= bitsAllocated)) {
    throw new DicomFileError(`invalid BitsStored ${bitsStored} (BitsAllocated ${bitsAllocated})`);
  }
  const frameBytes = rows * columns * Math.max(1, samplesPerPixel) * (bitsAllocated / 8);
  const totalBytes = frameBytes * numberOfFrames;
  if (totalBytes > MAX_PIXEL_BYTES) {
    throw new DicomFileError(`pixel data too large (${columns}x${rows}x${numberOfFrames} frames declared)`);
  }
  const encapsulated = isEncapsulated(transferSyntaxUid) || pixel.hadUndefinedLength === true;
  const pixelDataOffset = inflated ? pixel.dataOffset : pixel.dataOffset + offsetShift;
  const pixelDataLength = encapsulated ? -1 : pixel.length;
  if (!encapsulated && !inflated) {
    const available = Math.max(0, Math.min(pixel.length, fileSize - pixelDataOffset));
    if (available < totalBytes) {
      throw new DicomFileError(`truncated pixel data (${available} of ${totalBytes} bytes)`);
    }
  }

  const sopClassUid = cleanUid(str(ds, 'x00080016') || str(ds, 'x00020002'));
  const modality = str(ds, 'x00080060').toUpperCase();
  const ctSop = sopClassUid === '1.2.840.10008.5.1.4.1.1.2' || sopClassUid === '1.2.840.10008.5.1.4.1.1.2.1';
  if (modality !== 'CT' && !(modality === '' && ctSop)) {
    throw new DicomFileError(`not CT (modality ${modality || 'missing'})`);
  }
  if (samplesPerPixel !== 1 || (photometricInterpretation !== '' && !photometricInterpretation.startsWith('MONOCHROME'))) {
    throw new DicomFileError(`colour image (${photometricInterpretation || `${samplesPerPixel} samples per pixel`}), not greyscale CT`);
  }
  if (!transferSyntaxUid) throw new DicomFileError('no transfer syntax');
  if (pixelEncoding(transferSyntaxUid) === null) {
    throw new DicomFileError(`unsupported transfer syntax ${transferSyntaxName(transferSyntaxUid)} (${transferSyntaxUid})`);
  }

  // Geometry: top level (classic CT) or functional groups (Enhanced CT).
  const spacing = numbers(ds, 'x00280030') ?? fgNumbers(ds, 0, 'x00289110', 'x00280030');
  if (!spacing || spacing.length < 2 || !(spacing[0]! > 0) || !(spacing[1]! > 0)) {
    throw new DicomFileError(`no geometry (${spacing ? 'invalid' : 'missing'} PixelSpacing)`);
  }
  const iop = numbers(ds, 'x00200037') ?? fgNumbers(ds, 0, 'x00209116', 'x00200037');
  if (!iop || iop.length < 6) throw new DicomFileError('no geometry (ImageOrientationPatient missing)');
  const rowDir: Vec3 = [iop[0]!, iop[1]!, iop[2]!];
  const colDir: Vec3 = [iop[3]!, iop[4]!, iop[5]!];
  const nr = norm(rowDir);
  const nc = norm(colDir);
  if (!(nr > 0.5 && nc > 0.5) || Math.abs(dot(rowDir, colDir)) / (nr * nc) > 0.01 || !(norm(cross(rowDir, colDir)) > 0)) {
    throw new DicomFileError(`no geometry (invalid ImageOrientationPatient ${iop.join('\\')})`);
  }
  const framePositions: Vec3[] = [];
  const frameRescale: { slope: number; intercept: number }[] = [];
  const topPos = numbers(ds, 'x00200032');
  const topSlope = firstNumber(ds, 'x00281053');
  const topIntercept = firstNumber(ds, 'x00281052');
  for (let f = 0; f < numberOfFrames; f++) {
    const pos = fgNumbers(ds, f, 'x00209113', 'x00200032') ?? (numberOfFrames === 1 || f === 0 ? topPos : null);
    if (!pos || pos.length < 3) {
      throw new DicomFileError(
        numberOfFrames === 1
          ? 'no geometry (ImagePositionPatient missing)'
          : `no geometry (ImagePositionPatient of frame ${f + 1} missing)`,
      );
    }
    framePositions.push([pos[0]!, pos[1]!, pos[2]!]);
    const slope = topSlope ?? fgNumbers(ds, f, 'x00289145', 'x00281053')?.[0] ?? 1;
    const intercept = topIntercept ?? fgNumbers(ds, f, 'x00289145', 'x00281052')?.[0] ?? 0;
    if (!Number.isFinite(slope) || slope === 0 || !Number.isFinite(intercept)) {
      throw new DicomFileError(`invalid rescale (slope ${slope}, intercept ${intercept})`);
    }
    frameRescale.push({ slope, intercept });
  }
  if (numberOfFrames > 1) {
    // Every frame must share the first frame's orientation (Enhanced CT may carry one per frame).
    for (let f = 1; f < numberOfFrames; f++) {
      const o = fgNumbers(ds, f, 'x00209116', 'x00200037');
      if (o && o.some((v, i) => Math.abs(v - iop[i]!) > 1e-4)) {
        throw new DicomFileError(`not part of a consistent volume (frame ${f + 1} has a different orientation)`);
      }
    }
  }
  const thickness = firstNumber(ds, 'x00180050') ?? fgNumbers(ds, 0, 'x00289110', 'x00180050')?.[0] ?? null;
  const seriesNumber = firstNumber(ds, 'x00200011');
  const instanceNumber = firstNumber(ds, 'x00200013');

  return {
    path,
    fileSize,
    transferSyntaxUid,
    sopClassUid,
    sopInstanceUid: cleanUid(str(ds, 'x00080018')),
    modality: modality || 'CT',
    patientName: str(ds, 'x00100010'),
    patientId: str(ds, 'x00100020'),
    studyInstanceUid: cleanUid(str(ds, 'x0020000d')),
    studyDate: str(ds, 'x00080020'),
    studyTime: str(ds, 'x00080030'),
    studyDescription: str(ds, 'x00081030'),
    seriesInstanceUid: cleanUid(str(ds, 'x0020000e')),
    seriesDate: str(ds, 'x00080021'),
    seriesTime: str(ds, 'x00080031'),
    seriesDescription: str(ds, 'x0008103e'),
    seriesNumber,
    frameOfReferenceUid: cleanUid(str(ds, 'x00200052')),
    instanceNumber,
    rows,
    columns,
    numberOfFrames,
    samplesPerPixel,
    photometricInterpretation,
    bitsAllocated,
    bitsStored,
    pixelRepresentation,
    pixelSpacing: [spacing[0]!, spacing[1]!],
    imageOrientation: [iop[0]!, iop[1]!, iop[2]!, iop[3]!, iop[4]!, iop[5]!],
    framePositions,
    frameRescale,
    sliceThickness: thickness,
    pixelDataOffset,
    pixelDataLength,
  };
}
