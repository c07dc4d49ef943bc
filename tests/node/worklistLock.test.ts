/**
 * The worklist's editing lock (`<document stem>.lock` in the workspace): taken atomically (of two takers
 * one wins), a lock held by someone else refused with who and since when, a stale one taken over only
 * with an explicit takeOver (the app's question), released only by its holder; and the save path
 * refusing a series opened read-only or locked by someone else, through the API as the app calls it.
 */
import { promises as fs, mkdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FolderAccess } from '../../src/node/access';
import { createApi } from '../../src/node/api';
import { FolderSeriesSource } from '../../src/node/seriesSource';
import { SettingsStore } from '../../src/node/settings';
import { documentPath } from '../../src/node/workspace';
import { lockFile, readLock, releaseLock, takeLock, type LockInfo } from '../../src/node/worklist/lock';
import { phantomDocument, phantomVolume, SERIES_UID, tmpDir } from './helpers';

const T0 = new Date('2025-01-02T03:04:05.000Z');
const MIN = 60_000;
const STALE = 30 * MIN;

function otherLock(refreshed: Date, rater = 'Bea'): LockInfo {
  return { rater, host: 'other-host', pid: 4242, since: '2025-01-02T01:00:00.000Z', refreshed: refreshed.toISOString(), token: 'someone-else' };
}

describe('worklist lock file', () => {
  it('two takers at once: exactly one gets the lock, and the file names the winner', async () => {
    const ws = tmpDir();
    const file = lockFile(ws, SERIES_UID);
    expect(path.basename(file)).toBe(`${SERIES_UID}.lock`);
    for (let round = 0; round < 10; round++) {
      const [a, b] = await Promise.all([takeLock(file, { rater: 'Ann', now: T0, staleMs: STALE, token: 'a' }), takeLock(file, { rater: 'Bob', now: T0, staleMs: STALE, token: 'b' })]);
      expect([a.ok, b.ok].filter(Boolean)).toHaveLength(1);
      const winner = a.ok ? 'Ann' : 'Bob';
      const loser = a.ok ? b : a;
      expect((await readLock(file))?.rater).toBe(winner);
      expect(loser.ok ? '' : loser.reason).toContain(`being annotated by ${winner}`);
      await fs.rm(file);
    }
  });

  it('the lock holds JSON {rater, host, pid, since}', async () => {
    const ws = tmpDir();
    const file = lockFile(ws, SERIES_UID);
    const r = await takeLock(file, { rater: 'Ann', now: T0, staleMs: STALE, host: 'h1', pid: 77 });
    expect(r.ok).toBe(true);
    const json = JSON.parse(await fs.readFile(file, 'utf8')) as Record<string, unknown>;
    expect(json).toMatchObject({ rater: 'Ann', host: 'h1', pid: 77, since: '2025-01-02T03:04:05.000Z', refreshed: '2025-01-02T03:04:05.000Z' });
  });

  it('a fresh lock of someone else is refused, even with takeOver', async () => {
    const ws = tmpDir();
    const file = lockFile(ws, SERIES_UID);
    await fs.writeFile(file, JSON.stringify(otherLock(new Date(T0.getTime() - 29 * MIN))));
    for (const takeOver of [false, true]) {
      const r = await takeLock(file, { rater: 'Ann', now: T0, staleMs: STALE, takeOver });
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect(r.holder).toMatchObject({ rater: 'Bea', host: 'other-host', stale: false });
      expect(r.reason).toBe(`${SERIES_UID} is being annotated by Bea on other-host since 2025-01-02 01:00 UTC`);
    }
    expect((await readLock(file))?.token).toBe('someone-else');
  });

  it('a stale lock is taken over only with takeOver (after the question), naming who held it', async () => {
    const ws = tmpDir();
    const file = lockFile(ws, SERIES_UID);
    await fs.writeFile(file, JSON.stringify(otherLock(new Date(T0.getTime() - 30 * MIN))));
    const asked = await takeLock(file, { rater: 'Ann', now: T0, staleMs: STALE });
    expect(asked.ok).toBe(false);
    if (asked.ok) return;
    expect(asked.holder.stale).toBe(true);
    expect(asked.reason).toBe(`${SERIES_UID} is locked by Bea on other-host since 2025-01-02 01:00 UTC (stale: not refreshed since 2025-01-02 02:34 UTC): take it over?`);
    expect((await readLock(file))?.token).toBe('someone-else'); // nothing changed without the answer
    const took = await takeLock(file, { rater: 'Ann', now: T0, staleMs: STALE, takeOver: true, token: 'ann' });
    expect(took).toMatchObject({ ok: true, tookOver: { rater: 'Bea', host: 'other-host', stale: true } });
    expect(await readLock(file)).toMatchObject({ rater: 'Ann', token: 'ann' });
  });

  it('two takers of one stale lock at once: one wins', async () => {
    const ws = tmpDir();
    const file = lockFile(ws, SERIES_UID);
    for (let round = 0; round < 10; round++) {
      await fs.writeFile(file, JSON.stringify(otherLock(new Date(T0.getTime() - 60 * MIN))));
      const rs = await Promise.all(['a', 'b', 'c'].map((t) => takeLock(file, { rater: t, now: T0, staleMs: STALE, takeOver: true, token: t })));
      expect(rs.filter((r) => r.ok)).toHaveLength(1);
      const winner = ['a', 'b', 'c'][rs.findIndex((r) => r.ok)];
      expect((await readLock(file))?.token).toBe(winner);
      expect((await fs.readdir(ws)).sort()).toEqual([path.basename(file)]); // nothing left aside
      await fs.rm(file);
    }
  });

  it('release removes only the holder\'s own lock', async () => {
    const ws = tmpDir();
    const file = lockFile(ws, SERIES_UID);
    await takeLock(file, { rater: 'Ann', now: T0, staleMs: STALE, token: 'ann' });
    expect(await releaseLock(file, 'not-ann')).toBe(false);
    expect(await readLock(file)).not.toBeNull();
    expect(await releaseLock(file, 'ann')).toBe(true);
    expect(await readLock(file)).toBeNull();
  });
});

async function setupApi(opts: { staleMinutes?: number } = {}) {
  const root = tmpDir();
  const ws = path.join(root, 'ws');
  mkdirSync(ws);
  const settings = SettingsStore.inDir(path.join(root, 'userdata'));
  await settings.load();
  await settings.update((s) => {
    s.workspace = ws;
    if (opts.staleMinutes !== undefined) s.worklistLockStaleMinutes = opts.staleMinutes;
  });
  const access = new FolderAccess();
  await access.grant(ws);
  let now = T0;
  const api = createApi({ mode: 'web', version: '9.9.9', settings, access, sources: { folder: new FolderSeriesSource() }, masks: { loadMasks: async () => ({ masks: [], problems: [] }) }, now: () => now });
  return { ws, api, setNow: (d: Date) => (now = d) };
}

describe('worklist lock through the API', () => {
  it('takes, refreshes and releases; read-only never saves (a one-line reason); locked by someone else never saves', async () => {
    const { ws, api, setNow } = await setupApi();
    const doc = phantomDocument(phantomVolume());
    const file = lockFile(ws, SERIES_UID);
    expect(await api['worklist:lock']({ seriesUid: SERIES_UID, rater: 'Ann' })).toEqual({ ok: true });
    expect(await readLock(file)).toMatchObject({ rater: 'Ann', since: T0.toISOString() });
    // Our own lock: saving works, and the workspace's short save lock (another file) still does its job.
    expect((await api['annotations:save'](doc)).path).toBe(documentPath(ws, SERIES_UID));
    setNow(new Date(T0.getTime() + 5 * MIN));
    expect(await api['worklist:refresh'](SERIES_UID)).toBe(true);
    expect((await readLock(file))?.refreshed).toBe('2025-01-02T03:09:05.000Z');
    await api['worklist:release'](SERIES_UID);
    expect(await readLock(file)).toBeNull();
    expect(await api['worklist:refresh'](SERIES_UID)).toBe(false);

    // Someone else takes it: our lock is refused, we open read-only, the save refuses.
    await fs.writeFile(file, JSON.stringify(otherLock(new Date(T0.getTime() + 4 * MIN))));
    const refused = await api['worklist:lock']({ seriesUid: SERIES_UID, rater: 'Ann' });
    expect(refused).toMatchObject({ ok: false, holder: { rater: 'Bea', stale: false, mine: false } });
    await expect(api.dispatch('annotations:save', [doc])).rejects.toThrow(`not saved: ${SERIES_UID}.json is locked by Bea on other-host since 2025-01-02 01:00 UTC (${SERIES_UID}.lock)`);
    await api['worklist:readOnly'](SERIES_UID);
    // Read-only holds even once the other lock is gone (until opened again for editing).
    await fs.rm(file);
    const err = await api.dispatch('annotations:save', [doc]).then(
      () => null,
      (e: Error) => e.message,
    );
    expect(err).toBe(`not saved: ${SERIES_UID}.json was opened read-only (locked by Bea on other-host since 2025-01-02 01:00 UTC); open it again for editing when the lock is free`);
    expect(err).not.toContain('\n');
    await expect(api.dispatch('annotations:saveCopy', [doc])).rejects.toThrow('was opened read-only');
    expect(await api['worklist:lock']({ seriesUid: SERIES_UID, rater: 'Ann' })).toEqual({ ok: true });
    expect((await api['annotations:save'](doc)).path).toBe(documentPath(ws, SERIES_UID));
  });

  it('stale after the set time (setting): taken over only with takeOver; a stale lock still blocks a save', async () => {
    const { ws, api } = await setupApi({ staleMinutes: 10 });
    const file = lockFile(ws, SERIES_UID);
    await fs.writeFile(file, JSON.stringify(otherLock(new Date(T0.getTime() - 11 * MIN))));
    const asked = await api['worklist:lock']({ seriesUid: SERIES_UID, rater: 'Ann' });
    expect(asked).toMatchObject({ ok: false, holder: { rater: 'Bea', stale: true } });
    await expect(api.dispatch('annotations:save', [phantomDocument(phantomVolume())])).rejects.toThrow('take it over from the worklist');
    expect(await api['worklist:lock']({ seriesUid: SERIES_UID, rater: 'Ann', takeOver: true })).toMatchObject({ ok: true, tookOver: { rater: 'Bea' } });
    expect(await readLock(file)).toMatchObject({ rater: 'Ann' });
  });

  it('taking another series releases the lock held before', async () => {
    const { ws, api } = await setupApi();
    expect((await api['worklist:lock']({ seriesUid: '1.2.3', rater: 'Ann' })).ok).toBe(true);
    expect((await api['worklist:lock']({ seriesUid: '1.2.4', rater: 'Ann' })).ok).toBe(true);
    expect(await readLock(lockFile(ws, '1.2.3'))).toBeNull();
    expect(await readLock(lockFile(ws, '1.2.4'))).toMatchObject({ rater: 'Ann' });
  });
});
