/**
 * Binary request bodies over the browser bridge: export:write's bytes travel as a frame (JSON head +
 * raw bytes) from the renderer's client to the services and land in the file unchanged; a wrong
 * content type, a truncated or malformed frame and a body over the channel's limit each get a
 * one-line 4xx.
 */
import { readFileSync, readdirSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeFrame } from '../../src/node/bridge/body';
import { startBridge, type Bridge } from '../../src/node/bridge/server';
import { createService } from '../../src/node/createService';
import { createBridgeClient, encodeFrame, type FetchLike } from '../../src/renderer/api/client';
import { BRIDGE_FRAME_TYPE, MAX_EXPORT_BYTES } from '../../src/shared/contract';
import { tmpDir } from './helpers';

/** A frame built by hand, byte by byte as the contract describes it (not with encodeFrame). */
function handFrame(head: unknown, ...parts: Uint8Array[]): Buffer {
  const h = Buffer.from(JSON.stringify(head), 'utf8');
  const len = Buffer.alloc(4);
  len.writeUInt32BE(h.length, 0);
  return Buffer.concat([len, h, ...parts]);
}

function post(bridge: Bridge, channel: string, body: Buffer | string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port: bridge.port, method: 'POST', path: `/api/${channel}`, headers: { 'x-paraspine-token': bridge.token, ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('bridge: binary bodies', () => {
  let bridge: Bridge;
  let ws: string;
  beforeAll(async () => {
    const root = tmpDir();
    ws = path.join(root, 'ws');
    const { service } = await createService({ mode: 'web', version: '0', userDataDir: path.join(root, 'u') });
    bridge = await startBridge({ service, port: 0 });
    const { mkdirSync } = await import('node:fs');
    mkdirSync(ws);
  });
  afterAll(async () => {
    await bridge?.close();
  });

  it('export:write round-trip: the client sends a frame, the file holds exactly the bytes sent', async () => {
    const sent: { type: string; body: unknown }[] = [];
    const spy: FetchLike = (input, init) => {
      sent.push({ type: new Headers(init.headers).get('content-type') ?? '', body: init.body });
      return fetch(input, init);
    };
    const api = createBridgeClient({ baseUrl: bridge.url, token: bridge.token, fetch: spy });
    await api['workspace:set'](ws);
    // UTF-8 text with every awkward byte a CSV can hold: CR, LF, NUL, quotes, 2-, 3- and 4-byte characters.
    const text = 'level,muscle,areaMm2\r\nL3,"psoas ""left""",711\n\u0000,Ä ß,✓ 😀\r';
    const bytes = new Uint8Array(Buffer.from(text, 'utf8'));
    const r = await api['export:write']({ format: 'csv', seriesUid: '1.2.3', body: bytes });
    expect(r.path).toBe(path.join(ws, 'exports', '1.2.3.measurements.csv'));
    expect(readFileSync(r.path).equals(Buffer.from(text, 'utf8'))).toBe(true);
    expect(readdirSync(path.join(ws, 'exports'))).toEqual(['1.2.3.measurements.csv']);
    // The bytes went as a frame (not as JSON): its tail is the file's bytes, as they are.
    const last = sent[sent.length - 1]!;
    expect(last.type).toBe(BRIDGE_FRAME_TYPE);
    const frame = Buffer.from(last.body as Uint8Array);
    expect(frame.subarray(frame.length - bytes.length).equals(Buffer.from(bytes))).toBe(true);
    // Calls without bytes still go as JSON.
    expect(sent[0]!.type).toBe('application/json');
  });

  it('a hand-made frame is decoded by the server: the JSON export lands byte for byte', async () => {
    const api = createBridgeClient({ baseUrl: bridge.url, token: bridge.token });
    await api['workspace:set'](ws);
    const json = Buffer.from('{"format":"paraspine-measurements","ü":[1,2]}\n', 'utf8');
    const head = { args: [{ format: 'json', seriesUid: '9.8', body: null }], parts: [{ path: [0, 'body'], length: json.length }] };
    const r = await post(bridge, 'export:write', handFrame(head, json), { 'content-type': `${BRIDGE_FRAME_TYPE}; v=1` });
    expect(r.status).toBe(200);
    expect(readFileSync(path.join(ws, 'exports', '9.8.measurements.json')).equals(json)).toBe(true);
  });

  it('refuses a wrong content type (415), truncated and malformed frames (400), each with one line', async () => {
    const body = Buffer.from('a,b\n');
    const head = { args: [{ format: 'csv', seriesUid: '1.1', body: null }], parts: [{ path: [0, 'body'], length: body.length }] };
    const cases: [Buffer | string, string, number, RegExp][] = [
      ['[]', 'text/plain', 415, /^export:write: unsupported content type 'text\/plain'/],
      ['--x\r\n', 'multipart/form-data; boundary=x', 415, /unsupported content type 'multipart\/form-data'/],
      [handFrame(head, body).subarray(0, -1), BRIDGE_FRAME_TYPE, 400, /bad frame: truncated: the parts declare 4 byte\(s\), 3 follow the head/],
      [handFrame(head, body).subarray(0, 10), BRIDGE_FRAME_TYPE, 400, /bad frame: truncated: a \d+-byte head/],
      [Buffer.from([0, 0]), BRIDGE_FRAME_TYPE, 400, /bad frame: 2 byte\(s\), shorter than the 4-byte head length/],
      [Buffer.concat([handFrame(head, body), Buffer.from('!')]), BRIDGE_FRAME_TYPE, 400, /bad frame: 1 byte\(s\) after the last part/],
      [handFrame({ args: [] }), BRIDGE_FRAME_TYPE, 400, /bad frame: the head must be \{ args/],
      [Buffer.concat([Buffer.from([0, 0, 0, 2]), Buffer.from('{x')]), BRIDGE_FRAME_TYPE, 400, /bad frame: the head is not UTF-8 JSON/],
      [handFrame({ ...head, parts: [{ path: [0, 'seriesUid'], length: 4 }] }, body), BRIDGE_FRAME_TYPE, 400, /does not lead to a null placeholder/],
      [handFrame({ ...head, parts: [{ path: [0, '__proto__'], length: 4 }] }, body), BRIDGE_FRAME_TYPE, 400, /part 0 has no valid path/],
      // JSON cannot carry bytes: the body as a string is refused by the channel's schema.
      [JSON.stringify([{ format: 'csv', seriesUid: '1.1', body: 'a,b\n' }]), 'application/json', 400, /export:write: argument 0\.body: expected bytes/],
    ];
    for (const [b, type, status, re] of cases) {
      const r = await post(bridge, 'export:write', b, { 'content-type': type });
      expect(r.status, `${type} ${String(re)}`).toBe(status);
      const err = (JSON.parse(r.body) as { error: string }).error;
      expect(err).toMatch(re);
      expect(err).not.toMatch(/\n/);
    }
    expect(readdirSync(ws).includes('exports') ? readdirSync(path.join(ws, 'exports')).filter((n) => n.startsWith('1.1.')) : []).toEqual([]);
  });

  it('a body declared over export:write\'s limit is refused before it is sent (the bridge answers at the headers)', async () => {
    const limit = MAX_EXPORT_BYTES + 64 * 1024;
    const r = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port: bridge.port,
          method: 'POST',
          path: '/api/export:write',
          headers: { 'x-paraspine-token': bridge.token, 'content-type': BRIDGE_FRAME_TYPE, 'content-length': String(limit + 1) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode!, body: Buffer.concat(chunks).toString('utf8') }));
        },
      );
      req.on('error', reject);
      req.flushHeaders(); // headers only: not one byte of the body is written
    });
    expect(r.status).toBe(400);
    expect((JSON.parse(r.body) as { error: string }).error).toBe(`export:write: request body larger than ${limit} bytes`);
  });
});

describe('frame codec', () => {
  it('the client\'s frame decodes to the same arguments, every byte value kept, ArrayBuffers as ArrayBuffers', () => {
    const all = new Uint8Array(256).map((_, i) => i);
    const ab = Uint8Array.of(255, 0, 128).buffer;
    const args = [{ format: 'csv', nested: [1, { bytes: all }], empty: new Uint8Array(0) }, 'x', ab];
    const frame = encodeFrame(args)!;
    const back = decodeFrame(frame) as [{ format: string; nested: [number, { bytes: Uint8Array }]; empty: Uint8Array }, string, ArrayBuffer];
    expect(back[0].format).toBe('csv');
    expect(back[0].nested[0]).toBe(1);
    expect(Array.from(back[0].nested[1].bytes)).toEqual(Array.from({ length: 256 }, (_, i) => i));
    expect(back[0].empty).toBeInstanceOf(Uint8Array);
    expect(back[0].empty.byteLength).toBe(0);
    expect(back[1]).toBe('x');
    expect(back[2]).toBeInstanceOf(ArrayBuffer);
    expect(Array.from(new Uint8Array(back[2]))).toEqual([255, 0, 128]);
    // The layout the contract states: 4-byte big-endian head length, the head, then the parts in order.
    const headLength = new DataView(frame.buffer).getUint32(0, false);
    const head = JSON.parse(Buffer.from(frame.subarray(4, 4 + headLength)).toString('utf8')) as { parts: { path: unknown[]; length: number }[] };
    expect(head.parts).toEqual([
      { path: [0, 'nested', 1, 'bytes'], length: 256 },
      { path: [0, 'empty'], length: 0 },
      { path: [2], length: 3, kind: 'arraybuffer' },
    ]);
    expect(frame.byteLength).toBe(4 + headLength + 259);
  });

  it('arguments without bytes are not framed', () => {
    expect(encodeFrame([{ a: 1 }, 'x', [null]])).toBeNull();
  });
});

describe('bridge: binary results', () => {
  it('a Uint8Array result comes back to the client as a Uint8Array of the same bytes (not JSON)', async () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => 255 - i);
    // A service whose one answer is bytes at an offset of a larger buffer (as an encoder may return them).
    const backing = new Uint8Array(300);
    backing.set(all, 7);
    const view = backing.subarray(7, 7 + 256);
    const service = { dispatch: () => Promise.resolve(view) } as unknown as Parameters<typeof startBridge>[0]['service'];
    const b = await startBridge({ service, port: 0 });
    try {
      const api = createBridgeClient({ baseUrl: b.url, token: b.token });
      const r = (await api['app:info']()) as unknown;
      expect(r).toBeInstanceOf(Uint8Array);
      expect(Array.from(r as Uint8Array)).toEqual(Array.from({ length: 256 }, (_, i) => 255 - i));
    } finally {
      await b.close();
    }
  });
});
