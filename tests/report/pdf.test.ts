import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { decode } from 'fast-png';
import { beforeAll, describe, expect, it } from 'vitest';
import { measureCsv, type MeasureResult } from './measure';
import type { KeyImageInput } from '../../src/core/report/keyImage';
import { reportPanels } from '../../src/core/indices/panels';
import { reportInput, type ReportInput } from '../../src/core/report/model';
import type { ReportPanel } from '../../src/core/report/panel';
import { renderPdfReport } from '../../src/node/reports/pdf';
import { ABDOMEN, ABDOMEN_MASKS, dataPresent, hasTool, measuredWithKeyImages } from './fixture';

const POPPLER = hasTool('pdftotext') && hasTool('pdftoppm') && hasTool('pdfinfo');
if (!POPPLER) console.warn('tests/report/pdf.test.ts: pdftotext/pdftoppm/pdfinfo not found (install poppler-utils): the PDF report tests are skipped');
const VERSION = (JSON.parse(readFileSync(resolve(__dirname, '../../package.json'), 'utf8')) as { version: string }).version;
const MUSCLE_WINDOW = { center: 50, width: 250 };
const RESULTS = resolve(__dirname, '../../test-results');
const tmp = mkdtempSync(join(tmpdir(), 'paraspine-pdf-'));

function write(name: string, bytes: Uint8Array): string {
  const file = join(tmp, name);
  writeFileSync(file, bytes);
  return file;
}

/** pdftotext -layout of one page (or all), whitespace runs collapsed to one space per line. */
function text(file: string, page?: number): string {
  const args = ['-layout', ...(page ? ['-f', String(page), '-l', String(page)] : []), file, '-'];
  return execFileSync('pdftotext', args, { encoding: 'utf8' });
}

interface Word {
  text: string;
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

interface PageWords {
  width: number;
  height: number;
  words: Word[];
}

/**
 * Every word of every page with its box in points (poppler's `pdftotext -bbox`: the box spans the font's
 * ascent to descent, so the lines of one paragraph touch and never overlap).
 */
function wordBoxes(file: string): PageWords[] {
  const html = execFileSync('pdftotext', ['-bbox', file, '-'], { encoding: 'utf8' });
  return html
    .split('<page ')
    .slice(1)
    .map((p) => {
      const [, width, height] = /^width="([\d.]+)" height="([\d.]+)"/.exec(p)!;
      const words = [...p.matchAll(/<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<\/word>/g)].map((m) => ({
        text: m[5]!,
        x0: Number(m[1]),
        y0: Number(m[2]),
        x1: Number(m[3]),
        y1: Number(m[4]),
      }));
      return { width: Number(width), height: Number(height), words };
    });
}

/** Pairs of words whose boxes overlap by more than half a point both across and down: text printed over text. */
function overlaps(page: PageWords): string[] {
  const out: string[] = [];
  const { words } = page;
  for (let a = 0; a < words.length; a++) {
    for (let b = a + 1; b < words.length; b++) {
      const A = words[a]!;
      const B = words[b]!;
      const across = Math.min(A.x1, B.x1) - Math.max(A.x0, B.x0);
      const down = Math.min(A.y1, B.y1) - Math.max(A.y0, B.y0);
      if (across > 0.5 && down > 0.5) out.push(`'${A.text}' (y ${A.y0.toFixed(1)}) over '${B.text}' (y ${B.y0.toFixed(1)})`);
    }
  }
  return out;
}

function pdfinfo(file: string): string {
  return execFileSync('pdfinfo', [file], { encoding: 'utf8' });
}

/** The CSV as a list of row objects (plain split: the test CT's cells hold no quoted commas in the columns read here). */
function csvRows(csv: string): Record<string, string>[] {
  const [header, ...lines] = csv.trim().split('\n');
  const cols = header!.split(',');
  return lines.map((l) => {
    const cells = l.split(',');
    return Object.fromEntries(cols.map((c, n) => [c, cells[n] ?? '']));
  });
}

describe.skipIf(!POPPLER || !dataPresent)('PDF report of the 3 mm CT with its masks (levels auto)', () => {
  let result: MeasureResult;
  let keyImages: KeyImageInput[];
  let input: ReportInput;
  let a4: string;
  beforeAll(async () => {
    ({ result, keyImages } = await measuredWithKeyImages(ABDOMEN, ABDOMEN_MASKS));
    input = reportInput(result, { softwareVersion: VERSION, madeAt: '2026-01-02T03:04:05.000Z', keyImages });
    a4 = write('a4.pdf', await renderPdfReport(input, { paper: 'a4', window: MUSCLE_WINDOW }));
  });

  it('prints every level, and every CSA (cm², 2 places) and fat % (1 place) of the CSV, on its level page', () => {
    const rows = csvRows(measureCsv(result));
    const levels = [...new Set(rows.map((r) => r.level))];
    expect(levels).toEqual(['L3', 'L3/L4', 'L4/L5', 'L5/S1']);
    const all = text(a4);
    for (const l of levels) expect(all).toContain(l);
    // Page 1 identity and method; then one page per level in order.
    levels.forEach((level, n) => {
      const page = text(a4, n + 2);
      expect(page.split('\n').find((x) => x.trim().length > 0)?.trim()).toBe(level);
      // The slice as the app and the CSV name it: position from the feet / count, and the file's InstanceNumber.
      const at = rows.find((x) => x.level === level)!;
      const inst = at.instanceNumber ? ` (IN ${at.instanceNumber})` : '';
      expect(page).toContain(`Slice ${at.slicePosition} / 112${inst}, z ${Number(at.z).toFixed(1)} mm.`);
      for (const r of rows.filter((x) => x.level === level)) {
        const csa = (Number(r.areaMm2) / 100).toFixed(2);
        const fat = (Number(r.fatFraction) * 100).toFixed(1);
        const side = r.side === 'left' ? 'L' : 'R';
        const name = r.muscle === 'psoas' ? 'Psoas' : 'Autochthon \\(ES\\+MF\\)';
        // The table row: muscle, side, CSA, fCSA, fat %, ...
        expect(page, `${level} ${r.structure}`).toMatch(new RegExp(`${name}\\s+${side}\\s+${csa.replace('.', '\\.')}\\s+\\S+\\s+${fat.replace('.', '\\.')}\\s`));
      }
    });
  });

  it('matches the reference values at L3 (README of ../shared/data: psoas left 711 mm², 45 mm² fat)', () => {
    const page = text(a4, 2);
    expect(page).toMatch(/Psoas\s+L\s+7\.11\s+6\.66\s+6\.3\s/);
    expect(page).toMatch(/Psoas\s+R\s+7\.02\s+7\.02\s+0\.0\s/);
    expect(page).toMatch(/Autochthon \(ES\+MF\)\s+L\s+25\.38\s+23\.94\s+5\.7\s/);
  });

  it('prints the identity, the ranges, the version, the disclaimer and the units beyond Latin-1', () => {
    const first = text(a4, 1);
    expect(first).toContain(result.series.seriesInstanceUid);
    expect(first).toContain(result.series.studyInstanceUid);
    expect(first).toContain('−29 to 150 HU');
    expect(first).toContain('−190 to −30 HU');
    expect(first).toContain(`Paraspine ${VERSION}`);
    expect(first).toContain('Research aid, not a diagnosis.');
    expect(first).toContain('2026-01-02T03:04:05.000Z');
    expect(text(a4, 2)).toContain('CSA cm²');
    const fonts = execFileSync('pdffonts', [a4], { encoding: 'utf8' });
    expect(fonts).toMatch(/DejaVuSans\s/);
    expect(fonts).not.toMatch(/Helvetica/);
  });

  it('draws the key image on the level page (not blank) and saves the page under test-results', () => {
    execFileSync('pdftoppm', ['-r', '50', '-png', '-f', '2', '-l', '2', '-singlefile', a4, join(tmp, 'page2')]);
    const bytes = readFileSync(join(tmp, 'page2.png'));
    mkdirSync(RESULTS, { recursive: true });
    writeFileSync(join(RESULTS, 'report-3mm-page2.png'), bytes);
    const png = decode(bytes);
    const ch = png.channels;
    // The key image's box: left 58% of the text width, from the heading down (A4 at 50 dpi: 413 x 585 px, margin 29 px).
    const x0 = 35;
    const x1 = 200;
    const y0 = 70;
    const y1 = 200;
    let n = 0;
    let sum = 0;
    let sq = 0;
    const colours = new Set<string>();
    for (let y = y0; y < y1; y++) {
      for (let x = x0; x < x1; x++) {
        const p = (y * png.width + x) * ch;
        const v = (png.data[p]! + png.data[p + 1]! + png.data[p + 2]!) / 3;
        n++;
        sum += v;
        sq += v * v;
        const [r, g, b] = [png.data[p]!, png.data[p + 1]!, png.data[p + 2]!];
        if (Math.max(r, g, b) - Math.min(r, g, b) > 60) colours.add(`${r >> 5},${g >> 5},${b >> 5}`);
      }
    }
    const variance = sq / n - (sum / n) ** 2;
    expect(variance).toBeGreaterThan(500);
    // Outlines in colour (psoas red, autochthon violet), not only grey.
    expect(colours.size).toBeGreaterThan(1);
  });

  it('sets the page size of the paper asked for, and gives the same bytes for the same input', async () => {
    expect(pdfinfo(a4)).toMatch(/Page size:\s+595\.2\d? x 841\.8\d? pts \(A4\)/);
    const letter = write('letter.pdf', await renderPdfReport(input, { paper: 'letter', window: MUSCLE_WINDOW }));
    expect(pdfinfo(letter)).toMatch(/Page size:\s+612 x 792 pts \(letter\)/);
    expect(text(letter, 2)).toMatch(/Psoas\s+L\s+7\.11\s/);
    const again = await renderPdfReport(input, { paper: 'a4', window: MUSCLE_WINDOW });
    expect(Buffer.from(again).equals(readFileSync(a4))).toBe(true);
    expect(pdfinfo(a4)).toMatch(/CreationDate:.*2026/);
  });

  it('says so on the page of a level without outlines', async () => {
    const withL1: ReportInput = { ...input, slices: [{ level: 'L1', sliceIndex: 100, z: 394, method: 'slice nearest the centroid of vertebrae_L1' }, ...input.slices] };
    const file = write('l1.pdf', await renderPdfReport(withL1, { paper: 'a4', window: MUSCLE_WINDOW }));
    const page = text(file, 2);
    expect(page).toMatch(/^\s*L1\s*$/m);
    expect(page).toContain('No outline at L1');
    expect(text(file, 3)).not.toContain('No outline');
    // A level whose key image has no outline says so too.
    const emptyImage = keyImages.map((k) => (k.level === 'L3' ? { ...k, outlines: [] } : k));
    const noOutline = { ...input, measurements: input.measurements.filter((r) => r.level !== 'L3'), keyImages: emptyImage };
    const file2 = write('l3.pdf', await renderPdfReport(noOutline, { paper: 'a4', window: MUSCLE_WINDOW }));
    expect(text(file2, 2)).toContain('No outline at L3');
  });

  it('draws the side panels generically: title, rows, caveat and citations', async () => {
    const panel: ReportPanel = {
      id: 'boneDensity',
      title: 'L1 trabecular attenuation',
      subtitle: 'Oval ROI in the L1 body',
      rows: [{ label: 'L1 mean', value: '142 HU', number: 142, unit: "[hnsf'U]", note: 'between the 110 and 160 HU bands' }, { label: 'Height', value: 'height unknown', number: null, unit: 'm' }],
      citations: ['Pickhardt et al. 2013, Ann Intern Med 158:588-595'],
      caveat: 'opportunistic screening aid, not a diagnosis',
    };
    const file = write('panel.pdf', await renderPdfReport({ ...input, panels: [panel] }, { paper: 'letter', window: MUSCLE_WINDOW }));
    const last = Number(/Pages:\s+(\d+)/.exec(pdfinfo(file))![1]);
    const page = text(file, last);
    for (const s of ['L1 trabecular attenuation', 'Oval ROI in the L1 body', '142 HU', 'between the 110 and 160 HU bands', 'height unknown', 'Opportunistic screening aid, not a diagnosis', 'Pickhardt et al. 2013, Ann Intern Med 158:588-595']) {
      expect(page).toContain(s);
    }
  });

  it('numbers a record\'s flags in the table and lists them under it', async () => {
    const flagged = input.measurements.map((r) => (r.level === 'L3' && r.structure === 'iliopsoas_left' ? { ...r, warnings: ['the outline crosses itself near (40, 60)'] } : r));
    const file = write('flags.pdf', await renderPdfReport({ ...input, measurements: flagged }, { paper: 'a4', window: MUSCLE_WINDOW }));
    const page = text(file, 2);
    expect(page).toMatch(/Psoas\s+L\s+7\.11\s+6\.66\s+6\.3\s+27\.1\s+32\.1\s+1\.3\s+1\s*$/m);
    expect(page).toMatch(/^\s*1\s+the outline crosses itself near \(40, 60\)\s*$/m);
    expect(text(file, 3)).not.toContain('crosses itself');
  });

  it('refuses a report date that is not a date, and a paper it does not know, with the reason', async () => {
    await expect(renderPdfReport({ ...input, madeAt: 'yesterday' }, { paper: 'a4', window: MUSCLE_WINDOW })).rejects.toThrow(/report date 'yesterday' is not an ISO 8601 date/);
    await expect(renderPdfReport(input, { paper: 'a3' as 'a4', window: MUSCLE_WINDOW })).rejects.toThrow(/unknown paper 'a3' \(a4 or letter\)/);
  });

  it('prints no text over other text on any page, A4 and Letter, with the real panels and a label that wraps', async () => {
    // The panels of the measured records (height and sex as typed), and one more panel whose label must
    // wrap in any label column (a label that wraps once ran into the next row's label).
    const long: ReportPanel = {
      id: 'wrap',
      title: 'A panel whose labels wrap',
      rows: [
        { label: 'Multifidus fat infiltration at L4/L5, left, on the slice nearest the middle of the disc between the bodies', value: '37.1 %', number: 37.1, unit: '%' },
        { label: 'Multifidus fat infiltration at L4/L5, right', value: '26.8 %', number: 26.8, unit: '%' },
        { label: 'Paraspinal index', value: 'height unknown', number: null, unit: 'cm2/m2' },
      ],
      citations: ['Gong et al. 2022, J Orthop Surg Res 17:490'],
      caveat: 'no threshold and no risk score',
    };
    const panels = [...reportPanels(result, { heightM: 1.75, sex: 'M' }), long];
    for (const paper of ['a4', 'letter'] as const) {
      const file = write(`words-${paper}.pdf`, await renderPdfReport({ ...input, panels }, { paper, window: MUSCLE_WINDOW }));
      const pages = wordBoxes(file);
      expect(pages.length).toBeGreaterThanOrEqual(6);
      // The check can fail: the long label is on the panels page and does take more than one line.
      const last = pages[pages.length - 1]!;
      const first = last.words.find((w) => w.text === 'Multifidus')!;
      const end = last.words.find((w) => w.text === 'bodies')!;
      expect(end.y0 - first.y0, paper).toBeGreaterThan(5);
      expect(last.words.some((w) => w.text === 'Paraspinal'), paper).toBe(true);
      pages.forEach((page, n) => expect(overlaps(page), `${paper} page ${n + 1}`).toEqual([]));
    }
  });

  it('keeps every word inside the paper with a half-inch margin (nothing cut off at an edge), A4 and Letter', async () => {
    const panels = reportPanels(result, { heightM: 1.75, sex: 'M' });
    for (const paper of ['a4', 'letter'] as const) {
      const file = write(`edges-${paper}.pdf`, await renderPdfReport({ ...input, panels }, { paper, window: MUSCLE_WINDOW }));
      for (const [n, page] of wordBoxes(file).entries()) {
        const outside = page.words.filter((w) => w.x0 < 36 || w.y0 < 36 || w.x1 > page.width - 36 || w.y1 > page.height - 36).map((w) => w.text);
        expect(outside, `${paper} page ${n + 1}`).toEqual([]);
      }
    }
  });

  it('repeats the table header on the next page when a level\'s table runs over', async () => {
    // 40 rows at L3 (the measured records again under other structure names): more than one page holds.
    const l3 = input.measurements.filter((r) => r.level === 'L3');
    const many = Array.from({ length: 10 }, (_, k) => l3.map((r) => ({ ...r, structure: `${r.structure}_${k}` }))).flat();
    const file = write('long-table.pdf', await renderPdfReport({ ...input, measurements: [...many, ...input.measurements.filter((r) => r.level !== 'L3')] }, { paper: 'a4', window: MUSCLE_WINDOW }));
    const page2 = text(file, 2);
    const page3 = text(file, 3);
    const rowsOn = (page: string) => page.split('\n').filter((l) => /^\s*(Psoas|Autochthon)/.test(l)).length;
    expect(rowsOn(page2) + rowsOn(page3)).toBe(many.length);
    expect(rowsOn(page3)).toBeGreaterThan(0);
    // Page 3 says whose table it is, then repeats the header: the column titles with their units above the numbers.
    const [first, second] = page3.split('\n').filter((l) => l.trim().length > 0);
    expect(first?.trim()).toBe('L3 (continued)');
    expect(second).toMatch(/Muscle\s+Side\s+CSA cm²\s+fCSA cm²\s+Fat %/);
    expect(overlaps(wordBoxes(file)[2]!)).toEqual([]);
  });
});
