import { describe, expect, it } from 'vitest';
import type { MeasurementRecord } from '../../src/core/metrics/records';
import { levelTitle, reportColumns, reportInput, reportLevels } from '../../src/core/report/model';

/** A record with the reference areas of ../shared/data/README.md (L3 of the 3 mm CT), pixel area 9 mm². */
function rec(structure: string, muscle: MeasurementRecord['muscle'], side: MeasurementRecord['side'], level: MeasurementRecord['level'], px: { n: number; lean: number; fat: number; mean: number; leanMean: number }, warnings: string[] = []): MeasurementRecord {
  return {
    structure,
    muscle,
    side,
    level,
    sliceIndex: 73,
    z: 313.3,
    pixels: px.n,
    areaMm2: px.n * 9,
    leanAreaMm2: px.lean * 9,
    fatAreaMm2: px.fat * 9,
    fatFraction: px.fat / px.n,
    meanHu: px.mean,
    sdHu: 1,
    leanMeanHu: px.leanMean,
    warnings,
  };
}

const psoasL = rec('iliopsoas_left', 'psoas', 'left', 'L3', { n: 79, lean: 74, fat: 5, mean: 27.0506, leanMean: 32.0946 });
const psoasR = rec('iliopsoas_right', 'psoas', 'right', 'L3', { n: 78, lean: 78, fat: 0, mean: 33.2949, leanMean: 33.2949 });
const esL = rec('autochthon_left', 'autochthon', 'left', 'L3', { n: 282, lean: 266, fat: 16, mean: 16.5, leanMean: 20.0827 }, ['outline partly outside the image']);
const absentR: MeasurementRecord = {
  ...rec('autochthon_right', 'autochthon', 'right', 'L3', { n: 1, lean: 0, fat: 0, mean: 0, leanMean: 0 }),
  pixels: null as unknown as number,
  areaMm2: null as unknown as number,
  leanAreaMm2: null as unknown as number,
  fatAreaMm2: null as unknown as number,
  fatFraction: null,
  meanHu: null,
  sdHu: null,
  leanMeanHu: null,
  status: 'absent',
};
const l45 = rec('iliopsoas_left', 'psoas', 'left', 'L4/L5', { n: 100, lean: 90, fat: 10, mean: 40, leanMean: 45 });

describe('report model', () => {
  const input = {
    slices: [
      { level: 'L4/L5' as const, sliceIndex: 55, z: 280, method: 'disc rule' },
      { level: 'L3' as const, sliceIndex: 73, z: 313.3, method: 'slice nearest the centroid of vertebrae_L3' },
      { level: 'L5/S1' as const, sliceIndex: 44, z: 250, method: 'disc rule' },
    ],
    measurements: [l45, absentR, esL, psoasR, psoasL],
  };

  it('lists the levels head to foot, a level without records with no rows', () => {
    const levels = reportLevels(input);
    expect(levels.map((l) => l.level)).toEqual(['L3', 'L4/L5', 'L5/S1']);
    expect(levels[2]!.rows).toEqual([]);
    expect(levels[2]!.sliceIndices).toEqual([44]);
    expect(levels[0]!.method).toBe('slice nearest the centroid of vertebrae_L3');
    expect(levelTitle(levels[0]!)).toBe('L3');
    expect(levelTitle({ level: null, sliceIndices: [9] })).toBe('slice 10');
  });

  it('has the metrics table columns: CSA, fCSA, fat, mean, lean mean, asymmetry', () => {
    expect(reportColumns().map((c) => c.header)).toEqual(['CSA cm²', 'fCSA cm²', 'Fat %', 'Mean HU', 'Lean HU', 'Asym %']);
  });

  it('makes one row per muscle and side, psoas first, left before right, numbers as the table rounds them', () => {
    const l3 = reportLevels(input)[0]!;
    expect(l3.rows.map((r) => `${r.tag}`)).toEqual(['PS L', 'PS R', 'AU L', 'AU R']);
    const text = (n: number) => l3.rows[n]!.cells.map((c) => c.text);
    // 711 mm² = 7.11 cm²; 666 mm²; 45 / 711 = 6.33 %; 100 x (711 - 702) / 706.5 = 1.27 %.
    expect(text(0)).toEqual(['7.11', '6.66', '6.3', '27.1', '32.1', '1.3']);
    expect(text(1)).toEqual(['7.02', '7.02', '0.0', '33.3', '33.3', '1.3']);
    expect(text(2)).toEqual(['25.38', '23.94', '5.7', '16.5', '20.1', '—']);
    expect(l3.rows[0]!.cells[0]!.value).toBe(7.11);
    expect(l3.rows[2]!.flags).toEqual(['outline partly outside the image']);
    expect(l3.rows[0]!.color).toBe('#ff6b6b');
    expect(l3.rows[0]!.muscleName).toBe('Psoas');
  });

  it('shows a muscle recorded absent without numbers', () => {
    const row = reportLevels(input)[0]!.rows[3]!;
    expect(row.status).toBe('absent');
    expect(row.cells.map((c) => c.text)).toEqual(['—', '—', '—', '—', '—', '—']);
    expect(row.cells[0]!.value).toBeNull();
  });

  it('builds the report input from a measure result and what the report adds', () => {
    const r = reportInput(
      { series: { patientName: '', patientId: 'P', studyDate: '', studyInstanceUid: '1', seriesInstanceUid: '2', seriesDescription: '', slices: 1, rows: 1, columns: 1 }, ranges: { muscleHu: [-29, 150], fatHu: [-190, -30] }, ...input, warnings: [], problems: [], provenance: { rater: '', appVersion: '' } },
      { softwareVersion: '9.9.9', madeAt: '2026-01-01T00:00:00Z' },
    );
    expect(r.softwareVersion).toBe('9.9.9');
    expect(r.panels).toEqual([]);
    expect(r.keyImages).toEqual([]);
    expect(r.levelRule).toMatch(/centroid of the vertebra mask/);
  });
});

describe('patient name on the report', () => {
  it('prints a DICOM person name family first, with the raw value beside it', async () => {
    const { personName } = await import('../../src/node/reports/pdf');
    expect(personName('Doe^Jane^M^Dr')).toBe('Doe, Dr Jane M   (Doe^Jane^M^Dr)');
    expect(personName('ANON')).toBe('ANON');
    expect(personName('')).toBe('');
  });
});
