/**
 * Hostile and absurd values on the input paths the worklist round added: lock files, second-read
 * file names (rater slugs), settings, secrets.json and the DICOMweb cache's `.used` markers. Each probe
 * expects a clear one-line reason naming the file, nothing lost or overwritten, no silent wrong state
 * (a lock dated in the future is not fresh forever; a rater name never leads out of the workspace).
 * Expected values come from the probes themselves (what was written, the clock given), never from the
 * code under test.
 */
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseIsoDate } from '../../src/cli/isoDate';
import { parseManifest } from '../../src/node/batch/manifest';
import { InstanceCache } from '../../src/node/dicomweb/cache';
import { FileSecretStore } from '../../src/node/secrets';
import { SettingsStore } from '../../src/node/settings';
import { readPath } from '../../src/node/workspace';
import { manifestEntries, nextLine, worklistLines, type CohortEntry } from '../../src/node/worklist/cohort';
import { isStale, lockFile, readLock, releaseLock, takeLock } from '../../src/node/worklist/lock';
import { SERIES_UID, tmpDir } from './helpers';

const MIN = 60_000;
const STALE = 30 * MIN;

function oneLine(s: string): void {
  expect(s).not.toMatch(/[\n\r\u0000]/);
}

describe('lock files with hostile content', () => {
  it('missing: no lock; empty or truncated JSON: a holder nobody can name, aging from the file time', async () => {
    const ws = tmpDir();
    const file = lockFile(ws, SERIES_UID);
    expect(await readLock(file)).toBeNull();
    for (const text of ['', '{"rater": "Bea", "since": "2025-', 'null', '[1,2]', '"x"']) {
      await fs.writeFile(file, text);
      const t = new Date('2025-01-02T03:00:00.000Z');
      await fs.utimes(file, t, t);
      const l = await readLock(file);
      expect(l?.rater, text).toBe('(unknown)');
      expect(l?.refreshed, text).toBe('2025-01-02T03:00:00.000Z');
      // 10 minutes after the file time: fresh (refused, named); 31 minutes after: stale.
      const fresh = await takeLock(file, { rater: 'Ann', now: new Date(t.getTime() + 10 * MIN), staleMs: STALE, takeOver: true });
      expect(fresh.ok, text).toBe(false);
      const stale = await takeLock(file, { rater: 'Ann', now: new Date(t.getTime() + 31 * MIN), staleMs: STALE, takeOver: true });
      expect(stale.ok, text).toBe(true);
      await fs.rm(file);
    }
  });

  it('wrong types and absurd values: pid 0, negative, a string or huge counts as unknown; names are one bounded line', async () => {
    const ws = tmpDir();
    const file = lockFile(ws, SERIES_UID);
    const now = new Date('2025-01-02T03:04:05.000Z');
    for (const pid of [0, -5, '4242', 1e300, 1.5, null]) {
      await fs.writeFile(file, JSON.stringify({ rater: 'Bea', host: 'h', pid, since: now.toISOString(), refreshed: now.toISOString(), token: 't' }));
      expect((await readLock(file))?.pid, String(pid)).toBe(0);
    }
    await fs.writeFile(file, JSON.stringify({ rater: `Bea\n\u0000evil${'B'.repeat(5000)}`, host: 'h\r\nx', pid: 7, since: now.toISOString(), refreshed: now.toISOString(), token: 't' }));
    const r = await takeLock(file, { rater: 'Ann', now, staleMs: STALE });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    oneLine(r.reason);
    expect(r.reason.length).toBeLessThan(1000);
    expect(r.reason).toContain('Bea');
    expect(r.holder.pid).toBe(7);
    // A 10 MB lock: not loaded whole, its holder unknown, the refusal still one bounded line.
    const huge = 'B'.repeat(10 * 1024 * 1024);
    await fs.writeFile(file, JSON.stringify({ rater: huge, host: 'h', pid: 7, since: now.toISOString(), refreshed: now.toISOString(), token: 't' }));
    const big = await takeLock(file, { rater: 'Ann', now, staleMs: STALE });
    expect(big.ok).toBe(false);
    if (big.ok) return;
    oneLine(big.reason);
    expect(big.reason.length).toBeLessThan(1000);
    // Nothing of the holder's file was changed by the refusal.
    expect((await fs.stat(file)).size).toBeGreaterThan(10 * 1024 * 1024);
  });

  it('a refresh time far in the future is not fresh forever; a small lead (two clocks apart) is', async () => {
    const now = new Date('2025-01-02T03:04:05.000Z');
    expect(isStale({ refreshed: '2999-01-01T00:00:00.000Z' }, now, STALE)).toBe(true);
    expect(isStale({ refreshed: new Date(now.getTime() + 31 * MIN).toISOString() }, now, STALE)).toBe(true);
    expect(isStale({ refreshed: new Date(now.getTime() + 5 * MIN).toISOString() }, now, STALE)).toBe(false);
    expect(isStale({ refreshed: '-271821-04-20T00:00:00.000Z' }, now, STALE)).toBe(true);
    expect(isStale({ refreshed: 'soon' }, now, STALE)).toBe(true);
    const ws = tmpDir();
    const file = lockFile(ws, SERIES_UID);
    await fs.writeFile(file, JSON.stringify({ rater: 'Bea', host: 'h', pid: 7, since: '2999-01-01T00:00:00.000Z', refreshed: '2999-01-01T00:00:00.000Z', token: 'other' }));
    const asked = await takeLock(file, { rater: 'Ann', now, staleMs: STALE });
    expect(asked.ok).toBe(false);
    if (!asked.ok) expect(asked.holder.stale).toBe(true);
    const taken = await takeLock(file, { rater: 'Ann', now, staleMs: STALE, takeOver: true });
    expect(taken.ok).toBe(true);
  });

  it('a folder where the lock should be: one line naming the file, not a raw EISDIR', async () => {
    const ws = tmpDir();
    const file = lockFile(ws, SERIES_UID);
    await fs.mkdir(file);
    await expect(readLock(file)).rejects.toThrow(file);
    const err = await takeLock(file, { rater: 'Ann', now: new Date(), staleMs: STALE }).then(
      () => null,
      (e: Error) => e.message,
    );
    expect(err).toContain(file);
    oneLine(err!);
    expect((await fs.stat(file)).isDirectory()).toBe(true);
  });

  it('a FIFO where the lock should be: refused naming the file, never a read that waits forever', async () => {
    const ws = tmpDir();
    const file = lockFile(ws, SERIES_UID);
    execFileSync('mkfifo', [file]);
    await expect(readLock(file)).rejects.toThrow(file);
    const lines = await worklistLines([{ id: 'a', folder: '/nowhere', seriesUid: SERIES_UID, description: 'a' }], { workspace: ws, now: new Date(), staleMs: STALE, isMine: () => false });
    expect(lines[0]!.problem).toContain(file);
  });

  it('a lock that is a link to a file outside: taking over the stale link or releasing never touches the file it points to', async () => {
    const ws = tmpDir();
    const outside = path.join(tmpDir(), 'precious.txt');
    const content = JSON.stringify({ rater: 'Bea', host: 'h', pid: 7, since: '2025-01-01T00:00:00.000Z', refreshed: '2025-01-01T00:00:00.000Z', token: 'other' });
    await fs.writeFile(outside, content);
    const file = lockFile(ws, SERIES_UID);
    await fs.symlink(outside, file);
    expect(await releaseLock(file, 'mine')).toBe(false);
    const now = new Date('2025-01-02T03:04:05.000Z');
    const r = await takeLock(file, { rater: 'Ann', now, staleMs: STALE, takeOver: true, token: 'mine' });
    expect(r.ok).toBe(true);
    expect(await fs.readFile(outside, 'utf8')).toBe(content);
    expect((await fs.lstat(file)).isSymbolicLink()).toBe(false);
    expect(await releaseLock(file, 'mine')).toBe(true);
    expect(await fs.readFile(outside, 'utf8')).toBe(content);
  });
});

describe('rater names as file names', () => {
  it('path separators, .., NUL, 10 MB: the read and its lock stay in the workspace, named by a plain slug', () => {
    const ws = tmpDir();
    for (const rater of ['../../etc/passwd', '..', '.', 'a/b\\c', '\u0000', 'x\u0000/../y', '/', 'C:\\Windows', 'R'.repeat(10 * 1024 * 1024)]) {
      for (const file of [readPath(ws, SERIES_UID, { rater }), lockFile(ws, SERIES_UID, { rater })]) {
        expect(path.dirname(file), JSON.stringify(rater.slice(0, 20))).toBe(ws);
        expect(path.basename(file)).toMatch(new RegExp(`^${SERIES_UID.replace(/\./g, '\\.')}\\.read-[a-z0-9-]{1,40}\\.(json|lock)$`));
      }
    }
    expect(() => readPath(ws, SERIES_UID, { rater: '   ' })).toThrow(/rater/);
  });
});

describe('settings.json with hostile content', () => {
  it('empty, garbage, wrong types, absurd stale minutes, a folder: defaults and one line naming the file', async () => {
    const cases: [string, string | null][] = [
      ['empty', ''],
      ['garbage', '{"version": 1, "rater": "Bea'],
      ['wrong types', JSON.stringify({ version: 1, window: { width: 1, height: 1 }, recentFolders: [], workspace: null, rater: 42, pacsServers: [] })],
      ['negative minutes', JSON.stringify({ version: 1, window: { width: 1400, height: 900 }, recentFolders: [], workspace: null, rater: 'Bea', pacsServers: [], worklistLockStaleMinutes: -5 })],
      ['huge minutes', JSON.stringify({ version: 1, window: { width: 1400, height: 900 }, recentFolders: [], workspace: null, rater: 'Bea', pacsServers: [], worklistLockStaleMinutes: 1e12 })],
      ['a folder', null],
    ];
    for (const [what, text] of cases) {
      const dir = tmpDir();
      const s = SettingsStore.inDir(dir);
      if (text === null) await fs.mkdir(s.file);
      else await fs.writeFile(s.file, text);
      const loaded = await s.load();
      expect(loaded.rater, what).toBe('');
      expect(loaded.worklistLockStaleMinutes, what).toBeUndefined();
      expect(s.problem, what).toContain(s.file);
      oneLine(s.problem!);
    }
  });
});

describe('settings.json and secrets.json as a FIFO', () => {
  it('refused in one line naming the file, never a read that waits forever', async () => {
    const dir = tmpDir();
    const settings = SettingsStore.inDir(dir);
    execFileSync('mkfifo', [settings.file]);
    expect((await settings.load()).rater).toBe('');
    expect(settings.problem).toContain(settings.file);
    const secrets = FileSecretStore.inDir(dir);
    execFileSync('mkfifo', [secrets.file]);
    await expect(secrets.list()).rejects.toThrow(secrets.file);
  });
});

describe('settings.json kept when unusable', () => {
  it('garbage or wrong types: the first save keeps the old file aside, never overwrites it', async () => {
    for (const old of ['{"version": 1, "rater": "Bea", "workspace": "/data/ws"', JSON.stringify({ version: 1, rater: 'Bea', workspace: '/data/ws', worklistLockStaleMinutes: -5 })]) {
      const dir = tmpDir();
      const s = SettingsStore.inDir(dir);
      await fs.writeFile(s.file, old);
      await s.load();
      await s.update((x) => {
        x.rater = 'Ann';
      });
      await s.update((x) => {
        x.rater = 'Ann B';
      });
      const aside = (await fs.readdir(dir)).filter((n) => n.startsWith('settings.json.unreadable-'));
      expect(aside).toHaveLength(1);
      expect(await fs.readFile(path.join(dir, aside[0]!), 'utf8')).toBe(old);
      expect(JSON.parse(await fs.readFile(s.file, 'utf8')).rater).toBe('Ann B');
    }
  });
});

describe('secrets.json with hostile content', () => {
  it('missing: none; empty, garbage, a folder: refused in one line naming the file, never echoing it', async () => {
    const dir = tmpDir();
    const s = FileSecretStore.inDir(dir);
    expect(await s.list()).toEqual([]);
    for (const text of ['', '{"version":1,"encrypted":false,"servers":{"http://pacs":"hunter2', '{"version":1,"encrypted":false,"servers":{"http://pacs":42}}', null]) {
      await fs.rm(s.file, { recursive: true, force: true });
      if (text === null) await fs.mkdir(s.file);
      else await fs.writeFile(s.file, text);
      const err = await s.list().then(
        () => null,
        (e: Error) => e.message,
      );
      expect(err).toContain(s.file);
      expect(err).not.toContain('hunter2');
      oneLine(err!);
    }
  });

  it('saving over an unreadable file keeps that file aside, never overwrites it', async () => {
    const dir = tmpDir();
    const s = FileSecretStore.inDir(dir);
    const old = '{"version":1,"encrypted":true,"servers":{"http://a":"sealed-by-the-app"}}';
    await fs.writeFile(s.file, old);
    await s.set('http://b', { kind: 'bearer', token: 'tok' });
    expect(await s.get('http://b')).toEqual({ kind: 'bearer', token: 'tok' });
    const aside = (await fs.readdir(dir)).filter((n) => n.startsWith('secrets.json.unreadable-'));
    expect(aside).toHaveLength(1);
    expect(await fs.readFile(path.join(dir, aside[0]!), 'utf8')).toBe(old);
  });
});

describe('DICOMweb cache markers with hostile times', () => {
  const A = '1.2.3.1';
  const B = '1.2.3.2';

  it('a `.used` marker dated in the future does not keep its instance forever', async () => {
    const dir = tmpDir();
    const cache = new InstanceCache(dir, 1500);
    await cache.put(A, new Uint8Array(1000));
    await cache.put(B, new Uint8Array(1000));
    const hourAgo = new Date(Date.now() - 3600_000);
    const minuteAgo = new Date(Date.now() - MIN);
    await fs.utimes(cache.pathFor(A), hourAgo, hourAgo);
    await fs.utimes(cache.pathFor(B), minuteAgo, minuteAgo);
    const marker = path.join(dir, `${A}.used`);
    await fs.writeFile(marker, '');
    const future = new Date('2999-01-01T00:00:00.000Z');
    await fs.utimes(marker, future, future);
    expect(await cache.trim()).toBe(1);
    // A (last really used an hour ago) goes, B (a minute ago) stays.
    await expect(fs.stat(cache.pathFor(A))).rejects.toThrow();
    expect((await fs.stat(cache.pathFor(B))).size).toBe(1000);
  });

  it('a marker that is a link to a file outside: marking use never dates that file', async () => {
    const dir = tmpDir();
    const cache = new InstanceCache(dir);
    await cache.put(A, new Uint8Array(10));
    const outside = path.join(tmpDir(), 'precious.txt');
    await fs.writeFile(outside, 'keep');
    const old = new Date('2020-01-01T00:00:00.000Z');
    await fs.utimes(outside, old, old);
    await fs.symlink(outside, path.join(dir, `${A}.used`));
    expect(await cache.get(A)).toBe(cache.pathFor(A));
    expect((await fs.stat(outside)).mtime.toISOString()).toBe(old.toISOString());
    expect(await fs.readFile(outside, 'utf8')).toBe('keep');
  });
});

describe('cohort worklist with hostile files', () => {
  const noFolders = () => Promise.reject(new Error('not listed'));

  it('a manifest missing, empty, a folder or binary garbage: refused in one line naming the file', async () => {
    const dir = tmpDir();
    const file = path.join(dir, 'cohort.csv');
    const probes: [string, () => Promise<void>][] = [
      ['missing', async () => undefined],
      ['empty', () => fs.writeFile(file, '')],
      ['a folder', () => fs.mkdir(file)],
      ['garbage', () => fs.writeFile(file, Buffer.from([0, 255, 34, 10, 34, 34, 0, 44, 13]))],
    ];
    for (const [what, make] of probes) {
      await fs.rm(file, { recursive: true, force: true });
      await make();
      const err = await manifestEntries(file, noFolders).then(
        () => null,
        (e: Error) => e.message,
      );
      expect(err, what).toContain(file);
      oneLine(err!);
    }
  });

  it('a lock that cannot be read (a folder) is not shown as free: its line says why and Next skips it', async () => {
    const ws = tmpDir();
    const uid2 = `${SERIES_UID}.2`;
    await fs.mkdir(lockFile(ws, SERIES_UID));
    const entries: CohortEntry[] = [
      { id: 'a', folder: '/nowhere/a', seriesUid: SERIES_UID, description: 'a' },
      { id: 'b', folder: '/nowhere/b', seriesUid: uid2, description: 'b' },
    ];
    const now = new Date('2025-01-02T03:04:05.000Z');
    // b's lock dated far ahead: listed as stale (it needs the question), not fresh.
    await fs.writeFile(lockFile(ws, uid2), JSON.stringify({ rater: 'Bea', host: 'h', pid: 7, since: '2999-01-01T00:00:00.000Z', refreshed: '2999-01-01T00:00:00.000Z', token: 'x' }));
    const lines = await worklistLines(entries, { workspace: ws, now, staleMs: STALE, isMine: () => false });
    expect(lines[0]!.problem).toContain(lockFile(ws, SERIES_UID));
    oneLine(lines[0]!.problem!);
    expect(lines[1]!.lock?.stale).toBe(true);
    expect(nextLine(lines)).toBeNull();
  });
});

describe('--date values (measure/batch reports, agreement --pdf)', () => {
  it('a day or time that does not exist, or trailing junk, is refused, never moved to another date', () => {
    for (const bad of ['2025-02-30', '2025-02-29', '2025-01-01junk', '2025-13-01', '2025-00-10', '2025-01-01T24:00', '2025-01-01T10:60', '2025-01-01T10:00:00+99:00', '', '-2025-01-01', '02025-01-01', '2025-01-01\n', 'now']) {
      expect(parseIsoDate(bad), JSON.stringify(bad)).toBeNull();
    }
    expect(parseIsoDate('2024-02-29')?.toISOString()).toBe('2024-02-29T00:00:00.000Z');
    expect(parseIsoDate('2025-01-02T03:04:05Z')?.toISOString()).toBe('2025-01-02T03:04:05.000Z');
    expect(parseIsoDate('2025-01-02T03:04:05.250+02:00')?.toISOString()).toBe('2025-01-02T01:04:05.250Z');
  });
});

describe('manifest URL rows', () => {
  it('a series URL with a user name or password is refused naming the line, and the password is never echoed', () => {
    const url = 'https://ann:hunter2@pacs.example/dicom-web/studies/1.2.3/series/1.2.3.4';
    const err = (() => {
      try {
        return { rows: parseManifest(`series\n${url}\n`, 'cohort.csv') };
      } catch (e) {
        return { message: (e as Error).message };
      }
    })();
    expect('message' in err ? err.message : JSON.stringify(err.rows)).toMatch(/^cohort\.csv line 2: /);
    expect(JSON.stringify(err)).not.toContain('hunter2');
    // A URL without credentials is kept as written.
    expect(parseManifest('series\nhttps://pacs.example/dicom-web/studies/1.2.3/series/1.2.3.4\n', 'cohort.csv')[0]!.series).toBe('https://pacs.example/dicom-web/studies/1.2.3/series/1.2.3.4');
  });
});
