/**
 * The renderer's one way to reach the main-process services (see src/shared/contract.ts).
 * In Electron the preload exposes `window.paraspine`; in a plain browser (`npm run web`) the same
 * channels are reached through the local HTTP bridge: POST /api/<channel> with a JSON array of
 * arguments (or, when an argument holds bytes, a binary frame: encodeFrame) and the per-start token; binary results (series:slices with its other
 * fields in a header, export bytes) come back as application/octet-stream, everything else as JSON.
 */
import type { Channel, ChannelArgs, ChannelResults, ParaspineApi } from '../../shared/contract';
import { BINARY_FIELDS_HEADER, BINARY_KIND_HEADER, BRIDGE_FRAME_TYPE, channels } from '../../shared/contract';

declare global {
  interface Window {
    paraspine?: ParaspineApi;
    /** The bridge may inject its token into the page it serves. */
    __PARASPINE_TOKEN__?: string;
  }
}

export class BridgeError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'BridgeError';
  }
}

/**
 * Find the bridge token: URL query (?token=), a global the bridge injected, a <meta name="paraspine-token">,
 * or sessionStorage (a page reload after the query was dropped from the address bar).
 */
export function findBridgeToken(win: Pick<Window, 'location' | 'document' | '__PARASPINE_TOKEN__'> & { sessionStorage?: Storage }): string | null {
  const fromQuery = new URLSearchParams(win.location.search).get('token') ?? new URLSearchParams(win.location.hash.replace(/^#/, '')).get('token');
  const fromGlobal = win.__PARASPINE_TOKEN__;
  const fromMeta = win.document?.querySelector?.('meta[name="paraspine-token"]')?.getAttribute('content');
  const token = fromQuery || fromGlobal || fromMeta || win.sessionStorage?.getItem('paraspine-token') || null;
  if (token && win.sessionStorage) win.sessionStorage.setItem('paraspine-token', token);
  return token;
}

/**
 * Remove the token from the address bar (and the history entry) once it has been read, so it is not
 * left on screen, in screenshots or in the browser history; reloads use sessionStorage and the
 * bridge's cookie instead.
 */
export function dropTokenFromAddress(win: Pick<Window, 'location' | 'history'>): void {
  const url = new URL(win.location.href);
  const hash = new URLSearchParams(url.hash.replace(/^#/, ''));
  if (!url.searchParams.has('token') && !hash.has('token')) return;
  url.searchParams.delete('token');
  hash.delete('token');
  url.hash = hash.toString();
  win.history.replaceState(win.history.state, '', url.pathname + url.search + url.hash);
}

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

/** A ParaspineApi that talks to the bridge over fetch. */
export function createBridgeClient(opts: { baseUrl: string; token: string | null; fetch?: FetchLike }): ParaspineApi {
  const doFetch: FetchLike = opts.fetch ?? ((i, init) => fetch(i, init));
  const base = opts.baseUrl.replace(/\/$/, '');
  async function call<C extends Channel>(channel: C, args: ChannelArgs<C>): Promise<ChannelResults[C]> {
    const frame = encodeFrame(args);
    const headers: Record<string, string> = { 'content-type': frame ? BRIDGE_FRAME_TYPE : 'application/json' };
    if (opts.token) {
      headers['x-paraspine-token'] = opts.token;
      headers.authorization = `Bearer ${opts.token}`;
    }
    const res = await doFetch(`${base}/api/${channel}`, { method: 'POST', headers, body: frame ?? JSON.stringify(args) });
    const type = res.headers.get('content-type') ?? '';
    if (!res.ok) {
      let msg = `${channel} failed (HTTP ${res.status})`;
      try {
        const text = await res.text();
        try {
          const j = JSON.parse(text) as { error?: unknown; message?: unknown };
          const m = j.error ?? j.message;
          if (typeof m === 'string') msg = m;
          else if (m && typeof m === 'object' && typeof (m as { message?: unknown }).message === 'string') msg = (m as { message: string }).message;
        } catch {
          if (text) msg = text;
        }
      } catch {
        /* keep the status message */
      }
      throw new BridgeError(msg, res.status);
    }
    if (type.includes('application/octet-stream')) {
      const bytes = await res.arrayBuffer();
      // A result with bytes and fields (series:slices): the fields come in a header.
      if (res.headers.get(BINARY_KIND_HEADER) === 'uint8array') return new Uint8Array(bytes) as unknown as ChannelResults[C];
      const fields = res.headers.get(BINARY_FIELDS_HEADER);
      if (fields === null) return bytes as unknown as ChannelResults[C];
      let parsed: unknown;
      try {
        parsed = JSON.parse(decodeURIComponent(fields));
      } catch {
        throw new BridgeError(`${channel}: unreadable ${BINARY_FIELDS_HEADER} header`, res.status);
      }
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new BridgeError(`${channel}: unreadable ${BINARY_FIELDS_HEADER} header`, res.status);
      return { ...(parsed as object), bytes } as ChannelResults[C];
    }
    const json = (await res.json()) as unknown;
    // The bridge may wrap results as { result } or { ok, result }; accept both shapes.
    if (json && typeof json === 'object' && !Array.isArray(json) && 'result' in json && Object.keys(json).every((k) => k === 'result' || k === 'ok')) {
      return (json as { result: ChannelResults[C] }).result;
    }
    return json as ChannelResults[C];
  }
  const api = {} as Record<Channel, (...args: unknown[]) => Promise<unknown>>;
  for (const ch of Object.keys(channels) as Channel[]) {
    api[ch] = (...args: unknown[]) => call(ch, args as ChannelArgs<typeof ch>);
  }
  return api as unknown as ParaspineApi;
}

type PathKey = string | number;

/**
 * Arguments that hold bytes (a Uint8Array or ArrayBuffer anywhere in them) as the bridge's binary
 * frame (BRIDGE_FRAME_TYPE, src/shared/contract.ts): 4-byte big-endian head length, the JSON head
 * { args, parts } with each byte value replaced by null and listed in parts by its path, then the
 * parts' bytes. null when the arguments hold no bytes (they go as JSON). The bytes are copied once
 * into the frame, never turned into text.
 */
export function encodeFrame(args: readonly unknown[]): Uint8Array<ArrayBuffer> | null {
  const parts: { path: PathKey[]; length: number; kind?: 'arraybuffer'; bytes: Uint8Array }[] = [];
  const walk = (v: unknown, path: PathKey[]): unknown => {
    if (v instanceof Uint8Array || v instanceof ArrayBuffer) {
      const bytes = v instanceof ArrayBuffer ? new Uint8Array(v) : v;
      parts.push({ path, length: bytes.byteLength, ...(v instanceof ArrayBuffer ? { kind: 'arraybuffer' as const } : {}), bytes });
      return null;
    }
    if (Array.isArray(v)) return v.map((x, i) => walk(x, [...path, i]));
    if (v !== null && typeof v === 'object' && [Object.prototype, null].includes(Object.getPrototypeOf(v) as object | null)) {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, [...path, k])]));
    }
    return v;
  };
  const headArgs = args.map((a, i) => walk(a, [i]));
  if (parts.length === 0) return null;
  const head = new TextEncoder().encode(JSON.stringify({ args: headArgs, parts: parts.map(({ path, length, kind }) => ({ path, length, ...(kind ? { kind } : {}) })) }));
  const total = 4 + head.byteLength + parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  new DataView(out.buffer).setUint32(0, head.byteLength, false);
  out.set(head, 4);
  let at = 4 + head.byteLength;
  for (const p of parts) {
    out.set(p.bytes, at);
    at += p.length;
  }
  return out;
}

let cached: ParaspineApi | null = null;

export function getApi(): ParaspineApi {
  if (cached) return cached;
  if (typeof window !== 'undefined' && window.paraspine) {
    cached = window.paraspine;
  } else {
    const token = findBridgeToken(window);
    dropTokenFromAddress(window);
    cached = createBridgeClient({ baseUrl: window.location.origin, token });
  }
  return cached;
}

export function isWebMode(): boolean {
  return typeof window === 'undefined' || !window.paraspine;
}
