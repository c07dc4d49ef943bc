/**
 * The worklist channels: a cohort's lines (worklist:open, of the first read or of a rater's blinded
 * second read), the desktop app's manifest dialog (worklist:pickManifest), the editing lock of the read
 * being annotated (worklist:lock / refresh / release: a lock per read) and read-only opens
 * (worklist:readOnly); and the guard that makes the annotation save path refuse a read opened
 * read-only or locked by someone else.
 */
import path from 'node:path';
import type { ParaspineApi } from '../../shared/contract';
import { sourceFor } from '../seriesSource';
import { DEFAULT_LOCK_STALE_MINUTES } from '../worklist/lock';
import { filterLines, folderEntries, manifestEntries, nextLine, ratersOf, worklistLines, type ListFolder } from '../worklist/cohort';
import { WorklistSession } from '../worklist/session';
import { ApiError, type ApiContext } from './context';

type WorklistChannels = 'worklist:open' | 'worklist:pickManifest' | 'worklist:lock' | 'worklist:readOnly' | 'worklist:refresh' | 'worklist:release';

/** Manifests the user chose in the open dialog (worklist:pickManifest), per API: their row folders are granted as they are listed. */
const pickedManifests = new WeakMap<ApiContext, Set<string>>();

/** One session per API (its lock, its read-only series), shared by its channels and its save guard. */
const sessions = new WeakMap<ApiContext, WorklistSession>();

export function worklistSession(ctx: ApiContext): WorklistSession {
  let s = sessions.get(ctx);
  if (!s) {
    s = new WorklistSession({ now: ctx.now, staleMs: () => staleMinutes(ctx) * 60_000 });
    sessions.set(ctx, s);
  }
  return s;
}

function staleMinutes(ctx: ApiContext): number {
  return ctx.settings.get().worklistLockStaleMinutes ?? DEFAULT_LOCK_STALE_MINUTES;
}

export function worklistChannels(ctx: ApiContext): Pick<ParaspineApi, WorklistChannels> {
  const { access, gateFor, sources, settings, userTyped, now } = ctx;
  const session = worklistSession(ctx);
  // A folder through its gate (typed in the browser: the user's pick) and the folder source (its scan cached for the open that follows).
  const list: ListFolder = async (folder) => {
    const root = await gateFor({ kind: 'folder', path: folder }).scan({ kind: 'folder', path: folder });
    const scan = await sourceFor(sources, root).list(root);
    return { root: root.kind === 'folder' ? root.path : folder, scan };
  };
  // A row of a chosen manifest: its folder granted first (a missing one is that row's problem, as before).
  const grantThenList: ListFolder = async (folder) => {
    await access.grant(folder);
    return list(folder);
  };
  let picked = pickedManifests.get(ctx);
  if (!picked) pickedManifests.set(ctx, (picked = new Set()));
  const workspaceOrNull = async (): Promise<string | null> => (settings.get().workspace ? ctx.workspace() : null);
  return {
    async 'worklist:open'(cohort, filter, read) {
      let entries;
      if (cohort.kind === 'folder') entries = await folderEntries(cohort.path, list);
      else {
        // A manifest the user chose (typed in the browser, or picked in the desktop app's open dialog) is
        // the user's pick as a typed folder is: its folder and its rows' series folders are granted. Any
        // other manifest (in a folder already opened) only lists rows in folders already granted.
        const chosen = userTyped || picked.has(path.resolve(cohort.path));
        const file = chosen ? await grantParent(access, cohort.path) : await access.check(cohort.path);
        entries = await manifestEntries(file, chosen ? grantThenList : list);
      }
      const lines = await worklistLines(entries, { workspace: await workspaceOrNull(), now: now(), staleMs: staleMinutes(ctx) * 60_000, isMine: (t) => session.isMine(t), read: read ?? null });
      const shown = filterLines(lines, filter ?? {});
      return { cohort, lines: shown, total: lines.length, raters: ratersOf(lines), next: nextLine(shown)?.id ?? null, staleMinutes: staleMinutes(ctx) };
    },
    async 'worklist:pickManifest'() {
      if (!ctx.opts.pickManifest) throw new ApiError('worklist:pickManifest is not available in the browser: type the manifest path instead');
      const file = await ctx.opts.pickManifest();
      if (file !== null) picked.add(path.resolve(file));
      return file;
    },
    async 'worklist:lock'({ seriesUid, rater, takeOver, read }) {
      return session.take(await ctx.workspace(), seriesUid, rater, takeOver === true, read ?? null);
    },
    async 'worklist:readOnly'(seriesUid, read) {
      await session.markReadOnly(await ctx.workspace(), seriesUid, read ?? null);
      return null;
    },
    async 'worklist:refresh'(seriesUid, read) {
      return session.refresh(await ctx.workspace(), seriesUid, read);
    },
    async 'worklist:release'(seriesUid, read) {
      await session.release(seriesUid, await ctx.workspace(), read);
      return null;
    },
  };
}

/** The annotation channels with the worklist's guard before a save or a copy (read-only, locked by someone else). */
export function guardedSaves<T extends Pick<ParaspineApi, 'annotations:save' | 'annotations:saveCopy'>>(ctx: ApiContext, channels: T): T {
  const session = worklistSession(ctx);
  return {
    ...channels,
    async 'annotations:save'(document, opts, read) {
      // The lock of the read being saved (a second read's own), never another read's.
      await session.checkSave(await ctx.workspace(), document, read ?? null);
      return channels['annotations:save'](document, opts, read);
    },
    async 'annotations:saveCopy'(document) {
      // A copy of the read this app has open on the series (else the first read).
      const uid = (document as { series?: { seriesInstanceUid?: unknown } } | null)?.series?.seriesInstanceUid;
      await session.checkSave(await ctx.workspace(), document, typeof uid === 'string' ? session.openRead(uid) : null);
      return channels['annotations:saveCopy'](document);
    },
  };
}

/** A manifest path typed in the browser: its folder granted (as a typed folder is), the file's real path in it. */
async function grantParent(access: ApiContext['access'], file: string): Promise<string> {
  if (!path.isAbsolute(file) || path.basename(file) === '') throw new ApiError(`${file}: not an absolute path of a manifest file`);
  return path.join(await access.grant(path.dirname(file)), path.basename(file));
}
