/**
 * `paraspine measure --annotations` carries the plausibility flags (core/annotations/plausibility.ts):
 * in each measurement's JSON `warnings` and in the CSV `flags` column. On the real 3 mm CT: a
 * "quadratus lumborum left" drawn at L5/S1 (slice index 44) over the left sacral ala / iliac wing.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSeriesFromFolder } from '../../src/node/dicomFiles';
import { cli } from './run';

const ABDOMEN = resolve(__dirname, '../../../shared/data/ct-abdomen-3mm/dicom');
const K = 44; // L5/S1 on this CT (tests/masks/importSplit.test.ts)

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
  if (cell || row.length) rows.push([...row, cell]);
  return rows;
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'paraspine-plaus-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('paraspine measure --annotations: plausibility flags', () => {
  it('a QL on the iliac wing at L5/S1: its bone share in JSON warnings and CSV flags, in user terms', async () => {
    const info = JSON.parse((await cli('info', ABDOMEN, '--json')).stdout).series;
    const { volume } = await loadSeriesFromFolder(ABDOMEN);
    const g = volume.geometry;
    const p0 = g.slicePositions[K]!;
    const at = (i: number, j: number) => [p0[0] + i * g.columnSpacingMm, p0[1] + j * g.rowSpacingMm, p0[2]];
    // Pixels i 80..91 x j 63..68 (a rectangle through the pixel edges): the left iliac wing and sacral ala run through it.
    const [i0, i1, j0, j1] = [80, 91, 63, 68];
    let bone = 0;
    let sum = 0;
    const n = (i1 - i0 + 1) * (j1 - j0 + 1);
    for (let j = j0; j <= j1; j++)
      for (let i = i0; i <= i1; i++) {
        const hu = volume.hu[K * g.rows * g.columns + j * g.columns + i]!;
        sum += hu;
        if (hu >= 200) bone++;
      }
    expect(bone / n).toBeGreaterThan(0.05);
    const now = new Date(0).toISOString();
    const doc = {
      format: 'paraspine-annotations',
      version: 1,
      appVersion: 'test',
      rater: 'tester',
      createdAt: now,
      modifiedAt: now,
      series: {
        studyInstanceUid: info.studyInstanceUid,
        seriesInstanceUid: info.seriesInstanceUid,
        patientId: info.patientId,
        patientName: info.patientName,
        studyDate: info.studyDate,
        seriesDescription: info.seriesDescription,
        slices: info.slices,
        rows: info.rows,
        columns: info.columns,
      },
      ranges: { muscleHu: [-29, 150], fatHu: [-190, -30] },
      levels: [{ level: 'L5/S1', sliceIndex: K, z: p0[2], source: 'manual' }],
      rois: [
        {
          id: 'ql',
          level: 'L5/S1',
          muscle: 'quadratusLumborum',
          side: 'left',
          sliceIndex: K,
          z: p0[2],
          pointsLps: [at(i0 - 0.5, j0 - 0.5), at(i1 + 0.5, j0 - 0.5), at(i1 + 0.5, j1 + 0.5), at(i0 - 0.5, j1 + 0.5)],
          source: 'drawn',
          createdAt: now,
          modifiedAt: now,
        },
      ],
    };
    const file = join(dir, 'doc.json');
    writeFileSync(file, JSON.stringify(doc));
    const want = `anatomy check: QL left at L5/S1: ${Math.round((100 * bone) / n)}% of its pixels are bone (>= 200 HU, more than 5%): is it on the iliac crest or sacral ala?`;

    const r = await cli('measure', ABDOMEN, '--annotations', file);
    expect(r.errors).toEqual([]);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.measurements).toHaveLength(1);
    const m = json.measurements[0];
    expect(m).toMatchObject({ level: 'L5/S1', muscle: 'quadratusLumborum', side: 'left', pixels: n });
    expect(m.meanHu).toBeCloseTo(sum / n, 10);
    expect(m.warnings).toContain(want);

    const c = await cli('measure', ABDOMEN, '--annotations', file, '--format', 'csv');
    expect(c.code).toBe(0);
    const [header, ...rows] = parseCsv(c.stdout).filter((row) => row.length > 1);
    const col = header!.indexOf('flags');
    expect(col).toBeGreaterThanOrEqual(0);
    expect(rows).toHaveLength(1);
    expect(rows[0]![col]!.split(' | ')).toContain(want);
  });
});
