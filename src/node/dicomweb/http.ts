/**
 * One HTTP exchange with a DICOMweb server over Node's fetch, bounded: a time limit (AbortSignal) for
 * the whole exchange, body included; a size cap checked on Content-Length and again while reading; no
 * redirect followed (a server never sends Paraspine to another host). Every failure is a UserError whose
 * message is one line naming the URL: server down, too slow, an error status, a wrong content type, a
 * body over the cap.
 */
import { UserError, oneLine } from '../../core/errors';
import { mediaTypeParams } from './multipart';

/** The server could not be reached or did not answer in time: a cached copy may stand in (offline). */
export class UnreachableError extends UserError {
  constructor(message: string) {
    super('input', message);
    this.name = 'UnreachableError';
  }
}

export interface Limits {
  /** Time for the whole exchange, body included (ms). */
  readonly timeoutMs: number;
  /** Largest body accepted (bytes). */
  readonly maxBytes: number;
}

export interface Answer {
  readonly status: number;
  readonly contentType: string;
  readonly body: Uint8Array;
}

export interface Exchange {
  readonly method?: 'GET' | 'POST';
  readonly headers?: Record<string, string>;
  readonly body?: Uint8Array<ArrayBuffer>;
  /** Media types accepted in the answer (lower case); a 204 No Content passes with any. */
  readonly accept: readonly string[];
  /** A cancel from the caller. */
  readonly signal?: AbortSignal;
  /** Error statuses answered with a body to read rather than refused (STOW-RS: 409 with the failures). */
  readonly pass?: readonly number[];
}

function mb(n: number): string {
  return n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(n >= 10 * 1024 * 1024 ? 0 : 1)} MB` : `${Math.ceil(n / 1024)} kB`;
}

/** Why fetch failed, in a few words (the cause's code: ECONNREFUSED, ENOTFOUND, ...). */
function networkReason(e: unknown): string {
  const cause = (e as { cause?: { code?: string; message?: string } } | null)?.cause;
  const code = cause?.code;
  if (code === 'ECONNREFUSED') return 'server not reachable (connection refused: is it running?)';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'server not reachable (host name not found)';
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return 'the server closed the connection before answering in full';
  if (code === 'UND_ERR_HEADERS_OVERFLOW') return 'the server answered with oversized headers';
  return `server not reachable (${code ?? cause?.message ?? (e as Error).message})`;
}

function isAbort(e: unknown): boolean {
  const name = (e as { name?: string } | null)?.name;
  return name === 'AbortError' || name === 'TimeoutError';
}

/** Performs one exchange (see the module comment). */
export async function exchange(url: string, ex: Exchange, limits: Limits): Promise<Answer> {
  const timeout = AbortSignal.timeout(limits.timeoutMs);
  const signal = ex.signal ? AbortSignal.any([timeout, ex.signal]) : timeout;
  const fail = (message: string, kind: 'input' | 'notFound' | 'access' = 'input') => new UserError(kind, oneLine(`${url}: ${message}`, 600));
  const unreachable = (message: string) => new UnreachableError(oneLine(`${url}: ${message}`, 600));
  const slow = () => (ex.signal?.aborted ? fail('cancelled') : unreachable(`no complete answer within ${limits.timeoutMs / 1000} s (the server is too slow or stalled)`));
  let res: Response;
  try {
    res = await fetch(url, { method: ex.method ?? 'GET', headers: ex.headers ?? {}, ...(ex.body ? { body: ex.body } : {}), redirect: 'manual', signal });
  } catch (e) {
    if (isAbort(e) || signal.aborted) throw slow();
    throw unreachable(networkReason(e));
  }
  const drop = () => res.body?.cancel().catch(() => {});
  if (res.status >= 300 && res.status < 400) {
    void drop();
    throw fail(`the server redirects (${res.status}) to ${res.headers.get('location') ?? 'nowhere'}: redirects are not followed`);
  }
  const contentType = res.headers.get('content-type') ?? '';
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > limits.maxBytes) {
    void drop();
    throw fail(`answer of ${mb(declared)} is over the limit of ${mb(limits.maxBytes)}`);
  }
  const body = await readCapped(res, limits.maxBytes, signal, fail, slow);
  const readable = ex.pass?.includes(res.status) === true && ex.accept.includes(mediaTypeParams(contentType).type);
  if ((res.status === 401 || res.status === 403) && !readable) {
    // Nothing of the answer is echoed (a server may repeat what it was sent); the credentials are never named.
    const sent = Object.keys(ex.headers ?? {}).some((h) => h.toLowerCase() === 'authorization');
    throw fail(sent ? `server refused the credentials (${res.status} ${res.statusText})` : `server asks for credentials (${res.status} ${res.statusText}): save them with the server (or give --user/--password-env or --token-env)`, 'access');
  }
  if (res.status >= 400 && !readable) {
    const text = mediaTypeParams(contentType).type.startsWith('text/') || contentType.includes('json') ? new TextDecoder().decode(body.subarray(0, 300)) : '';
    const kind = res.status === 404 ? 'notFound' : 'input';
    throw fail(`the server answered ${res.status} ${res.statusText}${text.trim() ? `: ${text.replace(/\s+/g, ' ').trim()}` : ''}`, kind);
  }
  if (res.status === 204) return { status: res.status, contentType, body };
  const type = mediaTypeParams(contentType).type;
  if (!ex.accept.includes(type)) throw fail(`the server answered with content type '${contentType || 'none'}', expected ${ex.accept.join(' or ')} (is this a DICOMweb URL?)`);
  return { status: res.status, contentType, body };
}

/** The body, read chunk by chunk, refused as soon as it passes `max` bytes. */
async function readCapped(res: Response, max: number, signal: AbortSignal, fail: (m: string) => UserError, slow: () => UserError): Promise<Uint8Array> {
  if (!res.body) return new Uint8Array(0);
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > max) {
        await reader.cancel().catch(() => {});
        throw fail(`answer over the limit of ${mb(max)} (stopped reading)`);
      }
      chunks.push(value);
    }
  } catch (e) {
    if (e instanceof UserError) throw e;
    if (isAbort(e) || signal.aborted) throw slow();
    throw fail(`${networkReason(e)} (after ${mb(total)})`);
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
}
