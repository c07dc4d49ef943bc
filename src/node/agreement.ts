/**
 * Inter-rater agreement of saved annotation documents of one series: what `paraspine agreement` prints
 * and the app's agreement view shows (agreement:reads), one code path. The documents are read and
 * checked (same series, a rater each, different raters), each is measured on the series' HU through
 * the measuring use case (measureSeries, as `measure --annotations` does), and core/agreement pairs
 * and compares the outlines.
 */
import type { AnnotationDocument } from '../core/annotations/document';
import { agreement, type AgreementReport, type RaterRead } from '../core/agreement/agreement';
import { UserError } from '../core/errors';
import type { SeriesLocator } from '../shared/contract';
import { measureSeries, readAnnotations, type MeasureResult, type SeriesRef } from './measureSeries';

export const AGREEMENT_FORMAT = 'paraspine-agreement';
export const AGREEMENT_VERSION = 1;

export interface AgreementDocument {
  path: string;
  document: AnnotationDocument;
  revision: string;
}

/**
 * Every document read first: a document of another series, without a rater, or of a rater already read
 * is refused with one line naming it, before any series is loaded.
 */
export async function readAgreementDocuments(files: readonly string[]): Promise<AgreementDocument[]> {
  const docs: AgreementDocument[] = [];
  for (const file of files) {
    const { document, revision } = await readAnnotations(file);
    if (document.rater.trim() === '') throw new UserError('input', `${file}: the document names no rater: agreement compares raters' reads`);
    const first = docs[0];
    if (first && document.series.seriesInstanceUid !== first.document.series.seriesInstanceUid) {
      throw new UserError('input', `${file}: annotations are for series ${document.series.seriesInstanceUid}, not ${first.document.series.seriesInstanceUid} (the series of ${first.path})`);
    }
    const same = docs.find((d) => d.document.rater.trim() === document.rater.trim());
    if (same) throw new UserError('input', `${file}: rater ${JSON.stringify(document.rater)} also wrote ${same.path}: agreement compares different raters`);
    docs.push({ path: file, document, revision });
  }
  return docs;
}

export interface AgreementOutcome {
  report: AgreementReport;
  series: MeasureResult['series'];
  documents: { path: string; rater: string; revision: string; modifiedAt: string; signedOff: { by: string; at: string } | null }[];
}

/** Measure each document on the series (`series(uid)`: where its HU is read) and compare the reads. */
export async function agreementOfDocuments<L extends SeriesLocator>(series: (uid: string) => SeriesRef<L>, docs: readonly AgreementDocument[], note: (line: string) => void): Promise<AgreementOutcome> {
  const uid = docs[0]!.document.series.seriesInstanceUid;
  const reads: RaterRead[] = [];
  let geometry;
  let measured;
  for (const d of docs) {
    const r = await measureSeries({ series: series(uid), annotations: d.path }, (l) => note(`${d.path}: ${l}`));
    geometry ??= r.dicom!.geometry;
    measured ??= r.series;
    reads.push({ rater: d.document.rater, rois: d.document.rois, records: r.measurements });
  }
  const report = agreement(geometry!, reads);
  const documents = docs.map((d) => ({ path: d.path, rater: d.document.rater, revision: d.revision, modifiedAt: d.document.modifiedAt, signedOff: d.document.signedOff ?? null }));
  return { report, series: measured!, documents };
}

/** The JSON report (`paraspine agreement --format json`, the app's agreement view). */
export function agreementJson(o: AgreementOutcome) {
  const s = o.series;
  return {
    format: AGREEMENT_FORMAT,
    version: AGREEMENT_VERSION,
    series: { seriesInstanceUid: s.seriesInstanceUid, studyInstanceUid: s.studyInstanceUid, patientId: s.patientId, seriesDescription: s.seriesDescription },
    documents: o.documents,
    ...o.report,
  };
}
