/**
 * What `measure --masks` reads of the series (src/node/measureSeries.ts) on the real 3 mm abdominal CT,
 * counted at the folder source's files: with masks, levels come from the masks and only the measured
 * slices' pixel data is read (one opened series, never the whole volume); an annotation document still
 * loads the series. The HU read are checked against the reference values of ../shared/data/README.md.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { closeDecoderPool } from '../../src/node/decoderPool';
import { folderSeries, measureSeries } from '../../src/node/measureSeries';
import { FolderSeriesSource } from '../../src/node/seriesSource';
import { shared } from '../dicom/helpers';
import { countingFiles } from './helpers';

const ABDOMEN = shared('ct-abdomen-3mm', 'dicom');
const MASKS = shared('ct-abdomen-3mm', 'masks');

afterAll(() => closeDecoderPool());

/** Every slice index the counted reads covered, with repeats. */
function slicesRead(reads: readonly [number, number][]): number[] {
  return reads.flatMap(([start, count]) => Array.from({ length: count }, (_, n) => start + n));
}

describe('measure with masks reads only the measured slices', () => {
  it('--levels auto: one opened series, each level slice read once, no whole volume; the HU are the reference values', async () => {
    const { files, calls } = countingFiles();
    const r = await measureSeries({ series: folderSeries(ABDOMEN, undefined, new FolderSeriesSource(files)), masks: MASKS, levels: 'auto', splitAutochthon: false }); // the raw masks: the README's reference values
    expect(calls.loadFiles).toBe(0);
    expect(calls.openFiles).toBe(1);
    const levelSlices = r.slices.map((s) => s.sliceIndex);
    expect(levelSlices.length).toBeGreaterThanOrEqual(2);
    const read = slicesRead(calls.readSlices);
    expect(read.length).toBe(new Set(read).size); // none read twice
    expect([...read].sort((a, b) => a - b)).toEqual([...new Set(levelSlices)].sort((a, b) => a - b));
    expect(read.length).toBeLessThan(r.series.slices / 10);
    // L3 is the reference slice (73); its HU were really read: the README's reference figures
    expect(r.slices.find((s) => s.level === 'L3')?.sliceIndex).toBe(73);
    const at = (structure: string) => r.measurements.find((m) => m.level === 'L3' && m.structure === structure)!;
    expect(at('iliopsoas_left').pixels).toBe(79);
    expect(at('iliopsoas_left').meanHu).toBeCloseTo(27.0506, 3);
    expect(at('autochthon_right').meanHu).toBeCloseTo(7.5703, 3);
    expect(at('autochthon_left').pixels).toBe(282);
  });

  it('--z with --split-autochthon: the one slice nearest z is read, once', async () => {
    const { files, calls } = countingFiles();
    const r = await measureSeries({ series: folderSeries(ABDOMEN, undefined, new FolderSeriesSource(files)), masks: MASKS, z: [313.3018], splitAutochthon: true });
    expect(calls.loadFiles).toBe(0);
    expect(calls.readSlices).toEqual([[73, 1]]);
    expect(r.measurements.some((m) => m.muscle === 'multifidus')).toBe(true);
  });

  it('keepVolume (a report\'s key images) still reads every slice', async () => {
    const { files, calls } = countingFiles();
    const r = await measureSeries({ series: folderSeries(ABDOMEN, undefined, new FolderSeriesSource(files)), masks: MASKS, levels: 'auto', keepVolume: true });
    expect(calls.loadFiles).toBe(1);
    expect(r.volume?.hu.length).toBe(r.series.slices * r.series.rows * r.series.columns);
  });
});
