/**
 * The measuring use case (src/node/measureSeries.ts) on the real 3 mm abdominal CT: it reads the series
 * through the SeriesSource it is given, returns the series' references, and its batch form returns a
 * series that cannot be measured as data. Expected numbers: ../shared/data/README.md (L3, slice 73).
 */
import { describe, expect, it } from 'vitest';
import { folderSeries, measureSeries, tryMeasureSeries, type MeasureSeriesInput } from '../../src/node/measureSeries';
import { FolderSeriesSource, type SeriesSource } from '../../src/node/seriesSource';
import type { FolderSeriesLocator } from '../../src/shared/contract';
import { shared } from '../dicom/helpers';
import { tmpDir } from './helpers';

const ABDOMEN = shared('ct-abdomen-3mm', 'dicom');
const MASKS = shared('ct-abdomen-3mm', 'masks');
const Z_L3 = 313.3018;

/** A folder source whose calls are counted. */
function countingSource() {
  const real = new FolderSeriesSource();
  const calls = { list: 0, headers: 0, load: 0, open: 0 };
  const source: SeriesSource<FolderSeriesLocator> = {
    kind: 'folder',
    list: (root) => (calls.list++, real.list(root)),
    headers: (l) => (calls.headers++, real.headers(l)),
    load: (l) => (calls.load++, real.load(l)),
    open: (l) => (calls.open++, real.open(l)),
  };
  return { source, calls };
}

describe('measureSeries', () => {
  it('reads the series through the given source (listed once, opened once: masks need only the measured slice, never load()) and returns the README reference values and the references', async () => {
    const { source, calls } = countingSource();
    const notes: string[] = [];
    const r = await measureSeries({ series: folderSeries(ABDOMEN, undefined, source), masks: MASKS, z: [Z_L3], splitAutochthon: false }, (l) => notes.push(l));
    expect(calls).toEqual({ list: 1, headers: 0, load: 0, open: 1 });
    expect(r.slices.map((s) => s.sliceIndex)).toEqual([73]);
    const byName = new Map(r.measurements.map((m) => [m.structure, m]));
    expect(byName.get('iliopsoas_left')).toMatchObject({ pixels: 79, areaMm2: 711, leanAreaMm2: 666, fatAreaMm2: 45 });
    expect(byName.get('autochthon_right')).toMatchObject({ pixels: 263, areaMm2: 2367, leanAreaMm2: 2133, fatAreaMm2: 234 });
    expect(r.references.seriesInstanceUid).toBe(r.series.seriesInstanceUid);
    expect(r.references.slices).toHaveLength(112);
    expect(notes).toContain(`slice: slice 73, z ${r.slices[0]!.z} mm (nearest slice to z ${Z_L3} mm)`);
  });
});

describe('tryMeasureSeries: a cohort where one bad series never ends the batch', () => {
  it('returns each failure as data (kind and one-line message) and measures the series after it', async () => {
    const empty = tmpDir('paraspine-nothing-');
    const cohort: MeasureSeriesInput[] = [
      { series: folderSeries(empty), masks: MASKS, z: [Z_L3] },
      { series: folderSeries(ABDOMEN), masks: MASKS, z: [5000] },
      { series: folderSeries(ABDOMEN), z: [Z_L3] },
      { series: folderSeries(ABDOMEN, '9.9.9'), masks: MASKS, z: [Z_L3] },
      { series: folderSeries(ABDOMEN), masks: MASKS, z: [Z_L3] },
    ];
    const outcomes = [];
    for (const input of cohort) outcomes.push(await tryMeasureSeries(input));
    const failures = outcomes.map((o) => (o.ok ? null : o.failure));
    expect(failures[0]).toMatchObject({ kind: 'notFound', message: expect.stringMatching(/^no CT series found in /) });
    expect(failures[1]).toMatchObject({ kind: 'input', message: expect.stringMatching(/^z 5000 mm is outside the series/) });
    expect(failures[2]).toEqual({ kind: 'usage', message: 'measure needs --masks and/or --annotations' });
    expect(failures[3]).toMatchObject({ kind: 'notFound', message: expect.stringMatching(/^series 9\.9\.9 not found in /) });
    for (const f of failures.slice(0, 4)) expect(f!.message).not.toMatch(/\n/);
    const last = outcomes[4]!;
    expect(last.ok).toBe(true);
    if (last.ok) expect(last.result.measurements.find((m) => m.structure === 'iliopsoas_right')).toMatchObject({ pixels: 78, areaMm2: 702 });
  });
});
