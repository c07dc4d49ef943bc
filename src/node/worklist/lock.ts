/**
 * The editing lock of a read in a shared workspace: `<document stem>.lock` beside `<stem>.json` (a
 * blinded second read's `<stem>.read-<slug>.lock` beside its own document), so two
 * people on one shared folder never overwrite each other's read. It is taken atomically (created with
 * fs.open 'wx': of two takers exactly one creates it), holds JSON {rater, host, pid, since, refreshed,
 * token}, is refreshed while the series is open (`refreshed`, every minute by the app) and released on
 * close or switch. A lock not refreshed for `staleMs` (setting `worklistLockStaleMinutes`, default 30) is
 * stale: it may be taken over, but only when the taker says so (`takeOver`: the app asks first, naming
 * who holds it and since when). A lock held by someone else is never removed otherwise.
 *
 * Not the workspace's short-lived save lock (`.<stem>.json.lock`, node/workspace.ts), which only
 * serialises one save: this one spans the whole editing session.
 */
import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readPath } from '../workspace';

export const DEFAULT_LOCK_STALE_MINUTES = 30;
/** How often the app refreshes a lock it holds. */
export const LOCK_REFRESH_MS = 60_000;

export interface LockInfo {
  rater: string;
  host: string;
  pid: number;
  /** When the lock was taken (ISO time). */
  since: string;
  /** When it was last refreshed (ISO time); a lock without it counts from `since`. */
  refreshed: string;
  /** Who holds it, as the taker knows itself (a random id per taking): refresh and release touch only their own lock. */
  token: string;
}

/** A lock as seen by someone: its holder, and whether it is stale now. */
export interface LockView {
  rater: string;
  host: string;
  pid: number;
  since: string;
  refreshed: string;
  stale: boolean;
}

export type TakeResult = { ok: true; lock: LockInfo; tookOver?: LockView } | { ok: false; holder: LockView; reason: string };

/**
 * The lock of the document actually opened: the first read's `<workspace>/<document stem>.lock`; a
 * blinded second read's `<stem>.read-<rater slug>.lock` (beside its `<stem>.read-<slug>.json`,
 * workspace.ts readPath), so two raters read one series at once and one rater's two windows still
 * exclude each other.
 */
export function lockFile(workspace: string, seriesUid: string, read?: { rater: string } | null): string {
  const doc = readPath(workspace, seriesUid, read);
  return `${doc.slice(0, -'.json'.length)}.lock`;
}

/** A lock is a few hundred bytes: a larger file is not one we wrote (it is read as unknown, never loaded whole). */
const MAX_LOCK_BYTES = 64 * 1024;

/** The lock at `file` as written, or null when there is none; an unreadable one counts from the file's time, holder unknown. */
export async function readLock(file: string): Promise<LockInfo | null> {
  // A folder, a device, a FIFO (whose read would wait forever) or an unreadable file: one line naming
  // it, never a raw error or a hang.
  const cannot = (e: unknown) => new Error(`${file}: cannot read this lock (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  let text: string;
  let mtime: Date;
  try {
    const st = await fs.stat(file);
    if (!st.isFile()) throw new Error(`${file}: cannot read this lock (not a file)`);
    mtime = st.mtime;
    text = st.size > MAX_LOCK_BYTES ? '' : await fs.readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw (e as NodeJS.ErrnoException).code === undefined ? e : cannot(e);
  }
  const at = mtime.toISOString();
  try {
    const j = JSON.parse(text) as Partial<LockInfo>;
    // Another program's (or a hostile) lock: names are shown in one line, so control characters go and
    // the length is bounded; a pid that is not a positive whole number is unknown (0).
    const str = (v: unknown, d: string) => {
      const t = typeof v === 'string' ? v.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim().slice(0, 200) : '';
      return t !== '' ? t : d;
    };
    const since = str(j.since, at);
    const pid = typeof j.pid === 'number' && Number.isSafeInteger(j.pid) && j.pid > 0 ? j.pid : 0;
    return { rater: str(j.rater, '(unknown)'), host: str(j.host, '(unknown host)'), pid, since, refreshed: str(j.refreshed, since), token: str(j.token, '') };
  } catch {
    // Half written or not ours: nobody can be named; it ages from the file's time.
    return { rater: '(unknown)', host: '(unknown host)', pid: 0, since: at, refreshed: at, token: '' };
  }
}

/**
 * Whether a lock is stale at `now`: not refreshed for `staleMs`. A refresh time more than `staleMs`
 * ahead of now (a wrong clock, a hand-made file) is no refresh at all: such a lock would otherwise count
 * as fresh for as long as its date lies ahead; a smaller lead (clocks of two hosts a little apart) is fresh.
 */
export function isStale(lock: Pick<LockInfo, 'refreshed'>, now: Date, staleMs: number): boolean {
  const t = Date.parse(lock.refreshed);
  return !Number.isFinite(t) || now.getTime() - t >= staleMs || t - now.getTime() > staleMs;
}

export function viewOf(lock: LockInfo, now: Date, staleMs: number): LockView {
  return { rater: lock.rater, host: lock.host, pid: lock.pid, since: lock.since, refreshed: lock.refreshed, stale: isStale(lock, now, staleMs) };
}

/** One line naming who holds a lock and since when. */
export function describeHolder(v: LockView): string {
  return `${v.rater || '(no name)'} on ${v.host} since ${readable(v.since)}${v.stale ? ` (stale: not refreshed since ${readable(v.refreshed)})` : ''}`;
}

function readable(iso: string): string {
  const m = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d)(:\d\d)?/.exec(iso);
  return m ? `${m[1]} ${m[2]} UTC` : iso;
}

export interface TakeOptions {
  rater: string;
  now: Date;
  staleMs: number;
  /** Take over a stale lock (the user answered the question); a fresh one is never taken over. */
  takeOver?: boolean;
  /** This taker's own token: a lock already holding it is this taker's (refreshed, not refused). */
  token?: string;
  host?: string;
  pid?: number;
}

/**
 * Takes the lock of the series at `file`: created atomically ('wx'); when it exists and is this
 * taker's (same token) it is refreshed; when someone else's, refused with who holds it and whether it
 * is stale, unless it is stale and `takeOver` is set.
 */
export async function takeLock(file: string, opts: TakeOptions): Promise<TakeResult> {
  const mine: LockInfo = {
    rater: opts.rater,
    host: opts.host ?? os.hostname(),
    pid: opts.pid ?? process.pid,
    since: opts.now.toISOString(),
    refreshed: opts.now.toISOString(),
    token: opts.token ?? randomUUID(),
  };
  for (let attempt = 0; attempt < 5; attempt++) {
    if (await createExclusive(file, mine)) return { ok: true, lock: mine };
    const held = await readLock(file);
    if (!held) continue; // released meanwhile: try again
    if (held.token !== '' && held.token === mine.token) {
      const again = { ...held, rater: opts.rater, refreshed: opts.now.toISOString() };
      await writeLock(file, again);
      return { ok: true, lock: again };
    }
    const view = viewOf(held, opts.now, opts.staleMs);
    if (!view.stale) return { ok: false, holder: view, reason: `${path.basename(file, '.lock')} is being annotated by ${describeHolder(view)}` };
    if (!opts.takeOver) return { ok: false, holder: view, reason: `${path.basename(file, '.lock')} is locked by ${describeHolder(view)}: take it over?` };
    // Take over: move the stale lock aside under a name of our own (a rename succeeds for one taker
    // only), check it is the stale one we saw, then create ours exclusively as above.
    const aside = `${file}.stale-${mine.token}`;
    try {
      await fs.rename(file, aside);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue; // another taker moved it first
      throw e;
    }
    const moved = await readLock(aside);
    if (moved && (moved.token !== held.token || moved.refreshed !== held.refreshed)) {
      // Not the lock we judged stale (taken or refreshed meanwhile): put it back unless a new one is there.
      await fs.link(aside, file).catch(() => undefined);
      await fs.rm(aside, { force: true });
      continue;
    }
    await fs.rm(aside, { force: true });
    if (await createExclusive(file, mine)) return { ok: true, lock: mine, tookOver: view };
  }
  const now = await readLock(file);
  const view = now ? viewOf(now, opts.now, opts.staleMs) : null;
  return { ok: false, holder: view ?? { rater: '(unknown)', host: '(unknown host)', pid: 0, since: opts.now.toISOString(), refreshed: opts.now.toISOString(), stale: false }, reason: `${path.basename(file)}: could not be taken (others are taking it at the same time); try again` };
}

/** Refreshes our lock (same token); false when it is no longer ours (taken over as stale, or removed). */
export async function refreshLock(file: string, token: string, now: Date): Promise<boolean> {
  const held = await readLock(file);
  if (!held || held.token !== token) return false;
  await writeLock(file, { ...held, refreshed: now.toISOString() });
  return true;
}

/** Removes our lock (same token); someone else's is left alone. True when one was removed. */
export async function releaseLock(file: string, token: string): Promise<boolean> {
  const held = await readLock(file);
  if (!held || held.token !== token) return false;
  await fs.rm(file, { force: true });
  return true;
}

async function createExclusive(file: string, lock: LockInfo): Promise<boolean> {
  let fh;
  try {
    fh = await fs.open(file, 'wx');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
  try {
    await fh.writeFile(JSON.stringify(lock) + '\n');
  } finally {
    await fh.close();
  }
  return true;
}

/** Rewrites a lock we hold (refresh): a temporary file renamed over it, so a reader never sees half of it. */
async function writeLock(file: string, lock: LockInfo): Promise<void> {
  const tmp = `${file}.${lock.token}.tmp`;
  await fs.writeFile(tmp, JSON.stringify(lock) + '\n');
  await fs.rename(tmp, file);
}
