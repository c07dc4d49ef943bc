/**
 * Decoder worker (node:worker_threads), started by decoderPool.ts: decodes compressed frames with the
 * same decoders as the main thread (src/node/codecs.ts; each wasm codec is loaded once per worker) and
 * sends the stored values back, their buffer transferred. Bundled as out/cli/decodeWorker.mjs.
 */
import { parentPort } from 'node:worker_threads';
import { DicomFileError, errorMessage } from '../core/dicom/errors';
import { decodeCompressedFrame } from './codecs';
import type { DecodeReply, DecodeRequest } from './decoderPool';

const port = parentPort;
if (port) {
  port.on('message', (req: DecodeRequest) => {
    decodeCompressedFrame(req.bytes, req.header, req.frameIndex).then(
      (out) => {
        // A compact buffer of its own, so that it can be transferred (never a view into a wasm heap).
        const own = out.byteOffset === 0 && out.byteLength === out.buffer.byteLength ? out : out.slice();
        const reply: DecodeReply = { id: req.id, ok: true, type: own.constructor.name as DecodeReply['type'], buffer: own.buffer as ArrayBuffer };
        port.postMessage(reply, [reply.buffer!]);
      },
      (e: unknown) => {
        const reply: DecodeReply = { id: req.id, ok: false, dicom: e instanceof DicomFileError, message: errorMessage(e) };
        port.postMessage(reply);
      },
    );
  });
}
