/**
 * `paraspine agreement` on two raters' documents of the muscle phantom (tests/fixtures/musclePhantom.ts:
 * HU 40 everywhere but a fat plane of -100 HU on column 40 inside the autochthon box; 0.8 mm columns,
 * 0.75 mm rows, pixel area 0.6 mm²), with every expected value worked out by hand below; and the JSON
 * export naming the document version it came from.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AnnotationDocument } from '../../src/core/annotations/document';
import { loadSeriesFromFolder } from '../../src/node/dicomFiles';
import { cli } from '../cli/run';
import { writeMusclePhantom } from '../fixtures/musclePhantom';
import { phantomReads } from '../fixtures/phantomReads';

const NOW = '2026-01-01T00:00:00.000Z';

describe('paraspine agreement', () => {
  let dir: string;
  let dicom: string;
  let docA: string;
  let docB: string;
  let base: AnnotationDocument;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'paraspine-agreement-'));
    const ph = writeMusclePhantom(dir);
    dicom = ph.dicom;
    const g = ph.geometry;
    const { summary } = await loadSeriesFromFolder(dicom);
    // Rater A: psoas columns 34..37 x rows 22..29 (32 px, HU 40); multifidus columns 33..39 x rows 40..55 (112 px, HU 40).
    // Rater B: one column more each: psoas 34..38 (40 px, HU 40); multifidus 33..40 (128 px, of which the 16 on column 40 are fat, -100 HU).
    const reads = phantomReads(summary, g, NOW);
    base = reads.base;
    const { a, b } = reads;
    docA = join(dir, 'a.json');
    docB = join(dir, 'b.json');
    writeFileSync(docA, JSON.stringify(a));
    writeFileSync(docB, JSON.stringify(b));
  });

  it('gives the hand-computed Dice, Hausdorff, ICC and Bland-Altman', async () => {
    const r = await cli('agreement', docA, docB, '--series', dicom);
    expect(r.errors).toEqual([]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.format).toBe('paraspine-agreement');
    expect(j.raters).toEqual(['Rater A', 'Rater B']);
    expect(j.documents.map((d: { revision: string }) => d.revision)).toEqual([docA, docB].map((f) => `sha256:${createHash('sha256').update(readFileSync(f)).digest('hex')}`));
    const roi = (muscle: string) => j.rois.find((x: { muscle: string }) => x.muscle === muscle).pairs[0];
    // psoas: Dice 2*32/(32+40) = 8/9; Hausdorff: B's column 38 is one column (0.8 mm) from A's column 37.
    expect(roi('psoas').dice).toBeCloseTo(8 / 9, 12);
    expect(roi('psoas').hausdorffMm).toBeCloseTo(0.8, 12);
    // multifidus: Dice 2*112/(112+128) = 14/15; Hausdorff 0.8 mm likewise.
    expect(roi('multifidus').dice).toBeCloseTo(14 / 15, 12);
    expect(roi('multifidus').hausdorffMm).toBeCloseTo(0.8, 12);
    const metric = (key: string) => j.metrics.find((m: { key: string }) => m.key === key);
    // CSA in pixels: A [32, 112], B [40, 128] (x 0.6 mm²; the ICC does not depend on the scale). Grand mean 78;
    // SS targets = 2 (42² + 42²) = 7056 = MSR; SS raters = 2 (6² + 6²) = 144 = MSC; SS total = 46² + 38² + 34² + 50² = 7216,
    // SSE = 16 = MSE. ICC = (7056 - 16) / (7056 + 16 + 2 (144 - 16) / 2) = 7040 / 7200.
    const csa = metric('areaMm2');
    expect(csa.targets).toBe(2);
    expect(csa.icc.icc).toBeCloseTo(7040 / 7200, 10);
    expect(csa.icc.lower).toBeLessThan(csa.icc.icc);
    // Bland-Altman (B - A): differences 8 and 16 px -> bias 12 px = 7.2 mm², SD sqrt(32) px = sqrt(32) * 0.6 mm².
    expect(csa.blandAltman[0].bias).toBeCloseTo(7.2, 9);
    expect(csa.blandAltman[0].sd).toBeCloseTo(Math.sqrt(32) * 0.6, 9);
    expect(csa.blandAltman[0].upper).toBeCloseTo(7.2 + 1.96 * Math.sqrt(32) * 0.6, 9);
    // Mean HU: A [40, 40], B [40, (112*40 - 16*100)/128 = 22.5]: MSR = MSC = MSE = 76.5625, so ICC = 0.
    const hu = metric('meanHu');
    expect(hu.icc.icc).toBeCloseTo(0, 12);
    expect(hu.blandAltman[0].bias).toBeCloseTo(-8.75, 10);
    // Fat fraction: A [0, 0], B [0, 16/128].
    expect(metric('fatFraction').blandAltman[0].bias).toBeCloseTo(0.0625, 12);
  });

  it.skipIf(spawnSync('pdftotext', ['-v']).error !== undefined)('--pdf writes the ICC table and a Bland-Altman plot per metric', async () => {
    const pdf = join(dir, 'agreement.pdf');
    const r = await cli('agreement', docA, docB, '--series', dicom, '--pdf', pdf);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).format).toBe('paraspine-agreement'); // the JSON still on stdout
    const text = execFileSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' }).replace(/[ \t]+/g, ' ');
    // The hand-computed values above, at 4 significant digits: ICC 7040/7200 = 0.9778, bias 7.2 mm², mean HU bias -8.75.
    expect(text).toContain('CSA (mm2), 2 ROIs: 0.9778 [');
    expect(text).toContain('Bland-Altman: CSA (mm2), Rater B − Rater A');
    expect(text).toContain('n 2, bias 7.2, limits of agreement');
    expect(text).toContain('Bland-Altman: mean HU (HU), Rater B − Rater A');
    expect(text).toContain('n 2, bias -8.75,');
    expect(text).toContain('L3 psoas left: Rater A vs Rater B: Dice 0.8889, Hausdorff 0.8 mm');
    // one page of tables, then two plots a page: 4 metrics -> 2 more pages
    expect(execFileSync('pdfinfo', [pdf], { encoding: 'utf8' })).toMatch(/Pages:\s+3\n/);
  });

  it('the same read twice (two raters, identical outlines): Dice 1, Hausdorff 0, ICC 1', async () => {
    const twin = join(dir, 'twin.json');
    writeFileSync(twin, JSON.stringify({ ...JSON.parse(readFileSync(docA, 'utf8')), rater: 'Rater C' }));
    const r = await cli('agreement', docA, twin, '--series', dicom, '--format', 'csv');
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    const header = lines[0]!.split(',');
    const rows = lines.slice(1).map((l) => Object.fromEntries(l.split(',').map((c, n) => [header[n], c])));
    const rois = rows.filter((x) => x.kind === 'roi');
    expect(rois).toHaveLength(2);
    for (const x of rois) expect([x.dice, x.hausdorffMm]).toEqual(['1', '0']);
    // CSA and fCSA differ between the two ROIs and agree exactly: ICC 1. Mean HU and fat are the same
    // value everywhere (40 HU, 0): no variation at all, so the ICC is undefined and the row says why.
    const iccs = rows.filter((x) => x.kind === 'icc');
    expect(iccs.map((x) => [x.metric, x.icc])).toEqual([['areaMm2', '1'], ['leanAreaMm2', '1'], ['fatFraction', ''], ['meanHu', '']]);
    expect(iccs.find((x) => x.metric === 'meanHu')!.note).toMatch(/no variation/);
  });

  it('refuses with one line a document of another series, one without a rater, the same rater twice', async () => {
    const other = join(dir, 'other.json');
    writeFileSync(other, JSON.stringify({ ...JSON.parse(readFileSync(docB, 'utf8')), series: { ...base.series, seriesInstanceUid: '1.2.3.999' } }));
    let r = await cli('agreement', docA, other, '--series', dicom);
    expect(r.code).toBe(1);
    expect(r.errors).toEqual([`${other}: annotations are for series 1.2.3.999, not ${base.series.seriesInstanceUid} (the series of ${docA})`]);
    const anonymous = join(dir, 'anonymous.json');
    writeFileSync(anonymous, JSON.stringify({ ...JSON.parse(readFileSync(docB, 'utf8')), rater: '' }));
    r = await cli('agreement', docA, anonymous, '--series', dicom);
    expect(r.code).toBe(1);
    expect(r.errors).toEqual([`${anonymous}: the document names no rater: agreement compares raters' reads`]);
    r = await cli('agreement', docA, docA, '--series', dicom);
    expect(r.errors).toEqual([`${docA}: rater "Rater A" also wrote ${docA}: agreement compares different raters`]);
    r = await cli('agreement', docA, '--series', dicom);
    expect(r.code).toBe(2);
    r = await cli('agreement', docA, join(dir, 'missing.json'), '--series', dicom);
    expect(r.code).toBe(1);
    expect(r.errors[0]).toMatch(/missing\.json: cannot read \(ENOENT\)$/);
  });

  it('measure --annotations names the document version (documentRevision); masks only, no such key', async () => {
    const r = await cli('measure', dicom, '--annotations', docA);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).documentRevision).toBe(`sha256:${createHash('sha256').update(readFileSync(docA)).digest('hex')}`);
    const masks = await cli('measure', dicom, '--masks', join(dir, 'masks'), '--levels', 'L3');
    expect(masks.code).toBe(0);
    expect('documentRevision' in JSON.parse(masks.stdout)).toBe(false);
  });
});
