/**
 * A pool of decoder worker threads (node:worker_threads) for compressed frames (JPEG 2000, JPEG-LS, JPEG
 * Lossless, RLE), one per core (at most 8), started on the first compressed frame. The worker script
 * is the bundled out/cli/decodeWorker.mjs (scripts/build-cli.mjs), found beside the running code (the
 * CLI bundle and its chunks, the Electron main bundle, or the TypeScript sources under vitest). Where
 * it is missing or a worker cannot start or dies, frames are decoded on the calling thread with the
 * same decoders: the values are the same bits either way, and the checks before decoding (declared
 * codestream size against the header) run in the worker exactly as they do here.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { RawPixels } from '../core/dicom/assembleVolume';
import { DicomFileError } from '../core/dicom/errors';
import { decodeCompressedFrame, type FrameHeader } from './codecs';

/** A frame to decode (bytes copied to the worker). */
export interface DecodeRequest {
  readonly id: number;
  readonly bytes: Uint8Array;
  readonly header: FrameHeader;
  readonly frameIndex: number;
}

type PixelType = 'Uint8Array' | 'Int8Array' | 'Uint16Array' | 'Int16Array' | 'Uint32Array' | 'Int32Array';

/** The stored values of a decoded frame (buffer transferred), or why it could not be decoded. */
export interface DecodeReply {
  readonly id: number;
  readonly ok: boolean;
  readonly type?: PixelType;
  readonly buffer?: ArrayBuffer;
  /** The failure was a DicomFileError (unusable input), not some other error. */
  readonly dicom?: boolean;
  readonly message?: string;
}

const ARRAYS: Record<PixelType, new (b: ArrayBuffer) => RawPixels> = {
  Uint8Array,
  Int8Array,
  Uint16Array,
  Int16Array,
  Uint32Array,
  Int32Array,
};

interface Pending {
  /** What the worker was sent, with the caller's own bytes (for a fallback here). */
  readonly req: DecodeRequest;
  readonly resolve: (p: RawPixels) => void;
  readonly reject: (e: Error) => void;
}

interface Slot {
  readonly worker: Worker;
  readonly pending: Map<number, Pending>;
}

const MAX_WORKERS = 8;

/** Where the bundled worker is, relative to this module's file once bundled or in the sources. */
function workerFile(): string | null {
  const here = import.meta.url;
  if (!here.startsWith('file:')) return null;
  for (const rel of ['./decodeWorker.mjs', '../decodeWorker.mjs', '../cli/decodeWorker.mjs', '../out/cli/decodeWorker.mjs', '../../out/cli/decodeWorker.mjs']) {
    try {
      const path = fileURLToPath(new URL(rel, here));
      if (existsSync(path)) return path;
    } catch {
      // not a usable path: try the next
    }
  }
  return null;
}

let slots: Slot[] | null = null;
let broken = false;
let nextId = 1;
let turn = 0;
/** PARASPINE_DECODE_WORKERS=N caps the pool (0: decode in the calling thread); unset: one per core. */
function fromEnv(): number | null {
  const v = process.env.PARASPINE_DECODE_WORKERS;
  return v !== undefined && /^\d+$/.test(v) ? Number(v) : null;
}
let forced: number | null = fromEnv();
let onWorkers = 0;

/** Frames decoded on worker threads since the process started (tests and the benchmark). */
export function framesDecodedOnWorkers(): number {
  return onWorkers;
}

/** Workers in the pool (0: frames are decoded in the calling thread; null: the default). Tests and the benchmark. */
export function setDecoderWorkers(n: number | null): void {
  forced = n ?? fromEnv();
  closeDecoderPool();
}

/** Stops the pool's workers (they are also unreferenced whenever idle, so they never keep a process alive). */
export function closeDecoderPool(): void {
  const old = slots;
  slots = null;
  broken = false;
  for (const s of old ?? []) {
    for (const p of s.pending.values()) fallback(p);
    s.pending.clear();
    void s.worker.terminate();
  }
}

/** Decodes on this thread (no pool, or its worker failed). */
function fallback(p: Pending): void {
  decodeCompressedFrame(p.req.bytes, p.req.header, p.req.frameIndex).then(p.resolve, p.reject);
}

function fail(slot: Slot): void {
  // A worker that errs or exits: this and every later frame decode here.
  broken = true;
  const pending = [...slot.pending.values()];
  slot.pending.clear();
  void slot.worker.terminate();
  for (const p of pending) fallback(p);
}

function start(): Slot[] | null {
  if (broken) return null;
  if (slots) return slots;
  const size = Math.min(MAX_WORKERS, forced ?? availableParallelism());
  const file = size > 0 ? workerFile() : null;
  if (!file) {
    broken = true;
    return null;
  }
  const made: Slot[] = [];
  try {
    for (let i = 0; i < size; i++) {
      const worker = new Worker(file);
      const slot: Slot = { worker, pending: new Map() };
      worker.on('message', (r: DecodeReply) => {
        const p = slot.pending.get(r.id);
        if (!p) return;
        slot.pending.delete(r.id);
        if (slot.pending.size === 0) worker.unref();
        if (r.ok && r.type && r.buffer && ARRAYS[r.type]) {
          onWorkers++;
          p.resolve(new ARRAYS[r.type](r.buffer));
        } else if (r.ok) fallback(p); // a reply this version does not know: decode here instead
        else if (r.dicom) p.reject(new DicomFileError(r.message ?? 'frame cannot be decoded'));
        else p.reject(new Error(r.message ?? 'frame cannot be decoded'));
      });
      worker.on('error', () => fail(slot));
      worker.on('exit', () => {
        if (slot.pending.size > 0) fail(slot);
      });
      // Unreferenced only now, idle until a frame is posted to it: adding a 'message' listener refs the
      // worker's port again, so a worker unreferenced before its listeners kept the process alive forever
      // when it never got a frame (a load with fewer compressed frames than workers).
      worker.unref();
      made.push(slot);
    }
  } catch {
    for (const s of made) void s.worker.terminate();
    broken = true;
    return null;
  }
  slots = made;
  return slots;
}

/** Worker threads a load can keep busy (1 when frames are decoded in the calling thread). */
export function decoderParallelism(): number {
  if (broken) return 1;
  return Math.max(1, Math.min(MAX_WORKERS, forced ?? availableParallelism()));
}

/**
 * Decodes one compressed frame on a worker thread (in this thread when there are none): the same stored
 * values, and the same errors, as decodeCompressedFrame.
 */
export function decodeInPool(bytes: Uint8Array, header: FrameHeader, frameIndex: number): Promise<RawPixels> {
  const pool = start();
  if (!pool) return decodeCompressedFrame(bytes, header, frameIndex);
  const req: DecodeRequest = {
    id: nextId++,
    // A compact copy: posting a view would copy its whole buffer (often the whole file) to the worker.
    bytes: Uint8Array.prototype.slice.call(bytes),
    header: {
      transferSyntaxUid: header.transferSyntaxUid,
      rows: header.rows,
      columns: header.columns,
      bitsAllocated: header.bitsAllocated,
      bitsStored: header.bitsStored,
      pixelRepresentation: header.pixelRepresentation,
    },
    frameIndex,
  };
  // The least busy worker (ties: round robin).
  let best = pool[turn++ % pool.length]!;
  for (const s of pool) if (s.pending.size < best.pending.size) best = s;
  return new Promise<RawPixels>((resolve, reject) => {
    const p: Pending = { req: { ...req, bytes, header }, resolve, reject };
    best.pending.set(req.id, p);
    best.worker.ref();
    try {
      best.worker.postMessage(req, [req.bytes.buffer as ArrayBuffer]);
    } catch {
      best.pending.delete(req.id);
      if (best.pending.size === 0) best.worker.unref();
      fallback(p);
    }
  });
}
