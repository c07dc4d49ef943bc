/**
 * The one error model of Paraspine. Anything a person should read is a `UserError`: one line they
 * can act on, with a `kind` that each front end maps to its own signal (the CLI to an exit code, the
 * bridge to an HTTP status, Electron IPC passes it through). Nothing dispatches on message text.
 *
 *   kind       meaning                                             CLI exit   HTTP
 *   usage      the call itself is wrong (option, argument, shape)  2          400
 *   input      a file or document is unusable or inconsistent      1          422
 *   access     refused: outside the granted folders, no permission 1          403
 *   notFound   a path, series, channel or level does not exist     1          404
 *   internal   a bug or an unexpected failure                      3          500
 *
 * Per-file problems that do not stop the rest of the work are `Problem`s (path + reason), collected
 * and shown beside the result, never thrown.
 */
export type ErrorKind = 'usage' | 'input' | 'access' | 'notFound' | 'internal';

export const ERROR_KINDS: readonly ErrorKind[] = ['usage', 'input', 'access', 'notFound', 'internal'];

/** A file (or document, or mask) that could not be used, and why: one line, no stack trace. */
export interface Problem {
  readonly path: string;
  readonly reason: string;
}

export class UserError extends Error {
  readonly kind: ErrorKind;
  constructor(kind: ErrorKind, message: string) {
    super(oneLine(message, 2000));
    this.name = 'UserError';
    this.kind = kind;
  }
}

export const CLI_EXIT_CODES: Readonly<Record<ErrorKind, number>> = { usage: 2, input: 1, access: 1, notFound: 1, internal: 3 };
export const HTTP_STATUS: Readonly<Record<ErrorKind, number>> = { usage: 400, input: 422, access: 403, notFound: 404, internal: 500 };

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
  if (e === undefined || e === null) return 'unknown error';
  try {
    return JSON.stringify(e) ?? String(e);
  } catch {
    return String(e);
  }
}

/** The first non-empty line of an error's message (never a stack trace). */
export function firstLine(e: unknown): string {
  const msg = errorMessage(e);
  return (msg.split(/\r?\n/).find((l) => l.trim() !== '') ?? 'unknown error').trim();
}

/** Node's errno codes (read structurally: core has no Node types) and the kind they mean. */
const ERRNO_KINDS: Readonly<Record<string, ErrorKind>> = {
  ENOENT: 'notFound',
  ENOTDIR: 'notFound',
  EACCES: 'access',
  EPERM: 'access',
  EISDIR: 'input',
  ELOOP: 'input',
  ENAMETOOLONG: 'usage',
};

/**
 * Any thrown value as a UserError: a UserError (the format readers' errors are UserErrors of kind
 * 'input') as it is; a file-system error by its errno code; anything else 'internal'.
 */
export function toUserError(e: unknown): UserError {
  if (e instanceof UserError) return e;
  const code = e && typeof e === 'object' && typeof (e as { code?: unknown }).code === 'string' ? (e as { code: string }).code : undefined;
  if (code && ERRNO_KINDS[code]) return new UserError(ERRNO_KINDS[code]!, firstLine(e));
  return new UserError('internal', firstLine(e));
}
