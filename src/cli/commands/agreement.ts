/**
 * `paraspine agreement DOC DOC… --series FOLDER [--format json|csv] [--out FILE] [--pdf FILE [--date ISO]]`: inter-rater agreement
 * of two or more raters' annotation documents of one series. Each document is measured on the series'
 * HU through the measuring use case (node/measureSeries.ts, as `measure --annotations` does); the
 * outlines are paired by level, muscle and side and compared by core/agreement (Dice, Hausdorff mm, and
 * per metric ICC(2,1) with its 95% CI and Bland-Altman bias and limits of agreement); `--pdf` also
 * writes the Bland-Altman plots (node/reports/agreementPdf.ts).
 */
import type { AgreementReport } from '../../core/agreement/agreement';
import { toCsv } from '../../core/format/csv';
import { AGREEMENT_FORMAT, AGREEMENT_VERSION, agreementJson, agreementOfDocuments, readAgreementDocuments } from '../../node/agreement';
import { folderSeries } from '../../node/measureSeries';
import { oneOf, parse, UsageError, type OptionTable } from '../args';
import type { Output } from '../main';
import { requireFolder } from './series';
import { parseIsoDate } from '../isoDate';

export { AGREEMENT_FORMAT, AGREEMENT_VERSION };

/** The CSV's columns: one table of ROI rows (Dice, Hausdorff per pair of raters), ICC rows and Bland-Altman rows. */
export const AGREEMENT_CSV_COLUMNS = [
  'kind',
  'level',
  'muscle',
  'side',
  'metric',
  'unit',
  'raterA',
  'raterB',
  'n',
  'dice',
  'hausdorffMm',
  'icc',
  'iccLower',
  'iccUpper',
  'bias',
  'sd',
  'loaLower',
  'loaUpper',
  'note',
] as const;

/** Every option of `agreement` (its parser and its help). */
export const AGREEMENT_OPTIONS = {
  series: { type: 'string', help: { value: 'FOLDER', text: 'The CT series the documents outline (required: its grid and HU).', default: 'none: required' } },
  format: { type: 'string', help: { value: 'json|csv', text: 'Format of the agreement report.', default: 'json' } },
  out: { type: 'string', help: { value: 'FILE', text: 'Write the report to FILE instead of stdout.', default: 'stdout' } },
  pdf: { type: 'string', help: { value: 'FILE', text: 'Also write a PDF with the Bland-Altman plots.', default: 'none' } },
  date: { type: 'string', help: { value: 'ISO', text: "The PDF's date (with it the same documents give the same PDF bytes, as the app's Export PDF).", default: 'now' } },
} as const satisfies OptionTable;

export async function runAgreement(argv: string[], out: Output): Promise<void> {
  const { values, positionals } = parse(argv, AGREEMENT_OPTIONS, Number.MAX_SAFE_INTEGER);
  const format = oneOf(values.format, ['json', 'csv'] as const, '--format', 'json');
  if (positionals.length < 2) throw new UsageError(`agreement needs the annotation documents of at least 2 raters (got ${positionals.length})`);
  if (values.series === undefined) throw new UsageError('agreement needs --series FOLDER: the CT series the documents outline (its grid and HU)');
  if (values.date !== undefined && parseIsoDate(values.date) === null) {
    throw new UsageError(`--date must be an ISO 8601 date or date-time (got '${values.date}')`);
  }
  const folder = await requireFolder(values.series, 'series folder');

  // Every document first (one line naming a bad one, before any series is loaded), then measured and compared: node/agreement.ts, as the app's agreement view.
  const docs = await readAgreementDocuments(positionals);
  const outcome = await agreementOfDocuments((uid) => folderSeries(folder, uid), docs, (l) => out.note(l));
  const { report, series, documents } = outcome;
  const text = format === 'csv' ? agreementCsv(report) : JSON.stringify(agreementJson(outcome), null, 2) + '\n';
  await out.emit(text, values.out);
  if (values.pdf !== undefined) {
    // The Bland-Altman plots (and the ICC and ROI tables) as a PDF, beside the JSON or CSV.
    const { renderAgreementPdf } = await import('../../node/reports/agreementPdf');
    const { APP_VERSION } = await import('../../node/appVersion');
    const pdf = await renderAgreementPdf({ report, seriesLabel: series.seriesDescription || series.seriesInstanceUid, documents, madeAt: (values.date !== undefined ? new Date(values.date) : new Date()).toISOString(), softwareVersion: APP_VERSION });
    await out.emit(pdf, values.pdf);
  }
}

/** The tidy CSV: a row per ROI and pair of raters, a row per metric (ICC), a row per metric and pair of raters (Bland-Altman). */
export function agreementCsv(report: AgreementReport): string {
  const rows: Record<string, unknown>[] = [];
  for (const r of report.rois) {
    const roi = { level: r.level, muscle: r.muscle, side: r.side };
    for (const p of r.pairs) rows.push({ kind: 'roi', ...roi, raterA: p.raterA, raterB: p.raterB, dice: p.dice, hausdorffMm: p.hausdorffMm, note: p.note ?? '' });
    if (r.missing.length) rows.push({ kind: 'roi', ...roi, note: `not outlined by ${r.missing.join(', ')}` });
  }
  for (const m of report.metrics) {
    const metric = { metric: m.key, unit: m.unit };
    rows.push(m.icc.ok ? { kind: 'icc', ...metric, n: m.targets, icc: m.icc.icc, iccLower: m.icc.lower, iccUpper: m.icc.upper } : { kind: 'icc', ...metric, n: m.targets, note: m.icc.reason });
    for (const b of m.blandAltman) {
      const pair = { kind: 'blandAltman', ...metric, raterA: b.raterA, raterB: b.raterB };
      rows.push(b.ok ? { ...pair, n: b.n, bias: b.bias, sd: b.sd, loaLower: b.lower, loaUpper: b.upper } : { ...pair, note: b.reason });
    }
  }
  return toCsv(AGREEMENT_CSV_COLUMNS, rows);
}
