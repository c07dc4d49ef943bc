import { execFileSync } from 'node:child_process';
import { symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePhantomSeries } from '../fixtures/phantomSeries';
import { loadFiles, loadSeriesFromFolder, readDicomHeader, scanFolder, useBlockingFileReads } from '../../src/node/dicomFiles';
import { writeTempFiles } from './helpers';

// The command line reads with blocking system calls (src/cli/main.ts): the same results, the same refusals.
beforeAll(() => useBlockingFileReads(true));
afterAll(() => useBlockingFileReads(false));

describe('blocking file reads (the command line)', () => {
  it('load the same HU as the default reads', async () => {
    const p = makePhantomSeries({ slices: 4, rows: 8, columns: 6 });
    const { dir, cleanup } = await writeTempFiles(p.files);
    try {
      const blocking = await loadSeriesFromFolder(dir);
      useBlockingFileReads(false);
      const plain = await loadSeriesFromFolder(dir);
      useBlockingFileReads(true);
      expect(Array.from(blocking.volume.hu)).toEqual(Array.from(plain.volume.hu));
      expect(blocking.summary).toEqual(plain.summary);
    } finally {
      await cleanup();
    }
  });

  it('a FIFO and a symlink to /dev/zero are still listed as unusable and never read', async () => {
    const p = makePhantomSeries({ slices: 3, rows: 4, columns: 4 });
    const { dir, cleanup } = await writeTempFiles(p.files);
    try {
      execFileSync('mkfifo', [join(dir, 'pipe.dcm')]);
      await symlink('/dev/zero', join(dir, 'zero.dcm'));
      const scan = await scanFolder(dir);
      expect(scan.problems).toEqual([
        { path: join(dir, 'pipe.dcm'), reason: 'not a regular file (FIFO)' },
        { path: join(dir, 'zero.dcm'), reason: 'not a regular file (character device)' },
      ]);
      expect(scan.series[0]!.slices).toBe(3);
      await expect(readDicomHeader(join(dir, 'pipe.dcm'))).rejects.toThrow('not a regular file (FIFO)');
      await expect(loadFiles([join(dir, 'zero.dcm')])).rejects.toThrow(/zero\.dcm: not a regular file \(character device\)/);
      await expect(loadFiles([join(dir, 'pipe.dcm')])).rejects.toThrow(/pipe\.dcm: not a regular file \(FIFO\)/);
    } finally {
      await cleanup();
    }
  });
});
