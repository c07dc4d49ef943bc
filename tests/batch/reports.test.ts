/**
 * `paraspine batch --reports pdf,sr,seg --reports-dir DIR` on the generated cohort (cohort.ts): each done
 * row's reports are the bytes `paraspine measure SERIES ... --format X --date D` writes for that series
 * alone (compared with cmp), named after the row's id made filename-safe, listed in the status file's
 * `reports` column, and kept by --resume while present (made again when one is gone).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { reportNames } from '../../src/node/batch/row';
import { BIN, ROOT, writeCohort, type Cohort, type CohortRow } from './cohort';

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', cwd: ROOT });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
const DATE = '2024-05-06T07:08:09.000Z';
const status = (out: string) => parse(readFileSync(`${out}.status.csv`, 'utf8'), { columns: true }) as Record<string, string>[];

let dir: string;
let cohort: Cohort;
let out: string;
let reports: string;
let first: ReturnType<typeof run>;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'paraspine-batch-reports-'));
  cohort = writeCohort(dir);
  out = join(dir, 'results.csv');
  reports = join(dir, 'reports');
  first = run('batch', cohort.manifest, '--out', out, '--jobs', '2', '--reports', 'pdf,sr,seg', '--reports-dir', reports, '--date', DATE);
}, 180_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What `measure` writes for a row alone in `format` (its file). */
function measured(row: CohortRow, format: string, extra: string[] = []): { file: string; code: number | null; stderr: string } {
  const file = join(dir, `measure-${row.series.replace(/\W/g, '_')}.${format}`);
  const args = ['measure', join(dir, row.series), '--format', format, '--out', file, '--date', DATE, ...extra];
  if (row.masks) args.push('--masks', join(dir, row.masks));
  if (row.annotations) args.push('--annotations', join(dir, row.annotations));
  if (row.levels) args.push('--levels', row.levels);
  const r = run(...args);
  return { file, code: r.code, stderr: r.stderr };
}
const cmp = (a: string, b: string) => spawnSync('cmp', [a, b], { encoding: 'utf8' });

describe('batch --reports', () => {
  it('lists each done row\'s reports in the status file; failed rows have none; the measuring is unchanged', () => {
    expect(first.stderr).toContain('batch: 5 done, 2 failed of 7 rows');
    expect(first.code).toBe(3);
    expect(first.stderr).toContain(`reports: 5 not made (why: the reports column of ${out}.status.csv)`);
    const s = status(out);
    expect(Object.keys(s[0]!)).toEqual(['row', 'id', 'series', 'state', 'reason', 'reports']);
    const byId = new Map(s.map((l) => [l.id!, l]));
    // 'muscle, masks' has a comma and a space: both become '_'
    // The phantoms have no FrameOfReferenceUID: their SEG cannot be made, which is a reason, not a failed row.
    expect(byId.get('muscle, masks')!.reports).toBe(
      'muscle__masks.pdf; muscle__masks.sr.dcm; seg: series 1.2.826.0.1.3680043.10.1459.2.77 has no FrameOfReferenceUID: a SEG on its geometry cannot be written',
    );
    expect(byId.get('p-rle')!.reports).toBe('p-rle.pdf; p-rle.sr.dcm; seg: series 1.2.826.0.1.3680043.10.1459.2.202 has no FrameOfReferenceUID: a SEG on its geometry cannot be written');
    expect(existsSync(join(reports, 'p-rle.seg.dcm'))).toBe(false);
    for (const bad of cohort.bad) expect(byId.get(bad)).toMatchObject({ state: 'failed', reports: '' });
    for (const l of s.filter((x) => x.state === 'done')) {
      expect(l.reason).toBe('');
      for (const f of l.reports!.split('; ').filter((x) => !x.includes(': '))) expect(statSync(join(reports, f)).size).toBeGreaterThan(0);
    }
    // nothing half-written is left in the reports folder
    expect(spawnSync('ls', ['-A', reports], { encoding: 'utf8' }).stdout.split('\n').filter((n) => n.includes('.tmp'))).toEqual([]);
  });

  it('each report is the bytes `measure --format X --date D` writes for that series alone (cmp)', () => {
    const rows = [cohort.rows.find((r) => r.id === 'muscle, masks')!, cohort.rows.find((r) => r.id === 'p-explicitLE')!];
    const names = { 'muscle, masks': 'muscle__masks', 'p-explicitLE': 'p-explicitLE' } as Record<string, string>;
    for (const row of rows) {
      for (const [format, ext] of [
        ['pdf', 'pdf'],
        ['sr', 'sr.dcm'],
      ] as const) {
        const m = measured(row, format);
        expect(m.code, m.stderr).toBe(0);
        const c = cmp(m.file, join(reports, `${names[row.id]}.${ext}`));
        expect(c.status, `${row.id} ${format}: ${c.stdout}`).toBe(0);
      }
    }
    const muscle = rows[0]!;
    // measure refuses the SEG of that series with the reason the status file gives
    const seg = measured(muscle, 'seg');
    expect(seg.code).not.toBe(0);
    expect(seg.stderr.trim().split('\n').at(-1)).toBe('paraspine: series 1.2.826.0.1.3680043.10.1459.2.77 has no FrameOfReferenceUID: a SEG on its geometry cannot be written');
    // another date is another report (the comparison can fail)
    const laterFile = join(dir, 'later.sr.dcm');
    const later = run('measure', join(dir, muscle.series), '--masks', join(dir, muscle.masks!), '--levels', 'L3', '--format', 'sr', '--out', laterFile, '--date', '2025-01-01');
    expect(later.code).toBe(0);
    expect(cmp(laterFile, join(reports, 'muscle__masks.sr.dcm')).status).toBe(1);
  }, 120_000);

  it('--resume keeps the rows whose reports are present and makes again only a row whose report is gone', () => {
    const sr = join(reports, 'p-rle.sr.dcm');
    const kept = readFileSync(join(reports, 'p-implicitLE.pdf'));
    const mtime = statSync(join(reports, 'p-implicitLE.pdf')).mtimeMs;
    unlinkSync(sr);
    const again = run('batch', cohort.manifest, '--out', out, '--jobs', '1', '--reports', 'pdf,sr,seg', '--reports-dir', reports, '--date', DATE, '--resume');
    expect(again.code).toBe(3);
    const keptRows = [...again.stderr.matchAll(/row (\d+) \([^)]*\): done before, kept/g)].map((m) => Number(m[1]));
    const redone = [...again.stderr.matchAll(/row (\d+) \([^)]*\): done$/gm)].map((m) => Number(m[1]));
    expect(keptRows.sort()).toEqual([1, 2, 3, 6]);
    expect(redone).toEqual([5]); // p-rle
    expect(existsSync(sr)).toBe(true);
    expect(statSync(join(reports, 'p-implicitLE.pdf')).mtimeMs).toBe(mtime);
    expect(readFileSync(join(reports, 'p-implicitLE.pdf')).equals(kept)).toBe(true);
  }, 120_000);

  it('shards with --reports merge to the status file of the whole run (the reports column too); JSON rows carry it', () => {
    const shards = [0, 1].map((i) => join(dir, `shard-${i}.csv`));
    for (const [i, f] of shards.entries()) {
      const r = run('batch', cohort.manifest, '--out', f, '--jobs', '1', '--shard', `${i}/2`, '--reports', 'pdf,sr,seg', '--reports-dir', join(dir, 'shard-reports'), '--date', DATE);
      expect(r.code).toBe(3);
    }
    const merged = join(dir, 'merged.csv');
    expect(run('merge', merged, ...shards).code).toBe(0);
    expect(readFileSync(`${merged}.status.csv`, 'utf8')).toBe(readFileSync(`${out}.status.csv`, 'utf8'));
    expect(cmp(join(dir, 'shard-reports', 'p-deflatedLE.pdf'), join(reports, 'p-deflatedLE.pdf')).status).toBe(0);

    const json = join(dir, 'results.json');
    expect(run('batch', cohort.manifest, '--out', json, '--jobs', '1', '--format', 'json', '--reports', 'sr', '--reports-dir', join(dir, 'json-reports'), '--date', DATE).code).toBe(3);
    const doc = JSON.parse(readFileSync(json, 'utf8')) as { rows: { id: string; reports: string }[] };
    expect(doc.rows.find((r) => r.id === 'p-rle')!.reports).toBe('p-rle.sr.dcm');
    expect(doc.rows.find((r) => r.id === 'gone')!.reports).toBe('');
  }, 180_000);

  it('--reports is checked before any row: an unknown format, or --reports-dir without --reports, is a usage error', () => {
    const bad = run('batch', cohort.manifest, '--out', join(dir, 'x.csv'), '--reports', 'pdf,docx');
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toBe("paraspine: --reports takes pdf, sr, seg separated by commas (got 'pdf,docx')");
    const lone = run('batch', cohort.manifest, '--out', join(dir, 'x.csv'), '--reports-dir', reports);
    expect(lone.code).toBe(2);
    expect(lone.stderr.trim()).toBe('paraspine: --reports-dir needs --reports');
    const store = run('batch', cohort.manifest, '--out', join(dir, 'x.csv'), '--reports', 'pdf', '--store', 'http://127.0.0.1:1/dicom-web');
    expect(store.code).toBe(2);
    expect(store.stderr.trim()).toBe('paraspine: --store sends the SR and SEG reports: give --reports sr and/or seg');
    expect(existsSync(join(dir, 'x.csv.status.csv'))).toBe(false);
  });
});

describe('report file names (the README rule)', () => {
  it('keeps letters, digits, . _ -; replaces the rest and a leading dot with _; a repeated name gets -ROW', () => {
    const names = reportNames([
      { row: 1, id: 'P-001_a.b' },
      { row: 2, id: 'a b/c' },
      { row: 3, id: 'a_b_c' },
      { row: 4, id: '.hidden' },
      { row: 5, id: '../x' },
      { row: 6, id: 'é' },
      { row: 7, id: 'x'.repeat(120) },
    ]);
    expect([...names.values()]).toEqual(['P-001_a.b', 'a_b_c', 'a_b_c-3', '_hidden', '_._x', '_', 'x'.repeat(100)]);
  });
});
