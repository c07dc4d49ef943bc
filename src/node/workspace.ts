import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { toUserError, UserError } from '../core/errors';
import { ANNOTATION_FORMAT, MAX_DOCUMENT_BYTES, parseAnnotationDocument, readAnnotationDocument, type AnnotationDocument } from '../core/annotations/document';
import { copyFileAtomic, exists, oneLine, writeFileAtomic } from './atomicWrite';
import { APP_VERSION } from './appVersion';
import { appendHistory, documentChanges, historyPath, type HistoryEntry } from './history';

/**
 * The workspace: one annotation document per series, `<workspace>/<sanitised SeriesInstanceUID>.json`,
 * with the previous version beside it as `<name>.prev.json`.
 *
 * - Saving validates the document, copies the current file to .prev.json (atomically), then writes the
 *   new one atomically (temp file + fsync + rename). Killing the app at any moment leaves a complete
 *   current or previous document.
 * - Loading validates with readAnnotationDocument (a duplicate outline id gets a fresh id, said in
 *   `problem`, the app's message line). A corrupt document, or one written by a newer
 *   Paraspine, is renamed to `<name>.corrupt-<timestamp>.json` (never overwritten, never deleted) and
 *   reported; the previous version is offered instead when it is valid.
 * - Revisions: a load returns the revision of the file it read (`sha256:` + the hash of its bytes; null
 *   when no document is at the document path), and a save may say which revision it was based on. A
 *   save based on another revision than the document now on disk (a second tab, a reopened page with an
 *   older copy) writes nothing, not even .prev.json, and returns a conflict instead: the newer document
 *   and its backup stay as they are. The compare and the write run under a per-document lock (a queue
 *   in this process, a lock file `.<name>.lock` across processes), so two saves never interleave.
 *   Documents need no revision field: old ones load as before.
 * - History: every save appends one JSON line to `<name>.history.jsonl` beside it (node/history.ts: who,
 *   when, app version, revisions before / after, what changed). A signed-off document (`signedOff`) is
 *   not changed until it is reopened, and reopening needs a reason (SaveOptions.reason), kept in the history.
 * - A copy ("keep both" after a conflict) is written beside it as `<name>.copy-<timestamp>.json`, never
 *   over another file.
 */

/** File-name stem for a series: UID characters kept, anything else replaced; a hash keeps it unique when changed. */
export function documentStem(seriesInstanceUid: string): string {
  const uid = seriesInstanceUid.trim();
  if (uid === '') throw new UserError('input', 'series has no SeriesInstanceUID: cannot name its annotation file');
  const safe = uid.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_').slice(0, 120);
  if (safe === uid) return safe;
  const hash = createHash('sha256').update(uid).digest('hex').slice(0, 10);
  return `${safe}-${hash}`;
}

export function documentPath(workspace: string, seriesInstanceUid: string): string {
  return path.join(workspace, `${documentStem(seriesInstanceUid)}.json`);
}

export function previousPath(workspace: string, seriesInstanceUid: string): string {
  return path.join(workspace, `${documentStem(seriesInstanceUid)}.prev.json`);
}

/**
 * A rater's name as a file-name part: letters without accents, digits, '-' (lower case, at most 40);
 * a hash of the name when nothing of it is left. Names that differ only in case, spaces or punctuation
 * share a slug (they are taken for the same rater).
 */
export function raterSlug(rater: string): string {
  const name = rater.trim();
  if (name === '') throw new UserError('input', 'a second read needs the rater\'s name: set Rater first');
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/, '');
  return slug || createHash('sha256').update(name).digest('hex').slice(0, 10);
}

/**
 * The document of one read of a series: the first read (`read` null or left out) is documentPath, as
 * it always was; a blinded second read by a rater is `<stem>.read-<rater slug>.json` beside it (its
 * .prev.json and .history.jsonl named after it in the same way).
 */
export function readPath(workspace: string, seriesInstanceUid: string, read?: { rater: string } | null): string {
  if (!read) return documentPath(workspace, seriesInstanceUid);
  return path.join(workspace, `${documentStem(seriesInstanceUid)}.read-${raterSlug(read.rater)}.json`);
}

/** The previous version beside a document file: `<name>.prev.json`. */
function prevOf(file: string): string {
  return file.replace(/\.json$/, '.prev.json');
}

export interface WorkspaceLoadResult {
  document: AnnotationDocument | null;
  /** One line when something was wrong (a file moved aside, a previous version restored). */
  problem: string | null;
  path: string;
  /** Revision of the document at `path` (what a save based on this load sends); null when there is none there. */
  revision: string | null;
}

/** A save refused because the document on disk is not the one the save was based on. */
export interface SaveConflict {
  /** One line naming the file, for the user. */
  reason: string;
  /** Revision and modifiedAt of the document on disk now (null when it is gone or unreadable). */
  revision: string | null;
  modifiedAt: string | null;
}

export interface WorkspaceSaveResult {
  path: string;
  /** Set when an unusable file had to be moved aside before saving. */
  problem?: string;
  /** Revision of the document on disk after this call (the one written; with a conflict, the newer one there). */
  revision?: string | null;
  /** Set when nothing was written: the document on disk is newer than the save's base revision. */
  conflict?: SaveConflict;
}

export interface SaveOptions {
  /**
   * Revision the saved document was based on (from the load or the last save): a string, or null when
   * it was based on no document on disk. Left out (older callers): saved whatever is on disk.
   */
  baseRevision?: string | null;
  /** Why a signed-off read is reopened (needed when the document on disk is signed off and this one is not). */
  reason?: string;
  /** A blinded second read: saved at readPath (its own file and history); left out or null: the first read. */
  read?: { rater: string } | null;
}

/** An ISO time as people read it in a message: `2024-05-06 07:08:09 UTC` (anything else as it is). */
export function readableTime(iso: string): string {
  const m = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d:\d\d)(\.\d+)?Z$/.exec(iso);
  return m ? `${m[1]} ${m[2]} UTC` : iso;
}

/** Revision of a document file: a hash of its bytes (no field in the document, so every version has one). */
export function revisionOf(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/**
 * Saves of one document path run one after the other (compare with the disk, then write): in this
 * process through a queue per path, and across processes (the desktop app and a bridge on the same
 * workspace) through a lock file beside it, `.<name>.lock`, created exclusively and holding the pid. A
 * lock left by a process that is gone, or older than LOCK_STALE_MS, is taken over.
 */
const locks = new Map<string, Promise<unknown>>();
async function withLock<T>(file: string, fn: () => Promise<T>): Promise<T> {
  const before = locks.get(file) ?? Promise.resolve();
  const run = before.then(
    () => withLockFile(file, fn),
    () => withLockFile(file, fn),
  );
  const tail = run.catch(() => undefined);
  locks.set(file, tail);
  try {
    return await run;
  } finally {
    if (locks.get(file) === tail) locks.delete(file);
  }
}

const LOCK_STALE_MS = 30_000;
const LOCK_WAIT_MS = 5_000;

function lockPath(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.lock`);
}

async function withLockFile<T>(file: string, fn: () => Promise<T>): Promise<T> {
  const lock = lockPath(file);
  const started = Date.now();
  for (;;) {
    try {
      const fh = await fs.open(lock, 'wx');
      try {
        await fh.writeFile(String(process.pid));
      } finally {
        await fh.close();
      }
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const holder = await fs.readFile(lock, 'utf8').catch(() => '');
    const st = await fs.stat(lock).catch(() => null);
    const pid = Number(holder);
    // Our own pid: a lock this process no longer holds (its queue runs one save at a time) or a reused pid.
    const gone = Number.isInteger(pid) && pid > 0 && (pid === process.pid || !processAlive(pid));
    if (!st || gone || Date.now() - st.mtimeMs > LOCK_STALE_MS) {
      await fs.rm(lock, { force: true });
      continue;
    }
    if (Date.now() - started > LOCK_WAIT_MS) {
      throw new UserError('input', `not saved: ${path.basename(file)} is being saved by another Paraspine${pid > 0 ? ` (process ${pid})` : ''}; try again`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  try {
    return await fn();
  } finally {
    await fs.rm(lock, { force: true });
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * missing: no file. ok: a valid document. bad: a Paraspine document that is damaged or from a newer
 * version (it names our format), which may be moved aside. foreign: any other file that happens to
 * carry the name (the workspace did not write it): never renamed, never overwritten.
 */
type ReadOutcome =
  | { kind: 'missing' }
  | { kind: 'ok'; document: AnnotationDocument; notes: string[]; revision: string }
  | { kind: 'bad'; reason: string }
  | { kind: 'foreign'; reason: string };

export { MAX_DOCUMENT_BYTES };

async function readDocument(file: string): Promise<ReadOutcome> {
  let st;
  try {
    st = await fs.lstat(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing' };
    throw new UserError(toUserError(e).kind === 'internal' ? 'input' : toUserError(e).kind, `${file}: cannot read (${oneLine(e)})`);
  }
  if (!st.isFile()) return { kind: 'foreign', reason: 'not a regular file' };
  if (st.size > MAX_DOCUMENT_BYTES) return { kind: 'foreign', reason: `${st.size} bytes, larger than an annotation document can be (${MAX_DOCUMENT_BYTES})` };
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing' };
    throw new UserError(toUserError(e).kind === 'internal' ? 'input' : toUserError(e).kind, `${file}: cannot read (${oneLine(e)})`);
  }
  let text = bytes.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // a UTF-8 byte order mark
  // A damaged file may be moved aside only when the workspace could have written it: it names our
  // format, or its name is a document name of a DICOM UID (digits and dots). Anything else (another
  // program's JSON, a file that merely shares the name) is left alone.
  const ours = text.includes(ANNOTATION_FORMAT) || /^[0-9]+(\.[0-9]+)*(\.prev)?\.json$/.test(path.basename(file));
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return ours ? { kind: 'bad', reason: `not valid JSON (${oneLine(e)})` } : { kind: 'foreign', reason: 'not a Paraspine annotation document' };
  }
  const r = readAnnotationDocument(json);
  if (r.ok) {
    // What was repaired as it was read (duplicate outline ids), for the one-line `problem`: the first few, then a count.
    const notes = r.notes.slice(0, 3).map((n) => `${path.basename(file)}: ${n}`);
    if (r.notes.length > 3) notes.push(`and ${r.notes.length - 3} more outlines given fresh ids`);
    return { kind: 'ok', document: r.document, notes, revision: revisionOf(bytes) };
  }
  const format = json && typeof json === 'object' ? (json as { format?: unknown }).format : undefined;
  return format === ANNOTATION_FORMAT ? { kind: 'bad', reason: r.reason } : { kind: 'foreign', reason: 'not a Paraspine annotation document' };
}

function stamp(now: Date): string {
  return now.toISOString().replace(/[:.]/g, '-');
}

/** Rename a bad file to <stem>.corrupt-<timestamp>.json (with a counter if that exists); returns the new path. */
async function moveAside(file: string, now: Date): Promise<string> {
  const stem = file.replace(/\.json$/, '');
  for (let n = 0; ; n++) {
    const target = `${stem}.corrupt-${stamp(now)}${n ? `-${n}` : ''}.json`;
    if (await exists(target)) continue;
    await fs.rename(file, target);
    return target;
  }
}

export async function loadDocument(workspace: string, seriesInstanceUid: string, now: () => Date = () => new Date(), read?: { rater: string } | null): Promise<WorkspaceLoadResult> {
  const file = readPath(workspace, seriesInstanceUid, read);
  const prev = prevOf(file);
  const cur = await readDocument(file);
  if (cur.kind === 'ok') return { document: cur.document, problem: cur.notes.length ? cur.notes.join('; ') : null, path: file, revision: cur.revision };
  if (cur.kind === 'foreign') {
    throw new UserError('input', `${path.basename(file)} in the workspace is ${cur.reason}: left as it is; choose another workspace folder or move that file`);
  }
  const problems: string[] = [];
  if (cur.kind === 'bad') {
    const aside = await moveAside(file, now());
    problems.push(`${path.basename(file)}: ${cur.reason}; kept aside as ${path.basename(aside)}`);
  }
  const p = await readDocument(prev);
  if (p.kind === 'ok') {
    if (cur.kind === 'missing') problems.push(`${path.basename(file)} was missing`);
    problems.push(`restored the previous version (${path.basename(prev)}, saved ${p.document.modifiedAt})`, ...p.notes);
    return { document: p.document, problem: problems.join('; '), path: file, revision: null };
  }
  if (p.kind === 'foreign') problems.push(`${path.basename(prev)} is ${p.reason}: left as it is`);
  if (p.kind === 'bad' && cur.kind === 'bad') {
    const aside = await moveAside(prev, now());
    problems.push(`${path.basename(prev)}: ${p.reason}; kept aside as ${path.basename(aside)}`);
  }
  return { document: null, problem: problems.length ? problems.join('; ') : null, path: file, revision: null };
}

/**
 * Save a document (validated first: an invalid document is refused with a reason and nothing is
 * written). The current file becomes .prev.json; an unusable current file is moved aside instead.
 * With `opts.baseRevision`, a document on disk of another revision is a conflict: nothing is written.
 */
export async function saveDocument(workspace: string, document: unknown, now: () => Date = () => new Date(), opts: SaveOptions = {}): Promise<WorkspaceSaveResult> {
  const parsed = parseAnnotationDocument(document);
  if (!parsed.ok) throw new UserError('input', `not saved: ${parsed.reason}`);
  const doc = parsed.document;
  await fs.mkdir(workspace, { recursive: true });
  const file = readPath(workspace, doc.series.seriesInstanceUid, opts.read);
  const prev = prevOf(file);
  return withLock(file, async () => {
    const cur = await readDocument(file);
    if (cur.kind === 'foreign') throw new UserError('input', `not saved: ${path.basename(file)} in the workspace is ${cur.reason} and is never overwritten`);
    if (opts.baseRevision !== undefined && cur.kind === 'ok' && cur.revision !== opts.baseRevision) {
      const by = cur.document.rater ? ` by ${cur.document.rater}` : '';
      const reason =
        `${path.basename(file)} was saved${by} at ${readableTime(cur.document.modifiedAt)} from another window or tab, after this copy was opened: ` +
        `this copy was not saved; reload (this tab's changes are lost) or keep both (this copy saved as a separate file)`;
      return { path: file, revision: cur.revision, conflict: { reason, revision: cur.revision, modifiedAt: cur.document.modifiedAt } };
    }
    const before = await readDocument(prev);
    if (before.kind === 'foreign') throw new UserError('input', `not saved: ${path.basename(prev)} in the workspace is ${before.reason} and is never overwritten`);
    let problem: string | undefined;
    // Signed off (done): reopening needs a reason; a signed-off read is not changed until it is reopened.
    const was = cur.kind === 'ok' ? cur.document : null;
    const changes = documentChanges(was, doc);
    const reason = opts.reason?.trim() ?? '';
    let action: HistoryEntry['action'] = 'save';
    if (was?.signedOff && !doc.signedOff) {
      if (!reason) throw new UserError('input', `not saved: ${path.basename(file)} was signed off by ${was.signedOff.by} at ${readableTime(was.signedOff.at)}; reopening it needs a reason`);
      action = 'reopen';
    } else if (was?.signedOff && doc.signedOff && Object.keys(changes).length > 0) {
      throw new UserError('input', `not saved: ${path.basename(file)} is signed off by ${was.signedOff.by} at ${readableTime(was.signedOff.at)}; reopen it (with a reason) before changing it`);
    } else if (!was?.signedOff && doc.signedOff) action = 'sign-off';
    if (cur.kind === 'ok') {
      await copyFileAtomic(file, prev);
    } else if (cur.kind === 'bad') {
      const aside = await moveAside(file, now());
      problem = `${path.basename(file)}: ${cur.reason}; kept aside as ${path.basename(aside)}`;
    }
    const bytes = Buffer.from(JSON.stringify(doc, null, 2) + '\n', 'utf8');
    await writeFileAtomic(file, bytes);
    const revision = revisionOf(bytes);
    // The audit trail: one line per save, appended after the document is written (a save that failed leaves no line).
    const entry: HistoryEntry = {
      at: now().toISOString(),
      rater: doc.rater,
      appVersion: APP_VERSION,
      action,
      revisionBefore: cur.kind === 'ok' ? cur.revision : null,
      revisionAfter: revision,
      changes,
      ...(action === 'sign-off' && doc.signedOff ? { signedOff: doc.signedOff } : {}),
      ...(action === 'reopen' ? { reason } : {}),
    };
    try {
      await appendHistory(historyPath(file), entry);
    } catch (e) {
      const line = `${path.basename(historyPath(file))}: this save was not recorded in the history (${oneLine(e)})`;
      problem = problem ? `${problem}; ${line}` : line;
    }
    return problem ? { path: file, problem, revision } : { path: file, revision };
  });
}

/**
 * Save a document as a separate file beside the series' document (`<name>.copy-<timestamp>.json`,
 * a counter added when that exists): "keep both" after a conflict. Never replaces a file; the
 * series' document and its .prev.json are not touched.
 */
export async function saveDocumentCopy(workspace: string, document: unknown, now: () => Date = () => new Date()): Promise<{ path: string }> {
  const parsed = parseAnnotationDocument(document);
  if (!parsed.ok) throw new UserError('input', `copy not saved: ${parsed.reason}`);
  const doc = parsed.document;
  await fs.mkdir(workspace, { recursive: true });
  const stem = documentStem(doc.series.seriesInstanceUid);
  const text = JSON.stringify(doc, null, 2) + '\n';
  return withLock(documentPath(workspace, doc.series.seriesInstanceUid), async () => {
    for (let n = 0; ; n++) {
      const target = path.join(workspace, `${stem}.copy-${stamp(now())}${n ? `-${n}` : ''}.json`);
      // The name is reserved with an exclusive create (fails when it exists: never replaced), then the
      // content replaces that empty reservation atomically.
      try {
        await (await fs.open(target, 'wx')).close();
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EEXIST') continue;
        throw e;
      }
      await writeFileAtomic(target, text);
      return { path: target };
    }
  });
}
