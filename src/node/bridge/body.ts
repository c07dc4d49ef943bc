import type http from 'node:http';
import { BRIDGE_FRAME_TYPE } from '../../shared/contract';

/**
 * The API route's request body: read with a size limit, then decoded by its content type into the
 * channel's argument array. application/json (or no type: older clients) is the JSON array itself;
 * BRIDGE_FRAME_TYPE (src/shared/contract.ts) is a JSON head and the raw bytes of the arguments that
 * hold bytes. The frame is our own (a few lines, no multipart parser needed): one fetch body, no
 * boundary scanning, no base64, and the bytes land in the arguments as views, never as text.
 */

/** A request body refused: the HTTP status and a one-line reason; `close`: answer, then close the connection (the rest is not read). */
export class BodyError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly close = false,
  ) {
    super(message);
    this.name = 'BodyError';
  }
}

/**
 * The request body, at most `max` bytes. A body declared (Content-Length) or found to be larger is
 * refused before it is read further (BodyError 400 with `close`: the caller answers, and the
 * connection is closed after the answer, never before it).
 */
export function readBody(req: http.IncomingMessage, max: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > max) {
      req.resume(); // drain, do not buffer
      reject(new BodyError(`request body larger than ${max} bytes`, 400, true));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    req.on('data', (c: Buffer) => {
      if (refused) return;
      size += c.length;
      if (size > max) {
        refused = true;
        chunks.length = 0;
        reject(new BodyError(`request body larger than ${max} bytes`, 400, true));
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (!refused) resolve(Buffer.concat(chunks));
    });
    req.on('error', reject);
  });
}

/** The media type of a Content-Type header, lower case, without parameters ('' when absent). */
export function mediaType(header: string | undefined): string {
  return (header ?? '').split(';')[0]!.trim().toLowerCase();
}

/** Whether a request's content type is one the API route decodes (checked before the body is read). */
export function acceptedBodyType(header: string | undefined): boolean {
  const t = mediaType(header);
  return t === '' || t === 'application/json' || t === BRIDGE_FRAME_TYPE;
}

/** The channel's arguments from a body of the given content type; BodyError 400 (one line) when it is not readable. */
export function decodeArgs(contentType: string | undefined, body: Buffer): unknown {
  const t = mediaType(contentType);
  if (t === BRIDGE_FRAME_TYPE) return decodeFrame(body);
  if (!acceptedBodyType(contentType)) throw new BodyError(`unsupported content type '${t}' (send application/json, or ${BRIDGE_FRAME_TYPE} for arguments with bytes)`, 415);
  const text = body.toString('utf8');
  if (text.trim() === '') return [];
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new BodyError(`request body is not JSON (${firstLine(e)})`, 400);
  }
}

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Decode a BRIDGE_FRAME_TYPE body: the head's args with each part's bytes set at its path. */
export function decodeFrame(body: Uint8Array): unknown[] {
  const bad = (why: string) => new BodyError(`bad frame: ${why}`, 400);
  if (body.byteLength < 4) throw bad(`${body.byteLength} byte(s), shorter than the 4-byte head length`);
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const headLength = view.getUint32(0, false);
  if (4 + headLength > body.byteLength) throw bad(`truncated: a ${headLength}-byte head, but only ${body.byteLength - 4} byte(s) follow the length`);
  let head: unknown;
  try {
    head = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body.subarray(4, 4 + headLength)));
  } catch (e) {
    throw bad(`the head is not UTF-8 JSON (${firstLine(e)})`);
  }
  if (!isPlainObject(head) || !Array.isArray(head.args) || !Array.isArray(head.parts)) throw bad('the head must be { args: [...], parts: [...] }');
  const args = head.args as unknown[];
  const parts = head.parts as unknown[];
  let offset = 4 + headLength;
  const total = parts.reduce<number>((n, p) => n + (isPlainObject(p) && Number.isSafeInteger(p.length) && (p.length as number) >= 0 ? (p.length as number) : 0), 0);
  if (offset + total > body.byteLength) throw bad(`truncated: the parts declare ${total} byte(s), ${body.byteLength - offset} follow the head`);
  if (offset + total < body.byteLength) throw bad(`${body.byteLength - offset - total} byte(s) after the last part`);
  parts.forEach((p, n) => {
    if (!isPlainObject(p) || !Number.isSafeInteger(p.length) || (p.length as number) < 0) throw bad(`part ${n} has no valid length`);
    const path = p.path;
    if (!Array.isArray(path) || path.length === 0 || !path.every((k) => (typeof k === 'string' && !FORBIDDEN_KEYS.has(k)) || (Number.isInteger(k) && (k as number) >= 0))) {
      throw bad(`part ${n} has no valid path`);
    }
    let container: unknown = args;
    for (const key of path.slice(0, -1)) {
      container = Array.isArray(container) || isPlainObject(container) ? (container as Record<string | number, unknown>)[key as string | number] : undefined;
    }
    const last = path[path.length - 1] as string | number;
    const holder = container as Record<string | number, unknown>;
    const ok = (Array.isArray(container) && typeof last === 'number' && last < container.length) || (isPlainObject(container) && typeof last === 'string' && Object.prototype.hasOwnProperty.call(container, last));
    if (!ok || holder[last] !== null) throw bad(`part ${n}'s path ${JSON.stringify(path)} does not lead to a null placeholder in args`);
    const length = p.length as number;
    const bytes = body.subarray(offset, offset + length);
    holder[last] = p.kind === 'arraybuffer' ? bytes.slice().buffer : new Uint8Array(bytes.buffer, bytes.byteOffset, length);
    offset += length;
  });
  return args;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0]!;
}
