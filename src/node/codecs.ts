/**
 * Decoders for compressed CT frames in Node: JPEG 2000 (OpenJPEG), JPEG-LS (CharLS), JPEG Lossless
 * (process 14) and RLE. The emscripten codecs are factories returning a promise of a module; each is
 * initialised once and its decoder reused.
 */
import { createRequire } from 'node:module';
import type { RawPixels } from '../core/dicom/assembleVolume';
import { DicomFileError, errorMessage } from '../core/dicom/errors';
import {
  codestreamEnd,
  declaredFrameSize,
  declaredSamples,
  samplesMismatch,
  storedRangeText,
  storedValueOutside,
  type DeclaredSamples,
} from '../core/dicom/codestream';
import { decodeRleFrame } from '../core/dicom/rle';
import { pixelEncoding, transferSyntaxName } from '../core/dicom/transferSyntax';
import type { DicomHeader } from '../core/dicom/types';

/** The header fields decoding a frame reads (all a decoder worker is sent). */
export type FrameHeader = Pick<DicomHeader, 'transferSyntaxUid' | 'rows' | 'columns' | 'bitsAllocated' | 'bitsStored' | 'pixelRepresentation'>;

/** The JPEG Lossless decoder package, imported on first use (start-up of commands that never decode). */
let jpegLossless: Promise<typeof import('@cornerstonejs/jpeg-lossless-decoder-js')> | null = null;

const require = createRequire(import.meta.url);

interface FrameInfo {
  width: number;
  height: number;
  bitsPerSample: number;
  componentCount: number;
  isSigned?: boolean;
}
interface WasmDecoder {
  getEncodedBuffer(length: number): Uint8Array;
  decode(): void;
  getFrameInfo(): FrameInfo;
  getDecodedBuffer(): Uint8Array;
}
interface WasmModule {
  J2KDecoder?: new () => WasmDecoder;
  JpegLSDecoder?: new () => WasmDecoder;
  getExceptionMessage?: (e: number) => string;
}
/** Emscripten module options that keep the codecs from printing progress notes to stdout/stderr. */
const QUIET = { print: () => {}, printErr: () => {} };

type Factory = (opts?: object) => Promise<WasmModule>;

let j2k: Promise<{ module: WasmModule; decoder: WasmDecoder }> | null = null;
let jls: Promise<{ module: WasmModule; decoder: WasmDecoder }> | null = null;

function loadFactory(id: string): Factory {
  const m = require(id) as Factory | { default: Factory };
  return typeof m === 'function' ? m : m.default;
}

function openJpeg(): Promise<{ module: WasmModule; decoder: WasmDecoder }> {
  j2k ??= loadFactory('@cornerstonejs/codec-openjpeg/decodewasmjs')(QUIET).then((module) => ({
    module,
    decoder: new module.J2KDecoder!(),
  }));
  return j2k;
}

function charls(): Promise<{ module: WasmModule; decoder: WasmDecoder }> {
  jls ??= loadFactory('@cornerstonejs/codec-charls/decodewasmjs')(QUIET).then((module) => ({
    module,
    decoder: new module.JpegLSDecoder!(),
  }));
  return jls;
}

/**
 * Refuses a frame whose codestream declares another size than the DICOM header, before decoding it (the
 * decoder would allocate and work for the declared size).
 */
function checkDeclaredSize(bytes: Uint8Array, header: FrameHeader, what: string, frameIndex: number): void {
  const d = declaredFrameSize(bytes);
  if (!d || d.height === 0) return; // not recognised (or height given later, DNL): the decoder's result is checked
  if (d.width !== header.columns || d.height !== header.rows || d.components !== 1) {
    const comps = d.components !== 1 ? ` with ${d.components} components` : '';
    throw new DicomFileError(`${what} frame ${frameIndex + 1} is ${d.width}x${d.height}${comps}, the header says ${header.columns}x${header.rows}`);
  }
}

/**
 * Refuses a frame, before decoding it, whose codestream does not reach its end marker (cut short or
 * damaged: decoders fill the rest of the image with garbage rather than fail), or whose samples are
 * declared signed where the header says unsigned or the other way round (core/dicom/codestream.ts says
 * why that is refused, not converted). Returns the samples the codestream declares, for checkRange; and
 * where the end marker is (for the JPEG Lossless decoder's position).
 */
function checkCodestream(bytes: Uint8Array, header: FrameHeader, what: string, frameIndex: number): { samples: DeclaredSamples | null; eoi: number | null } {
  const end = codestreamEnd(bytes);
  if (end && !end.ok) throw new DicomFileError(`${what} frame ${frameIndex + 1} ${end.reason}`);
  const samples = declaredSamples(bytes);
  const why = samples && samplesMismatch(samples, header);
  if (why) throw new DicomFileError(`${what} frame ${frameIndex + 1}: ${why}`);
  return { samples, eoi: end ? end.eoi : null };
}

/** A codestream of more bits than BitsStored: every decoded value must fit the header's range (else refused). */
function checkRange(out: RawPixels, samples: DeclaredSamples | null, header: FrameHeader, what: string, frameIndex: number): RawPixels {
  if (!samples) return out;
  const signedArray = out instanceof Int8Array || out instanceof Int16Array || out instanceof Int32Array;
  const v = storedValueOutside(out, samples.precision, header, signedArray);
  if (v !== null) {
    throw new DicomFileError(
      `${what} frame ${frameIndex + 1} holds the stored value ${v}, outside the header's ${storedRangeText(header)}; its codestream says ${samples.precision}-bit samples`,
    );
  }
  return out;
}

/** The decoded frame must hold exactly Rows x Columns values of the header's size. */
function checkDecoded(out: RawPixels, header: FrameHeader, what: string): RawPixels {
  const n = header.rows * header.columns;
  if (out.length !== n) {
    throw new DicomFileError(`${what} frame decodes to ${out.length} pixels, the header says ${header.columns}x${header.rows} = ${n}`);
  }
  if (out.BYTES_PER_ELEMENT * 8 < header.bitsStored) {
    throw new DicomFileError(`${what} frame decodes to ${out.BYTES_PER_ELEMENT * 8}-bit values, the header says BitsStored ${header.bitsStored}`);
  }
  return out;
}

function wasmDecode(codec: { module: WasmModule; decoder: WasmDecoder }, bytes: Uint8Array, header: FrameHeader, what: string): RawPixels {
  const { decoder, module } = codec;
  try {
    decoder.getEncodedBuffer(bytes.length).set(bytes);
    decoder.decode();
  } catch (e) {
    const msg = typeof e === 'number' && module.getExceptionMessage ? module.getExceptionMessage(e) : errorMessage(e);
    throw new DicomFileError(`${what} frame cannot be decoded (${msg})`);
  }
  const info = decoder.getFrameInfo();
  if (info.width !== header.columns || info.height !== header.rows || info.componentCount !== 1) {
    throw new DicomFileError(
      `${what} frame is ${info.width}x${info.height}x${info.componentCount}, header says ${header.columns}x${header.rows}x1`,
    );
  }
  // Copy out of the wasm heap: the decoder reuses it for the next frame.
  const decoded = decoder.getDecodedBuffer().slice();
  const signed = info.isSigned === true;
  const bytesPerSample = info.bitsPerSample > 8 ? 2 : 1;
  if (decoded.length !== header.rows * header.columns * bytesPerSample) {
    throw new DicomFileError(`${what} frame decodes to ${decoded.length} bytes, the header says ${header.columns}x${header.rows} x ${bytesPerSample} bytes`);
  }
  if (info.bitsPerSample > 8) return checkDecoded(signed ? new Int16Array(decoded.buffer) : new Uint16Array(decoded.buffer), header, what);
  return checkDecoded(signed ? new Int8Array(decoded.buffer) : decoded, header, what);
}

/**
 * Decodes one compressed frame (the bytestream of one frame of encapsulated pixel data) to stored
 * values. Signedness and BitsStored are applied later by the VolumeAssembler.
 */
export async function decodeCompressedFrame(bytes: Uint8Array, header: FrameHeader, frameIndex = 0): Promise<RawPixels> {
  const enc = pixelEncoding(header.transferSyntaxUid);
  switch (enc) {
    case 'rle':
      return decodeRleFrame(bytes, header.rows, header.columns, header.bitsAllocated, header.pixelRepresentation === 1);
    case 'j2k': {
      checkDeclaredSize(bytes, header, 'JPEG 2000', frameIndex);
      const { samples } = checkCodestream(bytes, header, 'JPEG 2000', frameIndex);
      return checkRange(wasmDecode(await openJpeg(), bytes, header, 'JPEG 2000'), samples, header, 'JPEG 2000', frameIndex);
    }
    case 'jpegLs': {
      checkDeclaredSize(bytes, header, 'JPEG-LS', frameIndex);
      const { samples } = checkCodestream(bytes, header, 'JPEG-LS', frameIndex);
      return checkRange(wasmDecode(await charls(), bytes, header, 'JPEG-LS'), samples, header, 'JPEG-LS', frameIndex);
    }
    case 'jpegLossless': {
      checkDeclaredSize(bytes, header, 'JPEG Lossless', frameIndex);
      const { samples, eoi } = checkCodestream(bytes, header, 'JPEG Lossless', frameIndex);
      let out: Uint8Array | Uint16Array;
      let decoder: InstanceType<typeof import('@cornerstonejs/jpeg-lossless-decoder-js').Decoder>;
      try {
        const copy = Uint8Array.prototype.slice.call(bytes); // a real copy even for a Node Buffer
        const { Decoder } = await (jpegLossless ??= import('@cornerstonejs/jpeg-lossless-decoder-js'));
        decoder = new Decoder();
        out = decoder.decode(copy.buffer, 0, copy.length, header.bitsAllocated <= 8 ? 1 : 2);
      } catch (e) {
        throw new DicomFileError(`JPEG Lossless frame cannot be decoded (${errorMessage(e)})`);
      }
      // The decoder returns Rows x Columns values whatever its data: it must have decoded every row and
      // stopped at the end marker, neither before it (rows missing) nor past it (data read beyond).
      const at = decoder.stream?.index;
      let damage: string | null = null;
      if (decoder.yLoc < decoder.yDim) damage = `ends after row ${decoder.yLoc} of ${decoder.yDim}`;
      else if (eoi === null || at === undefined) damage = null;
      else if (at > eoi + 2) damage = `runs to byte ${at}, past its end marker (EOI) at byte ${eoi}`;
      else if (at < eoi) damage = `ends at byte ${at}, before its end marker (EOI) at byte ${eoi}`;
      if (damage) throw new DicomFileError(`JPEG Lossless frame ${frameIndex + 1} is damaged: its image data ${damage}`);
      return checkRange(checkDecoded(out, header, 'JPEG Lossless'), samples, header, 'JPEG Lossless', frameIndex);
    }
    default:
      throw new DicomFileError(
        `unsupported transfer syntax ${transferSyntaxName(header.transferSyntaxUid)} (${header.transferSyntaxUid})`,
      );
  }
}
