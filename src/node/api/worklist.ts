/**
 * The worklist channels: a cohort's lines (worklist:open), the editing lock of the series being
 * annotated (worklist:lock / refresh / release) and read-only opens (worklist:readOnly); and the guard
 * that makes the annotation save path refuse a series opened read-only or locked by someone else.
 */
import path from 'node:path';
import type { ParaspineApi } from '../../shared/contract';
import { sourceFor } from '../seriesSource';
import { DEFAULT_LOCK_STALE_MINUTES } from '../worklist/lock';
import { filterLines, folderEntries, manifestEntries, nextLine, ratersOf, worklistLines, type ListFolder } from '../worklist/cohort';
import { WorklistSession } from '../worklist/session';
import { ApiError, type ApiContext } from './context';

type WorklistChannels = 'worklist:open' | 'worklist:lock' | 'worklist:readOnly' | 'worklist:refresh' | 'worklist:release';

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
  const workspaceOrNull = async (): Promise<string | null> => (settings.get().workspace ? ctx.workspace() : null);
  return {
    async 'worklist:open'(cohort, filter) {
      let entries;
      if (cohort.kind === 'folder') entries = await folderEntries(cohort.path, list);
      else {
        // The manifest's folder is the user's pick as a typed folder is (its rows are read from there).
        const file = userTyped ? await grantParent(access, cohort.path) : await access.check(cohort.path);
        entries = await manifestEntries(file, list);
      }
      const lines = await worklistLines(entries, { workspace: await workspaceOrNull(), now: now(), staleMs: staleMinutes(ctx) * 60_000, isMine: (t) => session.isMine(t) });
      const shown = filterLines(lines, filter ?? {});
      return { cohort, lines: shown, total: lines.length, raters: ratersOf(lines), next: nextLine(shown)?.id ?? null, staleMinutes: staleMinutes(ctx) };
    },
    async 'worklist:lock'({ seriesUid, rater, takeOver }) {
      return session.take(await ctx.workspace(), seriesUid, rater, takeOver === true);
    },
    async 'worklist:readOnly'(seriesUid) {
      await session.markReadOnly(await ctx.workspace(), seriesUid);
      return null;
    },
    async 'worklist:refresh'(seriesUid) {
      return session.refresh(await ctx.workspace(), seriesUid);
    },
    async 'worklist:release'(seriesUid) {
      await session.release(seriesUid, await ctx.workspace());
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
      await session.checkSave(await ctx.workspace(), document);
      return channels['annotations:save'](document, opts, read);
    },
    async 'annotations:saveCopy'(document) {
      await session.checkSave(await ctx.workspace(), document);
      return channels['annotations:saveCopy'](document);
    },
  };
}

/** A manifest path typed in the browser: its folder granted (as a typed folder is), the file's real path in it. */
async function grantParent(access: ApiContext['access'], file: string): Promise<string> {
  if (!path.isAbsolute(file) || path.basename(file) === '') throw new ApiError(`${file}: not an absolute path of a manifest file`);
  return path.join(await access.grant(path.dirname(file)), path.basename(file));
}
