/**
 * `paraspine measure --format pdf|sr|seg --out` (the reports through the export registry) and the app's
 * export:report channel, which makes the same reports through the same code. Expected values come from
 * the reference values of ../shared/data/README.md, from outlines built here with a known pixel count,
 * or from the JSON of the same command (the SR and SEG must carry exactly its numbers); the files are
 * checked with tools that are not ours (dciodvfy, pdftotext) and read back with dcmjs.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { NaturalDataset } from 'dcmjs';
import { newAnnotationDocument, seriesIdentity, type AnnotationDocument } from '../../src/core/annotations/document';
import { indexToLps } from '../../src/core/geometry/volumeGeometry';
import { DEFAULT_RANGES } from '../../src/core/metrics/ranges';
import { createService } from '../../src/node/createService';
import { loadSeriesFromFolder } from '../../src/node/dicomFiles';
import { folderLocator } from '../../src/shared/contract';
import { codeOf, ctInstancesByZ, dciodvfy, readDicom } from '../report/dicomHelpers';
import { ABDOMEN, ABDOMEN_MASKS, dataPresent, hasTool } from '../report/fixture';
import { tmpDir } from '../node/helpers';
import { cli } from './run';

const TOOLS = hasTool('pdftotext') && hasTool('dciodvfy');
if (!TOOLS) console.warn('tests/cli/reports.test.ts: pdftotext or dciodvfy not found (poppler-utils, dicom3tools): the report tests are skipped');
const VERSION = (JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8')) as { version: string }).version;
const LEVELS = ['L3', 'L3/L4', 'L4/L5', 'L5/S1'];
const MASK_ARGS = ['--masks', ABDOMEN_MASKS, '--levels', 'auto', '--split-autochthon'];

type Rec = { structure: string; muscle: string | null; side: string | null; level: string | null; sliceIndex: number; pixels: number | null; areaMm2: number | null; meanHu: number | null; sdHu: number | null; status?: string };

const pdfText = (file: string, page?: number) => execFileSync('pdftotext', ['-layout', ...(page ? ['-f', String(page), '-l', String(page)] : []), file, '-'], { encoding: 'utf8' });

const seq = (ds: NaturalDataset | undefined, key: string): NaturalDataset[] => (ds?.[key] as NaturalDataset[] | undefined) ?? [];
const named = (ds: NaturalDataset) => codeOf(seq(ds, 'ConceptNameCodeSequence')[0]);

/** Every NUM item under `ds` with its concept and (for attenuation) its derivation. */
function nums(ds: NaturalDataset, out: { concept: string; derivation: string; value: number }[] = []) {
  for (const c of seq(ds, 'ContentSequence')) {
    if (c['ValueType'] === 'NUM') {
      const derivation = codeOf(seq(seq(c, 'ContentSequence').find((x) => named(x) === 'DCM:121401'), 'ConceptCodeSequence')[0]);
      out.push({ concept: named(c), derivation, value: Number(seq(c, 'MeasuredValueSequence')[0]!['FloatingPointValue']) });
    }
    nums(c, out);
  }
  return out;
}

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);

describe.skipIf(!TOOLS || !dataPresent)('measure --format pdf|sr|seg on the 3 mm CT with its masks', () => {
  const dir = tmpDir('paraspine-reports-');
  let records: Rec[];
  beforeAll(async () => {
    const r = await cli('measure', ABDOMEN, ...MASK_ARGS);
    expect(r.errors).toEqual([]);
    records = (JSON.parse(r.stdout) as { measurements: Rec[] }).measurements;
  });

  it('SR: dciodvfy finds no error; its areas, means and SDs are exactly the JSON records', async () => {
    const file = join(dir, 'a.sr.dcm');
    const r = await cli('measure', ABDOMEN, ...MASK_ARGS, '--format', 'sr', '--out', file);
    expect(r.errors).toEqual([]);
    expect(r.code).toBe(0);
    expect(dciodvfy(file).errors).toEqual([]);
    const sr = readDicom(file);
    expect(sr['Modality']).toBe('SR');
    const found = nums(sr);
    const measured = records.filter((x) => (x.pixels ?? 0) > 0);
    expect(measured.length).toBe(24); // 4 levels x psoas, erector spinae, multifidus x left, right
    expect(sorted(found.filter((n) => n.concept === 'SCT:42798000').map((n) => n.value))).toEqual(sorted(measured.map((x) => x.areaMm2!)));
    expect(sorted(found.filter((n) => n.derivation === 'SCT:373098007').map((n) => n.value))).toEqual(sorted(measured.map((x) => x.meanHu!)));
    expect(sorted(found.filter((n) => n.derivation === 'SCT:386136009').map((n) => n.value))).toEqual(sorted(measured.map((x) => x.sdHu!)));
  });

  it("SEG: dciodvfy finds no error; its frames hold exactly the JSON's pixels, on the CT's own images", async () => {
    const file = join(dir, 'a.seg.dcm');
    const r = await cli('measure', ABDOMEN, ...MASK_ARGS, '--format', 'seg', '--out', file);
    expect(r.code).toBe(0);
    expect(dciodvfy(file).errors).toEqual([]);
    const seg = readDicom(file);
    expect(seg['Modality']).toBe('SEG');
    const frames = Number(seg['NumberOfFrames']);
    const pd = seg['PixelData'] as ArrayBuffer | ArrayBuffer[];
    const bytes = new Uint8Array(Array.isArray(pd) ? pd[0]! : pd);
    let set = 0;
    const n = Number(seg['Rows']) * Number(seg['Columns']);
    for (let b = 0; b < frames * n; b++) if ((bytes[b >> 3]! >> (b & 7)) & 1) set++;
    expect(set).toBe(records.reduce((s, x) => s + (x.pixels ?? 0), 0));
    const ct = new Set(ctInstancesByZ(ABDOMEN).map((x) => x.uid));
    const perFrame = seq(seg, 'PerFrameFunctionalGroupsSequence');
    expect(perFrame.length).toBe(frames);
    for (const f of perFrame) expect(ct.has(String(seq(seq(f, 'DerivationImageSequence')[0], 'SourceImageSequence')[0]!['ReferencedSOPInstanceUID']))).toBe(true);

    // --masks takes the SEG: measured on the same slices it gives the same records again.
    const zs = [...new Set(records.map((x) => (x as Rec & { z: number }).z))];
    const back = await cli('measure', ABDOMEN, '--masks', file, '--z', zs.join(','));
    expect(back.errors).toEqual([]);
    const key = (x: Rec) => [x.muscle, x.side, x.sliceIndex, x.pixels, x.areaMm2, x.meanHu, x.sdHu].join(' ');
    expect((JSON.parse(back.stdout) as { measurements: Rec[] }).measurements.map(key).sort()).toEqual(records.map(key).sort());
  });

  it('PDF: every level, the ranges and the version; the psoas index by hand from the reference psoas areas and the typed height', async () => {
    const file = join(dir, 'a.pdf');
    const r = await cli('measure', ABDOMEN, '--masks', ABDOMEN_MASKS, '--levels', 'auto', '--format', 'pdf', '--out', file, '--height-m', '1.75', '--sex', 'F', '--paper', 'letter', '--date', '2026-01-02T03:04:05Z');
    expect(r.errors).toEqual([]);
    const text = pdfText(file);
    for (const l of LEVELS) expect(text).toContain(l);
    expect(text).toContain('−29 to 150 HU');
    expect(text).toContain('−190 to −30 HU');
    expect(text).toContain(`Paraspine ${VERSION}`);
    expect(text).toContain('2026-01-02T03:04:05.000Z');
    // README: iliopsoas left 711 mm², right 702 mm² at L3 -> (7.11 + 7.02) cm² / 1.75² m² = 4.61.
    const pmi = (711 + 702) / 100 / (1.75 * 1.75);
    expect(text).toMatch(new RegExp(`Psoas muscle index \\(L3\\)\\s+${pmi.toFixed(2).replace('.', '\\.')} cm²/m²`));
    expect(execFileSync('pdfinfo', [file], { encoding: 'utf8' })).toMatch(/Page size:\s+612 x 792 pts/);
  });

  it('the same command and date give the same PDF bytes; json and csv are unchanged by the report options', async () => {
    const a = join(dir, 'd1.pdf');
    const b = join(dir, 'd2.pdf');
    await cli('measure', ABDOMEN, ...MASK_ARGS, '--format', 'pdf', '--out', a, '--date', '2026-01-02');
    await cli('measure', ABDOMEN, ...MASK_ARGS, '--format', 'pdf', '--out', b, '--date', '2026-01-02');
    expect(Buffer.compare(readFileSync(a), readFileSync(b))).toBe(0);
    for (const format of ['json', 'csv']) {
      const plain = await cli('measure', ABDOMEN, ...MASK_ARGS, '--format', format);
      const opts = await cli('measure', ABDOMEN, ...MASK_ARGS, '--format', format, '--paper', 'letter', '--height-m', '1.6', '--sex', 'M', '--bone', 'none', '--date', '2026-01-02');
      expect(opts.stdout).toBe(plain.stdout);
    }
  });

  it('--bone L1 adds the L1 trabecular record (JSON), the PDF bone panel and an SR group for it', async () => {
    const r = await cli('measure', ABDOMEN, ...MASK_ARGS, '--bone', 'L1');
    const bone = (JSON.parse(r.stdout) as { measurements: Rec[] }).measurements.filter((x) => x.muscle === 'trabecularBone');
    expect(bone.map((x) => x.structure)).toEqual(['L1 trabecular']);
    expect(bone[0]!.pixels).toBeGreaterThan(0);
    expect(records.some((x) => x.muscle === 'trabecularBone')).toBe(false); // not without --bone
    const sr = join(dir, 'bone.sr.dcm');
    await cli('measure', ABDOMEN, ...MASK_ARGS, '--bone', 'L1', '--format', 'sr', '--out', sr);
    expect(nums(readDicom(sr)).filter((n) => n.derivation === 'SCT:373098007').map((n) => n.value)).toContain(bone[0]!.meanHu);
    const pdf = join(dir, 'bone.pdf');
    await cli('measure', ABDOMEN, ...MASK_ARGS, '--bone', 'L1', '--format', 'pdf', '--out', pdf);
    expect(pdfText(pdf)).toMatch(new RegExp(`L1 trabecular attenuation\\s+${bone[0]!.meanHu!.toFixed(1).replace('.', '\\.')} HU`));
  });
});

describe('measure report options: refusals', () => {
  it('binary bytes are never written to a terminal; bad height, sex, paper, bone and date are refused with a reason', async () => {
    const tty = Object.getOwnPropertyDescriptor(process.stdout, 'isTTY');
    Object.defineProperty(process.stdout, 'isTTY', { value: true, configurable: true });
    try {
      const r = await cli('measure', ABDOMEN, '--masks', ABDOMEN_MASKS, '--format', 'pdf');
      expect(r.code).toBe(2);
      expect(r.errors).toEqual(['--format pdf writes binary PDF report bytes: give --out FILE (or pipe the output)']);
      expect(r.stdout).toBe('');
    } finally {
      if (tty) Object.defineProperty(process.stdout, 'isTTY', tty);
      else delete (process.stdout as { isTTY?: boolean }).isTTY;
    }
    const refused = async (args: string[], message: RegExp) => {
      const r = await cli('measure', ABDOMEN, '--masks', ABDOMEN_MASKS, ...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.errors[0]).toMatch(message);
    };
    await refused(['--height-m', '175'], /--height-m: height 175 m is outside 0.5..2.5 m/);
    await refused(['--height-m', 'tall'], /--height-m: 'tall' is not a height in metres/);
    await refused(['--sex', 'X'], /--sex must be one of M, F/);
    await refused(['--paper', 'a3'], /--paper must be one of a4, letter/);
    await refused(['--bone', 'L7'], /--bone must be one of T12, L1, L2, L3, L4, L5, none/);
    await refused(['--date', 'yesterday'], /--date must be an ISO 8601 date/);
    const noMasks = await cli('measure', ABDOMEN, '--annotations', join(tmpDir(), 'none.json'), '--bone', 'L1');
    expect(noMasks.code).toBe(2);
    expect(noMasks.errors[0]).toBe('--bone needs vertebra masks (--masks)');
  });
});

describe.skipIf(!TOOLS || !dataPresent)('a document drawn in the app: the CLI and the export:report channel make the same report', () => {
  const dir = tmpDir('paraspine-reports-doc-');
  let doc: AnnotationDocument;
  let docFile: string;
  const MODIFIED = '2026-03-04T05:06:07.000Z';
  beforeAll(async () => {
    const { summary, volume } = await loadSeriesFromFolder(ABDOMEN);
    const g = volume.geometry;
    doc = newAnnotationDocument(seriesIdentity(summary), DEFAULT_RANGES, VERSION, 'T. Rater', MODIFIED);
    const k = 73; // L3 (README)
    const z = indexToLps(g, 0, 0, k)[2];
    // A 4 x 4 pixel square (corners between pixel centres 40..44 and 50..54): pixels 41..44 x 51..54 inside, 16 x 9 mm².
    const corners: [number, number][] = [[40.5, 50.5], [44.5, 50.5], [44.5, 54.5], [40.5, 54.5]];
    doc.levels = [
      { level: 'L3', sliceIndex: k, z, source: 'manual' },
      { level: 'L4/L5', sliceIndex: 55, z: indexToLps(g, 0, 0, 55)[2], source: 'manual' },
    ];
    // A trabecular bone ROI at L1 (slice 97), the same 4 x 4 pixel square: the SR codes it by its vertebra.
    const kb = 97;
    const zb = indexToLps(g, 0, 0, kb)[2];
    doc.boneRois = [{ id: 'b1', vertebra: 'L1', sliceIndex: kb, z: zb, pointsLps: corners.map(([i, j]) => indexToLps(g, i + 20, j - 10, kb)), source: 'drawn', createdAt: MODIFIED, modifiedAt: MODIFIED }];
    doc.rois = [{ id: 'r1', level: 'L3', muscle: 'psoas', side: 'left', sliceIndex: k, z, pointsLps: corners.map(([i, j]) => indexToLps(g, i, j, k)), source: 'drawn', createdAt: MODIFIED, modifiedAt: MODIFIED }];
    docFile = join(dir, 'doc.json');
    writeFileSync(docFile, JSON.stringify(doc));
  });

  it("the CLI's PDF: the document's date, the outline's 16 pixels (1.44 cm²), and a level without outlines says so", async () => {
    const file = join(dir, 'cli.pdf');
    const r = await cli('measure', ABDOMEN, '--annotations', docFile, '--format', 'pdf', '--out', file);
    expect(r.errors).toEqual([]);
    const text = pdfText(file);
    expect(text).toMatch(new RegExp(`Report made\\s+${MODIFIED.replace(/\./g, '\\.')}`));
    expect(text).toContain('T. Rater');
    expect(pdfText(file, 2)).toMatch(/Psoas\s+L\s+1\.44\s/);
    expect(pdfText(file, 3)).toContain('No outline at L4/L5');
    const json = JSON.parse((await cli('measure', ABDOMEN, '--annotations', docFile)).stdout) as { measurements: Rec[] };
    const psoas = json.measurements.find((x) => x.muscle === 'psoas')!;
    expect([psoas.pixels, psoas.areaMm2]).toEqual([16, 144]);
  });

  it("the height and sex typed into the document (the app's form) reach the report's panels, as the app shows them", async () => {
    const typed = join(dir, 'typed.json');
    writeFileSync(typed, JSON.stringify({ ...doc, patient: { heightM: 1.6, sex: 'F' } }));
    const file = join(dir, 'typed.pdf');
    expect((await cli('measure', ABDOMEN, '--annotations', typed, '--format', 'pdf', '--out', file)).errors).toEqual([]);
    const text = pdfText(file);
    expect(text).toMatch(/1\.60 m/);
    expect(text).not.toContain('height unknown');
    // Without it, nothing is invented.
    expect(pdfText(join(dir, 'cli.pdf'))).toContain('height unknown');
  });

  it('export:report writes <stem>.measurements.pdf|sr.dcm|seg.dcm in the workspace; its PDF is the CLI PDF byte for byte', async () => {
    const userData = join(dir, 'userdata');
    const ws = join(dir, 'ws');
    mkdirSync(ws, { recursive: true });
    const { service } = await createService({ mode: 'web', version: VERSION, userDataDir: userData });
    await service.dispatch('workspace:set', [ws]);
    await service.dispatch('series:scan', [ABDOMEN]);
    const series = folderLocator(ABDOMEN, doc.series.seriesInstanceUid);
    const pdf = (await service.dispatch('export:report', [{ format: 'pdf', series, document: doc }])) as { path: string };
    expect(pdf.path.endsWith('.measurements.pdf')).toBe(true);
    const cliPdf = join(dir, 'cli2.pdf');
    await cli('measure', ABDOMEN, '--annotations', docFile, '--format', 'pdf', '--out', cliPdf);
    expect(Buffer.compare(readFileSync(pdf.path), readFileSync(cliPdf))).toBe(0);

    const sr = (await service.dispatch('export:report', [{ format: 'sr', series, document: doc }])) as { path: string };
    expect(sr.path.endsWith('.measurements.sr.dcm')).toBe(true);
    expect(dciodvfy(sr.path).errors).toEqual([]);
    const found = nums(readDicom(sr.path));
    // The psoas outline and the bone ROI, 16 pixels each; the bone group's mean is the JSON's.
    expect(found.filter((n) => n.concept === 'SCT:42798000').map((n) => n.value)).toEqual([144, 144]);
    const json = JSON.parse((await cli('measure', ABDOMEN, '--annotations', docFile)).stdout) as { measurements: Rec[] };
    const bone = json.measurements.find((x) => x.muscle === 'trabecularBone')!;
    expect(bone.pixels).toBe(16);
    expect(found.filter((n) => n.derivation === 'SCT:373098007').map((n) => n.value)).toContain(bone.meanHu);
    const seg = (await service.dispatch('export:report', [{ format: 'seg', series, document: doc }])) as { path: string };
    expect(seg.path.endsWith('.measurements.seg.dcm')).toBe(true);
    expect(dciodvfy(seg.path).errors).toEqual([]);

    // A document for another series, and a format that is no report, are refused with a reason.
    await expect(service.dispatch('export:report', [{ format: 'pdf', series, document: { ...doc, series: { ...doc.series, seriesInstanceUid: '1.2.3' } } }])).rejects.toThrow(/the annotation document: annotations are for series 1\.2\.3/);
    await expect(service.dispatch('export:report', [{ format: 'csv', series, document: doc }])).rejects.toThrow(/argument 0\.format/);
  });
});
