/**
 * What one service (the app's main process, or one bridge) holds of the worklist: the editing lock it
 * took (one series at a time: taking another releases it) and the series it opened read-only. The
 * save path asks it first (checkSave): a series opened read-only, or locked by someone else (a lock not
 * stale and not ours), is never saved.
 */
import path from 'node:path';
import { UserError } from '../../core/errors';
import type { WorklistLockResult, WorklistLockView } from '../../shared/contract';
import { documentStem } from '../workspace';
import { describeHolder, lockFile, readLock, refreshLock, releaseLock, takeLock, viewOf, type LockView } from './lock';

const asView = (v: LockView, mine: boolean): WorklistLockView => ({ ...v, mine });

export class WorklistSession {
  /** The lock this service holds: its series, file and token. */
  private held: { seriesUid: string; file: string; token: string } | null = null;
  /** Series opened read-only (by their lock file path: workspace and stem), with who held the lock then. */
  private readonly readOnly = new Map<string, string>();
  /** Every token this service took (a lock holding one of them is ours). */
  private readonly tokens = new Set<string>();

  constructor(private readonly opts: { now: () => Date; staleMs: () => number; host?: string; pid?: number }) {}

  isMine(token: string): boolean {
    return this.tokens.has(token);
  }

  /** Takes the lock of a series for editing (releasing the one held before); refused with the holder when someone else holds it. */
  async take(workspace: string, seriesUid: string, rater: string, takeOver = false): Promise<WorklistLockResult> {
    const file = lockFile(workspace, seriesUid);
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
    if (this.held && this.held.file !== file) await this.release(this.held.seriesUid, path.dirname(this.held.file));
    this.tokens.add(r.lock.token);
    this.held = { seriesUid, file, token: r.lock.token };
    this.readOnly.delete(file);
    return r.tookOver ? { ok: true, tookOver: asView(r.tookOver, false) } : { ok: true };
  }

  /** Marks a series open read-only (releasing a lock this service held on it). */
  async markReadOnly(workspace: string, seriesUid: string): Promise<void> {
    const file = lockFile(workspace, seriesUid);
    if (this.held?.file === file) await this.release(seriesUid, workspace);
    const holder = await readLock(file).catch(() => null);
    this.readOnly.set(file, holder ? describeHolder(viewOf(holder, this.opts.now(), this.opts.staleMs())) : 'nobody (released since)');
  }

  /** Refreshes the lock held on a series; false when none is held or it is no longer ours (taken over). */
  async refresh(workspace: string, seriesUid: string): Promise<boolean> {
    const file = lockFile(workspace, seriesUid);
    if (this.held?.file !== file) return false;
    const ok = await refreshLock(file, this.held.token, this.opts.now());
    if (!ok) this.held = null;
    return ok;
  }

  /** Releases the lock held on a series (never someone else's) and its read-only mark. */
  async release(seriesUid: string, workspace: string): Promise<void> {
    const file = lockFile(workspace, seriesUid);
    this.readOnly.delete(file);
    if (this.held?.file !== file) return;
    const { token } = this.held;
    this.held = null;
    await releaseLock(file, token);
  }

  /** Releases whatever this service holds (the app quits). */
  async releaseAll(): Promise<void> {
    if (this.held) await this.release(this.held.seriesUid, path.dirname(this.held.file));
  }

  /**
   * Refuses (a one-line UserError naming the file) a save of a series opened read-only, or locked by
   * someone else (a stale lock too, until it is taken over). Anything else may be saved (no lock: nobody works on it).
   */
  async checkSave(workspace: string, document: unknown): Promise<void> {
    const uid = (document as { series?: { seriesInstanceUid?: unknown } } | null)?.series?.seriesInstanceUid;
    if (typeof uid !== 'string' || uid.trim() === '') return; // the save refuses it with its own reason
    const file = lockFile(workspace, uid);
    const name = `${documentStem(uid)}.json`;
    const ro = this.readOnly.get(file);
    if (ro !== undefined) throw new UserError('input', `not saved: ${name} was opened read-only (locked by ${ro}); open it again for editing when the lock is free`);
    const held = await readLock(file).catch(() => null);
    if (!held || (held.token !== '' && this.tokens.has(held.token))) return;
    // A stale lock too: it is taken over only after the question (the worklist's open), never by a save.
    const v = viewOf(held, this.opts.now(), this.opts.staleMs());
    throw new UserError('input', `not saved: ${name} is locked by ${describeHolder(v)} (${path.basename(file)})${v.stale ? '; take it over from the worklist' : ''}`);
  }
}
