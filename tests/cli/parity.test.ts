import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AnnotationDocument } from '../../src/core/annotations/document';
import { exportMeasurementsCsv, exportMeasurementsJson } from '../../src/core/export/measurementsExport';
import { ABDOMEN, abdomenL3Outlines } from '../fixtures/abdomenL3Outlines';
import { cli } from './run';

/**
 * Parity: the outlines an app user would get by importing the TotalSegmentator masks at L3 give, through
 * the app's export and through `paraspine measure --annotations`, byte-identical CSV, and the same
 * numbers as measuring the masks themselves (the outlines enclose exactly the mask pixels).
 */
describe('app export and command line agree', () => {
  it('on outlines traced from the real masks at L3', async () => {
    const { volume, trace } = await abdomenL3Outlines();
    const doc: AnnotationDocument = trace({ appVersion: 'parity-test', rater: 'rater A', now: '2026-01-01T00:00:00.000Z' });
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
