import { describe, expect, it } from 'vitest';
import { asymmetryRowFor, asymmetryTable } from '../../src/core/annotations/measureAnnotations';
import { EXPORT_CSV_COLUMNS, exportCsvColumns, exportRows } from '../../src/core/export/measurementsExport';
import { toCsv } from '../../src/core/format/csv';
import {
  ASYMMETRY_METRICS,
  DEFAULT_REGISTRY,
  SLICE_METRICS,
  asymmetryPct,
  createDefaultRegistry,
  describeMetrics,
  formatMetric,
  metricHeader,
  type PairMetricDefinition,
  type SliceMetricDefinition,
} from '../../src/core/metrics/definitions';
import { measureSlice } from '../../src/core/metrics/measure';
import { DEFAULT_RANGES } from '../../src/core/metrics/ranges';
import { RECORD_COLUMNS, measureSliceMask, recordColumns } from '../../src/core/metrics/records';
import { maskVolumeStats } from '../../src/core/metrics/volumeStats';
import { axialGeometry, volumeOf } from './helpers';

/**
 * Phantom: 12 x 6 pixels of 0.5 x 0.4 mm, one slice, HU = 10 i - 30 (i = column 0..11), so column i
 * holds -30, -20, ..., 80. Left ROI: columns 0..3 (-30, -20, -10, 0), rows 1..2 (8 px); right ROI:
 * columns 6..11 (30..80), rows 1..4 (24 px). By hand: left mean -15, max 0, 6 px above -25 HU (3 columns
 * x 2 rows), 6 lean px (-29..150); right mean 55, max 80, all 24 px above -25 HU and lean.
 */
const COLS = 12;
const ROWS = 6;
function phantom() {
  const g = axialGeometry(COLS, ROWS, 1, 0.5, 0.4, 1);
  const v = volumeOf(g, (i) => 10 * i - 30);
  const rect = (i0: number, i1: number, j0: number, j1: number) => {
    const m = new Uint8Array(COLS * ROWS);
    for (let j = j0; j <= j1; j++) for (let i = i0; i <= i1; i++) m[j * COLS + i] = 1;
    return m;
  };
  return { v, left: rect(0, 3, 1, 2), right: rect(6, 11, 1, 4) };
}

/** Test-only metrics: added to a registry, they must flow into records and CSV with no other change. */
const MAX_HU: SliceMetricDefinition = {
  key: 'maxHu',
  name: 'Maximum attenuation',
  label: 'Max',
  unit: "[hnsf'U]",
  displayUnit: 'HU',
  displayFactor: 1,
  decimals: 0,
  description: 'Largest HU in the ROI; null for an empty ROI.',
  compute: (s) => {
    const vs = s.values();
    return vs.length ? vs.reduce((a, b) => Math.max(a, b), -Infinity) : null;
  },
};
const ABOVE_MINUS_25: SliceMetricDefinition = {
  key: 'pixelsAboveMinus25Hu',
  name: 'Pixels above -25 HU',
  unit: '{count}',
  displayUnit: 'px',
  displayFactor: 1,
  decimals: 0,
  description: 'Pixels with HU > -25.',
  compute: (s) => s.values().filter((x) => x > -25).length,
};
const LEAN_ASYM: PairMetricDefinition = {
  key: 'leanAsymmetryPct',
  name: 'L/R fCSA asymmetry',
  unit: '%',
  displayUnit: '%',
  displayFactor: 1,
  decimals: 1,
  description: 'fCSA asymmetry: 100 x (left - right) / mean(left, right).',
  compute: (p) => asymmetryPct(p.left?.leanAreaMm2, p.right?.leanAreaMm2),
};

describe('metric definitions drive records and columns', () => {
  it('the released record and CSV columns keep their names and order', () => {
    expect([...RECORD_COLUMNS]).toEqual([
      'structure', 'muscle', 'side', 'level', 'sliceIndex', 'z',
      'pixels', 'areaMm2', 'leanAreaMm2', 'fatAreaMm2', 'fatFraction', 'meanHu', 'sdHu', 'leanMeanHu',
    ]);
    expect([...EXPORT_CSV_COLUMNS]).toEqual([
      'studyInstanceUid', 'seriesInstanceUid', 'patientId', 'seriesDescription', 'muscleHuLo', 'muscleHuHi', 'fatHuLo', 'fatHuHi', 'rater', 'appVersion',
      'structure', 'muscle', 'side', 'level', 'sliceIndex', 'z',
      'pixels', 'areaMm2', 'leanAreaMm2', 'fatAreaMm2', 'fatFraction', 'meanHu', 'sdHu', 'leanMeanHu',
      'asymmetryPct',
      'flags', // added with the hostile-input checks: record and series warnings, never hidden in a batch
      'origin', 'roiIds', // added with "annotation you can trust": where the measured outlines came from, and their ids
      'status', 'accepted', // added with "outlines a radiologist would sign": measured / absent, and the flags accepted with a reason
      'slicePosition', 'instanceNumber', // added with one slice numbering: position from the feet (sliceIndex + 1) and the file's InstanceNumber
      'source', // documented with --split-autochthon (the mask and rule); with one muscle mapping on every record (outline for outlines)
      'sourceKind', // added with one muscle mapping: where the record's muscle came from (outline, mask, mask-split, label, ...)
    ]);
    expect(recordColumns()).toEqual([...RECORD_COLUMNS]);
    expect(exportCsvColumns()).toEqual([...EXPORT_CSV_COLUMNS]);
  });

  it('a registry with extra definitions adds their keys to records, asymmetry rows and CSV columns; the default stays as it was', () => {
    const reg = createDefaultRegistry().extend({ slice: [MAX_HU, ABOVE_MINUS_25], asymmetry: [LEAN_ASYM] });
    const { v, left, right } = phantom();
    const id = (side: 'left' | 'right') => ({ structure: `psoas_${side}`, muscle: 'psoas' as const, side });
    const l = measureSliceMask(v, 0, left, id('left'), 'L3', DEFAULT_RANGES, reg);
    const r = measureSliceMask(v, 0, right, id('right'), 'L3', DEFAULT_RANGES, reg);
    expect(Object.keys(l)).toEqual([...RECORD_COLUMNS, 'maxHu', 'pixelsAboveMinus25Hu', 'warnings']);
    // by hand: left columns -30, -20, -10, 0 on 2 rows; right columns 30..80 on 4 rows
    expect(l).toMatchObject({ pixels: 8, maxHu: 0, pixelsAboveMinus25Hu: 6, meanHu: -15 });
    expect(r).toMatchObject({ pixels: 24, maxHu: 80, pixelsAboveMinus25Hu: 24, meanHu: 55 });
    // lean (-29..150): left 3 columns x 2 rows = 6 px; right 24 px -> 100 (6 - 24) / 15
    const [row] = asymmetryTable([l, r], reg);
    expect(Object.keys(row!)).toEqual(['level', 'muscle', 'leftAreaMm2', 'rightAreaMm2', 'asymmetryPct', 'leanAsymmetryPct']);
    expect(row!.asymmetryPct).toBeCloseTo((100 * (8 - 24)) / 16, 12);
    expect((row as Record<string, unknown>)['leanAsymmetryPct']).toBeCloseTo(-120, 12);

    const cols = exportCsvColumns(reg);
    expect(cols).toEqual([...EXPORT_CSV_COLUMNS.slice(0, -10), 'maxHu', 'pixelsAboveMinus25Hu', 'asymmetryPct', 'leanAsymmetryPct', 'flags', 'origin', 'roiIds', 'status', 'accepted', 'slicePosition', 'instanceNumber', 'source', 'sourceKind']);
    const ctx = { series: { studyInstanceUid: '1', seriesInstanceUid: '2', patientId: 'P', seriesDescription: 'D' }, ranges: DEFAULT_RANGES, rater: 'R', appVersion: '0' };
    const csv = toCsv(cols, exportRows([l, r], ctx, reg)).trim().split('\n');
    expect(csv[0]).toBe(cols.join(','));
    const cell = (line: string, key: string) => line.split(',')[cols.indexOf(key)];
    expect(cell(csv[1]!, 'maxHu')).toBe('0');
    expect(cell(csv[2]!, 'maxHu')).toBe('80');
    expect(cell(csv[1]!, 'pixelsAboveMinus25Hu')).toBe('6');
    expect(Number(cell(csv[2]!, 'leanAsymmetryPct'))).toBeCloseTo(-120, 12);

    // the default registry and its outputs are untouched
    expect(Object.keys(measureSliceMask(v, 0, left, id('left'), 'L3', DEFAULT_RANGES))).toEqual([...RECORD_COLUMNS, 'warnings']);
    expect(DEFAULT_REGISTRY.keys('slice')).toEqual(SLICE_METRICS.map((d) => d.key));
    expect(Object.isFrozen(DEFAULT_REGISTRY) && Object.isFrozen(DEFAULT_REGISTRY.slice)).toBe(true);
  });

  it('an extra metric is null for an empty ROI, and a definition that yields NaN gives null', () => {
    const nan: SliceMetricDefinition = { ...MAX_HU, key: 'broken', compute: (s) => s.sum / s.n };
    const reg = createDefaultRegistry().extend({ slice: [MAX_HU, nan] });
    const m = measureSlice(new Float32Array(4), new Uint8Array(4), 1, DEFAULT_RANGES, reg) as Record<string, unknown>;
    expect(m['maxHu']).toBeNull();
    expect(m['broken']).toBeNull();
  });

  it('refuses keys that collide with record or export columns, and malformed definitions', () => {
    expect(() => recordColumns(createDefaultRegistry().extend({ slice: [{ ...MAX_HU, key: 'level' }] }))).toThrow(/collides/);
    expect(() => exportCsvColumns(createDefaultRegistry().extend({ slice: [{ ...MAX_HU, key: 'rater' }] }))).toThrow(/collides/);
    expect(() => createDefaultRegistry().extend({ slice: [{ ...MAX_HU, key: 'Max HU' }] })).toThrow(/camelCase/);
    expect(() => createDefaultRegistry().extend({ slice: [{ ...MAX_HU, decimals: 1.5 }] })).toThrow(/decimals/);
  });

  it('volume metrics come from the volume definitions, in their order', () => {
    const g = axialGeometry(2, 2, 2, 1, 1, 2);
    const v = volumeOf(g, (i, j, k) => i + 2 * j + 10 * k);
    const s = maskVolumeStats(v, new Uint8Array([1, 1, 0, 0, 0, 0, 0, 1]));
    expect(Object.keys(s)).toEqual(['voxels', 'volumeMm3', 'meanHu']);
    // two slices 2 mm apart: each weighs 2 mm (an end slice takes its one gap); 1 mm² pixels; HU 0, 1, 13
    expect(s).toEqual({ voxels: 3, volumeMm3: 6, meanHu: 14 / 3 });
  });
});

describe('display of metrics', () => {
  const def = (key: string) => [...SLICE_METRICS, ...ASYMMETRY_METRICS].find((d) => d.key === key)!;
  it('headers carry the display unit; values are scaled and rounded; undefined shows a dash', () => {
    expect(['areaMm2', 'leanAreaMm2', 'fatFraction', 'meanHu', 'leanMeanHu', 'asymmetryPct'].map((k) => metricHeader(def(k)))).toEqual([
      'CSA cm²', 'fCSA cm²', 'Fat %', 'Mean HU', 'Lean HU', 'Asym %',
    ]);
    expect(formatMetric(def('areaMm2'), 711)).toBe('7.11');
    expect(formatMetric(def('fatFraction'), 45 / 711)).toBe('6.3');
    expect(formatMetric(def('fatFraction'), 0)).toBe('0.0');
    expect(formatMetric(def('meanHu'), 27.0506)).toBe('27.1');
    expect(formatMetric(def('sdHu'), null)).toBe('—');
    expect(formatMetric(def('pixels'), 79)).toBe('79');
  });

  it('the help lists every metric with its key, units and description', () => {
    const lines = describeMetrics();
    expect(lines.map((l) => `${l.scope}:${l.key}`)).toEqual([
      ...SLICE_METRICS.map((d) => `slice:${d.key}`),
      'asymmetry:asymmetryPct',
      'volume:voxels', 'volume:volumeMm3', 'volume:meanHu',
    ]);
    expect(lines.find((l) => l.key === 'fatFraction')!.text).toMatch(/Fat infiltration \(fatFraction.*stored in 1, shown in %\): Fat area \/ CSA/);
  });
});

describe('asymmetry is per level', () => {
  it('two levels with opposite sides larger each get their own asymmetry, in the table lookup and the export rows', () => {
    // L3: left 8 px, right 24 px -> 100 (8 - 24) / 16 = -100; L4: the masks swapped -> +100 (by hand).
    const { v, left, right } = phantom();
    const id = (side: 'left' | 'right') => ({ structure: `psoas_${side}`, muscle: 'psoas' as const, side });
    const records = [
      measureSliceMask(v, 0, left, id('left'), 'L3', DEFAULT_RANGES),
      measureSliceMask(v, 0, right, id('right'), 'L3', DEFAULT_RANGES),
      measureSliceMask(v, 0, right, id('left'), 'L4', DEFAULT_RANGES),
      measureSliceMask(v, 0, left, id('right'), 'L4', DEFAULT_RANGES),
    ];
    const table = asymmetryTable(records);
    expect(table.map((a) => [a.level, a.muscle])).toEqual([['L3', 'psoas'], ['L4', 'psoas']]);
    expect(asymmetryRowFor(table, 'L3', 'psoas')!.asymmetryPct).toBeCloseTo(-100, 12);
    expect(asymmetryRowFor(table, 'L4', 'psoas')!.asymmetryPct).toBeCloseTo(100, 12);
    expect(asymmetryRowFor(table, 'L5/S1', 'psoas')).toBeUndefined();
    expect(asymmetryRowFor(table, 'L3', 'multifidus')).toBeUndefined();
    const ctx = { series: { studyInstanceUid: '1', seriesInstanceUid: '2', patientId: 'P', seriesDescription: 'D' }, ranges: DEFAULT_RANGES, rater: 'R', appVersion: '0' };
    const rows = exportRows(records, ctx);
    expect(rows.map((r) => [r.level, r.side])).toEqual([['L3', 'left'], ['L3', 'right'], ['L4', 'left'], ['L4', 'right']]);
    [-100, -100, 100, 100].forEach((pct, i) => expect(rows[i]!.asymmetryPct as number).toBeCloseTo(pct, 12));
  });
});
