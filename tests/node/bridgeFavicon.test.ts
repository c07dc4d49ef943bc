import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBridge, type Bridge } from '../../src/node/bridge/server';
import { createService } from '../../src/node/createService';

/** The favicon: a browser's GET /favicon.ico (and /favicon.svg) is the app icon of resources/, not a 404. */
describe('bridge favicon', () => {
  let bridge: Bridge;
  let rendererDir: string;
  beforeAll(async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'paraspine-favicon-'));
    rendererDir = path.join(root, 'renderer');
    mkdirSync(rendererDir, { recursive: true });
    writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><html><head></head><body></body></html>');
    const { service } = await createService({ mode: 'web', version: '0', userDataDir: path.join(root, 'userdata') });
    bridge = await startBridge({ service, rendererDir, port: 0 });
  });
  afterAll(async () => {
    await bridge?.close();
  });

  it('serves resources/icon.ico and icon.svg, byte for byte, with their types', async () => {
    for (const [url, file, type] of [
      ['/favicon.ico', 'icon.ico', 'image/x-icon'],
      ['/favicon.svg', 'icon.svg', 'image/svg+xml'],
    ] as const) {
      const res = await fetch(`${bridge.url}${url}`);
      expect([url, res.status, res.headers.get('content-type')]).toEqual([url, 200, type]);
      expect(Buffer.from(await res.arrayBuffer()).equals(readFileSync(path.join(__dirname, '../../resources', file)))).toBe(true);
    }
    expect((await fetch(`${bridge.url}/favicon.png`)).status).toBe(404);
  });

  it("prefers a favicon of the renderer build when it has one", async () => {
    writeFileSync(path.join(rendererDir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    const res = await fetch(`${bridge.url}/favicon.svg`);
    expect([res.status, await res.text()]).toEqual([200, '<svg xmlns="http://www.w3.org/2000/svg"/>']);
  });

  it('the page links the icon (no request for a missing /favicon.ico)', () => {
    const html = readFileSync(path.join(__dirname, '../../src/renderer/index.html'), 'utf8');
    const href = /<link rel="icon" type="image\/svg\+xml" href="([^"]+)"/.exec(html)?.[1];
    expect(href).toBeDefined();
    expect(readFileSync(path.join(__dirname, '../../src/renderer', href!), 'utf8')).toBe(readFileSync(path.join(__dirname, '../../resources/icon.svg'), 'utf8'));
  });
});
