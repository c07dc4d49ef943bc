import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScanResult } from '../../src/core/dicom/types';
import { startBridge, type Bridge } from '../../src/node/bridge/server';
import { createService } from '../../src/node/createService';
import { FolderSeriesSource } from '../../src/node/seriesSource';
import { folderLocator } from '../../src/shared/contract';
import { shared as sharedData } from '../dicom/helpers';
import { tmpDir } from './helpers';

const CT = sharedData('ct-abdomen-3mm', 'dicom');

/** Raw HTTP (fetch would rewrite the Host header for us; some tests need to send their own). */
function request(
  bridge: Bridge,
  method: string,
  p: string,
  opts: { headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: bridge.port, method, path: p, headers: opts.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}

describe('browser bridge', () => {
  let bridge: Bridge;
  let rendererDir: string;
  beforeAll(async () => {
    const root = tmpDir();
    rendererDir = path.join(root, 'renderer');
    mkdirSync(path.join(rendererDir, 'assets'), { recursive: true });
    writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><html><head><meta charset="utf-8"></head><body><script type="module" src="./assets/app.js"></script></body></html>');
    writeFileSync(path.join(rendererDir, 'assets', 'app.js'), 'console.log(1)');
    writeFileSync(path.join(root, 'secret.txt'), 'secret');
    const { service } = await createService({ mode: 'web', version: '1.2.3', userDataDir: path.join(root, 'userdata') });
    bridge = await startBridge({ service, rendererDir, port: 0 });
  });
  afterAll(async () => {
    await bridge?.close();
  });

  const api = (channel: string, args: unknown[], token: string | null = bridge.token, extra: Record<string, string> = {}) =>
    request(bridge, 'POST', `/api/${channel}`, {
      headers: { 'content-type': 'application/json', ...(token ? { 'x-paraspine-token': token } : {}), ...extra },
      body: JSON.stringify(args),
    });

  it('listens on 127.0.0.1 only, with a fresh random token', async () => {
    expect(bridge.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(bridge.token.length).toBeGreaterThanOrEqual(32);
    expect(bridge.pageUrl).toBe(`${bridge.url}/?token=${encodeURIComponent(bridge.token)}`);
    const second = await startBridge({ service: (await createService({ mode: 'web', version: '0', userDataDir: tmpDir() })).service });
    try {
      expect(second.token).not.toBe(bridge.token);
      expect(second.port).not.toBe(bridge.port);
    } finally {
      await second.close();
    }
  });

  it('rejects a missing or wrong token with 401', async () => {
    const none = await api('app:info', [], null);
    expect(none.status).toBe(401);
    expect(JSON.parse(none.body.toString()).error).toMatch(/missing or wrong bridge token/);
    expect((await api('app:info', [], 'x'.repeat(bridge.token.length))).status).toBe(401);
    expect((await api('app:info', [], bridge.token + 'x')).status).toBe(401);
  });

  it('serves app:info with the token (header or bearer), never from the query string', async () => {
    const r = await api('app:info', []);
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body.toString())).toMatchObject({ version: '1.2.3', mode: 'web', workspace: null });
    const bearer = await api('app:info', [], null, { authorization: `Bearer ${bridge.token}` });
    expect(bearer.status).toBe(200);
    // query strings end up in logs and history: refused, even beside a right header token
    const q = await request(bridge, 'POST', `/api/app:info?token=${encodeURIComponent(bridge.token)}`, { body: '[]' });
    expect(q.status).toBe(401);
    expect(JSON.parse(q.body.toString()).error).toMatch(/^refused: the bridge token is not accepted in the query string/);
    const both = await request(bridge, 'POST', `/api/app:info?token=${encodeURIComponent(bridge.token)}`, { headers: { 'x-paraspine-token': bridge.token }, body: '[]' });
    expect(both.status).toBe(401);
  });

  it('refuses bad arguments, unknown channels, other methods and foreign Host headers', async () => {
    const bad = await api('series:scan', [42]);
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body.toString()).error).toMatch(/^series:scan: argument 0/);
    expect(JSON.parse(bad.body.toString()).kind).toBe('usage');
    const unknown = await api('nope:nothing', []);
    expect(unknown.status).toBe(404);
    expect(JSON.parse(unknown.body.toString()).kind).toBe('notFound');
    const notJson = await request(bridge, 'POST', '/api/app:info', { headers: { 'x-paraspine-token': bridge.token }, body: '{' });
    expect(notJson.status).toBe(400);
    expect((await request(bridge, 'GET', '/api/app:info', { headers: { 'x-paraspine-token': bridge.token } })).status).toBe(405);
    const rebinding = await api('app:info', [], bridge.token, { host: `evil.example:${bridge.port}` });
    expect(rebinding.status).toBe(421);
  });

  it.skipIf(!existsSync(CT))('series:scan on the 3 mm abdominal CT; folder outside the pick refused for series:load', async () => {
    const r = await api('series:scan', [CT]);
    expect(r.status, r.body.toString()).toBe(200);
    const scan = JSON.parse(r.body.toString()) as ScanResult;
    expect(scan.series.length).toBeGreaterThanOrEqual(1);
    const s = scan.series[0]!;
    expect(s.modality).toBe('CT');
    expect(s.slices).toBeGreaterThan(50);
    expect(s.rows).toBeGreaterThan(0);
    expect(s.files).toHaveLength(s.slices);
    const outside = await api('series:load', [folderLocator(sharedData('ct-thorax-j2k'), s.seriesInstanceUid)]);
    expect(outside.status).toBe(403); // kind 'access' (core/errors.ts)
    expect(JSON.parse(outside.body.toString()).kind).toBe('access');
    expect(JSON.parse(outside.body.toString()).error).toMatch(/outside the folders you opened/);
  });

  it.skipIf(!existsSync(CT))('series:slices: the bytes as application/octet-stream, the other fields in x-paraspine-fields', async () => {
    const scan = JSON.parse((await api('series:scan', [CT])).body.toString()) as ScanResult;
    const loc = folderLocator(CT, scan.series[0]!.seriesInstanceUid);
    const meta = JSON.parse((await api('series:load', [loc])).body.toString()) as { huType: string; geometry: { rows: number; columns: number; slices: number } };
    // The whole volume loaded here, Node-side (a folder source), not through the bridge.
    const hu = (await new FolderSeriesSource().load(loc)).volume.hu;
    const whole = Buffer.from(hu.buffer, hu.byteOffset, hu.byteLength);
    const r = await api('series:slices', [loc, { start: 70, count: 5 }]);
    expect(r.status, r.body.toString()).toBe(200);
    expect(r.headers['content-type']).toBe('application/octet-stream');
    expect(JSON.parse(decodeURIComponent(r.headers['x-paraspine-fields'] as string))).toEqual({ start: 70, count: 5, huType: meta.huType });
    const sliceBytes = meta.geometry.rows * meta.geometry.columns * (meta.huType === 'int16' ? 2 : 4);
    expect(r.body.equals(whole.subarray(70 * sliceBytes, 75 * sliceBytes))).toBe(true);
    const bad = await api('series:slices', [loc, { start: meta.geometry.slices - 1, count: 2 }]);
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body.toString()).error).toMatch(/outside the series' slices 0\.\./);
  });

  it('serves the page only with the token, with a strict CSP and the token script injected', async () => {
    const noToken = await request(bridge, 'GET', '/');
    expect(noToken.status).toBe(401);
    const page = await request(bridge, 'GET', `/?token=${encodeURIComponent(bridge.token)}`);
    expect(page.status).toBe(200);
    const csp = page.headers['content-security-policy'] as string;
    expect(csp).toContain("script-src 'self' 'wasm-unsafe-eval'");
    const scriptSrc = csp.split(';').find((d) => d.trim().startsWith('script-src'))!;
    expect(scriptSrc.trim()).toBe("script-src 'self' 'wasm-unsafe-eval'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).not.toMatch(/https?:/);
    const html = page.body.toString();
    expect(html).toContain('<head><script src="/api-token.js"></script>');
    expect(html).not.toContain(bridge.token); // no inline token: it comes from the same-origin script
    const cookie = String(page.headers['set-cookie']);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);

    // the token script: with the cookie from the page, same-origin only
    const cookieHeader = cookie.split(';')[0]!;
    const js = await request(bridge, 'GET', '/api-token.js', { headers: { cookie: cookieHeader, 'sec-fetch-site': 'same-origin' } });
    expect(js.status).toBe(200);
    expect(js.body.toString()).toBe(`window.__PARASPINE_TOKEN__ = ${JSON.stringify(bridge.token)};\n`);
    expect((await request(bridge, 'GET', '/api-token.js', { headers: { cookie: cookieHeader, 'sec-fetch-site': 'cross-site' } })).status).toBe(401);
    // same-site (a page on another 127.0.0.1 port: the cookie is sent, SameSite does not tell ports apart)
    expect((await request(bridge, 'GET', '/api-token.js', { headers: { cookie: cookieHeader, 'sec-fetch-site': 'same-site' } })).status).toBe(401);
    // no Fetch Metadata at all (such a page in a browser without it): no token either
    const bare = await request(bridge, 'GET', '/api-token.js', { headers: { cookie: cookieHeader } });
    expect(bare.status).toBe(401);
    expect(bare.body.toString()).not.toContain(bridge.token);
    expect(JSON.parse(bare.body.toString()).error).toMatch(/served only to the page itself \(Sec-Fetch-Site: same-origin\)/);
    expect((await request(bridge, 'GET', '/api-token.js')).status).toBe(401);
    expect((await request(bridge, 'GET', '/api-token.js', { headers: { 'sec-fetch-site': 'same-origin' } })).status).toBe(401); // no cookie
    // a cookie alone does not authorise API calls
    expect((await request(bridge, 'POST', '/api/app:info', { headers: { cookie: cookieHeader }, body: '[]' })).status).toBe(401);
  });

  it('serves static assets from the renderer folder only', async () => {
    const a = await request(bridge, 'GET', '/assets/app.js');
    expect(a.status).toBe(200);
    expect(a.headers['content-type']).toMatch(/javascript/);
    expect(a.headers['content-security-policy']).toBeDefined();
    expect((await request(bridge, 'GET', '/../secret.txt')).status).toBe(404);
    expect((await request(bridge, 'GET', '/%2e%2e/secret.txt')).status).toBe(404);
    expect((await request(bridge, 'GET', '/assets/missing.js')).status).toBe(404);
  });
});
