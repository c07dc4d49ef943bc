/**
 * Decoders for compressed CT frames in Node: JPEG 2000 (OpenJPEG), JPEG-LS (CharLS), JPEG Lossless
 * (process 14) and RLE. The emscripten codecs are factories returning a promise of a module; each is
 * initialised once and its decoder reused.
 */
import { createRequire } from 'node:module';
import { Decoder as JpegLosslessDecoder } from '@cornerstonejs/jpeg-lossless-decoder-js';
import type { RawPixels } from '../core/dicom/assembleVolume';
import { DicomFileError, errorMessage } from '../core/dicom/errors';
import { decodeRleFrame } from '../core/dicom/rle';
import { pixelEncoding, transferSyntaxName } from '../core/dicom/transferSyntax';
import type { DicomHeader } from '../core/dicom/types';

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

function wasmDecode(codec: { module: WasmModule; decoder: WasmDecoder }, bytes: Uint8Array, header: DicomHeader, what: string): RawPixels {
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
  if (info.bitsPerSample > 8) return signed ? new Int16Array(decoded.buffer) : new Uint16Array(decoded.buffer);
  return signed ? new Int8Array(decoded.buffer) : decoded;
}

/**
 * Decodes one compressed frame (the bytestream of one frame of encapsulated pixel data) to stored
 * values. Signedness and BitsStored are applied later by the VolumeAssembler.
 */
export async function decodeCompressedFrame(bytes: Uint8Array, header: DicomHeader): Promise<RawPixels> {
  const enc = pixelEncoding(header.transferSyntaxUid);
  switch (enc) {
    case 'rle':
      return decodeRleFrame(bytes, header.rows, header.columns, header.bitsAllocated, header.pixelRepresentation === 1);
    case 'j2k':
      return wasmDecode(await openJpeg(), bytes, header, 'JPEG 2000');
    case 'jpegLs':
      return wasmDecode(await charls(), bytes, header, 'JPEG-LS');
    case 'jpegLossless': {
      let out: Uint8Array | Uint16Array;
      try {
        const copy = Uint8Array.prototype.slice.call(bytes); // a real copy even for a Node Buffer
        out = new JpegLosslessDecoder().decode(copy.buffer, 0, copy.length, header.bitsAllocated <= 8 ? 1 : 2);
      } catch (e) {
        throw new DicomFileError(`JPEG Lossless frame cannot be decoded (${errorMessage(e)})`);
      }
      if (out.length < header.rows * header.columns) {
        throw new DicomFileError(`JPEG Lossless frame has ${out.length} pixels, header says ${header.columns}x${header.rows}`);
      }
      return out;
    }
    default:
      throw new DicomFileError(
        `unsupported transfer syntax ${transferSyntaxName(header.transferSyntaxUid)} (${header.transferSyntaxUid})`,
      );
  }
}
