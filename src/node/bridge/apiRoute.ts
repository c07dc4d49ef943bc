import type http from 'node:http';
import { HTTP_STATUS, toUserError } from '../../core/errors';
import type { ParaspineService } from '../api';
import { isChannel } from '../api';
import { BINARY_FIELDS_HEADER, BINARY_KIND_HEADER, BRIDGE_FRAME_TYPE, channels } from '../../shared/contract';
import { acceptedBodyType, BodyError, decodeArgs, mediaType, readBody } from './body';
import { sendJson } from './http';

/**
 * POST /api/<channel> (the token already checked): the body decoded into the channel's arguments
 * (body.ts), the service called, and its result sent as JSON or as bytes.
 */
export async function handleApi(req: http.IncomingMessage, res: http.ServerResponse, url: URL, service: ParaspineService, maxBody: number): Promise<void> {
  if (req.method !== 'POST') {
    res.setHeader('Allow', 'POST');
    sendJson(res, 405, { error: 'use POST with a JSON array of arguments' });
    return;
  }
  let channel: string;
  try {
    channel = decodeURIComponent(url.pathname.slice('/api/'.length));
  } catch {
    res.setHeader('Connection', 'close');
    sendJson(res, 400, { error: 'malformed percent escape in the channel name', kind: 'usage' });
    return;
  }
  if (!acceptedBodyType(req.headers['content-type'])) {
    req.resume(); // not read: drained and the connection closed after the answer
    res.setHeader('Connection', 'close');
    sendJson(res, 415, { error: `${channel}: unsupported content type '${mediaType(req.headers['content-type'])}' (send application/json, or ${BRIDGE_FRAME_TYPE} for arguments with bytes)`, kind: 'usage' });
    return;
  }
  let args: unknown;
  try {
    args = decodeArgs(req.headers['content-type'], await readBody(req, channelBodyLimit(channel, maxBody)));
  } catch (e) {
    if (e instanceof BodyError && e.close) res.setHeader('Connection', 'close');
    sendJson(res, e instanceof BodyError ? e.status : 400, { error: `${channel}: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`, kind: 'usage' });
    return;
  }
  try {
    sendResult(res, await service.dispatch(channel, args));
  } catch (e) {
    const err = toUserError(e);
    sendJson(res, HTTP_STATUS[err.kind], { error: err.message, kind: err.kind });
  }
}

/** The largest body a channel accepts: its own limit (the contract's maxBodyBytes) where it has one, never above the bridge's. */
export function channelBodyLimit(channel: string, maxBody: number): number {
  if (!isChannel(channel)) return maxBody;
  const own = (channels[channel] as { maxBodyBytes?: number }).maxBodyBytes;
  return own === undefined ? maxBody : Math.min(own, maxBody);
}

/**
 * ArrayBuffer and Uint8Array results (a Uint8Array marked by BINARY_KIND_HEADER, so the client gives
 * back a Uint8Array) as application/octet-stream; an object with ArrayBuffer `bytes` as its bytes with
 * the other fields in a header; else JSON.
 */
function sendResult(res: http.ServerResponse, result: unknown): void {
  if (result instanceof ArrayBuffer) {
    res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': result.byteLength, 'Cache-Control': 'no-store' });
    res.end(Buffer.from(result));
  } else if (result instanceof Uint8Array) {
    res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': result.byteLength, 'Cache-Control': 'no-store', [BINARY_KIND_HEADER]: 'uint8array' });
    res.end(Buffer.from(result.buffer, result.byteOffset, result.byteLength));
  } else if (isBinaryRecord(result)) {
    // An object with bytes (series:slices): the bytes as the body, the other fields in a header.
    const { bytes, ...fields } = result;
    res.writeHead(200, {
      'Content-Type': 'application/octet-stream',
      'Content-Length': bytes.byteLength,
      'Cache-Control': 'no-store',
      [BINARY_FIELDS_HEADER]: encodeURIComponent(JSON.stringify(fields)),
    });
    res.end(Buffer.from(bytes));
  } else {
    sendJson(res, 200, result ?? null);
  }
}

/** A result object carrying an ArrayBuffer `bytes` (SeriesSlices) beside plain JSON fields. */
function isBinaryRecord(v: unknown): v is { bytes: ArrayBuffer } & Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && (v as { bytes?: unknown }).bytes instanceof ArrayBuffer;
}
