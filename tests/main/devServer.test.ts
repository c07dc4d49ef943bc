import { describe, expect, it } from 'vitest';
import { devServer, isDevServerRequest } from '../../src/main/devServer';

/**
 * ELECTRON_RENDERER_URL decides which page holds the whole IPC API: the main process (which cannot start
 * here) asks devServer, so the decision is checked here.
 */
describe('ELECTRON_RENDERER_URL', () => {
  it('is ignored, with the reason, in a packaged app: whatever it says, the app loads its own files', () => {
    for (const url of ['http://localhost:5173/', 'https://evil.example/', 'http://127.0.0.1:5173']) {
      const d = devServer(url, true);
      expect(d.server).toBeNull();
      expect(d.ignored).toBe(`ELECTRON_RENDERER_URL ${JSON.stringify(url)} ignored: a packaged app loads only its own files`);
    }
  });

  it('is used when not packaged only for a loopback http URL', () => {
    expect(devServer('http://localhost:5173/', false)).toEqual({ server: { url: 'http://localhost:5173/', origin: 'http://localhost:5173' } });
    expect(devServer('http://127.0.0.1:5173', false).server).toEqual({ url: 'http://127.0.0.1:5173/', origin: 'http://127.0.0.1:5173' });
    expect(devServer('http://[::1]:5173/', false).server?.origin).toBe('http://[::1]:5173');
  });

  it.each([
    'https://evil.example/',
    'http://evil.example:5173/',
    'http://localhost.evil.example:5173/',
    'http://127.0.0.1.nip.io:5173/',
    'http://192.168.1.10:5173/',
    'http://user:pw@localhost:5173/',
    'https://localhost:5173/',
    'file:///etc/passwd',
    'javascript:alert(1)',
    'not a url',
  ])('%s is refused when not packaged, with a one-line reason', (url) => {
    const d = devServer(url, false);
    expect(d.server).toBeNull();
    expect(d.ignored).toMatch(/^ELECTRON_RENDERER_URL ".*" ignored: (only an http URL on localhost, 127\.0\.0\.1 or \[::1\] may serve the renderer|not a URL)$/);
  });

  it('unset or empty: no dev server and nothing to say', () => {
    expect(devServer(undefined, false)).toEqual({ server: null });
    expect(devServer('', true)).toEqual({ server: null });
  });

  it('requests allowed to the dev server: its origin and its hot-reload websocket, nothing that merely starts alike', () => {
    const server = devServer('http://localhost:5173', false).server!;
    expect(isDevServerRequest('http://localhost:5173/src/main.tsx', server)).toBe(true);
    expect(isDevServerRequest('ws://localhost:5173/', server)).toBe(true);
    expect(isDevServerRequest('http://localhost:51730/', server)).toBe(false);
    expect(isDevServerRequest('http://localhost:5173.evil.example/', server)).toBe(false);
    expect(isDevServerRequest('ws://localhost:5174/', server)).toBe(false);
    expect(isDevServerRequest('https://localhost:5173/', server)).toBe(false);
    expect(isDevServerRequest('nonsense', server)).toBe(false);
  });
});
