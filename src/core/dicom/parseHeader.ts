import { Inflate } from 'pako';
import { dicomParser, type DataSet, type Element } from './dicomParserLib';
import { DicomFileError, errorMessage } from './errors';
import { cleanUid, dicomJsonDataSet, dicomParserDataSet, extractHeaderFields, type DicomJsonDataSet } from './headerFields';
import { TS, isEncapsulated, pixelEncoding, transferSyntaxName } from './transferSyntax';
import type { DicomHeader } from './types';
import { MAX_HEADER_BYTES, validateHeader } from './validateHeader';

export { CT_VALUE_HU, MAX_DIMENSION, MAX_FRAMES, MAX_HEADER_BYTES, MAX_PIXEL_BYTES, MAX_POSITION_MM, MAX_RESCALE_SLOPE, PHYSICAL_HU } from './validateHeader';

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

function elementEnd(el: Element): number {
  return el.hadUndefinedLength ? el.dataOffset : el.dataOffset + el.length;
}

function tagName(tag: string): string {
  return `(${tag.slice(1, 5)},${tag.slice(5, 9)})`.toUpperCase();
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

/**
 * Builds and validates a DicomHeader from a data set parsed from Part-10 bytes (see parseDicomHeader):
 * the pixel data element checked here, the attributes extracted (headerFields.ts) and validated
 * (validateHeader.ts).
 */
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
  const fields = extractHeaderFields(dicomParserDataSet(ds));
  // The pixel data element's own checks (Part-10 only), after the image size is checked.
  return validateHeader(fields, transferSyntaxUid, path, fileSize, ({ rows, columns, numberOfFrames, bitsAllocated, totalBytes }) => {
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
    return { pixelDataOffset, pixelDataLength };
  });
}

/**
 * A header from a data set in the DICOM JSON model (a DICOMweb server's instance metadata), checked as
 * a file's header is. The metadata carries no pixel data (frames are fetched apart), so the pixel data
 * place is unknown (-1); the transfer syntax is the metadata's own (0002,0010), else its
 * AvailableTransferSyntaxUID (0008,3002), unless `transferSyntaxUid` names the one the frames come in.
 * `ref` names the instance in reasons (its URL, say).
 */
export function headerFromDicomJson(json: DicomJsonDataSet, ref: string, opts: { transferSyntaxUid?: string } = {}): DicomHeader {
  const ds = dicomJsonDataSet(json);
  const transferSyntaxUid = opts.transferSyntaxUid ?? cleanUid(ds.text('x00020010') || ds.text('x00083002'));
  return validateHeader(extractHeaderFields(ds), transferSyntaxUid, ref, 0, () => ({ pixelDataOffset: -1, pixelDataLength: -1 }));
}
