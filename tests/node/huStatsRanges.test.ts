import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makePhantomSeries, type PhantomStorage } from '../fixtures/phantomSeries';
import { cli } from '../cli/run';

/**
 * `info --hu-stats` reads the series a range of slices at a time into one reused array (16 MiB of HU at
 * most a range; 512 x 512 slices: 32 int16 slices or 16 float32 ones a range) and sums as it goes. On a
 * 70-slice 512 x 512 phantom that is several ranges, the last one shorter: the figures must be those of
 * every voxel of the phantom (the fixture's own HU; whole and half HU, so any order of summing is exact).
 */
function phantomFolder(storage: PhantomStorage): { dir: string; hu: Float32Array } {
  const p = makePhantomSeries({ storage, slices: 70, rows: 512, columns: 512 });
  const dir = mkdtempSync(join(tmpdir(), `paraspine-hustats-${storage}-`));
  for (const f of p.files) writeFileSync(join(dir, f.name), f.bytes);
  return { dir, hu: p.expected.hu };
}

function expectedStats(hu: Float32Array): { min: number; max: number; mean: number; voxels: number } {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (const x of hu) {
    if (x < min) min = x;
    if (x > max) max = x;
    sum += x;
  }
  return { min, max, mean: sum / hu.length, voxels: hu.length };
}

describe('info --hu-stats over ranges of slices', () => {
  for (const storage of ['int16', 'slopeHalf'] as const) {
    it(`gives min, max and mean of every voxel (${storage})`, async () => {
      const { dir, hu } = phantomFolder(storage);
      const r = await cli('info', dir, '--hu-stats', '--json');
      expect(r.code).toBe(0);
      const stats = JSON.parse(r.stdout).huStats;
      const want = expectedStats(hu);
      expect(stats.voxels).toBe(70 * 512 * 512);
      expect(stats.min).toBe(want.min);
      expect(stats.max).toBe(want.max);
      expect(stats.mean).toBe(want.mean);
    }, 120_000);
  }
});
