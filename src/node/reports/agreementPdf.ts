/**
 * The agreement report as a PDF (pdfkit): the raters' documents, per metric the ICC(2,1) with its 95%
 * CI, and a Bland-Altman plot per metric and pair of raters (difference against mean, the bias and the
 * limits of agreement as lines). Vector only; DejaVu Sans as the measurement report (pdf.ts: fontDir).
 */
import { join } from 'node:path';
import PDFDocument from 'pdfkit';
import type { AgreementReport, MetricAgreement } from '../../core/agreement/agreement';
import { UserError } from '../../core/errors';
import { DISCLAIMER, fontDir, PAPER_SIZES } from './pdf';

export interface AgreementPdfInput {
  report: AgreementReport;
  seriesLabel: string;
  documents: readonly { path: string; rater: string; revision: string }[];
  /** ISO time: the PDF's dates (the same input gives the same bytes). */
  madeAt: string;
  softwareVersion: string;
}

type Doc = InstanceType<typeof PDFDocument>;
const MARGIN = 42;
const INK = '#111111';
const DIM = '#555555';

/** Up to 4 significant digits, as a reader wants them on a plot. */
const num = (v: number | null | undefined) => (v === null || v === undefined || !Number.isFinite(v) ? '–' : String(Number(v.toPrecision(4))));

export async function renderAgreementPdf(input: AgreementPdfInput): Promise<Uint8Array> {
  const made = new Date(input.madeAt);
  if (Number.isNaN(made.getTime())) throw new UserError('input', `report date '${input.madeAt}' is not an ISO 8601 date`);
  const fonts = fontDir();
  const doc: Doc = new PDFDocument({
    size: [...PAPER_SIZES.a4],
    margin: MARGIN,
    autoFirstPage: false,
    pdfVersion: '1.7',
    font: join(fonts, 'DejaVuSans.ttf'),
    info: { Title: `Inter-rater agreement: ${input.seriesLabel}`, Subject: DISCLAIMER, Creator: `Paraspine ${input.softwareVersion}`, Producer: `Paraspine ${input.softwareVersion} (PDFKit)`, CreationDate: made, ModDate: made },
  });
  doc.registerFont('regular', join(fonts, 'DejaVuSans.ttf'));
  doc.registerFont('bold', join(fonts, 'DejaVuSans-Bold.ttf'));
  const chunks: Buffer[] = [];
  const done = new Promise<Uint8Array>((resolve, reject) => {
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(new Uint8Array(Buffer.concat(chunks))));
    doc.on('error', reject);
  });
  const width = PAPER_SIZES.a4[0] - 2 * MARGIN;

  doc.addPage();
  doc.font('bold').fontSize(15).fillColor(INK).text('Inter-rater agreement', MARGIN, MARGIN, { width });
  doc.font('regular').fontSize(9).fillColor(DIM).text(`${input.seriesLabel} · ${DISCLAIMER}`, { width });
  doc.moveDown(0.8).fillColor(INK).font('bold').fontSize(11).text('Documents');
  doc.font('regular').fontSize(9);
  for (const d of input.documents) doc.text(`${d.rater}: ${d.path} (${d.revision.slice(0, 19)}…)`, { width });
  doc.moveDown(0.8).font('bold').fontSize(11).text('ICC(2,1), two-way random, absolute agreement, single rater (95% CI)');
  doc.font('regular').fontSize(9);
  for (const m of input.report.metrics) {
    const icc = m.icc.ok ? `${num(m.icc.icc)} [${num(m.icc.lower)}, ${num(m.icc.upper)}]` : `not computed: ${m.icc.reason}`;
    doc.text(`${m.label} (${m.unit}), ${m.targets} ROIs: ${icc}`, { width });
  }
  doc.moveDown(0.8).font('bold').fontSize(11).text('ROIs: Dice, Hausdorff (mm)');
  doc.font('regular').fontSize(9);
  for (const r of input.report.rois) {
    const pairs = r.pairs.map((p) => `${p.raterA} vs ${p.raterB}: Dice ${num(p.dice)}, Hausdorff ${num(p.hausdorffMm)} mm`).join('; ');
    doc.text(`${r.level} ${r.muscle} ${r.side}: ${pairs || `not outlined by ${r.missing.join(', ')}`}`, { width });
  }

  // Bland-Altman plots, two per page.
  const plots = input.report.metrics.flatMap((m) => m.blandAltman.map((b) => ({ m, b })));
  const plotH = (PAPER_SIZES.a4[1] - 2 * MARGIN - 40) / 2;
  plots.forEach(({ m, b }, n) => {
    if (n % 2 === 0) doc.addPage();
    plot(doc, m, b, MARGIN, MARGIN + (n % 2) * (plotH + 20), width, plotH);
  });
  doc.end();
  return done;
}

function plot(doc: Doc, m: MetricAgreement, b: MetricAgreement['blandAltman'][number], x0: number, y0: number, w: number, h: number): void {
  doc.font('bold').fontSize(11).fillColor(INK).text(`Bland-Altman: ${m.label} (${m.unit}), ${b.raterB} − ${b.raterA}`, x0, y0, { width: w });
  if (!b.ok) {
    doc.font('regular').fontSize(9).text(`not computed: ${b.reason}`, x0, doc.y, { width: w });
    return;
  }
  doc.font('regular').fontSize(9).fillColor(DIM).text(`n ${b.n}, bias ${num(b.bias)}, limits of agreement ${num(b.lower)} to ${num(b.upper)} (bias ± 1.96 SD)`, x0, doc.y, { width: w });
  const top = doc.y + 6;
  const left = x0 + 40;
  const pw = w - 50;
  const ph = y0 + h - top - 24;
  const xs = b.points.map((p) => p.mean);
  const ys = [...b.points.map((p) => p.difference), b.lower, b.upper, 0];
  const span = (lo: number, hi: number) => (hi - lo > 0 ? [lo - (hi - lo) * 0.08, hi + (hi - lo) * 0.08] : [lo - 1, hi + 1]) as [number, number];
  const [xl, xh] = span(Math.min(...xs), Math.max(...xs));
  const [yl, yh] = span(Math.min(...ys), Math.max(...ys));
  const px = (v: number) => left + ((v - xl) / (xh - xl)) * pw;
  const py = (v: number) => top + ph - ((v - yl) / (yh - yl)) * ph;
  doc.lineWidth(0.6).strokeColor('#888888').rect(left, top, pw, ph).stroke();
  const hline = (v: number, label: string, dash: boolean) => {
    if (dash) doc.dash(4, { space: 3 });
    doc.strokeColor(INK).moveTo(left, py(v)).lineTo(left + pw, py(v)).stroke();
    doc.undash();
    doc.fillColor(DIM).fontSize(7).text(`${label} ${num(v)}`, left + 3, py(v) - 9, { lineBreak: false });
  };
  hline(b.bias, 'bias', false);
  hline(b.upper, 'upper limit', true);
  hline(b.lower, 'lower limit', true);
  doc.fillColor('#1f5fa8');
  for (const p of b.points) doc.circle(px(p.mean), py(p.difference), 2.2).fill();
  doc.fillColor(DIM).fontSize(7);
  doc.text(num(xl), left, top + ph + 3, { lineBreak: false });
  doc.text(num(xh), left + pw - 30, top + ph + 3, { width: 30, align: 'right', lineBreak: false });
  doc.text(`mean of the two raters (${m.unit})`, left, top + ph + 12, { width: pw, align: 'center', lineBreak: false });
  doc.text(num(yh), x0, top, { width: 36, align: 'right', lineBreak: false });
  doc.text(num(yl), x0, top + ph - 8, { width: 36, align: 'right', lineBreak: false });
}
