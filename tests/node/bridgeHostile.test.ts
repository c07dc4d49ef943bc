import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBridge, type Bridge } from '../../src/node/bridge/server';
import { createService } from '../../src/node/createService';
import { tmpDir } from './helpers';

/** One raw HTTP/1.1 exchange: what the server answered before it closed the socket. */
function raw(port: number, text: string | Buffer, opts: { endAfterWrite?: boolean } = {}): Promise<{ status: number; body: string; raw: string }> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    sock.on('data', (c) => chunks.push(c));
    sock.on('error', (e) => (chunks.length ? undefined : reject(e)));
    sock.on('close', () => {
      const all = Buffer.concat(chunks).toString('latin1');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(all)?.[1] ?? 0);
      resolve({ status, body: all.slice(all.indexOf('\r\n\r\n') + 4), raw: all });
    });
    sock.write(text, () => {
      if (opts.endAfterWrite !== false) sock.end();
    });
  });
}

describe('bridge against hostile requests', () => {
  let bridge: Bridge;
  const MAX = 1024;
  beforeAll(async () => {
    const { service } = await createService({ mode: 'web', version: '0', userDataDir: path.join(tmpDir(), 'u') });
    bridge = await startBridge({ service, port: 0, maxBodyBytes: MAX });
  });
  afterAll(async () => {
    await bridge?.close();
  });
  const head = (p: string, extra = '', length = 2) =>
    `POST ${p} HTTP/1.1\r\nHost: 127.0.0.1:${bridge.port}\r\nx-paraspine-token: ${bridge.token}\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n${extra}\r\n`;

  it('a malformed percent escape in the channel is a 400 with a reason, not a 500', async () => {
    const r = await raw(bridge.port, head('/api/series%E0%A4%A') + '[]');
    expect(r.status).toBe(400);
    expect(JSON.parse(r.body)).toMatchObject({ kind: 'usage', error: expect.stringMatching(/malformed percent escape/) });
  });

  it('an oversized body gets its 400 before the socket closes (declared or streamed)', async () => {
    const declared = await raw(bridge.port, head('/api/app:info', '', MAX * 50) + '[' + ' '.repeat(MAX * 2));
    expect(declared.status).toBe(400);
    expect(JSON.parse(declared.body).error).toMatch(new RegExp(`larger than ${MAX} bytes`));
    const chunked = `POST /api/app:info HTTP/1.1\r\nHost: 127.0.0.1:${bridge.port}\r\nx-paraspine-token: ${bridge.token}\r\nTransfer-Encoding: chunked\r\n\r\n`;
    const big = (MAX * 3).toString(16);
    const streamed = await raw(bridge.port, chunked + `${big}\r\n${'x'.repeat(MAX * 3)}\r\n0\r\n\r\n`);
    expect(streamed.status).toBe(400);
    expect(JSON.parse(streamed.body).error).toMatch(/larger than/);
  });

  it('duplicate Host headers are refused', async () => {
    const dup = `POST /api/app:info HTTP/1.1\r\nHost: 127.0.0.1:${bridge.port}\r\nHost: evil.example\r\nx-paraspine-token: ${bridge.token}\r\nContent-Length: 2\r\n\r\n[]`;
    const r = await raw(bridge.port, dup);
    expect(r.status).toBe(400);
    expect(JSON.parse(r.body).error).toMatch(/exactly one Host header/);
    const ok = await raw(bridge.port, head('/api/app:info', 'Connection: close\r\n') + '[]');
    expect(ok.status).toBe(200);
  });
});
