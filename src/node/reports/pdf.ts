/**
 * The PDF report of one series (pdfkit): page 1 the identity and the method, then one page per level
 * (key image, table, chart), then the side panels. Every number comes from core/report/model.ts (the
 * metric registry's formatting, as the app's table), every shape is vector except the key images.
 * The text is set in DejaVu Sans, embedded as a subset (resources/fonts, with its licence), so ², ≥
 * and µ print the same on every machine. The same input gives the same bytes: the PDF's dates are the
 * report's `madeAt` and its file ID is derived from them (pdfkit hashes the info dictionary).
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import PDFDocument from 'pdfkit';
import { encode } from 'fast-png';
import { renderKeyImage, type KeyImage, type KeyImageWindow } from '../../core/report/keyImage';
import { levelTitle, reportColumns, reportLevels, type ReportInput, type ReportLevel, type ReportRow } from '../../core/report/model';
import type { ReportPanel } from '../../core/report/panel';
import { UserError } from '../../core/errors';
import { sliceLabel, sliceShort } from '../../core/geometry/sliceNumber';
import type { VolumeGeometry } from '../../core/geometry/volumeGeometry';

export type Paper = 'a4' | 'letter';

export interface PdfReportOptions {
  paper: Paper;
  /** The window the key images are shown at (the muscle preset, shared/windowPresets.ts, passed by the caller). */
  window: KeyImageWindow;
}

/** Page sizes in points (1/72 inch): ISO 216 A4 (210 x 297 mm) and US Letter (8.5 x 11 in). */
export const PAPER_SIZES: Record<Paper, readonly [number, number]> = {
  a4: [595.28, 841.89],
  letter: [612, 792],
};

export const DISCLAIMER = 'Research aid, not a diagnosis.';

const FONT_FILES = { regular: 'DejaVuSans.ttf', bold: 'DejaVuSans-Bold.ttf' } as const;

/**
 * The folder of the report's fonts: resources/fonts of the package, found by walking up from this
 * module (src/node/reports in tests, out/cli/chunks in the CLI build, out/main in the Electron build),
 * or beside a packaged Electron app's resources.
 */
export function fontDir(): string {
  const candidates: string[] = [];
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let n = 0; n < 6; n++) {
    candidates.push(join(dir, 'resources', 'fonts'));
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  const resourcesPath = (process as { resourcesPath?: string }).resourcesPath;
  if (resourcesPath) candidates.push(join(resourcesPath, 'fonts'), join(resourcesPath, 'resources', 'fonts'));
  const found = candidates.find((d) => existsSync(join(d, FONT_FILES.regular)) && existsSync(join(d, FONT_FILES.bold)));
  if (!found) throw new UserError('input', `the report font ${FONT_FILES.regular} was not found in resources/fonts (looked in ${candidates.join(', ')})`);
  return found;
}

const INK = '#111111';
const DIM = '#555555';
const RULE = '#bbbbbb';
const MARGIN = 42;
const FOOTER_H = 22;

type Doc = InstanceType<typeof PDFDocument>;

/** The PDF report: bytes of a PDF 1.7 file. */
export async function renderPdfReport(input: ReportInput, opts: PdfReportOptions): Promise<Uint8Array> {
  const size = PAPER_SIZES[opts.paper];
  if (!size) throw new UserError('usage', `unknown paper '${String(opts.paper)}' (a4 or letter)`);
  const made = new Date(input.madeAt);
  if (Number.isNaN(made.getTime())) throw new UserError('input', `report date '${input.madeAt}' is not an ISO 8601 date`);
  const fonts = fontDir();
  const doc: Doc = new PDFDocument({
    size: [...size],
    margin: MARGIN,
    bufferPages: true,
    autoFirstPage: false,
    pdfVersion: '1.7',
    font: join(fonts, FONT_FILES.regular),
    info: {
      Title: `Paraspinal muscle report: ${input.series.seriesDescription || input.series.seriesInstanceUid}`,
      Author: input.provenance.rater || 'Paraspine',
      Subject: DISCLAIMER,
      Creator: `Paraspine ${input.softwareVersion}`,
      Producer: `Paraspine ${input.softwareVersion} (PDFKit)`,
      CreationDate: made,
      ModDate: made,
    },
  });
  doc.registerFont('regular', join(fonts, FONT_FILES.regular));
  doc.registerFont('bold', join(fonts, FONT_FILES.bold));
  const chunks: Buffer[] = [];
  const done = new Promise<Uint8Array>((resolve, reject) => {
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(new Uint8Array(Buffer.concat(chunks))));
    doc.on('error', reject);
  });

  const levels = reportLevels(input);
  firstPage(doc, input, levels);
  for (const level of levels) levelPage(doc, input, level, opts.window);
  if (input.panels.length > 0) panelPages(doc, input.panels);
  footers(doc, input);
  doc.end();
  return done;
}

function newPage(doc: Doc): void {
  doc.addPage();
  doc.fillColor(INK).font('regular').fontSize(9);
}

const contentWidth = (doc: Doc) => doc.page.width - 2 * MARGIN;
const bottom = (doc: Doc) => doc.page.height - MARGIN - FOOTER_H;

function heading(doc: Doc, text: string, size = 15): void {
  doc.font('bold').fontSize(size).fillColor(INK).text(text, MARGIN, doc.y, { width: contentWidth(doc) });
  doc.moveDown(0.3);
  doc.font('regular').fontSize(9);
}

function section(doc: Doc, text: string): void {
  ensureSpace(doc, 40);
  doc.moveDown(0.6);
  doc.font('bold').fontSize(11).fillColor(INK).text(text, MARGIN, doc.y, { width: contentWidth(doc) });
  const y = doc.y + 2;
  doc.moveTo(MARGIN, y).lineTo(MARGIN + contentWidth(doc), y).lineWidth(0.5).strokeColor(RULE).stroke();
  doc.y = y + 4;
  doc.font('regular').fontSize(9).fillColor(INK);
}

function ensureSpace(doc: Doc, h: number): void {
  if (doc.y + h > bottom(doc)) {
    newPage(doc);
    doc.y = MARGIN;
  }
}

/**
 * A two-column list: label in grey, value beside it, both wrapped in their column. Each row advances by
 * the taller of the two wrapped heights (a label that wraps, "Multifidus fat infiltration at L4/L5,
 * left", must not run into the next row), and a row is never split across pages.
 */
function fields(doc: Doc, rows: readonly (readonly [string, string])[], labelW = 130): void {
  const w = contentWidth(doc) - labelW;
  doc.font('regular').fontSize(9);
  for (const [label, value] of rows) {
    const h = fieldHeight(doc, label, value, labelW);
    ensureSpace(doc, h + 2);
    const y = doc.y;
    doc.fillColor(DIM).font('regular').fontSize(9).text(label, MARGIN, y, { width: labelW - 8 });
    doc.fillColor(INK).text(value || '—', MARGIN + labelW, y, { width: w });
    doc.y = y + h + 2;
  }
}

/** The height of one row of `fields` (regular 9 pt): the taller of the wrapped label and the wrapped value. */
function fieldHeight(doc: Doc, label: string, value: string, labelW: number): number {
  doc.font('regular').fontSize(9);
  return Math.max(doc.heightOfString(label, { width: labelW - 8 }), doc.heightOfString(value || '—', { width: contentWidth(doc) - labelW }), 11);
}

function bullets(doc: Doc, lines: readonly string[]): void {
  for (const l of lines) {
    const h = doc.heightOfString(l, { width: contentWidth(doc) - 12 });
    ensureSpace(doc, h + 2);
    const y = doc.y;
    doc.fillColor(INK).text('•', MARGIN, y).text(l, MARGIN + 12, y, { width: contentWidth(doc) - 12 });
    doc.y = y + h + 2;
  }
}

/** DICOM DA (YYYYMMDD) as YYYY-MM-DD; anything else as it is. */
function dicomDate(s: string): string {
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(s.trim());
  return m ? `${m[1]}-${m[2]}-${m[3]}` : s;
}

/** DICOM PN (Family^Given^Middle^Prefix^Suffix) as a clinical header prints it: 'FAMILY, Given Middle' (the raw value in brackets). */
export function personName(s: string): string {
  const [family = '', given = '', middle = '', prefix = '', suffix = ''] = s.split('=')[0]!.split('^').map((x) => x.trim());
  const rest = [prefix, given, middle, suffix].filter(Boolean).join(' ');
  const name = family && rest ? `${family}, ${rest}` : family || rest;
  return name && name !== s ? `${name}   (${s})` : name;
}

const range = (r: readonly [number, number]) => `${fmtHu(r[0])} to ${fmtHu(r[1])} HU`;
const fmtHu = (v: number) => (v < 0 ? `−${-v}` : String(v));

function firstPage(doc: Doc, input: ReportInput, levels: readonly ReportLevel[]): void {
  newPage(doc);
  heading(doc, 'Paraspinal muscle report', 18);
  doc.font('bold').fontSize(11).fillColor('#a00000').text(DISCLAIMER, MARGIN, doc.y, { width: contentWidth(doc) });
  doc.font('regular').fontSize(9).fillColor(INK);
  const s = input.series;
  section(doc, 'Patient and series');
  fields(doc, [
    ['Patient name', personName(s.patientName)],
    ['Patient ID', s.patientId],
    ['Study date', dicomDate(s.studyDate)],
    ...(s.studyDescription ? ([['Study description', s.studyDescription]] as const) : []),
    ['Series description', s.seriesDescription],
    ...(s.seriesNumber != null ? ([['Series number', String(s.seriesNumber)]] as const) : []),
    ['Series instance UID', s.seriesInstanceUid],
    ['Study instance UID', s.studyInstanceUid],
    [
      'Images',
      `${s.slices} slices of ${s.columns} × ${s.rows} pixels` +
        (s.pixelSpacing ? `, pixel spacing ${s.pixelSpacing[1]} × ${s.pixelSpacing[0]} mm` : '') +
        (s.sliceSpacingMm ? `, slice spacing ${s.sliceSpacingMm} mm` : ''),
    ],
  ]);
  section(doc, 'Method');
  const p = input.provenance;
  fields(doc, [
    ['Muscle range', `${range(input.ranges.muscleHu)} (functional CSA, lean mean HU)`],
    ['Fat range', `${range(input.ranges.fatHu)} (fat infiltration: fat area / CSA)`],
    ['Pixel rule', 'A pixel belongs to an outline when its centre lies inside it (masks: when its voxel is set). CSA = pixels × pixel area.'],
    ['Level rule', input.levelRule],
    ['Levels', levels.map((l) => `${l.level ?? 'no level'}: slice ${l.sliceIndices.map((k) => sliceShort(numbering(input), k)).join(', ')}`).join('; ') || 'none'],
    ['Software', `Paraspine ${input.softwareVersion}`],
    ['Rater', p.rater || 'not recorded (measured from masks)'],
    ['Annotations written by', p.appVersion ? `Paraspine ${p.appVersion}` : 'no annotation document'],
    ['Document last changed', p.modifiedAt ? p.modifiedAt : 'no annotation document'],
    ['Report made', input.madeAt],
  ]);
  if (input.warnings.length > 0 || input.problems.length > 0) {
    section(doc, 'Notes on the series and the measurements');
    bullets(doc, [...input.warnings, ...input.problems.map((q) => `${q.path}: ${q.reason}`)]);
  }
}

function levelPage(doc: Doc, input: ReportInput, level: ReportLevel, window: KeyImageWindow): void {
  newPage(doc);
  const title = levelTitle(level);
  heading(doc, `${cap(title)}${level.level ? '' : ' (no level)'}`);
  const where = `Slice ${level.sliceIndices.map((k) => sliceLabel(numbering(input), k)).join(', ')}${level.z !== null ? `, z ${level.z.toFixed(1)} mm` : ''}`;
  doc.fillColor(DIM).text(level.method ? `${where}. ${cap(level.method)}.` : `${where}.`, MARGIN, doc.y, { width: contentWidth(doc) });
  doc.fillColor(INK);
  doc.moveDown(0.5);

  const source = input.keyImages.find((k) => k.level === level.level && (level.level !== null || level.sliceIndices.includes(k.sliceIndex)));
  const hasOutlines = level.rows.length > 0 && (source === undefined || source.outlines.length > 0);
  const top = doc.y;
  const imgW = contentWidth(doc) * 0.58;
  let imgBottom = top;
  if (source) {
    const key = renderKeyImage(source, window);
    imgBottom = drawKeyImage(doc, key, MARGIN, top, imgW, Math.min(imgW, bottom(doc) - top - 200), window);
  }
  if (level.rows.length > 0) {
    const chartX = MARGIN + (source ? imgW + 14 : 0);
    // The charts stand beside the key image and may take the page down to the table's first rows.
    const chartH = Math.max(imgBottom - top, bottom(doc) - top - 200);
    const chartBottom = drawCharts(doc, level.rows, chartX, top, MARGIN + contentWidth(doc) - chartX, chartH);
    doc.y = Math.max(imgBottom, chartBottom) + 10;
  } else {
    doc.y = imgBottom + 10;
  }
  if (!hasOutlines) {
    doc.font('bold').fontSize(11).fillColor('#a00000').text(`No outline at ${title}: nothing was measured at this level.`, MARGIN, doc.y, { width: contentWidth(doc) });
    doc.font('regular').fontSize(9).fillColor(INK);
    doc.moveDown(0.5);
  }
  if (level.rows.length > 0) drawTable(doc, level.rows, title);
}

/** How the report numbers slices: as the app does (position from the feet / count, with the InstanceNumber when known). */
function numbering(input: ReportInput): Pick<VolumeGeometry, 'slices' | 'instanceNumbers'> {
  return input.geometry ?? { slices: input.series.slices };
}

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** The key image in a box of w x maxH points at the slice's physical aspect, with the labels as text; returns its bottom. */
function drawKeyImage(doc: Doc, key: KeyImage, x: number, y: number, w: number, maxH: number, window: KeyImageWindow): number {
  const aspect = key.heightMm / key.widthMm;
  let dw = w;
  let dh = w * aspect;
  if (dh > maxH) {
    dh = maxH;
    dw = maxH / aspect;
  }
  const rgb = new Uint8Array(key.width * key.height * 3);
  for (let p = 0, q = 0; p < key.rgba.length; p += 4, q += 3) {
    rgb[q] = key.rgba[p]!;
    rgb[q + 1] = key.rgba[p + 1]!;
    rgb[q + 2] = key.rgba[p + 2]!;
  }
  const png = encode({ width: key.width, height: key.height, data: rgb, channels: 3, depth: 8 });
  doc.image(Buffer.from(png.buffer, png.byteOffset, png.byteLength), x, y, { width: dw, height: dh });
  const sx = dw / key.width;
  const sy = dh / key.height;
  doc.save();
  doc.rect(x, y, dw, dh).clip();
  doc.font('bold').fontSize(7.5);
  for (const l of key.labels) {
    const lx = x + l.x * sx;
    const ly = y + l.y * sy;
    const tw = doc.widthOfString(l.text);
    const th = 9;
    // Leader line from the label to the outline, then the label on a dark box in the muscle's colour.
    doc.moveTo(x + l.anchorX * sx, y + l.anchorY * sy).lineTo(lx, ly).lineWidth(0.6).strokeColor(l.color).stroke();
    const bx = Math.max(x, Math.min(x + dw - tw - 4, lx - tw / 2 - 2));
    const by = Math.max(y, Math.min(y + dh - th, ly - th / 2));
    doc.rect(bx, by, tw + 4, th).fillOpacity(0.75).fill('#000000').fillOpacity(1);
    doc.fillColor(l.color).text(l.text, bx + 2, by + 1, { lineBreak: false });
  }
  if (key.edges) {
    // The patient's sides at the image's edges, as a viewer shows them.
    // White on a dark box: readable over bone, contrast or the CT table too.
    doc.font('bold').fontSize(8);
    const e = key.edges;
    const edge = (t: string, tx: number, ty: number) => {
      doc.rect(tx - 1.5, ty - 1, doc.widthOfString(t) + 3, 10).fillOpacity(0.6).fill('#000000').fillOpacity(1);
      doc.fillColor('#ffffff').text(t, tx, ty, { lineBreak: false });
    };
    edge(e.left, x + 3, y + dh / 2 - 4);
    edge(e.right, x + dw - 3 - doc.widthOfString(e.right), y + dh / 2 - 4);
    edge(e.top, x + dw / 2 - doc.widthOfString(e.top) / 2, y + 3);
    edge(e.bottom, x + dw / 2 - doc.widthOfString(e.bottom) / 2, y + dh - 12);
  }
  doc.restore();
  doc.font('regular').fontSize(7).fillColor(DIM);
  const sides = key.edges ? ` Image left = patient ${sideWord(key.edges.left)}.` : ' Patient orientation unknown.';
  doc.text(`Window ${window.center}/${window.width} HU (centre/width).${sides}`, x, y + dh + 2, { width: dw });
  doc.fontSize(9).fillColor(INK);
  return doc.y;
}

function sideWord(letters: string): string {
  const words: Record<string, string> = { R: 'right', L: 'left', A: 'anterior', P: 'posterior', H: 'head', F: 'feet' };
  return [...letters].map((c) => words[c] ?? c).join('-');
}

/**
 * Two horizontal bar charts (CSA cm², fat %), one bar per muscle and side in its muscle's colour, in a
 * box `maxH` high: the bars get thinner when a level has many rows; when even the thinnest bars would
 * not fit, the charts are left out with a line saying so (the table below holds every number). Returns the bottom.
 */
function drawCharts(doc: Doc, rows: readonly ReportRow[], x: number, y: number, w: number, maxH: number): number {
  const cols = reportColumns();
  const csa = cols.findIndex((c) => c.key === 'areaMm2');
  const fat = cols.findIndex((c) => c.key === 'fatFraction');
  const charts = ([
    [csa, cols[csa]?.header ?? 'CSA'],
    [fat, cols[fat]?.header ?? 'Fat %'],
  ] as const).filter(([idx]) => idx >= 0);
  const titleH = 13 + 10;
  const step = Math.min(12, (maxH - charts.length * titleH) / Math.max(1, charts.length * rows.length));
  if (step < 7) {
    doc.font('regular').fontSize(7.5).fillColor(DIM).text(`Charts left out: ${rows.length} rows are too many to chart here; the table below holds every value.`, x, y, { width: w });
    doc.fontSize(9).fillColor(INK);
    return doc.y;
  }
  let yy = y;
  for (const [idx, title] of charts) yy = barChart(doc, rows, idx, title, x, yy, w, step) + 10;
  return yy;
}

function barChart(doc: Doc, rows: readonly ReportRow[], cellIndex: number, title: string, x: number, y: number, w: number, step: number): number {
  doc.font('bold').fontSize(9).fillColor(INK).text(title, x, y, { width: w, lineBreak: false });
  let yy = y + 13;
  const labelW = 34;
  const fontSize = Math.min(7.5, step - 1.5);
  // The value column is as wide as the widest value plus a gap, so the longest bar never touches its number.
  doc.font('regular').fontSize(fontSize);
  const valueW = Math.max(34, 8 + Math.max(...rows.map((r) => doc.widthOfString(r.cells[cellIndex]?.text ?? '—'))));
  const barMax = w - labelW - valueW;
  const values = rows.map((r) => r.cells[cellIndex]?.value ?? null);
  const max = Math.max(...values.map((v) => (v === null ? 0 : v)), 0);
  const barH = step - 4;
  rows.forEach((r, n) => {
    const v = values[n] ?? null;
    doc.fillColor(INK).text(r.tag, x, yy, { width: labelW - 4, lineBreak: false });
    if (v !== null && max > 0) {
      const bw = Math.max(0.5, (barMax * Math.max(0, v)) / max);
      // Left solid, right lighter: the two sides of a muscle tell apart in grey print too.
      doc.rect(x + labelW, yy, bw, barH).fillOpacity(r.side === 'right' ? 0.45 : 1).fill(r.color).fillOpacity(1);
      doc.rect(x + labelW, yy, bw, barH).lineWidth(0.4).strokeColor('#333333').stroke();
    }
    doc.fillColor(INK).text(r.cells[cellIndex]?.text ?? '—', x + labelW + barMax + 5, yy, { width: valueW - 5, lineBreak: false });
    yy += step;
  });
  doc.moveTo(x + labelW, y + 12).lineTo(x + labelW, yy - 2).lineWidth(0.5).strokeColor('#333333').stroke();
  doc.fontSize(9);
  return yy;
}

/** The level's table: muscle, side, the metrics table's columns, flags (numbered, listed under the table). */
function drawTable(doc: Doc, rows: readonly ReportRow[], title: string): void {
  const cols = reportColumns();
  const w = contentWidth(doc);
  const muscleW = 118;
  const sideW = 30;
  const flagW = 34;
  const numW = (w - muscleW - sideW - flagW) / cols.length;
  const rowH = 15;
  // The header's height: its tallest wrapped column title (a unit must not be cut off), at least 24 pt.
  doc.font('bold').fontSize(8);
  const headerH = Math.max(24, 8 + Math.max(...cols.map((c) => doc.heightOfString(c.header, { width: numW - 4 }))));
  const header = (y: number): number => {
    doc.rect(MARGIN, y, w, headerH).fill('#eeeeee');
    doc.font('bold').fontSize(8).fillColor(INK);
    doc.text('Muscle', MARGIN + 4, y + 4, { width: muscleW - 8 });
    doc.text('Side', MARGIN + muscleW, y + 4, { width: sideW });
    cols.forEach((c, n) => doc.text(c.header, MARGIN + muscleW + sideW + n * numW, y + 4, { width: numW - 4, align: 'right' }));
    doc.text('Flags', MARGIN + muscleW + sideW + cols.length * numW, y + 4, { width: flagW - 2, align: 'right' });
    doc.font('regular').fontSize(8.5);
    return y + headerH;
  };
  // Never a header alone at a page's foot: the header and at least two rows (or all, when fewer) together.
  ensureSpace(doc, headerH + rowH * Math.min(rows.length, 2));
  let y = header(doc.y);
  const notes: string[] = [];
  rows.forEach((r, n) => {
    if (y + rowH > bottom(doc)) {
      // A table that runs on to the next page says whose it is and repeats its header there (the columns' units with the numbers).
      newPage(doc);
      doc.font('bold').fontSize(11).fillColor(INK).text(`${cap(title)} (continued)`, MARGIN, MARGIN, { width: w });
      y = header(doc.y + 4);
    }
    if (n % 2 === 1) doc.rect(MARGIN, y, w, rowH).fill('#f6f6f6');
    doc.rect(MARGIN + 4, y + 4, 7, 7).fill(r.color);
    doc.fillColor(INK).text(r.muscleName, MARGIN + 15, y + 4, { width: muscleW - 18, lineBreak: false, ellipsis: true });
    doc.text(r.side === 'left' ? 'L' : r.side === 'right' ? 'R' : '', MARGIN + muscleW, y + 4, { width: sideW });
    if (r.status === 'absent') {
      doc.fillColor(DIM).text('recorded absent (no numbers)', MARGIN + muscleW + sideW, y + 4, { width: numW * (cols.length - 1) });
      const asym = r.cells[cols.length - 1];
      doc.fillColor(INK).text(asym?.text ?? '—', MARGIN + muscleW + sideW + (cols.length - 1) * numW, y + 4, { width: numW - 4, align: 'right' });
    } else {
      r.cells.forEach((c, k) => doc.text(c.text, MARGIN + muscleW + sideW + k * numW, y + 4, { width: numW - 4, align: 'right', lineBreak: false }));
    }
    if (r.flags.length > 0) {
      const marks = r.flags.map((f) => {
        let i = notes.indexOf(f);
        if (i < 0) i = notes.push(f) - 1;
        return String(i + 1);
      });
      doc.fillColor('#a00000').text(marks.join(','), MARGIN + muscleW + sideW + cols.length * numW, y + 4, { width: flagW - 2, align: 'right', lineBreak: false });
      doc.fillColor(INK);
    }
    y += rowH;
  });
  doc.moveTo(MARGIN, y).lineTo(MARGIN + w, y).lineWidth(0.5).strokeColor(RULE).stroke();
  doc.y = y + 6;
  doc.fontSize(7.5).fillColor(DIM);
  const legend = cols.map((c) => `${c.header}: ${c.info.name}`).join(' · ');
  doc.text(legend, MARGIN, doc.y, { width: w });
  if (notes.length > 0) {
    doc.moveDown(0.4);
    doc.font('bold').fillColor(INK).text('Flags', MARGIN, doc.y);
    doc.font('regular');
    notes.forEach((f, n) => {
      const h = doc.heightOfString(f, { width: w - 16 });
      ensureSpace(doc, h);
      const yy = doc.y;
      doc.fillColor('#a00000').text(String(n + 1), MARGIN, yy, { width: 14 });
      doc.fillColor(INK).text(f, MARGIN + 16, yy, { width: w - 16 });
    });
  }
  doc.fontSize(9).fillColor(INK);
}

function panelPages(doc: Doc, panels: readonly ReportPanel[]): void {
  newPage(doc);
  heading(doc, 'Beyond the muscles');
  const panelRows = panels.map((p) => p.rows.map((r) => [r.label, r.note ? `${r.value}   (${r.note})` : r.value] as const));
  // One label column for every panel, so the values line up down the page.
  const labelW = panelLabelWidth(doc, panelRows.flat());
  for (const [i, p] of panels.entries()) {
    const rows = panelRows[i]!;
    // Keep a panel on one page when it fits on one: its title, rows, caveat and source read together.
    const h = panelHeight(doc, p, rows, labelW);
    if (h <= bottom(doc) - MARGIN) ensureSpace(doc, h);
    section(doc, p.title);
    if (p.subtitle) {
      doc.fillColor(DIM).text(p.subtitle, MARGIN, doc.y, { width: contentWidth(doc) });
      doc.moveDown(0.3);
    }
    fields(doc, rows, labelW);
    doc.moveDown(0.3);
    ensureSpace(doc, 30);
    doc.font('bold').fillColor('#a00000').text(cap(p.caveat), MARGIN, doc.y, { width: contentWidth(doc) });
    doc.font('regular').fontSize(8).fillColor(DIM);
    for (const c of p.citations) doc.text(`Source: ${c}`, MARGIN, doc.y, { width: contentWidth(doc) });
    doc.fontSize(9).fillColor(INK);
  }
}

/** The panels' label column: as wide as the widest label (so most labels stay on one line), 130 pt to 40% of the text width. */
function panelLabelWidth(doc: Doc, rows: readonly (readonly [string, string])[]): number {
  doc.font('regular').fontSize(9);
  const widest = Math.max(0, ...rows.map(([label]) => doc.widthOfString(label)));
  return Math.round(Math.min(Math.max(widest + 12, 130), contentWidth(doc) * 0.4));
}

/** The height a panel takes (as panelPages draws it), measured with the same fonts and widths. */
function panelHeight(doc: Doc, p: ReportPanel, rows: readonly (readonly [string, string])[], labelW: number): number {
  const w = contentWidth(doc);
  doc.font('bold').fontSize(11);
  let h = doc.currentLineHeight(true) * 0.6 + doc.heightOfString(p.title, { width: w }) + 6;
  doc.font('regular').fontSize(9);
  if (p.subtitle) h += doc.heightOfString(p.subtitle, { width: w }) + doc.currentLineHeight(true) * 0.3;
  for (const [label, value] of rows) h += fieldHeight(doc, label, value, labelW) + 2;
  h += doc.currentLineHeight(true) * 0.3;
  doc.font('bold').fontSize(9);
  h += doc.heightOfString(cap(p.caveat), { width: w });
  doc.font('regular').fontSize(8);
  for (const c of p.citations) h += doc.heightOfString(`Source: ${c}`, { width: w });
  doc.fontSize(9);
  return h;
}

/** On every page: the patient, the series, the disclaimer and the page number. */
function footers(doc: Doc, input: ReportInput): void {
  const { start, count } = doc.bufferedPageRange();
  for (let i = start; i < start + count; i++) {
    doc.switchToPage(i);
    const y = doc.page.height - MARGIN - 10;
    // Writing below the bottom margin would start a new page: lift the margin while the footer is written.
    const saved = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    doc.moveTo(MARGIN, y - 4).lineTo(doc.page.width - MARGIN, y - 4).lineWidth(0.5).strokeColor(RULE).stroke();
    doc.font('regular').fontSize(7).fillColor(DIM);
    const left = `Paraspine ${input.softwareVersion} · ${input.series.patientId || 'no patient ID'} · ${input.series.seriesDescription || input.series.seriesInstanceUid} · ${DISCLAIMER}`;
    doc.text(left, MARGIN, y, { width: contentWidth(doc) - 60, lineBreak: false, ellipsis: true });
    doc.text(`Page ${i - start + 1} of ${count}`, doc.page.width - MARGIN - 60, y, { width: 60, align: 'right', lineBreak: false });
    doc.page.margins.bottom = saved;
  }
}
