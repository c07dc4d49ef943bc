import { randomBytes, timingSafeEqual } from 'node:crypto';
import { promises as fs } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { HTTP_STATUS, toUserError } from '../../core/errors';
import { ApiError, type ParaspineService } from '../api';
import { oneLine } from '../atomicWrite';

/**
 * Browser-mode bridge: the renderer in a plain browser reaches the same service functions as over
 * Electron IPC.
 *
 * - Listens on 127.0.0.1 only (port: `port` option, PARASPINE_PORT, or a random free one).
 * - A random token per start. API calls need it as the `x-paraspine-token` header or
 *   `Authorization: Bearer <token>`. Wrong or missing: 401. A token in an API call's query string is
 *   refused (401) whatever it is: query strings end up in logs and browser history.
 * - POST /api/<channel> with a JSON array of arguments -> 200 with the JSON result, or
 *   application/octet-stream for ArrayBuffer results and for results with an ArrayBuffer
 *   `bytes` (series:slices: the other fields as URI-encoded JSON in the x-paraspine-fields header);
 *   errors -> JSON { error, kind } (one
 *   line) with the status of the error's kind (core/errors.ts HTTP_STATUS: usage 400, input 422, access
 *   403, notFound 404 (also an unknown channel), internal 500); 401 without the token.
 * - Serves the built renderer (out/renderer) with a strict CSP. The page itself needs the token
 *   (`/?token=...`, the URL printed at start; a SameSite=Strict HttpOnly cookie then covers reloads
 *   that drop the query). The token reaches the page's script through /api-token.js (a same-origin
 *   script, no inline code, so the CSP stays strict), which sets window.__PARASPINE_TOKEN__. It is
 *   served only with the cookie and `Sec-Fetch-Site: same-origin`: SameSite does not tell ports apart,
 *   so a page on another 127.0.0.1 port would otherwise get the cookie sent along and could read the
 *   token; a browser without Fetch Metadata gets no token script (the page then reads the token from
 *   its address, or sessionStorage on a reload).
 * - Host header must be 127.0.0.1/localhost:<port> (no DNS rebinding).
 */

import { CSP } from '../../shared/csp';
import { BINARY_FIELDS_HEADER } from '../../shared/contract';

export { CSP };

export interface BridgeOptions {
  service: ParaspineService;
  /** Built renderer folder (index.html + assets). Without it only /api is served. */
  rendererDir?: string;
  /** 0 = random free port (default: PARASPINE_PORT or 0). */
  port?: number;
  /** Fixed token (tests); default a fresh random one. */
  token?: string;
  /** Largest accepted request body, bytes. */
  maxBodyBytes?: number;
}

export interface Bridge {
  url: string;
  /** The page address with the token, as printed by `npm run web`. */
  pageUrl: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

function securityHeaders(res: http.ServerResponse): void {
  res.setHeader('Content-Security-Policy', CSP);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  res.setHeader('X-Frame-Options', 'DENY');
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store' });
  res.end(text);
}

function sameToken(a: string | null | undefined, b: string): boolean {
  if (!a) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * The request body as text, at most `max` bytes. A body declared (Content-Length) or found to be
 * larger is refused with an ApiError before it is read further; the caller answers 400 and the
 * connection is closed after the answer (`Connection: close`), never before it.
 */
function readBody(req: http.IncomingMessage, max: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > max) {
      req.resume(); // drain, do not buffer
      reject(new ApiError(`request body larger than ${max} bytes`));
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
        reject(new ApiError(`request body larger than ${max} bytes`));
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (!refused) resolve(Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', reject);
  });
}

/** How many times a header occurs in the raw request (Node keeps only the first Host). */
function headerCount(req: http.IncomingMessage, name: string): number {
  let n = 0;
  for (let i = 0; i < req.rawHeaders.length; i += 2) if (req.rawHeaders[i]!.toLowerCase() === name) n++;
  return n;
}

export async function startBridge(opts: BridgeOptions): Promise<Bridge> {
  const token = opts.token ?? randomBytes(24).toString('base64url');
  const envPort = process.env.PARASPINE_PORT ? Number(process.env.PARASPINE_PORT) : 0;
  const wantPort = opts.port ?? (Number.isInteger(envPort) && envPort >= 0 && envPort < 65536 ? envPort : 0);
  const maxBody = opts.maxBodyBytes ?? 64 * 1024 * 1024;
  const rendererDir = opts.rendererDir ? path.resolve(opts.rendererDir) : null;
  let port = 0;
  const cookieName = () => `paraspine_token_${port}`;

  /** The token a request carries: headers always; the query (the page's address) and the cookie only where allowed. */
  const tokenFrom = (req: http.IncomingMessage, url: URL, allow: { query: boolean; cookie: boolean }): string | null => {
    const h = req.headers['x-paraspine-token'];
    if (typeof h === 'string') return h;
    const auth = req.headers.authorization;
    if (typeof auth === 'string' && auth.startsWith('Bearer ')) return auth.slice(7);
    const q = url.searchParams.get('token');
    if (q && allow.query) return q;
    if (allow.cookie) {
      for (const part of (req.headers.cookie ?? '').split(';')) {
        const [k, ...v] = part.trim().split('=');
        if (k === cookieName()) return v.join('=');
      }
    }
    return null;
  };

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    securityHeaders(res);
    const host = req.headers.host ?? '';
    if (headerCount(req, 'host') !== 1) {
      sendJson(res, 400, { error: 'refused: the request must carry exactly one Host header', kind: 'usage' });
      return;
    }
    if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`) {
      sendJson(res, 421, { error: `refused: unexpected Host header '${host}'` });
      return;
    }
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);

    if (url.pathname.startsWith('/api/')) {
      if (url.searchParams.has('token')) {
        sendJson(res, 401, { error: 'refused: the bridge token is not accepted in the query string (it would end up in logs and history); send it in the x-paraspine-token header' });
        return;
      }
      if (!sameToken(tokenFrom(req, url, { query: false, cookie: false }), token)) {
        sendJson(res, 401, { error: 'missing or wrong bridge token (open the address printed by npm run web)' });
        return;
      }
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
      let args: unknown;
      try {
        const body = await readBody(req, maxBody);
        args = body.trim() === '' ? [] : JSON.parse(body);
      } catch (e) {
        if (e instanceof ApiError) res.setHeader('Connection', 'close');
        sendJson(res, 400, { error: e instanceof ApiError ? e.message : `request body is not JSON (${oneLine(e)})`, kind: 'usage' });
        return;
      }
      try {
        const result = await opts.service.dispatch(channel, args);
        if (result instanceof ArrayBuffer) {
          res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': result.byteLength, 'Cache-Control': 'no-store' });
          res.end(Buffer.from(result));
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
      } catch (e) {
        const err = toUserError(e);
        sendJson(res, HTTP_STATUS[err.kind], { error: err.message, kind: err.kind });
      }
      return;
    }

    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendJson(res, 405, { error: 'method not allowed' });
      return;
    }

    if (url.pathname === '/api-token.js') {
      // Same-origin only, proven by Fetch Metadata: without the header (an old browser, or a page on
      // another port of 127.0.0.1, which gets the SameSite cookie sent along) no token is served.
      if (req.headers['sec-fetch-site'] !== 'same-origin') {
        sendJson(res, 401, { error: 'refused: the token script is served only to the page itself (Sec-Fetch-Site: same-origin)' });
        return;
      }
      if (!sameToken(tokenFrom(req, url, { query: false, cookie: true }), token)) {
        sendJson(res, 401, { error: 'missing or wrong bridge token' });
        return;
      }
      res.writeHead(200, { 'Content-Type': 'text/javascript; charset=utf-8', 'Cache-Control': 'no-store' });
      res.end(`window.__PARASPINE_TOKEN__ = ${JSON.stringify(token)};\n`);
      return;
    }

    if (!rendererDir) {
      sendJson(res, 404, { error: 'no renderer build to serve (run the renderer build first)' });
      return;
    }

    if (url.pathname === '/' || url.pathname === '/index.html') {
      const given = tokenFrom(req, url, { query: true, cookie: true });
      if (!sameToken(given, token)) {
        res.writeHead(401, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
        res.end('Paraspine: open the address printed by `npm run web` (it carries the access token).\n');
        return;
      }
      let html: string;
      try {
        html = await fs.readFile(path.join(rendererDir, 'index.html'), 'utf8');
      } catch {
        sendJson(res, 404, { error: `${path.join(rendererDir, 'index.html')} not found (build the renderer first)` });
        return;
      }
      res.writeHead(200, {
        'Content-Type': 'text/html; charset=utf-8',
        'Cache-Control': 'no-store',
        'Set-Cookie': `${cookieName()}=${token}; HttpOnly; SameSite=Strict; Path=/`,
      });
      res.end(req.method === 'HEAD' ? undefined : injectTokenScript(html));
      return;
    }

    // Static files of the renderer build, confined to rendererDir.
    let rel: string;
    try {
      rel = decodeURIComponent(url.pathname);
    } catch {
      sendJson(res, 400, { error: 'bad path' });
      return;
    }
    const file = path.resolve(rendererDir, '.' + rel);
    if (file !== rendererDir && !file.startsWith(rendererDir + path.sep)) {
      sendJson(res, 404, { error: 'not found' });
      return;
    }
    try {
      const real = await fs.realpath(file);
      if (!real.startsWith(await fs.realpath(rendererDir) + path.sep)) throw new Error('outside');
      const st = await fs.stat(real);
      if (!st.isFile()) throw new Error('not a file');
      res.writeHead(200, {
        'Content-Type': MIME[path.extname(real).toLowerCase()] ?? 'application/octet-stream',
        'Content-Length': st.size,
        'Cache-Control': rel.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
      });
      if (req.method === 'HEAD') res.end();
      else res.end(await fs.readFile(real));
    } catch {
      sendJson(res, 404, { error: 'not found' });
    }
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch((e) => {
      if (!res.headersSent) sendJson(res, 500, { error: oneLine(e) });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(wantPort, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    pageUrl: `${url}/?token=${encodeURIComponent(token)}`,
    port,
    token,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections?.();
        server.close((e) => (e ? reject(e) : resolve()));
      }),
  };
}

/** A result object carrying an ArrayBuffer `bytes` (SeriesSlices) beside plain JSON fields. */
function isBinaryRecord(v: unknown): v is { bytes: ArrayBuffer } & Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && (v as { bytes?: unknown }).bytes instanceof ArrayBuffer;
}

/** Add the same-origin token script before any other script of the page (no inline code). */
export function injectTokenScript(html: string): string {
  const tag = '<script src="/api-token.js"></script>';
  const m = /<head[^>]*>/i.exec(html);
  if (m) return html.slice(0, m.index + m[0].length) + tag + html.slice(m.index + m[0].length);
  return tag + html;
}
