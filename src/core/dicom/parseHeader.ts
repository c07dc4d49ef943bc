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
/**
 * Largest header (everything before the Pixel Data element) read, in bytes of the file, or of the
 * inflated data set for Deflated files: far beyond real headers (a 20,000-frame Enhanced CT has a few MB).
 */
export const MAX_HEADER_BYTES = 64 * 1024 * 1024;
/** A stored step of more than this many HU is not a CT rescale. */
export const MAX_RESCALE_SLOPE = 1000;
/** Every CT value lies in this range (HU); a rescale that cannot produce any value in it is refused. */
export const PHYSICAL_HU: readonly [number, number] = [-2000, 32767];
/**
 * Values a CT image of a patient always holds some of: air (-1000, clipped at -1024) to dense bone and
 * contrast (the standard 12-bit scale ends at +3071). Metal reaches higher (extended scales to about
 * +30,000) and padding outside the reconstruction circle lower (-2000, -3024), but a slice with not a
 * single voxel in this range is not a CT image of a body: its rescale is wrong (see VolumeAssembler).
 */
export const CT_VALUE_HU: readonly [number, number] = [-1024, 3071];
/** A coordinate farther than this from the origin (mm) is not in any scanner. */
export const MAX_POSITION_MM = 1e6;

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

/**
 * Inflates as much of a raw deflate stream as is present (a header prefix is a truncated stream), at most
 * `maxOut` bytes (the input is fed in slices, so inflation stops soon after the cap). `capped` is true
 * when the stream had more to give.
 */
function inflatePartial(data: Uint8Array, maxOut: number): { bytes: Uint8Array; capped: boolean } {
  const inflator = new Inflate({ raw: true, chunkSize: 65536 }) as Inflate & { ended?: boolean };
  const chunks: Uint8Array[] = [];
  let total = 0;
  inflator.onData = (chunk: Uint8Array) => {
    chunks.push(chunk);
    total += chunk.length;
  };
  const SLICE = 16 * 1024;
  for (let o = 0; o < data.length && total < maxOut && !inflator.ended && !inflator.err; o += SLICE) {
    inflator.push(data.subarray(o, Math.min(data.length, o + SLICE)), 2 /* Z_SYNC_FLUSH: emit everything decodable so far */);
  }
  if (chunks.length === 0 && inflator.err) throw new DicomFileError('deflated data set cannot be inflated (damaged deflate stream)');
  const capped = total > maxOut || (total === maxOut && !inflator.ended);
  const size = Math.min(total, maxOut);
  const out = new Uint8Array(size);
  let p = 0;
  for (const c of chunks) {
    if (p >= size) break;
    const part = c.length <= size - p ? c : c.subarray(0, size - p);
    out.set(part, p);
    p += part.length;
  }
  return { bytes: out, capped };
}

/** An inflater for dicom-parser that inflates at most `maxOut` bytes and says whether it stopped early. */
function cappedInflater(maxOut: number): { inflate: (arr: Uint8Array, position: number) => Uint8Array; capped: () => boolean } {
  let wasCapped = false;
  return {
    inflate: (arr: Uint8Array, position: number): Uint8Array => {
      const { bytes: inflated, capped } = inflatePartial(arr.subarray(position), maxOut);
      wasCapped = capped;
      const full = new Uint8Array(position + inflated.length);
      full.set(arr.subarray(0, position), 0);
      full.set(inflated, position);
      return full;
    },
    capped: () => wasCapped,
  };
}

function isEndOfBuffer(msg: string): boolean {
  // dicom-parser's texts, including its misspelt 'maxP osition' (a defined length running past the end).
  return /past end|end of buffer|buffer overrun|overread|beyond|outside the bounds|out of range|eof|offset is out|max ?p ?osition|cannot be greater than/i.test(msg);
}

/**
 * A plain reason for an error thrown while parsing a complete header (never the library's own text,
 * which names its internals).
 */
function parseFailure(e: unknown): DicomFileError {
  if (e instanceof DicomFileError) return e;
  const msg = errorMessage(e);
  // dicom-parser rethrows what it catches as { exception, dataSet }.
  const inner: unknown = e && typeof e === 'object' && 'exception' in e ? (e as { exception: unknown }).exception : e;
  if (inner instanceof RangeError && /call stack/i.test(msg)) return new DicomFileError('header too deep (sequences nested beyond what can be read)');
  if (/item tag \(FFFE,E000\) not found|readSequenceItem/i.test(msg)) return new DicomFileError('damaged sequence (an item or its delimiter is missing)');
  if (isEndOfBuffer(msg)) return new DicomFileError('truncated (file ends inside the header)');
  if (/DICM prefix/.test(msg)) return new DicomFileError('not DICOM (no DICM marker)');
  if (/invalid (DA|TM)/.test(msg)) return new DicomFileError('damaged header (an invalid date or time)');
  return new DicomFileError('not readable as DICOM (damaged header)');
}

/** How a data set of this transfer syntax is written: its VR style and byte order (null: deflated). */
function encodingOf(ts: string): string | null {
  if (ts === TS.implicitLE || ts === TS.explicitBE) return ts;
  return ts === TS.deflatedLE ? null : TS.explicitLE;
}

/**
 * When a data set that failed to parse is written in another VR style or byte order than its file meta
 * declares (e.g. Explicit VR Little Endian declared, Implicit or Big Endian written), the reason that
 * says so; else null.
 */
function transferSyntaxMismatch(bytes: Uint8Array, declared: { ts: string; at: number } | null): DicomFileError | null {
  if (!declared) return null;
  const expected = encodingOf(declared.ts);
  const seen = guessTransferSyntax(bytes, declared.at);
  if (expected === null || seen === null || seen === expected) return null;
  return new DicomFileError(
    `transfer syntax mismatch: the file meta declares ${transferSyntaxName(declared.ts)}, but the data set is written as ${transferSyntaxName(seen)}`,
  );
}

/** A byte count for people: 1.5 GiB, 64 MiB, 1.5 KiB, 1000 bytes. */
export function sizeText(bytes: number): string {
  if (!Number.isFinite(bytes)) return 'an unknown number of bytes';
  const units = ['GiB', 'MiB', 'KiB'];
  for (let i = 0; i < units.length; i++) {
    const unit = 1024 ** (3 - i);
    if (bytes >= unit) return `${Number((bytes / unit).toFixed(1))} ${units[i]}`;
  }
  return `${Math.round(bytes)} bytes`;
}

function cleanUid(s: string | undefined): string {
  return (s ?? '').replace(/[\0\s]+$/g, '').replace(/^\s+/, '');
}

/**
 * Parses a DICOM data set (up to the pixel data when `untilPixelData`), handling files with or without
 * the 128-byte preamble and file meta, Implicit/Explicit VR Little Endian, Explicit Big Endian and
 * Deflated. Throws DicomFileError with a plain reason (needMoreBytes when `bytes` is a prefix shorter than
 * `fileSize` and a longer one may parse: any failure on a prefix may be the cut). A Deflated data set is
 * inflated up to `inflateTo` bytes (counted from the file's start) when given, else only as far as its
 * header needs, at most MAX_HEADER_BYTES; more is never inflated.
 */
export function parseDataSet(bytes: Uint8Array, fileSize: number, untilPixelData: boolean, inflateTo?: number): ParsedDataSet {
  const maxInflatedBytes = inflateTo ?? MAX_HEADER_BYTES;
  const isPrefix = bytes.length < fileSize;
  if (fileSize === 0 || bytes.length === 0) throw new DicomFileError('not DICOM (empty file)');
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) throw new DicomFileError('not DICOM (gzip archive)');
  if (bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && (bytes[2] === 3 || bytes[2] === 5 || bytes[2] === 7)) {
    throw new DicomFileError('not DICOM (zip archive)');
  }
  const hasPreamble =
    bytes.length >= 132 && bytes[128] === 0x44 && bytes[129] === 0x49 && bytes[130] === 0x43 && bytes[131] === 0x4d;
  const options: { untilTag?: string; inflater?: (arr: Uint8Array, position: number) => Uint8Array; TransferSyntaxUID?: string } = {};
  if (untilPixelData) options.untilTag = PIXEL_DATA;

  let array = bytes;
  let offsetShift = 0;
  /** The transfer syntax the file meta declares and where the data set starts (to name a mismatch). */
  let declared: { ts: string; at: number } | null = null;
  if (hasPreamble) {
    // Find the transfer syntax in the file meta ourselves, so a missing one can be guessed.
    let metaTs = '';
    let metaEnd = 132;
    try {
      const meta = dicomParser.readPart10Header(bytes) as DataSet & { position?: number };
      metaTs = cleanUid(meta.string('x00020010'));
      metaEnd = meta.position ?? 132;
    } catch (e) {
      if (isPrefix) throw new DicomFileError('file meta longer than the bytes read', true);
      const reason = parseFailure(e).message;
      throw new DicomFileError(
        reason.startsWith('truncated') ? 'truncated (file ends inside the file meta information)' : reason.replace(/^not readable as DICOM \(damaged header\)$/, 'not readable as DICOM (damaged file meta information)'),
      );
    }
    if (metaTs) declared = { ts: metaTs, at: metaEnd };
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

  // A Deflated data set is inflated in steps (1 MiB, x4, up to the cap), so a header needs only about
  // its own size inflated, and a deflate bomb never more than the cap.
  let dataSet: DataSet | null = null;
  for (let cap = inflateTo ?? Math.min(1024 * 1024, maxInflatedBytes); dataSet === null; cap = Math.min(cap * 4, maxInflatedBytes)) {
    const inflater = cappedInflater(cap);
    options.inflater = inflater.inflate;
    try {
      dataSet = dicomParser.parseDicom(array, options as Parameters<typeof dicomParser.parseDicom>[1]);
      // Cut by the cap before the pixel data (dicom-parser skips a value running past the end silently).
      if (inflater.capped() && untilPixelData && !dataSet.elements[PIXEL_DATA]) throw new DicomFileError('capped', true);
    } catch (e) {
      if (inflater.capped()) {
        dataSet = null;
        if (cap < maxInflatedBytes) continue;
        throw new DicomFileError(`header longer than ${sizeText(maxInflatedBytes)} (inflated)`);
      }
      if (e instanceof DicomFileError) throw e;
      if (isPrefix) throw new DicomFileError('header longer than the bytes read', true);
      throw transferSyntaxMismatch(bytes, declared) ?? parseFailure(e);
    }
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

/** DS (decimal string) and IS (integer string) grammars: nothing else is a number (no '0x10', '1,5', 'NaN'). */
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const INTEGER = /^[+-]?\d+$/;

/** A numeric attribute as read: its values, or why there are none. */
type NumberValue =
  | { readonly state: 'ok'; readonly values: number[] }
  | { readonly state: 'missing' }
  | { readonly state: 'empty' }
  | { readonly state: 'invalid'; readonly text: string };

/** Reads a DS/IS attribute strictly: a value that is present but not a (finite) number is 'invalid', never re-interpreted. */
function readNumbers(ds: DataSet | undefined, tag: string, integer = false): NumberValue {
  if (!ds || !ds.elements[tag]) return { state: 'missing' };
  const s = str(ds, tag);
  if (!s) return { state: 'empty' };
  const grammar = integer ? INTEGER : DECIMAL;
  const parts = s.split('\\').map((p) => p.trim());
  const values = parts.map((p) => (grammar.test(p) ? Number(p) : NaN));
  return values.every((v) => Number.isFinite(v)) ? { state: 'ok', values } : { state: 'invalid', text: s };
}

/** The value of a numeric attribute as a person reads it in a reason ('1e', shortened when long). */
function quoted(text: string): string {
  return `'${text.length > 40 ? `${text.slice(0, 39)}…` : text}'`;
}

/** The reason for a numeric attribute that is not usable: missing, empty, or not a number. */
function numberProblem(name: string, v: NumberValue, missingNote = ''): string {
  if (v.state === 'missing') return `${name} missing${missingNote}`;
  if (v.state === 'empty') return `${name} is empty${missingNote}`;
  if (v.state === 'invalid') return `${name} ${quoted(v.text)} is not a number`;
  return `${name} ${v.values.join('\\')} is not usable`;
}

/** The values of a numeric attribute (lenient: null when missing or unusable; for informational fields only). */
function numbers(ds: DataSet | undefined, tag: string): number[] | null {
  const v = readNumbers(ds, tag);
  return v.state === 'ok' ? v.values : null;
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

/**
 * A numeric attribute of frame f: at the top level, else in the per-frame functional group, else in the
 * shared one. The first place where it is present decides: present but invalid is an error there.
 */
function frameNumbers(ds: DataSet, f: number, macroTag: string, tag: string, integer = false): NumberValue {
  const top = readNumbers(ds, tag, integer);
  if (top.state !== 'missing') return top;
  const perFrame = readNumbers(item(item(ds, 'x52009230', f), macroTag), tag, integer);
  if (perFrame.state !== 'missing') return perFrame;
  return readNumbers(item(item(ds, 'x52009229'), macroTag), tag, integer);
}

/** Like frameNumbers, but only the functional groups (per-frame, then shared). */
function groupNumbers(ds: DataSet, f: number, macroTag: string, tag: string): NumberValue {
  const perFrame = readNumbers(item(item(ds, 'x52009230', f), macroTag), tag);
  if (perFrame.state !== 'missing') return perFrame;
  return readNumbers(item(item(ds, 'x52009229'), macroTag), tag);
}

function elementEnd(el: Element): number {
  return el.hadUndefinedLength ? el.dataOffset : el.dataOffset + el.length;
}

function tagName(tag: string): string {
  return `(${tag.slice(1, 5)},${tag.slice(5, 9)})`.toUpperCase();
}

/** A number as text in a reason, only when it is a plain finite number. */
function num(v: number): string {
  return Number.isFinite(v) ? String(v) : 'an invalid number';
}

/** Range of stored values BitsStored and PixelRepresentation allow: [min, max]. */
function storedRange(bitsStored: number, signed: boolean): [number, number] {
  return signed ? [-(2 ** (bitsStored - 1)), 2 ** (bitsStored - 1) - 1] : [0, 2 ** bitsStored - 1];
}

/** Names of the attributes a reason may quote by tag. */
const TAG_NAMES: Record<string, string> = {
  x00280002: 'SamplesPerPixel',
  x00280010: 'Rows',
  x00280011: 'Columns',
  x00280100: 'BitsAllocated',
  x00280101: 'BitsStored',
  x00280103: 'PixelRepresentation',
  x00281052: 'RescaleIntercept',
  x00281053: 'RescaleSlope',
  x00281054: 'RescaleType',
  x7fe00010: 'Pixel Data',
};

/** A tag for a reason: '(0028,1052) RescaleIntercept', or just '(0029,1010)'. */
export function tagText(tag: string): string {
  const name = TAG_NAMES[tag.toLowerCase()];
  return name ? `${tagName(tag)} ${name}` : tagName(tag);
}

/**
 * Refuses a data set whose elements (before the Pixel Data) are not in ascending tag order or repeat a
 * tag: DICOM forbids both, and readers then differ on which value counts (dicom-parser keeps the last
 * of a repeated tag, others the first). dicom-parser keeps its elements in the order met, a repeated
 * tag in its first place with the last value, so: tags must ascend in that order, and the elements
 * must cover the bytes without a gap (a gap is an occurrence that was overwritten; its tag is read there).
 */
function checkElementOrder(ds: DataSet): void {
  // The data set proper: after the file meta (parsed apart; dicom-parser also lists what it read of the
  // preamble of a Deflated file before it).
  const all = Object.values(ds.elements);
  const metaEnd = Math.max(-1, ...all.filter((el) => el.tag.startsWith('x0002')).map((el) => el.dataOffset));
  const els = all.filter((el) => !el.tag.startsWith('x0002') && el.dataOffset > metaEnd);
  let prevTag = '';
  for (const el of els) {
    if (prevTag && el.tag <= prevTag) {
      throw new DicomFileError(
        `elements out of tag order: ${tagText(el.tag)} after ${tagText(prevTag)} (DICOM requires ascending order; readers differ on what such a file holds)`,
      );
    }
    prevTag = el.tag;
  }
  const sorted = [...els].sort((a, b) => a.dataOffset - b.dataOffset);
  for (let i = 1; i < sorted.length; i++) {
    const a = sorted[i - 1]!;
    const b = sorted[i]!;
    // An undefined length leaves out the 8-byte delimitation item that ends the value.
    const end = a.dataOffset + a.length + (a.hadUndefinedLength ? 8 : 0);
    // b's own header is 8 or 12 bytes; a missing element between the two would add at least 8 more.
    if (b.dataOffset - end > 12 && end + 4 <= ds.byteArray.length) {
      const p = ds.byteArrayParser;
      const g = p.readUint16(ds.byteArray, end);
      const e = p.readUint16(ds.byteArray, end + 2);
      const tag = `x${g.toString(16).padStart(4, '0')}${e.toString(16).padStart(4, '0')}`;
      throw new DicomFileError(`element ${tagText(tag)} appears twice in the header (DICOM allows it once; readers differ on which value counts)`);
    }
  }
}

/** What a Rescale Type other than HU means, for the reason (DICOM PS3.3 C.11.1.1.2, C.8.16.2.1.5). */
const RESCALE_TYPES: Record<string, string> = {
  US: 'unspecified units',
  OD: 'optical density',
  MGML: 'mg/ml',
  Z_EFF: 'effective atomic number',
  ED: 'electron density',
  EDW: 'electron density relative to water',
  HU_MOD: 'modified Hounsfield units',
  PCT: 'percent',
};

/**
 * The Rescale Type of frame f (top level, else per-frame, else shared Pixel Value Transformation):
 * '' when absent (for CT that means HU), else its value in capitals.
 */
function rescaleType(ds: DataSet, f: number): string {
  const top = str(ds, 'x00281054');
  if (ds.elements.x00281054) return top.toUpperCase();
  const perFrame = item(item(ds, 'x52009230', f), 'x00289145');
  if (perFrame?.elements.x00281054) return str(perFrame, 'x00281054').toUpperCase();
  return str(item(item(ds, 'x52009229'), 'x00289145'), 'x00281054').toUpperCase();
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
  checkElementOrder(ds);

  const rows = us(ds, 'x00280010');
  const columns = us(ds, 'x00280011');
  if (!rows || !columns) {
    throw new DicomFileError(`not an image (${!rows ? 'Rows' : 'Columns'} missing or zero)`);
  }
  if (rows > MAX_DIMENSION || columns > MAX_DIMENSION) {
    throw new DicomFileError(`image too large (${columns}x${rows} declared; limit ${MAX_DIMENSION}x${MAX_DIMENSION})`);
  }
  const samplesPerPixel = us(ds, 'x00280002') ?? 1;
  const bitsAllocated = us(ds, 'x00280100') ?? 0;
  const bitsStoredValue = us(ds, 'x00280101');
  const highBit = us(ds, 'x00280102');
  const pixelRepresentationValue = us(ds, 'x00280103');
  const photometricInterpretation = str(ds, 'x00280004').toUpperCase();
  if (bitsAllocated !== 8 && bitsAllocated !== 16 && bitsAllocated !== 32) {
    throw new DicomFileError(`unsupported BitsAllocated ${bitsAllocated}`);
  }
  if (bitsStoredValue === null) throw new DicomFileError('BitsStored missing');
  const bitsStored = bitsStoredValue;
  if (!(bitsStored >= 1 && bitsStored <= bitsAllocated)) {
    throw new DicomFileError(`invalid BitsStored ${bitsStored} (BitsAllocated ${bitsAllocated})`);
  }
  if (highBit !== null && highBit !== bitsStored - 1) {
    throw new DicomFileError(`invalid HighBit ${highBit} (BitsStored ${bitsStored}: must be ${bitsStored - 1})`);
  }
  if (pixelRepresentationValue === null) throw new DicomFileError('PixelRepresentation missing');
  if (pixelRepresentationValue !== 0 && pixelRepresentationValue !== 1) {
    throw new DicomFileError(`invalid PixelRepresentation ${pixelRepresentationValue} (must be 0 or 1)`);
  }
  const pixelRepresentation: 0 | 1 = pixelRepresentationValue;
  const nf = readNumbers(ds, 'x00280008', true);
  const perFrameItems = ds.elements.x52009230?.items?.length ?? 0;
  if (nf.state === 'missing' && perFrameItems > 1) {
    throw new DicomFileError(`NumberOfFrames missing on a multi-frame image (${perFrameItems} per-frame functional group items)`);
  }
  if (nf.state === 'empty' || nf.state === 'invalid') throw new DicomFileError(numberProblem('NumberOfFrames', nf));
  const numberOfFrames = nf.state === 'ok' ? nf.values[0]! : 1;
  if (!Number.isInteger(numberOfFrames) || numberOfFrames < 1 || numberOfFrames > MAX_FRAMES) {
    throw new DicomFileError(`invalid NumberOfFrames ${num(numberOfFrames)}${numberOfFrames > MAX_FRAMES ? ` (limit ${MAX_FRAMES})` : ''}`);
  }
  const frameBytes = rows * columns * Math.max(1, samplesPerPixel) * (bitsAllocated / 8);
  const totalBytes = frameBytes * numberOfFrames;
  if (totalBytes > MAX_PIXEL_BYTES) {
    throw new DicomFileError(`pixel data too large (${columns}x${rows}x${numberOfFrames} frames declared)`);
  }
  const encoding = pixelEncoding(transferSyntaxUid);
  if (encoding === 'native' && pixel.hadUndefinedLength === true) {
    // Never read as native: the item tags and offset table would become pixels, the image shifted.
    throw new DicomFileError(
      `transfer syntax and pixel data disagree: ${transferSyntaxName(transferSyntaxUid)} is uncompressed, but the pixel data is encapsulated (fragments of undefined length)`,
    );
  }
  if (encoding !== null && encoding !== 'native' && pixel.hadUndefinedLength !== true) {
    throw new DicomFileError(
      `transfer syntax and pixel data disagree: ${transferSyntaxName(transferSyntaxUid)} is compressed, but the pixel data is a plain ${pixel.length}-byte value (not encapsulated)`,
    );
  }
  const encapsulated = isEncapsulated(transferSyntaxUid) || pixel.hadUndefinedLength === true;
  const pixelDataOffset = inflated ? pixel.dataOffset : pixel.dataOffset + offsetShift;
  const pixelDataLength = encapsulated ? -1 : pixel.length;
  if (!encapsulated) {
    // Native pixel data holds exactly the declared frames (plus one pad byte when that count is odd).
    const declared = pixel.length;
    if (declared > totalBytes + (totalBytes % 2)) {
      throw new DicomFileError(
        `pixel data is ${declared} bytes, the header declares ${columns}x${rows} x ${numberOfFrames} frame(s) x ${bitsAllocated / 8} bytes = ${totalBytes} bytes`,
      );
    }
    const available = inflated ? declared : Math.max(0, Math.min(declared, fileSize - pixelDataOffset));
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
  if (samplesPerPixel !== 1 && photometricInterpretation.startsWith('MONOCHROME')) {
    throw new DicomFileError(`invalid SamplesPerPixel ${samplesPerPixel} (${photometricInterpretation} greyscale has 1 sample per pixel)`);
  }
  if (samplesPerPixel === 0) throw new DicomFileError('invalid SamplesPerPixel 0 (an image has at least 1 sample per pixel)');
  if (samplesPerPixel !== 1 || (photometricInterpretation !== '' && !photometricInterpretation.startsWith('MONOCHROME'))) {
    throw new DicomFileError(`colour image (${photometricInterpretation || `${samplesPerPixel} samples per pixel`}), not greyscale CT`);
  }
  if (!transferSyntaxUid) throw new DicomFileError('no transfer syntax');
  if (pixelEncoding(transferSyntaxUid) === null) {
    throw new DicomFileError(`unsupported transfer syntax ${transferSyntaxName(transferSyntaxUid)} (${transferSyntaxUid})`);
  }

  // Geometry: top level (classic CT) or functional groups (Enhanced CT). Present but invalid is never "missing".
  const spacingValue = frameNumbers(ds, 0, 'x00289110', 'x00280030');
  if (spacingValue.state !== 'ok') throw new DicomFileError(spacingValue.state === 'missing' ? 'no geometry (PixelSpacing missing)' : numberProblem('PixelSpacing', spacingValue));
  const spacing = spacingValue.values;
  if (spacing.length < 2 || !(spacing[0]! > 0) || !(spacing[1]! > 0) || spacing[0]! > MAX_POSITION_MM || spacing[1]! > MAX_POSITION_MM) {
    throw new DicomFileError(`no geometry (invalid PixelSpacing ${spacing.join('\\')})`);
  }
  const iopValue = frameNumbers(ds, 0, 'x00209116', 'x00200037');
  if (iopValue.state !== 'ok') {
    throw new DicomFileError(iopValue.state === 'missing' ? 'no geometry (ImageOrientationPatient missing)' : numberProblem('ImageOrientationPatient', iopValue));
  }
  const iop = iopValue.values;
  if (iop.length < 6) throw new DicomFileError(`no geometry (ImageOrientationPatient has ${iop.length} of 6 values)`);
  const rowDir: Vec3 = [iop[0]!, iop[1]!, iop[2]!];
  const colDir: Vec3 = [iop[3]!, iop[4]!, iop[5]!];
  const nr = norm(rowDir);
  const nc = norm(colDir);
  if (!(nr > 0.5 && nc > 0.5 && nr < 2 && nc < 2) || Math.abs(dot(rowDir, colDir)) / (nr * nc) > 0.01 || !(norm(cross(rowDir, colDir)) > 0)) {
    throw new DicomFileError(`no geometry (invalid ImageOrientationPatient ${iop.join('\\')})`);
  }
  const framePositions: Vec3[] = [];
  const frameRescale: { slope: number; intercept: number }[] = [];
  const [storedLo, storedHi] = storedRange(bitsStored, pixelRepresentation === 1);
  const frameNote = (f: number): string => (numberOfFrames === 1 ? '' : ` of frame ${f + 1}`);
  let checked: { slope: number; intercept: number } | null = null;
  for (let f = 0; f < numberOfFrames; f++) {
    const posValue = groupNumbers(ds, f, 'x00209113', 'x00200032');
    const pv = posValue.state === 'missing' && (numberOfFrames === 1 || f === 0) ? readNumbers(ds, 'x00200032') : posValue;
    if (pv.state !== 'ok') {
      throw new DicomFileError(pv.state === 'missing' ? `no geometry (ImagePositionPatient${frameNote(f)} missing)` : numberProblem(`ImagePositionPatient${frameNote(f)}`, pv));
    }
    const pos = pv.values;
    if (pos.length < 3) throw new DicomFileError(`no geometry (ImagePositionPatient${frameNote(f)} has ${pos.length} of 3 values)`);
    if (pos.some((v) => Math.abs(v) > MAX_POSITION_MM)) {
      const text = str(item(item(ds, 'x52009230', f), 'x00209113'), 'x00200032') || str(ds, 'x00200032') || pos.join('\\');
      throw new DicomFileError(`ImagePositionPatient${frameNote(f)} ${quoted(text)} is outside any scanner (more than ${MAX_POSITION_MM} mm from the origin)`);
    }
    framePositions.push([pos[0]!, pos[1]!, pos[2]!]);
    // Rescale: required for CT (Type 1); present but invalid is never re-interpreted.
    const sv = frameNumbers(ds, f, 'x00289145', 'x00281053');
    const iv = frameNumbers(ds, f, 'x00289145', 'x00281052');
    const note = ' (required for CT: HU cannot be known)';
    if (sv.state === 'missing' && iv.state === 'missing') throw new DicomFileError(`RescaleIntercept and RescaleSlope${frameNote(f)} missing${note}`);
    if (iv.state !== 'ok') throw new DicomFileError(numberProblem(`RescaleIntercept${frameNote(f)}`, iv, iv.state === 'empty' ? ' (required for CT)' : note));
    if (sv.state !== 'ok') throw new DicomFileError(numberProblem(`RescaleSlope${frameNote(f)}`, sv, sv.state === 'empty' ? ' (required for CT)' : note));
    const slope = sv.values[0]!;
    const intercept = iv.values[0]!;
    // Units: an absent Rescale Type on CT means HU; anything else is not what Paraspine measures.
    const units = rescaleType(ds, f);
    if (units !== '' && units !== 'HU') {
      const meaning = RESCALE_TYPES[units];
      throw new DicomFileError(
        `values are not Hounsfield units (RescaleType${frameNote(f)} ${quoted(units)}${meaning ? `: ${meaning}` : ''}); only HU can be measured as muscle attenuation`,
      );
    }
    if (checked === null || checked.slope !== slope || checked.intercept !== intercept) {
      if (slope === 0) throw new DicomFileError(`RescaleSlope${frameNote(f)} 0 (every pixel would be the intercept)`);
      if (Math.abs(slope) > MAX_RESCALE_SLOPE) {
        throw new DicomFileError(`RescaleSlope${frameNote(f)} ${num(slope)} is not a CT rescale (more than ${MAX_RESCALE_SLOPE} HU per stored step)`);
      }
      const a = storedLo * slope + intercept;
      const b = storedHi * slope + intercept;
      const lo = Math.min(a, b);
      const hi = Math.max(a, b);
      if (!(Number.isFinite(lo) && Number.isFinite(hi)) || hi < PHYSICAL_HU[0] || lo > PHYSICAL_HU[1]) {
        throw new DicomFileError(
          `rescale${frameNote(f)} outside any physical HU range (stored ${storedLo}..${storedHi} gives ${num(lo)}..${num(hi)} HU; CT is within ${PHYSICAL_HU[0]}..${PHYSICAL_HU[1]})`,
        );
      }
      checked = { slope, intercept };
    }
    frameRescale.push(checked);
  }
  if (numberOfFrames > 1) {
    // Every frame must share the first frame's orientation (Enhanced CT may carry one per frame).
    for (let f = 1; f < numberOfFrames; f++) {
      const o = groupNumbers(ds, f, 'x00209116', 'x00200037');
      if (o.state === 'ok' && o.values.some((v, i) => Math.abs(v - iop[i]!) > 1e-4)) {
        throw new DicomFileError(`not part of a consistent volume (frame ${f + 1} has a different orientation)`);
      }
    }
  }
  const thickness = firstNumber(ds, 'x00180050') ?? (() => {
    const g = groupNumbers(ds, 0, 'x00289110', 'x00180050');
    return g.state === 'ok' ? g.values[0]! : null;
  })();
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
    patientBirthDate: str(ds, 'x00100030'),
    patientSex: ((v) => (v === 'M' || v === 'F' || v === 'O' ? v : ''))(str(ds, 'x00100040').toUpperCase()),
    patientAge: str(ds, 'x00101010'),
    patientSizeM: ((v) => (v !== null && v >= 0.3 && v <= 2.6 ? v : null))(firstNumber(ds, 'x00101020')),
    studyId: str(ds, 'x00200010'),
    accessionNumber: str(ds, 'x00080050'),
    referringPhysicianName: str(ds, 'x00080090'),
    manufacturer: str(ds, 'x00080070'),
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
    imageType: str(ds, 'x00080008').split('\\').map((v) => v.trim()).join('\\'),
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
