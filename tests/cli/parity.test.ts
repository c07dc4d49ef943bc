import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { newAnnotationDocument, seriesIdentity, type AnnotationDocument, type Roi } from '../../src/core/annotations/document';
import { exportMeasurementsCsv, exportMeasurementsJson } from '../../src/core/export/measurementsExport';
import { DEFAULT_RANGES } from '../../src/core/metrics/ranges';
import { loadMasks } from '../../src/node/masks';
import { maskToContours } from '../../src/core/roi/maskToContours';
import { sliceIjToLps } from '../../src/core/roi/contour';
import { loadSeriesFromFolder } from '../../src/node/dicomFiles';
import { cli } from './run';

const DATA = resolve(__dirname, '../../../shared/data');
const ABDOMEN = join(DATA, 'ct-abdomen-3mm/dicom');
const MASKS = join(DATA, 'ct-abdomen-3mm/masks');

/**
 * Parity: the outlines an app user would get by importing the TotalSegmentator masks at L3 give, through
 * the app's export and through `paraspine measure --annotations`, byte-identical CSV, and the same
 * numbers as measuring the masks themselves (the outlines enclose exactly the mask pixels).
 */
describe('app export and command line agree', () => {
  it('on outlines traced from the real masks at L3', async () => {
    const { summary, volume } = await loadSeriesFromFolder(ABDOMEN);
    const g = volume.geometry;
    const k = 73;
    const { masks } = await loadMasks(MASKS, g, { slices: [k], include: (n) => /^(iliopsoas|autochthon)_/.test(n) });
    const plane = g.rows * g.columns;
    const now = '2026-01-01T00:00:00.000Z';
    const doc: AnnotationDocument = newAnnotationDocument(
      seriesIdentity(summary),
      DEFAULT_RANGES,
      'parity-test',
      'rater A',
      now,
    );
    doc.levels.push({ level: 'L3', sliceIndex: k, z: g.slicePositions[k]![2], source: 'manual' });
    for (const m of masks) {
      const [base, side] = m.name.split('_') as [string, 'left' | 'right'];
      const contours = maskToContours(m.data.subarray(k * plane, (k + 1) * plane), g.columns, g.rows);
      contours.forEach((c, n) => {
        const roi: Roi = {
          id: `${m.name}-${n}`,
          level: 'L3',
          muscle: base === 'iliopsoas' ? 'psoas' : 'autochthon',
          side,
          sliceIndex: k,
          z: g.slicePositions[k]![2],
          pointsLps: sliceIjToLps(g, k, c).map((p) => [p[0], p[1], p[2]]),
          source: 'imported',
          createdAt: now,
          modifiedAt: now,
        };
        doc.rois.push(roi);
      });
    }
    const appCsv = exportMeasurementsCsv(volume, doc);
    const dir = mkdtempSync(join(tmpdir(), 'paraspine-parity-'));
    const file = join(dir, 'doc.json');
    writeFileSync(file, JSON.stringify(doc));
    const r = await cli('measure', ABDOMEN, '--annotations', file, '--format', 'csv');
    expect(r.errors).toEqual([]);
    expect(r.stdout).toBe(appCsv);

    // the outlines hold the mask pixels (holes filled): same pixel counts as the README reference
    const rows = appCsv.trimEnd().split('\n');
    const header = rows[0]!.split(',');
    const get = (muscle: string, side: string, col: string) => {
      const cells = rows.slice(1).map((l) => l.split(',')).find((c) => c[header.indexOf('muscle')] === muscle && c[header.indexOf('side')] === side)!;
      return Number(cells[header.indexOf(col)]);
    };
    // these masks have no holes at L3, so the outlines enclose exactly the README's reference pixels
    expect(get('psoas', 'left', 'pixels')).toBe(79);
    expect(get('psoas', 'right', 'pixels')).toBe(78);
    expect(get('autochthon', 'left', 'pixels')).toBe(282);
    expect(get('autochthon', 'right', 'pixels')).toBe(263);
    expect(get('psoas', 'left', 'meanHu')).toBeCloseTo(27.0506, 4);
    expect(get('autochthon', 'right', 'fatAreaMm2')).toBe(234);
    expect(rows).toHaveLength(5);

    // JSON: the app's export and the CLI write one format (format, version, same keys, same records)
    // The app names the saved document's revision as the CLI names the file's (sha256 of its bytes).
    const revision = `sha256:${createHash('sha256').update(readFileSync(file)).digest('hex')}`;
    const appJson = JSON.parse(exportMeasurementsJson(volume, doc, undefined, revision)) as Record<string, unknown>;
    const cliRun = await cli('measure', ABDOMEN, '--annotations', file, '--format', 'json');
    expect(cliRun.errors).toEqual([]);
    const cliJson = JSON.parse(cliRun.stdout) as Record<string, unknown>;
    for (const j of [appJson, cliJson]) {
      expect(j.format).toBe('paraspine-measurements');
      expect(j.version).toBe(1);
    }
    expect(Object.keys(cliJson).sort()).toEqual(Object.keys(appJson).sort());
    expect(cliJson.measurements).toEqual(appJson.measurements);
    expect(cliJson.asymmetry).toEqual(appJson.asymmetry);
    expect([cliJson.rater, cliJson.appVersion, cliJson.modifiedAt, cliJson.documentRevision]).toEqual([doc.rater, doc.appVersion, doc.modifiedAt, revision]);
    const pl = (cliJson.measurements as { muscle: string; side: string; pixels: number }[]).find((m) => m.muscle === 'psoas' && m.side === 'left');
    expect(pl?.pixels).toBe(79); // README reference
  });
});
