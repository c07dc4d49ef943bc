/**
 * What one service (the app's main process, or one bridge) holds of the worklist: the editing lock it
 * took (one read of one series at a time: taking another releases it) and the reads it opened
 * read-only. A lock follows the document actually opened (lock.ts lockFile): the first read's
 * `<stem>.lock`, a blinded second read's `<stem>.read-<slug>.lock`. The save path asks it first
 * (checkSave, with the read being saved): a read opened read-only, or locked by someone else (a lock
 * not stale and not ours), is never saved.
 */
import path from 'node:path';
import { UserError } from '../../core/errors';
import type { ReadRef, WorklistLockResult, WorklistLockView } from '../../shared/contract';
import { readPath } from '../workspace';
import { describeHolder, lockFile, readLock, refreshLock, releaseLock, takeLock, viewOf, type LockView } from './lock';

const asView = (v: LockView, mine: boolean): WorklistLockView => ({ ...v, mine });

/** A read as kept here: null, the first read. */
const readOf = (read: ReadRef | null | undefined): ReadRef | null => (read ? { rater: read.rater } : null);

interface HeldLock {
  seriesUid: string;
  read: ReadRef | null;
  file: string;
  token: string;
}

export class WorklistSession {
  /** The lock this service holds: its series, read, file and token. */
  private held: HeldLock | null = null;
  /** Reads opened read-only (by their lock file path: workspace, stem and read), with who held the lock then. */
  private readonly readOnly = new Map<string, { seriesUid: string; read: ReadRef | null; holder: string }>();
  /** Every token this service took (a lock holding one of them is ours). */
  private readonly tokens = new Set<string>();

  constructor(private readonly opts: { now: () => Date; staleMs: () => number; host?: string; pid?: number }) {}

  isMine(token: string): boolean {
    return this.tokens.has(token);
  }

  /**
   * Takes the lock of a read of a series for editing (releasing the one held before); refused with the
   * holder when someone else holds it. `read`: a blinded second read (its own lock); null or left out: the first read.
   */
  async take(workspace: string, seriesUid: string, rater: string, takeOver = false, read: ReadRef | null = null): Promise<WorklistLockResult> {
    const file = lockFile(workspace, seriesUid, read);
    const same = this.held?.file === file ? this.held : null;
    const r = await takeLock(file, {
      rater,
      now: this.opts.now(),
      staleMs: this.opts.staleMs(),
      takeOver,
      ...(same ? { token: same.token } : {}),
      ...(this.opts.host !== undefined ? { host: this.opts.host } : {}),
      ...(this.opts.pid !== undefined ? { pid: this.opts.pid } : {}),
    });
    if (!r.ok) return { ok: false, holder: asView(r.holder, false), reason: r.reason };
    if (this.held && this.held.file !== file) await this.releaseFile(this.held.file);
    this.tokens.add(r.lock.token);
    this.held = { seriesUid, read: readOf(read), file, token: r.lock.token };
    this.readOnly.delete(file);
    return r.tookOver ? { ok: true, tookOver: asView(r.tookOver, false) } : { ok: true };
  }

  /** Marks a read of a series open read-only (releasing a lock this service held on it). */
  async markReadOnly(workspace: string, seriesUid: string, read: ReadRef | null = null): Promise<void> {
    const file = lockFile(workspace, seriesUid, read);
    if (this.held?.file === file) await this.releaseFile(file);
    const holder = await readLock(file).catch(() => null);
    this.readOnly.set(file, { seriesUid, read: readOf(read), holder: holder ? describeHolder(viewOf(holder, this.opts.now(), this.opts.staleMs())) : 'nobody (released since)' });
  }

  /**
   * Refreshes the lock held on a series (the read named, or left out: whichever read of it this
   * service holds); false when none is held or it is no longer ours (taken over).
   */
  async refresh(workspace: string, seriesUid: string, read?: ReadRef | null): Promise<boolean> {
    const held = this.held;
    if (!held || !this.matches(held, workspace, seriesUid, read)) return false;
    const ok = await refreshLock(held.file, held.token, this.opts.now());
    if (!ok && this.held === held) this.held = null;
    return ok;
  }

  /**
   * Releases the lock held on a series (never someone else's) and its read-only marks: the read named,
   * or left out, every read of the series this service holds or opened read-only.
   */
  async release(seriesUid: string, workspace: string, read?: ReadRef | null): Promise<void> {
    for (const [file, ro] of this.readOnly) if (ro.seriesUid === seriesUid && (read === undefined || file === lockFile(workspace, seriesUid, read))) this.readOnly.delete(file);
    const held = this.held;
    if (held && this.matches(held, workspace, seriesUid, read)) await this.releaseFile(held.file);
  }

  /** Releases whatever this service holds (the app quits). */
  async releaseAll(): Promise<void> {
    if (this.held) await this.releaseFile(this.held.file);
  }

  /** The read of a series this service has open (locked or read-only), else null (the first read): what a copy of it is checked as. */
  openRead(seriesUid: string): ReadRef | null {
    if (this.held?.seriesUid === seriesUid) return this.held.read;
    for (const ro of this.readOnly.values()) if (ro.seriesUid === seriesUid) return ro.read;
    return null;
  }

  /**
   * Refuses (a one-line UserError naming the file) a save of a read opened read-only, or locked by
   * someone else (a stale lock too, until it is taken over). `read`: the read being saved (its own
   * lock); null, the first read. Anything else may be saved (no lock: nobody works on it).
   */
  async checkSave(workspace: string, document: unknown, read: ReadRef | null = null): Promise<void> {
    const uid = (document as { series?: { seriesInstanceUid?: unknown } } | null)?.series?.seriesInstanceUid;
    if (typeof uid !== 'string' || uid.trim() === '') return; // the save refuses it with its own reason
    const file = lockFile(workspace, uid, read);
    const name = path.basename(readPath(workspace, uid, read));
    const ro = this.readOnly.get(file);
    if (ro !== undefined) throw new UserError('input', `not saved: ${name} was opened read-only (locked by ${ro.holder}); open it again for editing when the lock is free`);
    const held = await readLock(file).catch(() => null);
    if (!held || (held.token !== '' && this.tokens.has(held.token))) return;
    // A stale lock too: it is taken over only after the question (the worklist's open), never by a save.
    const v = viewOf(held, this.opts.now(), this.opts.staleMs());
    throw new UserError('input', `not saved: ${name} is locked by ${describeHolder(v)} (${path.basename(file)})${v.stale ? '; take it over from the worklist' : ''}`);
  }

  /** Whether the held lock is the series' (the read named, or any read of it when left out). */
  private matches(held: HeldLock, workspace: string, seriesUid: string, read: ReadRef | null | undefined): boolean {
    if (held.seriesUid !== seriesUid) return false;
    return read === undefined || held.file === lockFile(workspace, seriesUid, read);
  }

  private async releaseFile(file: string): Promise<void> {
    this.readOnly.delete(file);
    if (this.held?.file !== file) return;
    const { token } = this.held;
    this.held = null;
    await releaseLock(file, token);
  }
}
