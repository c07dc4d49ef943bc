/**
 * The worklist of a cohort: one entry per series (a manifest row, or a CT series found under a root
 * folder), each with its state read from the workspace (the document, its history, its editing lock).
 * The state rule is the contract's (WORKLIST_STATES): done = signed off; flagged = not signed off and
 * the document cannot be read, still holds a proposal to check, or was reopened after a sign-off;
 * in progress = a document is saved; not started = none.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { isProposal, readAnnotationDocument, type AnnotationDocument } from '../../core/annotations/document';
import type { ScanResult, SeriesSummary } from '../../core/dicom/types';
import type { ReadRef, WorklistFilter, WorklistLine, WorklistLockView, WorklistState } from '../../shared/contract';
import { oneLine } from '../atomicWrite';
import { readManifest } from '../batch/manifest';
import { historyPath, readHistory, type HistoryEntry } from '../history';
import { documentPath, readPath } from '../workspace';
import { lockFile, readLock, viewOf } from './lock';

/** A series of the cohort, before its state is read. */
export interface CohortEntry {
  id: string;
  folder: string | null;
  seriesUid: string | null;
  description: string;
  problem?: string;
}

/** Lists a folder's series (the API passes its gate and folder source: access checked, scans cached). */
export type ListFolder = (folder: string) => Promise<{ root: string; scan: ScanResult }>;

function describe(s: SeriesSummary): string {
  return [s.patientId || s.patientName, s.studyDate, s.seriesDescription || (s.seriesNumber !== null ? `series ${s.seriesNumber}` : ''), `${s.slices} slices`].filter(Boolean).join(' · ');
}

/** The folder a series' files lie in (their common folder), else `root`. */
function seriesFolder(s: SeriesSummary, root: string): string {
  const dirs = new Set(s.files.map((f) => path.dirname(f)));
  return dirs.size === 1 ? [...dirs][0]! : root;
}

/** One entry per CT series found under a root folder; ids are the series' folders relative to it. */
export async function folderEntries(root: string, list: ListFolder): Promise<CohortEntry[]> {
  const { root: real, scan } = await list(root);
  const ct = scan.series.filter((s) => s.modality === 'CT');
  const entries = ct.map((s) => {
    const folder = seriesFolder(s, real);
    const rel = path.relative(real, folder) || '.';
    return { s, folder, rel };
  });
  const perFolder = new Map<string, number>();
  for (const e of entries) perFolder.set(e.rel, (perFolder.get(e.rel) ?? 0) + 1);
  return entries
    .map(({ s, folder, rel }) => ({
      // Two series in one folder: told apart by their series number (else the end of their UID).
      id: (perFolder.get(rel) ?? 0) > 1 ? `${rel} #${s.seriesNumber ?? s.seriesInstanceUid.slice(-6)}` : rel,
      folder,
      seriesUid: s.seriesInstanceUid,
      description: describe(s),
    }))
    .sort((a, b) => a.id.localeCompare(b.id, undefined, { numeric: true }));
}

/**
 * One entry per manifest row (node/batch/manifest.ts: a malformed manifest is refused naming the file
 * and line): the row's folder scanned for its CT series (the `series_uid` one, else the one CT series);
 * a row that cannot be opened keeps its line with the reason.
 */
export async function manifestEntries(file: string, list: ListFolder): Promise<CohortEntry[]> {
  const rows = await readManifest(file);
  const out: CohortEntry[] = [];
  for (const row of rows) {
    try {
      const { root, scan } = await list(row.series);
      const ct = scan.series.filter((s) => s.modality === 'CT');
      const chosen = row.seriesUid !== undefined ? ct.find((s) => s.seriesInstanceUid === row.seriesUid) : ct.length === 1 ? ct[0] : undefined;
      if (!chosen) {
        const why = row.seriesUid !== undefined ? `series ${row.seriesUid} not found in ${row.series}` : ct.length === 0 ? `no CT series in ${row.series}` : `${ct.length} CT series in ${row.series}: name one in the series_uid column`;
        out.push({ id: row.id, folder: null, seriesUid: null, description: row.seriesAsWritten, problem: `line ${row.line}: ${why}` });
        continue;
      }
      out.push({ id: row.id, folder: root, seriesUid: chosen.seriesInstanceUid, description: describe(chosen) });
    } catch (e) {
      out.push({ id: row.id, folder: null, seriesUid: null, description: row.seriesAsWritten, problem: `line ${row.line}: ${oneLine(e)}` });
    }
  }
  return out;
}

export interface LineContext {
  workspace: string | null;
  now: Date;
  staleMs: number;
  /** Whether a lock (its token) is this service's own. */
  isMine: (token: string) => boolean;
  /**
   * The read listed: null or left out, the first read (the series' document); `{ rater }`, that rater's
   * blinded second read: its document, history and lock give the line's state, rater, last change and
   * lock, and of the first read only where it stands (`firstRead`: not saved, open, signed off).
   */
  read?: ReadRef | null;
}

type DocRead = { kind: 'none' } | { kind: 'ok'; doc: AnnotationDocument } | { kind: 'bad'; reason: string };

async function readDoc(file: string): Promise<DocRead> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'none' };
    return { kind: 'bad', reason: `cannot read ${path.basename(file)} (${oneLine(e)})` };
  }
  try {
    const r = readAnnotationDocument(JSON.parse(text.replace(/^\uFEFF/, '')));
    return r.ok ? { kind: 'ok', doc: r.document } : { kind: 'bad', reason: `${path.basename(file)}: ${r.reason}` };
  } catch (e) {
    return { kind: 'bad', reason: `${path.basename(file)}: not valid JSON (${oneLine(e)})` };
  }
}

/** Why a document still needs a look (flagged), or null: a proposal not confirmed, or a read reopened after its sign-off. */
export function flagOf(doc: AnnotationDocument, history: readonly HistoryEntry[]): string | null {
  const levels = doc.levels.filter((l) => l.source === 'proposed').map((l) => l.level);
  const outlines = doc.rois.filter((r) => isProposal(r.source)).length;
  const bone = (doc.boneRois ?? []).filter((b) => b.source === 'proposed').length;
  const parts: string[] = [];
  if (levels.length) parts.push(`proposed level${levels.length > 1 ? 's' : ''} ${levels.join(', ')} not confirmed`);
  if (outlines) parts.push(`${outlines} proposed outline${outlines > 1 ? 's' : ''} not confirmed`);
  if (bone) parts.push(`proposed bone ROI not confirmed`);
  const lastSign = [...history].reverse().find((h) => h.action === 'sign-off' || h.action === 'reopen');
  if (lastSign?.action === 'reopen') parts.push(`reopened after sign-off${lastSign.reason ? `: ${lastSign.reason}` : ''}`);
  return parts.length ? parts.join('; ') : null;
}

/** The state, rater, last change and lock of each entry (of the read listed: ctx.read), from the workspace. */
export async function worklistLines(entries: readonly CohortEntry[], ctx: LineContext): Promise<WorklistLine[]> {
  const out: WorklistLine[] = [];
  for (const e of entries) {
    const base = { id: e.id, folder: e.folder, seriesUid: e.seriesUid, description: e.description, ...(e.problem ? { problem: e.problem } : {}) };
    if (!ctx.workspace || !e.seriesUid) {
      out.push({ ...base, state: 'not started', rater: '', lastChange: null, lock: null });
      continue;
    }
    const which = ctx.read ?? null;
    const file = readPath(ctx.workspace, e.seriesUid, which);
    // A lock that cannot be read (a folder, no rights) is not "no lock": the series cannot be taken, so
    // the line says why (its problem, which "Next" skips) instead of looking free.
    const lockProblem: { reason: string | null } = { reason: null };
    const [read, history, held, first] = await Promise.all([
      readDoc(file),
      readHistory(historyPath(file)).catch(() => [] as HistoryEntry[]),
      readLock(lockFile(ctx.workspace, e.seriesUid, which)).catch((err: unknown) => {
        lockProblem.reason = oneLine(err);
        return null;
      }),
      which ? readDoc(documentPath(ctx.workspace, e.seriesUid)) : null,
    ]);
    // A second read is told only where the first read stands (reads:status says as much), never its outlines.
    const firstRead: Pick<WorklistLine, 'firstRead'> = first ? { firstRead: first.kind === 'none' ? 'not saved' : first.kind === 'ok' && first.doc.signedOff ? 'signed off' : 'open' } : {};
    const lock: WorklistLockView | null = held ? { ...viewOf(held, ctx.now, ctx.staleMs), mine: held.token !== '' && ctx.isMine(held.token) } : null;
    const last = history.at(-1);
    let state: WorklistState = 'not started';
    let flag: string | null = null;
    let rater = '';
    let lastChange: WorklistLine['lastChange'] = last ? { at: last.at, rater: last.rater, action: last.action } : null;
    if (read.kind === 'bad') {
      state = 'flagged';
      flag = `document cannot be read: ${read.reason}`;
    } else if (read.kind === 'ok') {
      const doc = read.doc;
      rater = doc.rater;
      lastChange ??= { at: doc.modifiedAt, rater: doc.rater, action: 'save' };
      if (doc.signedOff) state = 'done';
      else {
        flag = flagOf(doc, history);
        state = flag ? 'flagged' : 'in progress';
      }
    }
    out.push({ ...base, ...(lockProblem.reason !== null && !base.problem ? { problem: lockProblem.reason } : {}), state, ...(flag ? { flag } : {}), rater, lastChange, lock, ...firstRead });
  }
  return out;
}

/** The lines a filter lets through (state; rater: the document's rater, case and spaces aside; '' = any). */
export function filterLines(lines: readonly WorklistLine[], filter: WorklistFilter = {}): WorklistLine[] {
  const rater = filter.rater?.trim().toLowerCase() ?? '';
  return lines.filter((l) => (!filter.state || l.state === filter.state) && (!rater || l.rater.trim().toLowerCase() === rater));
}

/** "Next": the first line that can be opened, is not done and is not locked by someone else (a stale lock too: it needs the question). */
export function nextLine(lines: readonly WorklistLine[]): WorklistLine | null {
  return lines.find((l) => l.seriesUid !== null && !l.problem && l.state !== 'done' && (!l.lock || l.lock.mine)) ?? null;
}

/** The raters named by the lines' documents, sorted. */
export function ratersOf(lines: readonly WorklistLine[]): string[] {
  return [...new Set(lines.map((l) => l.rater.trim()).filter(Boolean))].sort((a, b) => a.localeCompare(b));
}
