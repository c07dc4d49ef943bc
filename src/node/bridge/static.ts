import { existsSync, promises as fs } from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sameToken, tokenFrom } from './auth';
import { sendJson } from './http';

/** The page, its token script and the renderer build's static files (GET/HEAD). */

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

export interface PageContext {
  token: string;
  cookieName: string;
  /** Built renderer folder (absolute), or null: only /api and the token script are served. */
  rendererDir: string | null;
}

/** GET/HEAD of everything but /api: the token script, the page, the static files. */
export async function handlePage(req: http.IncomingMessage, res: http.ServerResponse, url: URL, ctx: PageContext): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    sendJson(res, 405, { error: 'method not allowed' });
    return;
  }
  if (url.pathname === '/api-token.js') {
    serveTokenScript(req, res, url, ctx);
    return;
  }
  if (!ctx.rendererDir) {
    sendJson(res, 404, { error: 'no renderer build to serve (run the renderer build first)' });
    return;
  }
  if (url.pathname === '/' || url.pathname === '/index.html') await serveIndex(req, res, url, ctx, ctx.rendererDir);
  else if (FAVICONS[url.pathname] !== undefined && !existsSync(path.join(ctx.rendererDir, url.pathname))) await serveFavicon(req, res, FAVICONS[url.pathname]!);
  else await serveStatic(req, res, url, ctx.rendererDir);
}

/** The favicon paths a browser asks for, and the app icon file (resources/) each is. */
const FAVICONS: Record<string, string> = { '/favicon.ico': 'icon.ico', '/favicon.svg': 'icon.svg' };

/**
 * The app icon as the favicon (no 404 in the console of a browser asking for /favicon.ico): from the
 * package's resources/, found by walking up from this module (src/node/bridge in tests, out/bridge when bundled).
 */
async function serveFavicon(req: http.IncomingMessage, res: http.ServerResponse, file: string): Promise<void> {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let n = 0; n < 6; n++) {
    const candidate = path.join(dir, 'resources', file);
    if (existsSync(candidate)) {
      const bytes = await fs.readFile(candidate);
      res.writeHead(200, { 'Content-Type': MIME[path.extname(file)]!, 'Content-Length': bytes.length, 'Cache-Control': 'no-cache' });
      res.end(req.method === 'HEAD' ? undefined : bytes);
      return;
    }
    dir = path.dirname(dir);
  }
  sendJson(res, 404, { error: 'not found' });
}

function serveTokenScript(req: http.IncomingMessage, res: http.ServerResponse, url: URL, ctx: PageContext): void {
  // Same-origin only, proven by Fetch Metadata: without the header (an old browser, or a page on
  // another port of 127.0.0.1, which gets the SameSite cookie sent along) no token is served.
  if (req.headers['sec-fetch-site'] !== 'same-origin') {
    sendJson(res, 401, { error: 'refused: the token script is served only to the page itself (Sec-Fetch-Site: same-origin)' });
    return;
  }
  if (!sameToken(tokenFrom(req, url, ctx.cookieName, { query: false, cookie: true }), ctx.token)) {
    sendJson(res, 401, { error: 'missing or wrong bridge token' });
    return;
  }
  res.writeHead(200, { 'Content-Type': 'text/javascript; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(`window.__PARASPINE_TOKEN__ = ${JSON.stringify(ctx.token)};\n`);
}

async function serveIndex(req: http.IncomingMessage, res: http.ServerResponse, url: URL, ctx: PageContext, rendererDir: string): Promise<void> {
  const given = tokenFrom(req, url, ctx.cookieName, { query: true, cookie: true });
  if (!sameToken(given, ctx.token)) {
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
    'Set-Cookie': `${ctx.cookieName}=${ctx.token}; HttpOnly; SameSite=Strict; Path=/`,
  });
  res.end(req.method === 'HEAD' ? undefined : injectTokenScript(html));
}

/** Static files of the renderer build, confined to rendererDir (also through links). */
async function serveStatic(req: http.IncomingMessage, res: http.ServerResponse, url: URL, rendererDir: string): Promise<void> {
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
}

/** Add the same-origin token script before any other script of the page (no inline code). */
export function injectTokenScript(html: string): string {
  const tag = '<script src="/api-token.js"></script>';
  const m = /<head[^>]*>/i.exec(html);
  if (m) return html.slice(0, m.index + m[0].length) + tag + html.slice(m.index + m[0].length);
  return tag + html;
}
