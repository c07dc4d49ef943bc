/**
 * `paraspine measure --annotations` with the recorded states of issue 14, on the real 3 mm CT: a muscle
 * recorded absent at a level is a record of its own (status `absent`, every number empty / null, never
 * 0), and an outline's flags accepted with a reason travel in the `accepted` key / column. The columns
 * released before stay as they were, in order; the new ones are appended.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from './run';

const DATA = resolve(__dirname, '../../../shared/data');
const ABDOMEN = join(DATA, 'ct-abdomen-3mm/dicom');

/** The CSV columns released before issue 14, in order (the metric keys of README "Definitions"). */
const RELEASED = [
  'studyInstanceUid', 'seriesInstanceUid', 'patientId', 'seriesDescription', 'muscleHuLo', 'muscleHuHi', 'fatHuLo', 'fatHuHi', 'rater', 'appVersion',
  'structure', 'muscle', 'side', 'level', 'sliceIndex', 'z',
  'pixels', 'areaMm2', 'leanAreaMm2', 'fatAreaMm2', 'fatFraction', 'meanHu', 'sdHu', 'leanMeanHu',
  'asymmetryPct', 'flags', 'origin', 'roiIds',
];
const METRICS = ['pixels', 'areaMm2', 'leanAreaMm2', 'fatAreaMm2', 'fatFraction', 'meanHu', 'sdHu', 'leanMeanHu'];

/** A minimal RFC 4180 reader (quoted cells with commas, doubled quotes, newlines). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let q = false;
  for (let n = 0; n < text.length; n++) {
    const c = text[n]!;
    if (q) {
      if (c === '"' && text[n + 1] === '"') (cell += '"'), n++;
      else if (c === '"') q = false;
      else cell += c;
    } else if (c === '"') q = true;
    else if (c === ',') row.push(cell), (cell = '');
    else if (c === '\n') row.push(cell), rows.push(row), (row = []), (cell = '');
    else cell += c;
  }
  if (cell !== '' || row.length) row.push(cell), rows.push(row);
  return rows;
}

describe('paraspine measure --annotations: absent and accepted', () => {
  it('an absent QL right at L5/S1 is a record with status absent and empty numbers; accepted flags carry their reason', async () => {
    const info = JSON.parse((await cli('info', ABDOMEN, '--json')).stdout).series;
    const { loadSeriesFromFolder } = await import('../../src/node/dicomFiles');
    const g = (await loadSeriesFromFolder(ABDOMEN)).volume.geometry;
    const p0 = g.slicePositions[73]!;
    const p1 = g.slicePositions[40]!;
    const at = (i: number, j: number) => [p0[0] + i * g.columnSpacingMm, p0[1] + j * g.rowSpacingMm, p0[2]];
    const now = new Date(0).toISOString();
    const dir = mkdtempSync(join(tmpdir(), 'paraspine-states-'));
    const doc = {
      format: 'paraspine-annotations',
      version: 1,
      appVersion: 'test',
      rater: 'tester',
      createdAt: now,
      modifiedAt: now,
      series: { studyInstanceUid: info.studyInstanceUid, seriesInstanceUid: info.seriesInstanceUid, patientId: info.patientId, patientName: info.patientName, studyDate: info.studyDate, seriesDescription: info.seriesDescription, slices: info.slices, rows: info.rows, columns: info.columns },
      ranges: { muscleHu: [-29, 150], fatHu: [-190, -30] },
      levels: [
        { level: 'L3', sliceIndex: 73, z: p0[2], source: 'manual' },
        { level: 'L5/S1', sliceIndex: 40, z: p1[2], source: 'manual' },
      ],
      // A bow tie (it crosses itself: a shape flag) labelled psoas left at L3.
      rois: [{ id: 'a', level: 'L3', muscle: 'psoas', side: 'left', sliceIndex: 73, z: p0[2], pointsLps: [at(39.5, 49.5), at(44.5, 49.5), at(39.5, 53.5), at(44.5, 53.5)], source: 'drawn', createdAt: now, modifiedAt: now }],
      absent: [{ level: 'L5/S1', muscle: 'quadratusLumborum', side: 'right', rater: 'tester', at: now, note: 'below its insertion on the iliac crest' }],
    };
    const write = (name: string, d: unknown) => {
      const f = join(dir, name);
      writeFileSync(f, JSON.stringify(d));
      return f;
    };

    // JSON: the absent record, and the outline's flags as the CLI reports them (no acceptance yet).
    const first = await cli('measure', ABDOMEN, '--annotations', write('doc.json', doc), '--format', 'json');
    expect(first.errors).toEqual([]);
    const json = JSON.parse(first.stdout);
    const absent = json.measurements.find((m: Record<string, unknown>) => m.status === 'absent');
    expect(absent).toMatchObject({ structure: 'quadratusLumborum_right', muscle: 'quadratusLumborum', side: 'right', level: 'L5/S1', sliceIndex: 40, roiIds: [], absent: { rater: 'tester', at: now, note: 'below its insertion on the iliac crest' } });
    expect(absent.z).toBeCloseTo(p1[2], 6);
    for (const k of METRICS) expect(absent[k], k).toBeNull();
    const psoas = json.measurements.find((m: Record<string, unknown>) => m.structure === 'psoas_left');
    expect(psoas.status).toBe('measured');
    expect(psoas.accepted).toBeUndefined();
    const flags: string[] = psoas.warnings;
    expect(flags.some((f) => /crosses itself/.test(f))).toBe(true);
    // L/R asymmetry of the QL at L5/S1: undefined (no number on the absent side), not a number from a 0.
    expect(json.asymmetry.find((a: Record<string, unknown>) => a.level === 'L5/S1' && a.muscle === 'quadratusLumborum')).toMatchObject({ rightAreaMm2: null, asymmetryPct: null });

    // Accept exactly those flags with a reason: the JSON key and the CSV column carry it.
    const accepted = { flags, reason: 'bow tie on purpose: test phantom', rater: 'tester', at: now };
    const file = write('accepted.json', { ...doc, rois: [{ ...doc.rois[0], accepted }] });
    const j2 = JSON.parse((await cli('measure', ABDOMEN, '--annotations', file, '--format', 'json')).stdout);
    expect(j2.measurements.find((m: Record<string, unknown>) => m.structure === 'psoas_left').accepted).toEqual([accepted]);

    const csv = await cli('measure', ABDOMEN, '--annotations', file, '--format', 'csv');
    expect(csv.errors).toEqual([]);
    const [header, ...rows] = parseCsv(csv.stdout);
    expect(header!.slice(0, RELEASED.length)).toEqual(RELEASED);
    expect(header!.slice(RELEASED.length)).toEqual(['status', 'accepted', 'slicePosition', 'instanceNumber', 'source', 'sourceKind']);
    const cell = (row: string[], key: string) => row[header!.indexOf(key)];
    const ql = rows.find((r) => cell(r, 'structure') === 'quadratusLumborum_right')!;
    expect(cell(ql, 'status')).toBe('absent');
    expect(cell(ql, 'level')).toBe('L5/S1');
    expect(cell(ql, 'sliceIndex')).toBe('40');
    for (const k of METRICS) expect(cell(ql, k), k).toBe('');
    expect(cell(ql, 'accepted')).toBe('');
    const ps = rows.find((r) => cell(r, 'structure') === 'psoas_left')!;
    expect(cell(ps, 'status')).toBe('measured');
    expect(cell(ps, 'accepted')).toContain('bow tie on purpose: test phantom (tester, 1970-01-01T00:00:00.000Z): ');
    expect(cell(ps, 'accepted')).toContain(flags[0]!);

    // An acceptance that names another flag text covers nothing: not in the export.
    const stale = write('stale.json', { ...doc, rois: [{ ...doc.rois[0], accepted: { ...accepted, flags: ['some earlier flag'] } }] });
    const j3 = JSON.parse((await cli('measure', ABDOMEN, '--annotations', stale, '--format', 'json')).stdout);
    expect(j3.measurements.find((m: Record<string, unknown>) => m.structure === 'psoas_left').accepted).toBeUndefined();

    // An absent record of a level not marked: no record, a warning (never dropped silently).
    const unmarked = write('unmarked.json', { ...doc, absent: [{ level: 'L4/L5', muscle: 'quadratusLumborum', side: 'left', at: now }] });
    const j4 = JSON.parse((await cli('measure', ABDOMEN, '--annotations', unmarked, '--format', 'json')).stdout);
    expect(j4.measurements.some((m: Record<string, unknown>) => m.status === 'absent')).toBe(false);
    expect(j4.warnings).toContain('L4/L5 quadratusLumborum left recorded absent, but L4/L5 is not marked: no record (mark L4/L5)');
  });
});
