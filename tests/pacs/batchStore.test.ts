/**
 * Against a real Orthanc (DICOMweb plugin) on 127.0.0.1 with the shared 3 mm CT uploaded:
 * - a batch manifest with a folder row and a DICOMweb URL row of the same series gives the same
 *   measurement rows (but the id), and the same SR and SEG reports, byte for byte; the URL row's SEG is
 *   what `measure URL --format seg --date D` writes (cmp);
 * - `measure --format sr|seg --out FILE --store URL` writes the file, STOWs it, says so in one line on
 *   stderr, and QIDO-RS by modality finds it; a store that fails is one line and a non-zero exit, the file
 *   still written.
 * Skipped, with the reason, where Orthanc is not installed.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import dcmjs from 'dcmjs';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DicomWebClient, jsonText } from '../../src/node/dicomweb/client';
import { cli } from '../cli/run';
import { freePort, orthancMissing, startOrthancWith, type Orthanc } from './orthanc';

const DATA = resolve(__dirname, '../../../shared/data');
const ABDOMEN = join(DATA, 'ct-abdomen-3mm/dicom');
const MASKS = join(DATA, 'ct-abdomen-3mm/masks');
const DATE = '2024-05-06T07:08:09Z';

/** The Study, Series and SOP Instance UIDs of a DICOM file (read with dcmjs, not with our reader). */
function uidsOf(file: string): { study: string; series: string; sop: string } {
  const b = readFileSync(file);
  const d = dcmjs.data.DicomMessage.readFile(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer);
  const v = (tag: string) => String((d.dict[tag] as { Value: string[] }).Value[0]);
  return { study: v('0020000D'), series: v('0020000E'), sop: v('00080018') };
}

if (orthancMissing) console.warn(orthancMissing);

describe.skipIf(orthancMissing !== null)('batch URLs and measure --store against a real Orthanc', () => {
  let orthanc: Orthanc;
  let work: string;
  let study = '';
  let series = '';
  const savedCache = process.env.XDG_CACHE_HOME;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'paraspine-pacs-batch-'));
    process.env.XDG_CACHE_HOME = join(work, 'cache'); // the instance cache, inside the test's folder
    ({ orthanc, study, series } = await startOrthancWith(ABDOMEN));
  }, 60_000);

  afterAll(async () => {
    await orthanc?.stop();
    if (savedCache === undefined) delete process.env.XDG_CACHE_HOME;
    else process.env.XDG_CACHE_HOME = savedCache;
    rmSync(work, { recursive: true, force: true });
  });

  it('a manifest row may be a DICOMweb series URL: the same rows and reports as the folder row of that series', async () => {
    const url = `${orthanc.dicomWeb}/studies/${study}/series/${series}`;
    const manifest = join(work, 'manifest.csv');
    writeFileSync(manifest, `id,series,masks,levels\nfolder,${ABDOMEN},${MASKS},"L3,L4/L5"\npacs,${url},${MASKS},"L3,L4/L5"\n`);
    const out = join(work, 'results.csv');
    const reports = join(work, 'reports');
    const r = await cli('batch', manifest, '--out', out, '--jobs', '1', '--reports', 'sr,seg', '--reports-dir', reports, '--date', DATE);
    expect(r.errors).toEqual([]);
    expect(r.code).toBe(0);
    const status = parse(readFileSync(`${out}.status.csv`, 'utf8'), { columns: true }) as Record<string, string>[];
    expect(status).toEqual([
      { row: '1', id: 'folder', series: ABDOMEN, state: 'done', reason: '', reports: 'folder.sr.dcm; folder.seg.dcm' },
      { row: '2', id: 'pacs', series: url, state: 'done', reason: '', reports: 'pacs.sr.dcm; pacs.seg.dcm' },
    ]);
    const [header, ...rows] = readFileSync(out, 'utf8').trimEnd().split('\n');
    expect(header!.startsWith('id,')).toBe(true);
    const folderRows = rows.filter((l) => l.startsWith('folder,')).map((l) => l.slice('folder,'.length));
    const pacsRows = rows.filter((l) => l.startsWith('pacs,')).map((l) => l.slice('pacs,'.length));
    expect(folderRows.length).toBeGreaterThan(0);
    expect(folderRows.length + pacsRows.length).toBe(rows.length);
    expect(pacsRows).toEqual(folderRows);
    // Reference values at L3 (../shared/data/README.md): iliopsoas_left 79 px, 711 mm².
    const cols = header!.split(',');
    const psoas = pacsRows.map((l) => l.split(',')).find((c) => c[cols.indexOf('structure') - 1] === 'iliopsoas_left' && c[cols.indexOf('level') - 1] === 'L3')!;
    expect(psoas[cols.indexOf('pixels') - 1]).toBe('79');
    // The same series, the same records, the same date: the same SR and SEG, whichever way the CT was read.
    for (const ext of ['sr.dcm', 'seg.dcm']) expect(spawnSync('cmp', [join(reports, `folder.${ext}`), join(reports, `pacs.${ext}`)]).status, ext).toBe(0);
    // and the URL row's SEG is what measure writes for that URL alone
    const alone = join(work, 'alone.seg.dcm');
    const m = await cli('measure', url, '--masks', MASKS, '--levels', 'L3,L4/L5', '--format', 'seg', '--out', alone, '--date', DATE);
    expect(m.code).toBe(0);
    expect(spawnSync('cmp', [alone, join(reports, 'pacs.seg.dcm')]).status).toBe(0);
  }, 120_000);

  it('batch --reports sr,seg --store URL sends each SR and SEG made and says so in the status file; a server down is a reason, not a failed row', async () => {
    const client = new DicomWebClient(orthanc.dicomWeb);
    const url = `${orthanc.dicomWeb}/studies/${study}/series/${series}`;
    const manifest = join(work, 'store-manifest.csv');
    writeFileSync(manifest, `id,series,masks,levels\nvia-url,${url},${MASKS},L3\n`);
    const count = async (modality: string) => (await client.searchSeries(study, { modality })).length;
    const [sr0, seg0] = [await count('SR'), await count('SEG')];
    const out = join(work, 'stored.csv');
    const reports = join(work, 'stored-reports');
    const r = await cli('batch', manifest, '--out', out, '--jobs', '1', '--reports', 'pdf,sr,seg', '--reports-dir', reports, '--store', orthanc.dicomWeb);
    expect(r.errors).toEqual([]);
    expect(r.code).toBe(0);
    const status = parse(readFileSync(`${out}.status.csv`, 'utf8'), { columns: true }) as Record<string, string>[];
    expect(status[0]!.reports).toBe('via-url.pdf; via-url.sr.dcm (stored); via-url.seg.dcm (stored)');
    expect([await count('SR'), await count('SEG')]).toEqual([sr0 + 1, seg0 + 1]);
    const srSeries = (await client.searchSeries(study, { modality: 'SR' })).map((s) => jsonText(s, '0020000E'));
    expect(srSeries).toContain(uidsOf(join(reports, 'via-url.sr.dcm')).series);

    const down = `http://127.0.0.1:${await freePort()}/dicom-web`;
    const failing = await cli('batch', manifest, '--out', join(work, 'down.csv'), '--jobs', '1', '--reports', 'sr', '--reports-dir', reports, '--store', down);
    expect(failing.code).toBe(0);
    const cell = (parse(readFileSync(join(work, 'down.csv.status.csv'), 'utf8'), { columns: true }) as Record<string, string>[])[0]!.reports!;
    expect(cell).toMatch(/^via-url\.sr\.dcm \(not stored: .*127\.0\.0\.1.*\)$/);
    expect(failing.notes).toContain(`reports: 1 not stored (why: the reports column of ${join(work, 'down.csv')}.status.csv)`);
  }, 120_000);

  it('measure --format sr|seg --store URL writes the file, stores it and QIDO-RS by modality finds it', async () => {
    const client = new DicomWebClient(orthanc.dicomWeb);
    for (const [format, modality] of [
      ['sr', 'SR'],
      ['seg', 'SEG'],
    ] as const) {
      const file = join(work, `stored.${format}.dcm`);
      const before = (await client.searchSeries(study, { modality })).map((s) => jsonText(s, '0020000E'));
      const r = await cli('measure', ABDOMEN, '--masks', MASKS, '--levels', 'L3', '--format', format, '--out', file, '--store', orthanc.dicomWeb);
      expect(r.errors).toEqual([]);
      expect(r.code).toBe(0);
      const made = uidsOf(file);
      expect(made.study).toBe(study);
      const label = format === 'sr' ? 'DICOM SR' : 'DICOM SEG';
      expect(r.notes.at(-1)).toBe(`stored ${label} ${made.sop} (${file}) on ${orthanc.dicomWeb} in study ${study}`);
      const after = (await client.searchSeries(study, { modality })).map((s) => jsonText(s, '0020000E'));
      expect(before).not.toContain(made.series);
      expect(after).toContain(made.series);
    }
  }, 120_000);

  it('a store that fails is one line and a non-zero exit; the file is still written; --store needs sr or seg', async () => {
    const down = `http://127.0.0.1:${await freePort()}/dicom-web`;
    const file = join(work, 'down.sr.dcm');
    const r = await cli('measure', ABDOMEN, '--masks', MASKS, '--levels', 'L3', '--format', 'sr', '--out', file, '--store', down);
    expect(r.code).not.toBe(0);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toContain('127.0.0.1');
    expect(r.errors[0]).not.toContain('\n');
    expect(existsSync(file)).toBe(true);
    expect(uidsOf(file).study).toBe(study);

    const csv = await cli('measure', ABDOMEN, '--masks', MASKS, '--levels', 'L3', '--format', 'csv', '--store', orthanc.dicomWeb);
    expect(csv.code).toBe(2);
    expect(csv.errors).toEqual(['--store sends a DICOM SR or SEG: give --format sr or --format seg (not csv)']);
    expect(csv.stdout).toBe('');
    const wrongStudy = await cli('measure', ABDOMEN, '--masks', MASKS, '--levels', 'L3', '--format', 'sr', '--out', join(work, 'w.sr.dcm'), '--store', `${orthanc.dicomWeb}/studies/1.2.3`);
    expect(wrongStudy.code).not.toBe(0);
    expect(wrongStudy.errors).toEqual([`${join(work, 'w.sr.dcm')}: belongs to study ${study}, not to 1.2.3 named by the URL`]);
  }, 120_000);
});
