/**
 * The PACS round trip against a real Orthanc (DICOMweb plugin) on 127.0.0.1: the shared 3 mm CT
 * uploaded, found by `scan URL` (QIDO-RS and WADO-RS metadata), measured by URL with the numbers of
 * the same series read from its folder, byte for byte (JSON less `series.files`, which name the
 * instances' URLs instead of the files; CSV whole), an SR and a SEG of that result stored by STOW-RS and
 * found again by QIDO-RS, the instance cache checked against the metadata, and a stopped server named
 * in one line. Skipped, with the reason, where Orthanc is not installed.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import dcmjs from 'dcmjs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDicomReportInput } from '../../src/core/report/dicomInput';
import { DicomWebClient, jsonText } from '../../src/node/dicomweb/client';
import { DicomWebSeriesSource } from '../../src/node/dicomweb/source';
import { FolderSeriesSource, loadFolderSeries } from '../../src/node/seriesSource';
import { FolderAccess } from '../../src/node/access';
import { createApi } from '../../src/node/api';
import { SettingsStore } from '../../src/node/settings';
import { measureSeries, seriesRefFor } from '../../src/node/measureSeries';
import { makeSeg } from '../../src/node/reports/seg';
import { makeSr } from '../../src/node/reports/sr';
import { cli } from '../cli/run';
import { orthancMissing, startOrthancWith, type Orthanc } from './orthanc';

const DATA = resolve(__dirname, '../../../shared/data');
const ABDOMEN = join(DATA, 'ct-abdomen-3mm/dicom');
const MASKS = join(DATA, 'ct-abdomen-3mm/masks');
const J2K = join(DATA, 'ct-thorax-j2k/dicom');
const SLICES = 112;

/**
 * Copies of the J2K CT's files with the UIDs they lack (Orthanc refuses instances without them),
 * written with dcmjs: everything else, the JPEG 2000 pixel data included, as it was.
 */
function j2kWithUids(to: string): { study: string; series: string } {
  const root = '2.25.' + BigInt('0x' + randomUUID().replace(/-/g, '')).toString();
  const study = `${root}.1`;
  const series = `${root}.2`;
  mkdirSync(to, { recursive: true });
  readdirSync(J2K)
    .sort()
    .forEach((name, i) => {
      const b = readFileSync(join(J2K, name));
      const d = dcmjs.data.DicomMessage.readFile(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer);
      const sop = `${root}.3.${i + 1}`;
      d.dict['0020000D'] = { vr: 'UI', Value: [study] };
      d.dict['0020000E'] = { vr: 'UI', Value: [series] };
      d.dict['00080018'] = { vr: 'UI', Value: [sop] };
      d.meta['00020003'] = { vr: 'UI', Value: [sop] };
      writeFileSync(join(to, `${i + 1}.dcm`), Buffer.from(d.write()));
    });
  return { study, series };
}

if (orthancMissing) console.warn(orthancMissing);

describe.skipIf(orthancMissing !== null)('PACS over DICOMweb against a real Orthanc', () => {
  let orthanc: Orthanc;
  let work: string;
  let study = '';
  let series = '';
  const savedCache = process.env.XDG_CACHE_HOME;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'paraspine-pacs-'));
    process.env.XDG_CACHE_HOME = join(work, 'cache'); // the CLI's instance cache, inside the test's folder
    ({ orthanc, study, series } = await startOrthancWith(ABDOMEN));
  });

  afterAll(async () => {
    await orthanc?.stop();
    if (savedCache === undefined) delete process.env.XDG_CACHE_HOME;
    else process.env.XDG_CACHE_HOME = savedCache;
    rmSync(work, { recursive: true, force: true });
  });

  it('scan lists the study and its series, by search fields too', async () => {
    const folder = JSON.parse((await cli('scan', ABDOMEN, '--json')).stdout);
    const fs0 = folder.series[0];
    expect(study).toBe(fs0.studyInstanceUid);
    expect(series).toBe(fs0.seriesInstanceUid);

    const r = await cli('scan', orthanc.dicomWeb);
    expect(r.errors).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`study ${study}  patient "${fs0.patientName}" (${fs0.patientId})`);
    expect(r.stdout).toContain(`series ${series}`);
    expect(r.stdout).toContain(`${SLICES} slices of 101 x 122, pixel spacing 3 x 3 mm, spacing between slices 3 mm`);
    expect(r.stdout).toContain(`${SLICES} instance(s)`);

    const json = JSON.parse((await cli('scan', orthanc.dicomWeb, '--json', '--patient-id', fs0.patientId)).stdout);
    expect(json.studies).toHaveLength(1);
    const s = json.studies[0].series[0];
    // The same geometry as the folder scan, from the server's metadata alone.
    for (const k of ['slices', 'rows', 'columns', 'pixelSpacing', 'sliceSpacingMm', 'imageOrientation', 'seriesInstanceUid', 'patientName', 'studyDate']) expect(s[k], k).toEqual(fs0[k]);
    expect(s.files[0]).toMatch(new RegExp(`^${orthanc.dicomWeb}/studies/${study}/series/${series}/instances/[0-9.]+$`));

    const none = await cli('scan', orthanc.dicomWeb, '--patient-id', 'NO-SUCH-PATIENT');
    expect(none.code).toBe(0);
    expect(none.stdout.trim()).toBe(`no study found on ${orthanc.dicomWeb}`);
    const dated = JSON.parse((await cli('scan', orthanc.dicomWeb, '--json', '--date', `${fs0.studyDate}-`)).stdout);
    expect(dated.studies).toHaveLength(1);
    const before = JSON.parse((await cli('scan', orthanc.dicomWeb, '--json', '--date', `-${Number(fs0.studyDate) - 1}`)).stdout);
    expect(before.studies).toHaveLength(0);
  });

  it('measure by URL gives the folder numbers byte for byte (JSON less series.files; CSV whole), and reuses its cache', async () => {
    const url = `${orthanc.dicomWeb}/studies/${study}/series/${series}`;
    const fromFolder = await cli('measure', ABDOMEN, '--masks', MASKS, '--levels', 'L3,L4/L5');
    const fromPacs = await cli('measure', url, '--masks', MASKS, '--levels', 'L3,L4/L5');
    expect(fromPacs.errors).toEqual([]);
    expect(fromPacs.code).toBe(0);
    const a = JSON.parse(fromFolder.stdout);
    const b = JSON.parse(fromPacs.stdout);
    expect(b.series.files).toHaveLength(SLICES);
    expect(b.series.files.every((f: string) => f.startsWith(`${url}/instances/`))).toBe(true);
    delete a.series.files;
    delete b.series.files;
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
    // Reference values at L3 (../shared/data/README.md): iliopsoas_left 79 px, 711 mm², 27.0506 HU.
    const psoas = b.measurements.find((m: Record<string, unknown>) => m.structure === 'iliopsoas_left' && m.level === 'L3');
    expect(psoas).toMatchObject({ sliceIndex: 73, pixels: 79, areaMm2: 711 });
    expect(psoas.meanHu).toBeCloseTo(27.0506, 4);

    const csvFolder = await cli('measure', ABDOMEN, '--masks', MASKS, '--format', 'csv');
    const csvPacs = await cli('measure', url, '--masks', MASKS, '--format', 'csv');
    expect(csvPacs.code).toBe(0);
    expect(csvPacs.stdout).toBe(csvFolder.stdout);

    // The instances sit in the cache, one file per SOPInstanceUID.
    const cacheDir = join(work, 'cache', 'paraspine', 'dicomweb');
    const cached = readdirSync(cacheDir).filter((n) => n.endsWith('.dcm'));
    expect(cached).toHaveLength(SLICES);
    expect(cached.every((n) => /^[0-9.]+\.dcm$/.test(n))).toBe(true);
  });

  it('a cached file that no longer matches the metadata is retrieved again', async () => {
    const cacheDir = join(work, 'own-cache');
    const source = new DicomWebSeriesSource({ cacheDir });
    const locator = { kind: 'dicomweb' as const, url: orthanc.dicomWeb, studyUid: study, seriesUid: series };
    const first = await source.load(locator);
    const names = readdirSync(cacheDir).filter((n) => n.endsWith('.dcm')).sort();
    expect(names).toHaveLength(SLICES);
    // Swap two cached instances: each file now holds another SOP instance than its name says.
    const [x, y] = [join(cacheDir, names[0]!), join(cacheDir, names[1]!)];
    const bx = readFileSync(x);
    copyFileSync(y, x);
    writeFileSync(y, bx);
    expect(readFileSync(x).equals(bx)).toBe(false);
    const again = await source.load(locator);
    expect(Buffer.from(again.volume.hu.buffer).equals(Buffer.from(first.volume.hu.buffer))).toBe(true);
    expect(readFileSync(x).equals(bx)).toBe(true); // its own instance again, from the server
    // Bounded: a cache of 1 byte keeps only the series being read (the others' files go, least recently used first).
    const small = new DicomWebSeriesSource({ cacheDir, cacheMaxBytes: 1 });
    mkdirSync(cacheDir, { recursive: true });
    writeFileSync(join(cacheDir, '1.2.3.4.dcm'), 'an old instance of another series');
    await small.load(locator);
    expect(readdirSync(cacheDir).filter((n) => n.endsWith('.dcm'))).toHaveLength(SLICES);
  });

  it('an SR and a SEG of a PACS measurement go back into the study by STOW-RS and are found by QIDO-RS', async () => {
    const url = `${orthanc.dicomWeb}/studies/${study}/series/${series}`;
    const result = await measureSeries({ series: seriesRefFor(url), masks: MASKS, levels: ['L3'] });
    const input = buildDicomReportInput({ ...result.dicom!, records: result.measurements });
    const sr = makeSr(input);
    const seg = makeSeg(input);
    const srFile = join(work, 'result.sr.dcm');
    const segFile = join(work, 'result.seg.dcm');
    writeFileSync(srFile, sr.bytes);
    writeFileSync(segFile, seg.bytes);
    const r = await cli('store', `${orthanc.dicomWeb}/studies/${study}`, srFile, segFile);
    expect(r.errors).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(`stored 2 instance(s) on ${orthanc.dicomWeb} in study ${study}`);
    const client = new DicomWebClient(orthanc.dicomWeb);
    const srSeries = await client.searchSeries(study, { modality: 'SR' });
    expect(srSeries.map((s) => jsonText(s, '0020000E'))).toEqual([sr.seriesInstanceUid]);
    const segSeries = await client.searchSeries(study, { modality: 'SEG' });
    expect(segSeries.map((s) => jsonText(s, '0020000E'))).toEqual([seg.seriesInstanceUid]);
    // The study now lists the CT series and names the SR and SEG instances as not used (no image slices).
    const scan = JSON.parse((await cli('scan', `${orthanc.dicomWeb}/studies/${study}`, '--json')).stdout);
    expect(scan.studies[0].series.map((s: { seriesInstanceUid: string }) => s.seriesInstanceUid)).toEqual([series]);
    expect(scan.studies[0].problems.map((p: { path: string }) => p.path).sort()).toEqual(
      [`${orthanc.dicomWeb}/studies/${study}/series/${sr.seriesInstanceUid}/instances/${sr.sopInstanceUid}`, `${orthanc.dicomWeb}/studies/${study}/series/${seg.seriesInstanceUid}/instances/${seg.sopInstanceUid}`].sort(),
    );
    // Measuring the study URL picks its one CT series, as for a folder.
    const byStudy = await cli('measure', `${orthanc.dicomWeb}/studies/${study}`, '--masks', MASKS, '--levels', 'L3', '--format', 'csv');
    expect(byStudy.code).toBe(0);
    expect(byStudy.stdout).toBe((await cli('measure', ABDOMEN, '--masks', MASKS, '--levels', 'L3', '--format', 'csv')).stdout);
  });

  it('the J2K CT (given UIDs) comes back in its stored syntax and decodes to the folder HU', async () => {
    const copy = join(work, 'j2k');
    const { study: jStudy, series: jSeries } = j2kWithUids(copy);
    for (const f of readdirSync(copy)) await orthanc.upload(readFileSync(join(copy, f)));
    const fromFolder = await loadFolderSeries(J2K);
    const source = new DicomWebSeriesSource({ cacheDir: join(work, 'j2k-cache') });
    const fromPacs = await source.load({ kind: 'dicomweb', url: orthanc.dicomWeb, studyUid: jStudy, seriesUid: jSeries });
    expect(fromPacs.summary.transferSyntaxUids).toEqual(['1.2.840.10008.1.2.4.90']);
    expect(fromPacs.summary.slices).toBe(20);
    expect(fromPacs.volume.geometry).toEqual(fromFolder.volume.geometry);
    expect(fromPacs.volume.hu.length).toBe(20 * 512 * 512);
    expect(Buffer.from(fromPacs.volume.hu.buffer).equals(Buffer.from(fromFolder.volume.hu.buffer))).toBe(true);
  });

  it('the API channels search a DICOMweb server (pacs:search) and read a study through its gate and source (series:scan, series:load, series:slices)', async () => {
    const settings = SettingsStore.inDir(join(work, 'userdata'));
    await settings.load();
    const folder = new FolderSeriesSource();
    const api = createApi({
      mode: 'web',
      version: '0.0.0',
      settings,
      access: new FolderAccess(),
      sources: { folder, dicomweb: new DicomWebSeriesSource({ cacheDir: join(work, 'api-cache') }) },
      masks: { loadMasks: async () => ({ masks: [], problems: [] }) },
    });
    const folderScan = await folder.list({ kind: 'folder', path: ABDOMEN });
    const f0 = folderScan.series[0]!;
    const found = (await api.dispatch('pacs:search', [{ url: orthanc.dicomWeb, patientId: f0.patientId, studyDate: `${f0.studyDate}-${f0.studyDate}` }])) as unknown[];
    expect(found).toEqual([{ studyInstanceUid: study, patientName: f0.patientName, patientId: f0.patientId, studyDate: f0.studyDate, studyDescription: f0.studyDescription, accessionNumber: expect.any(String), modalities: expect.stringContaining('CT') }]); // SR and SEG join once stored
    expect(await api.dispatch('pacs:search', [{ url: orthanc.dicomWeb, patientId: 'NOBODY' }])).toEqual([]);
    await expect(api.dispatch('pacs:search', [{ url: orthanc.dicomWeb, studyDate: '2024-01-01' }])).rejects.toThrow('pacs:search: argument 0.studyDate: expected YYYYMMDD or YYYYMMDD-YYYYMMDD');
    await expect(api.dispatch('pacs:search', [{ url: 'https://a:b@pacs.example/dicom-web' }])).rejects.toThrow('https://pacs.example/dicom-web: no user name or password in the URL');
    const scan = await api['series:scan']({ kind: 'dicomweb', url: `${orthanc.dicomWeb}/`, studyUid: study });
    expect(scan.root).toBe(`${orthanc.dicomWeb}/studies/${study}`);
    expect(scan.series.map((s) => s.seriesInstanceUid)).toEqual([series]);
    const locator = { kind: 'dicomweb' as const, url: orthanc.dicomWeb, studyUid: study, seriesUid: series };
    const loaded = await api['series:load'](locator);
    expect(loaded.summary.slices).toBe(SLICES);
    const slices = await api['series:slices'](locator, { start: 70, count: 4 });
    const fromFolder = await loadFolderSeries(ABDOMEN);
    const n = 101 * 122;
    expect(slices.huType).toBe('int16');
    expect(Buffer.from(slices.bytes).equals(Buffer.from(fromFolder.volume.hu.slice(70 * n, 74 * n).buffer))).toBe(true);
    // The gate: credentials in the URL, another scheme, a study that is no UID.
    await expect(api['series:scan']({ kind: 'dicomweb', url: `http://user:pw@127.0.0.1:1/dicom-web`, studyUid: study })).rejects.toThrow('http://127.0.0.1:1/dicom-web: no user name or password in the URL');
    await expect(api['series:load']({ ...locator, url: 'file:///etc' })).rejects.toThrow('only http and https DICOMweb servers are supported (got file)');
    await expect(api['series:scan']({ kind: 'dicomweb', url: orthanc.dicomWeb, studyUid: '../1' })).rejects.toThrow("study: '../1' is not a DICOM UID");
  });

  it('store names a file without UIDs (the shared J2K CT) and sends nothing', async () => {
    const file = join(J2K, readdirSync(J2K).sort()[0]!);
    const r = await cli('store', orthanc.dicomWeb, file!);
    expect(r.code).toBe(1);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatch(new RegExp(`^${file!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: no SOP Instance UID \\(a DICOMweb server refuses it: give the file UIDs first\\)$`));
  });

  it('a series read before reopens offline from the cache (the server stopped), with the same numbers', async () => {
    const url = `${orthanc.dicomWeb}/studies/${study}/series/${series}`;
    const online = await cli('measure', url, '--masks', MASKS, '--levels', 'L3', '--format', 'csv');
    expect(online.code).toBe(0);
    await orthanc.stop();
    const offline = await cli('measure', url, '--masks', MASKS, '--levels', 'L3', '--format', 'csv');
    expect(offline.errors).toEqual([]);
    expect(offline.code).toBe(0);
    expect(offline.stdout).toBe(online.stdout);
    // A series never read is one line naming the server.
    const other = await cli('measure', `${orthanc.dicomWeb}/studies/1.2.3/series/1.2.3.4`, '--masks', MASKS);
    expect(other.code).toBe(1);
    expect(other.errors).toEqual([`${orthanc.dicomWeb}/studies/1.2.3/metadata: server not reachable (connection refused: is it running?)`]);
  });

  it('a stopped server is one line', async () => {
    const { freePort } = await import('./orthanc');
    const port = await freePort(); // nothing listens there
    for (const args of [
      ['scan', `http://127.0.0.1:${port}/dicom-web`],
      // A series never read (one read before reopens from the cache: see above).
      ['measure', `http://127.0.0.1:${port}/dicom-web/studies/1.2.3.4.5/series/1.2.3.4.5.6`, '--masks', MASKS],
    ]) {
      const r = await cli(...args);
      expect(r.code).toBe(1);
      expect(r.errors).toHaveLength(1);
      expect(r.errors[0]).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${port}/dicom-web/studies\\S*: server not reachable \\(connection refused: is it running\\?\\)$`));
    }
  });
});
