import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { toUserError, UserError } from '../core/errors';
import { ANNOTATION_FORMAT, MAX_DOCUMENT_BYTES, parseAnnotationDocument, readAnnotationDocument, type AnnotationDocument } from '../core/annotations/document';
import { copyFileAtomic, exists, oneLine, writeFileAtomic } from './atomicWrite';

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

export interface WorkspaceLoadResult {
  document: AnnotationDocument | null;
  /** One line when something was wrong (a file moved aside, a previous version restored). */
  problem: string | null;
  path: string;
}

export interface WorkspaceSaveResult {
  path: string;
  /** Set when an unusable file had to be moved aside before saving. */
  problem?: string;
}

/**
 * missing: no file. ok: a valid document. bad: a Paraspine document that is damaged or from a newer
 * version (it names our format), which may be moved aside. foreign: any other file that happens to
 * carry the name (the workspace did not write it): never renamed, never overwritten.
 */
type ReadOutcome =
  | { kind: 'missing' }
  | { kind: 'ok'; document: AnnotationDocument; notes: string[] }
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
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing' };
    throw new UserError(toUserError(e).kind === 'internal' ? 'input' : toUserError(e).kind, `${file}: cannot read (${oneLine(e)})`);
  }
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
    return { kind: 'ok', document: r.document, notes };
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

export async function loadDocument(workspace: string, seriesInstanceUid: string, now: () => Date = () => new Date()): Promise<WorkspaceLoadResult> {
  const file = documentPath(workspace, seriesInstanceUid);
  const prev = previousPath(workspace, seriesInstanceUid);
  const cur = await readDocument(file);
  if (cur.kind === 'ok') return { document: cur.document, problem: cur.notes.length ? cur.notes.join('; ') : null, path: file };
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
    return { document: p.document, problem: problems.join('; '), path: file };
  }
  if (p.kind === 'foreign') problems.push(`${path.basename(prev)} is ${p.reason}: left as it is`);
  if (p.kind === 'bad' && cur.kind === 'bad') {
    const aside = await moveAside(prev, now());
    problems.push(`${path.basename(prev)}: ${p.reason}; kept aside as ${path.basename(aside)}`);
  }
  return { document: null, problem: problems.length ? problems.join('; ') : null, path: file };
}

/**
 * Save a document (validated first: an invalid document is refused with a reason and nothing is
 * written). The current file becomes .prev.json; an unusable current file is moved aside instead.
 */
export async function saveDocument(workspace: string, document: unknown, now: () => Date = () => new Date()): Promise<WorkspaceSaveResult> {
  const parsed = parseAnnotationDocument(document);
  if (!parsed.ok) throw new UserError('input', `not saved: ${parsed.reason}`);
  const doc = parsed.document;
  await fs.mkdir(workspace, { recursive: true });
  const file = documentPath(workspace, doc.series.seriesInstanceUid);
  const prev = previousPath(workspace, doc.series.seriesInstanceUid);
  const cur = await readDocument(file);
  if (cur.kind === 'foreign') throw new UserError('input', `not saved: ${path.basename(file)} in the workspace is ${cur.reason} and is never overwritten`);
  const before = await readDocument(prev);
  if (before.kind === 'foreign') throw new UserError('input', `not saved: ${path.basename(prev)} in the workspace is ${before.reason} and is never overwritten`);
  let problem: string | undefined;
  if (cur.kind === 'ok') {
    await copyFileAtomic(file, prev);
  } else if (cur.kind === 'bad') {
    const aside = await moveAside(file, now());
    problem = `${path.basename(file)}: ${cur.reason}; kept aside as ${path.basename(aside)}`;
  }
  await writeFileAtomic(file, JSON.stringify(doc, null, 2) + '\n');
  return problem ? { path: file, problem } : { path: file };
}
