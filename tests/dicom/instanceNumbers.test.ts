/**
 * One slice numbering: each slice keeps the InstanceNumber of its file (shown beside its position from
 * the feet), never used for the order. The phantom's files are shuffled and their InstanceNumbers
 * count down in file order (100 - 7 x file index), unrelated to position.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { makePhantomSeries } from '../fixtures/phantomSeries';
import { loadSeriesFromFolder } from '../../src/node/dicomFiles';
import { sliceLabel, sliceNumber, sliceShort } from '../../src/core/geometry/sliceNumber';
import { writeTempFiles } from './helpers';

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups) await c();
});

describe('slice numbers', () => {
  it('the volume keeps each slice file’s InstanceNumber in slice order (feet to head), whatever the file order', async () => {
    const phantom = makePhantomSeries();
    const { dir, cleanup } = await writeTempFiles(phantom.files);
    cleanups.push(cleanup);
    const { volume } = await loadSeriesFromFolder(dir);
    const g = volume.geometry;
    // From the fixture: the file holding slice k is file number f, with InstanceNumber 100 - 7 f.
    const expected = Array.from({ length: g.slices }, (_, k) => 100 - 7 * phantom.files.findIndex((f) => f.slice === k));
    expect(g.instanceNumbers).toEqual(expected);
    expect(sliceNumber(g, 0)).toEqual({ position: 1, of: g.slices, instanceNumber: expected[0] });
    expect(sliceLabel(g, 2)).toBe(`3 / ${g.slices} (IN ${expected[2]})`);
    expect(sliceShort(g, 2)).toBe(`3 (IN ${expected[2]})`);
  });

  it('without InstanceNumbers: the position alone', () => {
    expect(sliceLabel({ slices: 112 }, 73)).toBe('74 / 112');
    expect(sliceShort({ slices: 112, instanceNumbers: Array(112).fill(null) }, 73)).toBe('74');
  });
});
