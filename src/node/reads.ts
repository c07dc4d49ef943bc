/**
 * The reads of a series in the workspace and what one read may see of the others (a blinded second
 * read). The first read is the series' document (workspace.ts documentPath: the single-rater default);
 * each second read is `<stem>.read-<rater slug>.json` beside it (readPath). A read sees the others'
 * raters and sign-offs, never their outlines, until it and another read are both signed off: then
 * that read (the first read before any second read) is given for comparison.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { AnnotationDocument } from '../core/annotations/document';
import type { ReadInfo, ReadRef, ReadsStatus } from '../shared/contract';
import { documentStem, loadDocument, raterSlug, readableTime } from './workspace';

/** Every read of the series saved in the workspace, the first read first, then second reads by file name. */
export async function listReads(workspace: string, seriesUid: string): Promise<{ info: ReadInfo; document: AnnotationDocument; path: string }[]> {
  const stem = documentStem(seriesUid);
  let names: string[];
  try {
    names = await fs.readdir(workspace);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  const second = names
    .filter((n) => n.startsWith(`${stem}.read-`) && /^[a-z0-9-]+\.json$/.test(n.slice(stem.length + 6)))
    .sort();
  const out: { info: ReadInfo; document: AnnotationDocument; path: string }[] = [];
  const first = await loadDocument(workspace, seriesUid);
  if (first.document && first.revision !== null) out.push({ info: infoOf(null, first.document, first.path), document: first.document, path: first.path });
  for (const name of second) {
    // The slug in the name is a rater name whose slug is itself: it finds the file again through readPath.
    const slug = name.slice(stem.length + 6, -'.json'.length);
    if (slug === '' || raterSlug(slug) !== slug) continue;
    // A read that cannot be used (another program's file under that name) is left out, not the whole list.
    const r = await loadDocument(workspace, seriesUid, undefined, { rater: slug }).catch(() => null);
    if (!r?.document || r.revision === null) continue;
    const rater = r.document.rater.trim();
    out.push({ info: infoOf({ rater: rater && raterSlug(rater) === slug ? rater : slug }, r.document, r.path), document: r.document, path: r.path });
  }
  return out;
}

function infoOf(read: ReadRef | null, doc: AnnotationDocument, file: string): ReadInfo {
  return { read, rater: doc.rater, file: path.basename(file), signedOff: doc.signedOff ? { by: doc.signedOff.by, at: doc.signedOff.at } : null };
}

/** The same read: both the first read, or second reads of the same rater slug. */
export function sameRead(a: ReadRef | null | undefined, b: ReadRef | null | undefined): boolean {
  if (!a || !b) return !a && !b;
  return raterSlug(a.rater) === raterSlug(b.rater);
}

const who = (i: ReadInfo) => (i.read ? `${i.rater || i.read.rater}'s second read` : `the first read${i.rater ? ` (${i.rater})` : ''}`);

/**
 * The hiding rule: what the read `mine` may see of `others`. Another read's outlines (`compare`) only
 * when `mine` is signed off and that read is signed off; the first such read in list order.
 */
export function readsView<T extends { info: ReadInfo; document: AnnotationDocument }>(mine: T | null, others: readonly T[]): ReadsStatus {
  const base = { mine: mine?.info ?? null, others: others.map((o) => o.info) };
  if (others.length === 0) return { ...base, compare: null, hidden: null };
  if (!mine?.info.signedOff) {
    return { ...base, compare: null, hidden: `other reads stay hidden until this read is signed off (${others.length} other read${others.length === 1 ? '' : 's'} in the workspace)` };
  }
  const done = others.find((o) => o.info.signedOff);
  if (!done) return { ...base, compare: null, hidden: `other reads stay hidden until one of them is signed off too (${others.map((o) => `${who(o.info)}: open`).join('; ')})` };
  return { ...base, compare: { info: done.info, document: done.document }, hidden: null };
}

/** reads:status: the reads of the series, seen from `read` (null: the first read). */
export async function readsStatus(workspace: string, seriesUid: string, read: ReadRef | null): Promise<ReadsStatus & { paths: { mine: string | null; compare: string | null } }> {
  const all = await listReads(workspace, seriesUid);
  const mine = all.find((r) => sameRead(r.info.read, read)) ?? null;
  const others = all.filter((r) => r !== mine);
  const view = readsView(mine, others);
  const compare = view.compare ? (others.find((o) => o.info === view.compare!.info)?.path ?? null) : null;
  return { ...view, paths: { mine: mine?.path ?? null, compare } };
}

/** One line for a sign-off: `signed off by X at 2024-05-06 07:08:09 UTC`. */
export function signOffLine(s: { by: string; at: string }): string {
  return `signed off by ${s.by} at ${readableTime(s.at)}`;
}
