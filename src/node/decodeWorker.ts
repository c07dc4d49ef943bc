/**
 * Decoder worker (node:worker_threads), started by decoderPool.ts: decodes compressed frames with the
 * same decoders as the main thread (src/node/codecs.ts; each wasm codec is loaded once per worker) and
 * sends the stored values back, their buffer transferred. Bundled as out/cli/decodeWorker.mjs.
 */
import { parentPort } from 'node:worker_threads';
import type { RawPixels } from '../core/dicom/assembleVolume';
import { DicomFileError, errorMessage } from '../core/dicom/errors';
import { decodeCompressedFrame } from './codecs';
import type { DecodeReply, DecodeRequest } from './decoderPool';

/** The array type's name (a Node Buffer is a Uint8Array). */
function pixelType(a: RawPixels): NonNullable<DecodeReply['type']> {
  if (a instanceof Int16Array) return 'Int16Array';
  if (a instanceof Uint16Array) return 'Uint16Array';
  if (a instanceof Int8Array) return 'Int8Array';
  if (a instanceof Int32Array) return 'Int32Array';
  if (a instanceof Uint32Array) return 'Uint32Array';
  return 'Uint8Array';
}

const port = parentPort;
if (port) {
  port.on('message', (req: DecodeRequest) => {
    decodeCompressedFrame(req.bytes, req.header, req.frameIndex).then(
      (out) => {
        // A compact buffer of its own, so that it can be transferred (never a view into a wasm heap).
        const own = out.byteOffset === 0 && out.byteLength === out.buffer.byteLength ? out : out.slice();
        const reply: DecodeReply = { id: req.id, ok: true, type: pixelType(own), buffer: own.buffer as ArrayBuffer };
        port.postMessage(reply, [reply.buffer!]);
      },
      (e: unknown) => {
        const reply: DecodeReply = { id: req.id, ok: false, dicom: e instanceof DicomFileError, message: errorMessage(e) };
        port.postMessage(reply);
      },
    );
  });
}
