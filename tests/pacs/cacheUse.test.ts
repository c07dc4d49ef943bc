import { mkdtemp, readdir, rm, stat, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { InstanceCache } from '../../src/node/dicomweb/cache';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function cacheWith(maxBytes: number): Promise<InstanceCache> {
  const dir = await mkdtemp(join(tmpdir(), 'paraspine-cache-'));
  dirs.push(dir);
  return new InstanceCache(dir, maxBytes);
}

describe('instance cache: last use', () => {
  it('marks a use without touching the instance (a reader that opened it earlier still sees the same file)', async () => {
    const cache = await cacheWith(1e9);
    const p = await cache.put('1.2.3.4', new Uint8Array(100));
    const before = await stat(p);
    await new Promise((r) => setTimeout(r, 20));
    expect(await cache.get('1.2.3.4')).toBe(p);
    const after = await stat(p);
    expect(after.mtimeMs).toBe(before.mtimeMs);
    expect(after.ctimeMs).toBe(before.ctimeMs);
    expect((await readdir(cache.dir)).sort()).toEqual(['1.2.3.4.dcm', '1.2.3.4.used']);
  });

  it('trims the least recently used instance first, by its marker, and removes the marker with it', async () => {
    const cache = await cacheWith(250);
    await cache.put('1.1', new Uint8Array(100));
    await cache.put('1.2', new Uint8Array(100));
    await cache.put('1.3', new Uint8Array(100));
    // All written "long ago", in order 1.1, 1.2, 1.3; then 1.1 used now: 1.2 is the least recently used.
    for (const [i, uid] of ['1.1', '1.2', '1.3'].entries()) await utimes(cache.pathFor(uid), 1000 + i, 1000 + i);
    await cache.get('1.1');
    expect(await cache.trim()).toBe(1);
    expect((await readdir(cache.dir)).sort()).toEqual(['1.1.dcm', '1.1.used', '1.3.dcm']);
  });
});
