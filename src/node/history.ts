/**
 * The audit trail of an annotation document: every save through the workspace appends one JSON line to
 * `<stem>.history.jsonl` beside the document: who (the document's rater), when, the app version, the
 * revision before and after (revisionOf: sha256 of the file's bytes), the action (save, sign-off,
 * reopen, with the reason a reopen needs) and what changed (levels added / removed / moved, outlines and
 * bone ROIs added / removed / changed by id, absent records, HU ranges). Append-only: the file is opened
 * for appending and each line is one write, so a line is never rewritten and a crash loses at most the
 * line being written.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { AnnotationDocument, SignOff } from '../core/annotations/document';
import type { HuRanges } from '../core/metrics/ranges';

export type HistoryAction = 'save' | 'sign-off' | 'reopen';

export interface LevelMove {
  level: string;
  fromSlice: number;
  toSlice: number;
}

/** What a save changed; only the kinds of change that happened are present. */
export interface DocumentChanges {
  levelsAdded?: string[];
  levelsRemoved?: string[];
  levelsMoved?: LevelMove[];
  /** Level marks whose source or note changed (a proposal confirmed, a note edited). */
  levelsChanged?: string[];
  outlinesAdded?: string[];
  outlinesRemoved?: string[];
  outlinesChanged?: string[];
  boneRoisAdded?: string[];
  boneRoisRemoved?: string[];
  boneRoisChanged?: string[];
  /** Muscles recorded absent (level muscle side). */
  absentAdded?: string[];
  absentRemoved?: string[];
  ranges?: { before: HuRanges; after: HuRanges };
  /** The document was new: no document was on disk before this save. */
  created?: true;
}

export interface HistoryEntry {
  at: string;
  rater: string;
  appVersion: string;
  action: HistoryAction;
  revisionBefore: string | null;
  revisionAfter: string;
  changes: DocumentChanges;
  /** sign-off: who signed off and when. */
  signedOff?: SignOff;
  /** reopen: why the signed-off read was reopened. */
  reason?: string;
}

/** `<stem>.history.jsonl` beside the document `<stem>.json`. */
export function historyPath(documentFile: string): string {
  return path.join(path.dirname(documentFile), `${path.basename(documentFile).replace(/\.json$/, '')}.history.jsonl`);
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** What changed from `before` (null: no document before) to `after`. */
export function documentChanges(before: AnnotationDocument | null, after: AnnotationDocument): DocumentChanges {
  const c: DocumentChanges = {};
  if (!before) c.created = true;
  const bLevels = new Map((before?.levels ?? []).map((l) => [l.level, l] as const));
  const aLevels = new Map(after.levels.map((l) => [l.level, l] as const));
  const levelsAdded = [...aLevels.keys()].filter((l) => !bLevels.has(l));
  const levelsRemoved = [...bLevels.keys()].filter((l) => !aLevels.has(l));
  const levelsMoved: LevelMove[] = [];
  const levelsChanged: string[] = [];
  for (const [level, a] of aLevels) {
    const b = bLevels.get(level);
    if (!b) continue;
    if (a.sliceIndex !== b.sliceIndex || a.z !== b.z) levelsMoved.push({ level, fromSlice: b.sliceIndex, toSlice: a.sliceIndex });
    else if (!same(a, b)) levelsChanged.push(level);
  }
  if (levelsAdded.length) c.levelsAdded = levelsAdded;
  if (levelsRemoved.length) c.levelsRemoved = levelsRemoved;
  if (levelsMoved.length) c.levelsMoved = levelsMoved;
  if (levelsChanged.length) c.levelsChanged = levelsChanged;
  const byId = <T extends { id: string }>(bs: readonly T[], as: readonly T[], added: keyof DocumentChanges, removed: keyof DocumentChanges, changed: keyof DocumentChanges) => {
    const bm = new Map(bs.map((x) => [x.id, x] as const));
    const am = new Map(as.map((x) => [x.id, x] as const));
    const add = [...am.keys()].filter((id) => !bm.has(id));
    const rem = [...bm.keys()].filter((id) => !am.has(id));
    const chg = [...am.keys()].filter((id) => bm.has(id) && !same(am.get(id), bm.get(id)));
    if (add.length) (c as Record<string, unknown>)[added] = add;
    if (rem.length) (c as Record<string, unknown>)[removed] = rem;
    if (chg.length) (c as Record<string, unknown>)[changed] = chg;
  };
  byId(before?.rois ?? [], after.rois, 'outlinesAdded', 'outlinesRemoved', 'outlinesChanged');
  byId(before?.boneRois ?? [], after.boneRois ?? [], 'boneRoisAdded', 'boneRoisRemoved', 'boneRoisChanged');
  const absentKey = (r: { level: string; muscle: string; side: string }) => `${r.level} ${r.muscle} ${r.side}`;
  const bAbsent = new Set((before?.absent ?? []).map(absentKey));
  const aAbsent = new Set((after.absent ?? []).map(absentKey));
  const absentAdded = [...aAbsent].filter((k) => !bAbsent.has(k));
  const absentRemoved = [...bAbsent].filter((k) => !aAbsent.has(k));
  if (absentAdded.length) c.absentAdded = absentAdded;
  if (absentRemoved.length) c.absentRemoved = absentRemoved;
  if (before && !same(before.ranges, after.ranges)) c.ranges = { before: before.ranges, after: after.ranges };
  return c;
}

/** Append one entry as one line (one write on a file opened for appending: never rewrites what is there). */
export async function appendHistory(file: string, entry: HistoryEntry): Promise<void> {
  const fh = await fs.open(file, 'a');
  try {
    await fh.write(JSON.stringify(entry) + '\n');
  } finally {
    await fh.close();
  }
}

/** The entries of a history file, oldest first ([] when there is none); a damaged line is named with its line number. */
export async function readHistory(file: string): Promise<HistoryEntry[]> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  return text
    .split('\n')
    .map((line, n) => ({ line, n }))
    .filter(({ line }) => line.trim() !== '')
    .map(({ line, n }) => {
      try {
        return JSON.parse(line) as HistoryEntry;
      } catch {
        throw new Error(`${path.basename(file)} line ${n + 1}: not a JSON history entry`);
      }
    });
}
