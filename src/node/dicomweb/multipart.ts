/**
 * A multipart/related (RFC 2387) body split into its parts: what WADO-RS answers with instances and
 * what STOW-RS is sent. Written here rather than taken from dicomweb-client: that library needs
 * XMLHttpRequest (absent in Node 20) and cannot ask for the stored transfer syntax of a whole series;
 * the format itself is a boundary search and a few header lines.
 */
import { UserError } from '../../core/errors';

export interface Part {
  /** The part's headers, names in lower case. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Uint8Array;
}

/** A media type's parameters (`type`, `boundary`, ...), names in lower case, quotes removed. */
export function mediaTypeParams(contentType: string): { type: string; params: Record<string, string> } {
  const [type = '', ...rest] = splitOutsideQuotes(contentType, ';');
  const params: Record<string, string> = {};
  for (const p of rest) {
    const eq = p.indexOf('=');
    if (eq < 0) continue;
    let v = p.slice(eq + 1).trim();
    if (v.startsWith('"') && v.endsWith('"') && v.length >= 2) v = v.slice(1, -1).replace(/\\(.)/g, '$1');
    params[p.slice(0, eq).trim().toLowerCase()] = v;
  }
  return { type: type.trim().toLowerCase(), params };
}

function splitOutsideQuotes(s: string, sep: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '"' && s[i - 1] !== '\\') quoted = !quoted;
    if (c === sep && !quoted) {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

const CRLF = Buffer.from('\r\n');
const HEADER_END = Buffer.from('\r\n\r\n');

/**
 * The parts of a multipart body with the given boundary. A body that ends before its closing
 * delimiter (`--boundary--`), or a part without its header end, is a one-line 'input' error naming
 * `what` (a truncated answer must never pass for a shorter series).
 */
export function parseMultipart(body: Uint8Array, boundary: string, what: string): Part[] {
  if (!boundary || boundary.length > 200) throw new UserError('input', `${what}: multipart answer without a usable boundary`);
  const buf = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const delim = Buffer.from(`--${boundary}`);
  const inner = Buffer.from(`\r\n--${boundary}`);
  let at = buf.indexOf(delim);
  if (at < 0) throw new UserError('input', `${what}: multipart answer has no part (boundary not found)`);
  at += delim.length;
  const parts: Part[] = [];
  for (;;) {
    if (buf.length >= at + 2 && buf[at] === 0x2d && buf[at + 1] === 0x2d) return parts; // closing delimiter
    const lineEnd = buf.indexOf(CRLF, at);
    if (lineEnd < 0) break;
    const headEnd = buf.indexOf(HEADER_END, lineEnd);
    // A part without headers has its blank line right after the delimiter line.
    const bodyStart = buf.subarray(lineEnd, lineEnd + 4).equals(HEADER_END) ? lineEnd + 4 : headEnd < 0 ? -1 : headEnd + 4;
    if (bodyStart < 0) break;
    const headers: Record<string, string> = {};
    const headText = buf.subarray(lineEnd + 2, Math.max(lineEnd + 2, bodyStart - 4)).toString('latin1');
    for (const line of headText.split('\r\n')) {
      const colon = line.indexOf(':');
      if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    const end = buf.indexOf(inner, bodyStart);
    if (end < 0) break;
    parts.push({ headers, body: new Uint8Array(buf.buffer, buf.byteOffset + bodyStart, end - bodyStart) });
    at = end + inner.length;
  }
  throw new UserError('input', `${what}: multipart answer truncated after ${parts.length} complete part(s) (no closing boundary)`);
}

/** A multipart/related body of DICOM files for STOW-RS, and its Content-Type. */
export function buildMultipart(files: readonly Uint8Array[], partType = 'application/dicom'): { contentType: string; body: Uint8Array<ArrayBuffer> } {
  const boundary = `paraspine-${crypto.randomUUID()}`;
  const chunks: Uint8Array[] = [];
  for (const f of files) {
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Type: ${partType}\r\nContent-Length: ${f.byteLength}\r\n\r\n`, 'latin1'), f, CRLF);
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`, 'latin1'));
  return { contentType: `multipart/related; type="${partType}"; boundary=${boundary}`, body: Buffer.concat(chunks) };
}
