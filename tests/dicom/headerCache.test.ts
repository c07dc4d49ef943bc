import { stat, truncate, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makePhantomSeries } from '../fixtures/phantomSeries';
import { clearHeaderCache, loadFiles, loadSeries, scanFolder } from '../../src/node/dicomFiles';
import { writeTempFiles } from './helpers';

function mismatches(hu: ArrayLike<number>, expected: Float32Array): number {
  let m = 0;
  for (let p = 0; p < expected.length; p++) if (hu[p] !== expected[p]) m++;
  return m;
}

describe('loading reuses the scan headers only while the files are unchanged', () => {
  it('after a scan, without a scan (cold), and for every load concurrency: the same exact HU', async () => {
    const phantom = makePhantomSeries({ slices: 9 });
    const { dir, cleanup } = await writeTempFiles(phantom.files);
    try {
      const s = (await scanFolder(dir)).series[0]!;
      expect(mismatches((await loadSeries(s)).hu, phantom.expected.hu)).toBe(0);
      clearHeaderCache();
      expect(mismatches((await loadFiles(s.files)).volume.hu, phantom.expected.hu)).toBe(0);
      for (const concurrency of [1, 3, 16]) {
        expect(mismatches((await loadSeries(s, { concurrency })).hu, phantom.expected.hu)).toBe(0);
      }
    } finally {
      await cleanup();
    }
  });

  it('a file rewritten after the scan (same size, old mtime put back) is read with its new header', async () => {
    const phantom = makePhantomSeries();
    const { dir, cleanup } = await writeTempFiles(phantom.files);
    const T = 1_700_000_000; // whole seconds, so the restored mtime is exactly the scanned one
    try {
      for (const f of phantom.files) await utimes(join(dir, f.name), T, T);
      const s = (await scanFolder(dir)).series[0]!;
      for (const f of phantom.files) {
        // Same bytes but RescaleIntercept -1000 instead of -1024: every HU 24 higher, same file size.
        const bytes = Buffer.from(f.bytes);
        const at = bytes.indexOf('-1024', 0, 'latin1');
        expect(at).toBeGreaterThan(0);
        bytes.write('-1000', at, 'latin1');
        const path = join(dir, f.name);
        const before = await stat(path);
        await writeFile(path, bytes);
        await utimes(path, T, T);
        const after = await stat(path);
        expect([after.size, after.mtimeMs]).toEqual([before.size, before.mtimeMs]);
      }
      const shifted = phantom.expected.hu.map((v) => v + 24);
      expect(mismatches((await loadSeries(s)).hu, shifted)).toBe(0);
    } finally {
      await cleanup();
    }
  });

  it('a file truncated after the scan is left out with its reason, the rest still loads', async () => {
    const phantom = makePhantomSeries();
    const { dir, cleanup } = await writeTempFiles(phantom.files);
    try {
      const s = (await scanFolder(dir)).series[0]!;
      const victim = s.files[2]!;
      await truncate(victim, (await stat(victim)).size - 100);
      const r = await loadFiles(s.files);
      expect(r.problems).toEqual([{ path: victim, reason: expect.stringMatching(/^truncated pixel data/) }]);
      expect(r.volume.geometry.slices).toBe(5);
    } finally {
      await cleanup();
    }
  });
});
