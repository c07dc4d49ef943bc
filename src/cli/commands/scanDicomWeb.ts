/**
 * `paraspine scan http://HOST/dicom-web [--patient … --date …]`: the studies a DICOMweb server finds
 * (QIDO-RS) with their series, listed like a folder scan (from each study's WADO-RS metadata); or the
 * one study a URL `…/studies/STUDY_UID` names.
 */
import type { ScanResult } from '../../core/dicom/types';
import { DicomWebSeriesSource, defaultDicomWebCacheDir } from '../../node/dicomweb/source';
import { jsonText } from '../../node/dicomweb/client';
import { parseDicomWebUrl } from '../../node/dicomweb/url';
import { UsageError } from '../args';

export interface ScanSearch {
  json?: boolean;
  patient?: string;
  'patient-id'?: string;
  date?: string;
  accession?: string;
  description?: string;
  modality?: string;
}

/** A study date or range as QIDO-RS takes it: YYYYMMDD, YYYYMMDD-YYYYMMDD, -YYYYMMDD or YYYYMMDD-. */
const DATE = /^(\d{8}|\d{8}-\d{8}|-\d{8}|\d{8}-)$/;

/** One study found, listed like a folder. */
export type DicomWebStudy = ScanResult & { studyInstanceUid: string };

/** The studies the search finds (or the one the URL names), each listed from its metadata. */
export async function scanDicomWeb(url: string, search: ScanSearch): Promise<{ root: string; studies: DicomWebStudy[] }> {
  const addr = parseDicomWebUrl(url);
  if (addr.seriesUid) throw new UsageError(`${url}: scan lists a server or a study, not one series (drop /series/…)`);
  const date = search.date?.replace(/(\d{4})-(\d{2})-(\d{2})/g, '$1$2$3'); // 2024-01-31 as 20240131
  if (date !== undefined && !DATE.test(date)) throw new UsageError(`--date must be YYYYMMDD or a range YYYYMMDD-YYYYMMDD (either end may be left open), got '${search.date}'`);
  const source = new DicomWebSeriesSource({ cacheDir: defaultDicomWebCacheDir() });
  let studies: string[];
  if (addr.studyUid) studies = [addr.studyUid];
  else {
    const found = await source.client(addr.base).searchStudies({
      ...(search.patient !== undefined ? { patientName: search.patient } : {}),
      ...(search['patient-id'] !== undefined ? { patientId: search['patient-id'] } : {}),
      ...(date !== undefined ? { studyDate: date } : {}),
      ...(search.accession !== undefined ? { accessionNumber: search.accession } : {}),
      ...(search.description !== undefined ? { studyDescription: search.description } : {}),
      ...(search.modality !== undefined ? { modality: search.modality } : {}),
    });
    studies = found.map((s) => jsonText(s, '0020000D')).filter((u) => u !== '');
  }
  const studiesFound: DicomWebStudy[] = [];
  for (const studyUid of studies) studiesFound.push({ studyInstanceUid: studyUid, ...(await source.list({ kind: 'dicomweb', url: addr.base, studyUid })) });
  return { root: addr.base, studies: studiesFound };
}
