import { describe, expect, it } from 'vitest';
import { measureAnnotations } from '../../src/core/annotations/measureAnnotations';
import {
  EXPORT_CSV_COLUMNS,
  exportMeasurementsCsv,
  exportMeasurementsJson,
  measurementsJson,
} from '../../src/core/export/measurementsExport';
import { RECORD_COLUMNS } from '../../src/core/metrics/records';
import { phantomDocument, phantomVolume, rectRoi } from './helpers';

/** Minimal RFC 4180 parser (quotes, doubled quotes, commas and newlines inside quotes). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let q = false;
  for (let p = 0; p < text.length; p++) {
    const ch = text[p]!;
    if (q) {
      if (ch === '"' && text[p + 1] === '"') {
        cell += '"';
        p++;
      } else if (ch === '"') q = false;
      else cell += ch;
    } else if (ch === '"') q = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += ch;
  }
  if (cell !== '' || row.length) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

describe('measurements export', () => {
  const volume = phantomVolume();
  const doc = phantomDocument(volume);

  it('CSV: one row per level x muscle x side, with identity, ranges and every record column, numbers from measureAnnotations', () => {
    const csv = exportMeasurementsCsv(volume, doc);
    const [header, ...rows] = parseCsv(csv);
    expect(header).toEqual([...EXPORT_CSV_COLUMNS]);
    for (const c of RECORD_COLUMNS) expect(header).toContain(c);
    expect(rows).toHaveLength(2);
    const records = measureAnnotations(volume, doc);
    const col = (r: string[], name: string) => r[header!.indexOf(name)]!;
    for (const rec of records) {
      const row = rows.find((r) => col(r, 'side') === rec.side)!;
      expect(row).toBeDefined();
      for (const c of RECORD_COLUMNS) {
        const v = rec[c];
        if (typeof v === 'number') expect(Number(col(row, c))).toBe(v);
        else expect(col(row, c)).toBe(v === null ? '' : String(v));
      }
      expect(col(row, 'seriesInstanceUid')).toBe(doc.series.seriesInstanceUid);
      expect(col(row, 'studyInstanceUid')).toBe('1.2.3.4');
      expect(col(row, 'patientId')).toBe('P001');
      expect(col(row, 'seriesDescription')).toBe('Axial, with "quotes", and commas');
      expect([col(row, 'muscleHuLo'), col(row, 'muscleHuHi'), col(row, 'fatHuLo'), col(row, 'fatHuHi')]).toEqual(['-29', '150', '-190', '-30']);
      expect(col(row, 'rater')).toBe('Dr. Rater');
      expect(col(row, 'appVersion')).toBe('0.1.0');
      expect([col(row, 'source'), col(row, 'sourceKind')]).toEqual(['outline', 'outline']); // the app's export: every record from the document's outlines
    }
    // Independent ground truth for the phantom (HU = 10 i - 100 + k on slice k = 1).
    const left = rows.find((r) => col(r, 'side') === 'left')!;
    const right = rows.find((r) => col(r, 'side') === 'right')!;
    expect(Number(col(left, 'pixels'))).toBe(35);
    expect(Number(col(right, 'pixels'))).toBe(28);
    expect(Number(col(left, 'meanHu'))).toBeCloseTo(-39, 10);
    expect(Number(col(right, 'meanHu'))).toBeCloseTo(76, 10);
    const areaL = 35 * 0.8 * 0.7;
    const areaR = 28 * 0.8 * 0.7;
    expect(Number(col(left, 'areaMm2'))).toBeCloseTo(areaL, 10);
    const asym = (100 * (areaL - areaR)) / ((areaL + areaR) / 2);
    expect(Number(col(left, 'asymmetryPct'))).toBeCloseTo(asym, 10);
    expect(Number(col(right, 'asymmetryPct'))).toBeCloseTo(asym, 10);
    expect(col(left, 'level')).toBe('L3');
    expect(col(left, 'muscle')).toBe('psoas');
  });

  it('asymmetry is empty when only one side is outlined', () => {
    const one = { ...doc, rois: [doc.rois[0]!, rectRoi(volume, 1, 2.5, 12.5, 6.5, 16.5, { muscle: 'multifidus', side: 'right' })] };
    const [header, ...rows] = parseCsv(exportMeasurementsCsv(volume, one));
    const i = header!.indexOf('asymmetryPct');
    expect(rows.map((r) => r[i])).toEqual(['', '']);
  });

  it('JSON: series, ranges, measurements and asymmetry', () => {
    const json = JSON.parse(exportMeasurementsJson(volume, doc)) as ReturnType<typeof measurementsJson>;
    expect(json.format).toBe('paraspine-measurements');
    expect(json.series).toEqual(doc.series);
    expect(json.ranges).toEqual({ muscleHu: [-29, 150], fatHu: [-190, -30] });
    // Each record with its slice as people see it: position from the feet (sliceIndex + 1) and the InstanceNumber (none in this phantom),
    // and where its muscle came from (the document's outlines): source, and sourceKind last.
    expect(json.measurements).toEqual(JSON.parse(JSON.stringify(measureAnnotations(volume, doc).map((r) => ({ ...r, source: 'outline', slicePosition: r.sliceIndex + 1, instanceNumber: null, sourceKind: 'outline' })))));
    expect(json.measurements.map((m) => Object.keys(m).slice(-4))).toEqual(json.measurements.map(() => ['source', 'slicePosition', 'instanceNumber', 'sourceKind']));
    expect('mapping' in json).toBe(false); // no masks measured
    expect(json.asymmetry).toHaveLength(1);
    expect(json.asymmetry[0]!.leftAreaMm2).toBeCloseTo(35 * 0.56, 10);
  });

  it('refuses a document made for another grid', () => {
    const other = { ...doc, series: { ...doc.series, rows: 512 } };
    expect(() => exportMeasurementsCsv(volume, other)).toThrow(/loaded series is 32x24/);
  });
});
