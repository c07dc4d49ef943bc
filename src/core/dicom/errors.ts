/**
 * A DICOM file that cannot be used. `message` is one line a person can act on
 * ("truncated pixel data (8130 of 8192 bytes)"); it never contains a stack trace.
 */
export class DicomFileError extends Error {
  /** True when the bytes given were only a prefix of the file and a longer prefix may succeed. */
  readonly needMoreBytes: boolean;
  constructor(message: string, needMoreBytes = false) {
    super(oneLine(message));
    this.name = 'DicomFileError';
    this.needMoreBytes = needMoreBytes;
  }
}

/** Collapses any text to one short line. */
export function oneLine(s: string, max = 300): string {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

/** Message of anything thrown (dicom-parser throws strings and `{ exception, dataSet }` objects). */
export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message;
  if (typeof e === 'string') return e;
  if (e && typeof e === 'object' && 'exception' in e) return errorMessage((e as { exception: unknown }).exception);
  return String(e);
}
