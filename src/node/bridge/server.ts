import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { ParaspineService } from '../api';
import { oneLine } from '../atomicWrite';
import { CSP } from '../../shared/csp';
import { handleApi } from './apiRoute';
import { sameToken, tokenCookieName, tokenFrom } from './auth';
import { headerCount, securityHeaders, sendJson } from './http';
import { handlePage, injectTokenScript } from './static';

/**
 * Browser-mode bridge: the renderer in a plain browser reaches the same service functions as over
 * Electron IPC.
 *
 * - Listens on 127.0.0.1 only (port: `port` option, PARASPINE_PORT, or a random free one).
 * - A random token per start. API calls need it as the `x-paraspine-token` header or
 *   `Authorization: Bearer <token>`. Wrong or missing: 401. A token in an API call's query string is
 *   refused (401) whatever it is: query strings end up in logs and browser history.
 * - POST /api/<channel> with a JSON array of arguments (application/json), or, for arguments that hold
 *   bytes (export:write's body), a binary frame (BRIDGE_FRAME_TYPE in src/shared/contract.ts: a JSON
 *   head and the raw bytes; body.ts) -> 200 with the JSON result, or
 *   application/octet-stream for ArrayBuffer and Uint8Array results (a Uint8Array marked by BINARY_KIND_HEADER) and for results with an ArrayBuffer
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
 * - A body over the channel's limit (the contract's maxBodyBytes, never above `maxBodyBytes`) is
 *   refused (400) before it is read whole; another content type is a 415, a truncated or malformed
 *   frame a 400, each with a one-line reason.
 *
 * The parts: auth.ts (the token), apiRoute.ts with body.ts (the API route and its body codec),
 * static.ts (the page, its token script and the build's files), http.ts (response helpers).
 */

export { CSP, injectTokenScript };

export interface BridgeOptions {
  service: ParaspineService;
  /** Built renderer folder (index.html + assets). Without it only /api is served. */
  rendererDir?: string;
  /** 0 = random free port (default: PARASPINE_PORT or 0). */
  port?: number;
  /** Fixed token (tests); default a fresh random one. */
  token?: string;
  /** Largest accepted request body, bytes (a channel's own limit may be lower). */
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

export async function startBridge(opts: BridgeOptions): Promise<Bridge> {
  const token = opts.token ?? randomBytes(24).toString('base64url');
  const envPort = process.env.PARASPINE_PORT ? Number(process.env.PARASPINE_PORT) : 0;
  const wantPort = opts.port ?? (Number.isInteger(envPort) && envPort >= 0 && envPort < 65536 ? envPort : 0);
  const maxBody = opts.maxBodyBytes ?? 64 * 1024 * 1024;
  const rendererDir = opts.rendererDir ? path.resolve(opts.rendererDir) : null;
  let port = 0;

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
    if (!url.pathname.startsWith('/api/')) {
      await handlePage(req, res, url, { token, cookieName: tokenCookieName(port), rendererDir });
      return;
    }
    if (url.searchParams.has('token')) {
      sendJson(res, 401, { error: 'refused: the bridge token is not accepted in the query string (it would end up in logs and history); send it in the x-paraspine-token header' });
      return;
    }
    if (!sameToken(tokenFrom(req, url, tokenCookieName(port), { query: false, cookie: false }), token)) {
      sendJson(res, 401, { error: 'missing or wrong bridge token (open the address printed by npm run web)' });
      return;
    }
    await handleApi(req, res, url, opts.service, maxBody);
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
