import { timingSafeEqual } from 'node:crypto';
import type http from 'node:http';

/** The bridge's per-start token: where a request may carry it, and a constant-time comparison. */

export function sameToken(a: string | null | undefined, b: string): boolean {
  if (!a) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Where a token may come from besides the headers (always read): the page's address and the cookie, only where allowed. */
export interface TokenPlaces {
  query: boolean;
  cookie: boolean;
}

/** The token a request carries: headers always; the query (the page's address) and the cookie `cookieName` only where allowed. */
export function tokenFrom(req: http.IncomingMessage, url: URL, cookieName: string, allow: TokenPlaces): string | null {
  const h = req.headers['x-paraspine-token'];
  if (typeof h === 'string') return h;
  const auth = req.headers.authorization;
  if (typeof auth === 'string' && auth.startsWith('Bearer ')) return auth.slice(7);
  const q = url.searchParams.get('token');
  if (q && allow.query) return q;
  if (allow.cookie) {
    for (const part of (req.headers.cookie ?? '').split(';')) {
      const [k, ...v] = part.trim().split('=');
      if (k === cookieName) return v.join('=');
    }
  }
  return null;
}

/** The cookie that carries the token on reloads of the page (per port: SameSite does not tell ports apart). */
export function tokenCookieName(port: number): string {
  return `paraspine_token_${port}`;
}
