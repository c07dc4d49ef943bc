/**
 * DICOM Comprehensive SR following TID 1500 (Measurement Report): one measurement group (TID 1410,
 * planar ROI) per measured ROI with its tracking identifier and UID, its finding site (the coded
 * muscle, laterality as a HAS CONCEPT MOD of the site), its outline(s) as closed SCOORD POLYLINEs on
 * its CT image, its area (mm2) and its mean and SD attenuation ([hnsf'U]) with their derivations.
 *
 * Outlines of mask records are the outer boundaries of the mask's components along pixel edges
 * (core/roi/maskToContours): the pixel centres inside are exactly the pixels measured, except that a
 * hole in the mask lies inside its outline (TID 1410 has no holes); the Area is always the pixels
 * measured.
 *
 * The dataset is built here and written with dcmjs's writer: dcmjs's own TID 1500 templates are not
 * used (in 0.52 they refuse valid tracking identifiers and write the finding site as CONTAINS with a
 * private coding scheme).
 */
import type { NaturalDataset } from 'dcmjs';
import { MUSCLE_NAMES as MUSCLE_LABELS } from '../../core/anatomy/muscleStyle';
import { LATERALITY_CODES, MUSCLE_CODES, SR_CODES, VERTEBRA_CODES, type CodedConcept } from '../../core/anatomy/codes';
import type { MeasurementRecord } from '../../core/metrics/records';
import type { DicomReportInput, DicomReportRoi } from '../../core/report/dicomInput';
import { APP_VERSION } from '../appVersion';
import { codeItem, dicomDateTime, formatDs, MANUFACTURER, newUid, patientStudyEquipment, sliceImage, writeDataset } from './dicomWrite';

export const COMPREHENSIVE_SR_SOP_CLASS = '1.2.840.10008.5.1.4.1.1.88.33';

export interface DicomObjectOptions {
  /** When the object is made (ContentDate/Time); default now. */
  readonly at?: Date;
  readonly seriesNumber?: number;
}

export interface DicomObject {
  readonly bytes: Buffer;
  readonly sopInstanceUid: string;
  readonly seriesInstanceUid: string;
  /** ROIs not written, each with why (a structure that is no coded muscle). */
  readonly leftOut: string[];
}

type Rel = 'CONTAINS' | 'HAS OBS CONTEXT' | 'HAS CONCEPT MOD' | 'SELECTED FROM';

function item(rel: Rel, valueType: string, name: CodedConcept | null, rest: NaturalDataset = {}): NaturalDataset {
  return { RelationshipType: rel, ValueType: valueType, ...(name ? { ConceptNameCodeSequence: [codeItem(name)] } : {}), ...rest };
}

const container = (rel: Rel, name: CodedConcept, children: NaturalDataset[]) =>
  item(rel, 'CONTAINER', name, { ContinuityOfContent: 'SEPARATE', ContentSequence: children });
const code = (rel: Rel, name: CodedConcept, value: CodedConcept, children?: NaturalDataset[]) =>
  item(rel, 'CODE', name, { ConceptCodeSequence: [codeItem(value)], ...(children ? { ContentSequence: children } : {}) });
const text = (rel: Rel, name: CodedConcept, value: string) => item(rel, 'TEXT', name, { TextValue: value });
const uidref = (rel: Rel, name: CodedConcept, value: string) => item(rel, 'UIDREF', name, { UID: value });

function imageRef(img: { sopClassUid: string; sopInstanceUid: string; frameNumber: number | null }): NaturalDataset {
  return {
    ReferencedSOPClassUID: img.sopClassUid,
    ReferencedSOPInstanceUID: img.sopInstanceUid,
    ...(img.frameNumber !== null ? { ReferencedFrameNumber: String(img.frameNumber) } : {}),
  };
}

function num(name: CodedConcept, value: number, unit: CodedConcept, children?: NaturalDataset[]): NaturalDataset {
  return item('CONTAINS', 'NUM', name, {
    MeasuredValueSequence: [{ MeasurementUnitsCodeSequence: [codeItem(unit)], NumericValue: formatDs(value), FloatingPointValue: value }],
    ...(children ? { ContentSequence: children } : {}),
  });
}

/** The tracking identifier of a ROI: level, muscle, side and slice (unique within a report). */
export function trackingIdentifier(roi: DicomReportRoi): string {
  const r = roi.record;
  const muscle = r.muscle === null || r.muscle === 'trabecularBone' ? r.structure : r.muscle === 'autochthon' ? 'Autochthon' : MUSCLE_LABELS[r.muscle];
  return [r.level ?? `slice ${roi.sliceIndex}`, muscle, r.side ?? ''].filter(Boolean).join(' ');
}

/**
 * SCOORD GraphicData of a closed outline: (column, row) pairs in DICOM image coordinates, where the
 * top left corner of the top left pixel is 0,0 (so pixel centre (i, j) is i + 0.5, j + 0.5), with the
 * first point repeated at the end (a closed POLYLINE).
 */
export function scoordPoints(outline: readonly (readonly [number, number])[]): number[] {
  const out: number[] = [];
  for (const [i, j] of [...outline, outline[0]!]) out.push(i + 0.5, j + 0.5);
  return out;
}

function measurementGroup(input: DicomReportInput, roi: DicomReportRoi): NaturalDataset {
  const r = roi.record;
  const img = imageRef(sliceImage(input.references, roi.sliceIndex));
  const site = findingSite(r)!; // codedRois kept only records with one
  const children: NaturalDataset[] = [
    text('HAS OBS CONTEXT', SR_CODES.trackingIdentifier, trackingIdentifier(roi)),
    uidref('HAS OBS CONTEXT', SR_CODES.trackingUid, newUid()),
    code('HAS CONCEPT MOD', SR_CODES.findingSite, site, r.side ? [code('HAS CONCEPT MOD', SR_CODES.laterality, LATERALITY_CODES[r.side])] : undefined),
  ];
  // TID 1410 has one Image Region; a ROI of several separate parts (a mask with several components)
  // gets one SCOORD per part, all on the same image.
  for (const outline of roi.outlines) {
    children.push(
      item('CONTAINS', 'SCOORD', SR_CODES.imageRegion, {
        GraphicType: 'POLYLINE',
        GraphicData: scoordPoints(outline),
        ContentSequence: [item('SELECTED FROM', 'IMAGE', null, { ReferencedSOPSequence: [img] })],
      }),
    );
  }
  if (r.areaMm2 !== null) children.push(num(SR_CODES.area, r.areaMm2, SR_CODES.mm2));
  const derived = (d: CodedConcept) => [code('HAS CONCEPT MOD', SR_CODES.derivation, d)];
  if (r.meanHu !== null) children.push(num(SR_CODES.attenuation, r.meanHu, SR_CODES.hu, derived(SR_CODES.mean)));
  if (r.sdHu !== null) children.push(num(SR_CODES.attenuation, r.sdHu, SR_CODES.hu, derived(SR_CODES.sd)));
  return container('CONTAINS', SR_CODES.measurementGroup, children);
}

/** The ROIs a DICOM object can code (a known muscle), and the rest with why. */
/**
 * The finding site of a record: its muscle's code, or for a trabecular bone ROI (core/bone) its
 * vertebra's (the structure names it: 'L1 trabecular'); null when Paraspine has no code for it.
 */
export function findingSite(r: MeasurementRecord): CodedConcept | null {
  if (r.muscle === 'trabecularBone') return VERTEBRA_CODES[`vertebrae_${r.structure.split(' ')[0]}`] ?? null;
  return r.muscle ? MUSCLE_CODES[r.muscle] : null;
}

export function codedRois(input: DicomReportInput): { rois: DicomReportRoi[]; leftOut: string[] } {
  const rois: DicomReportRoi[] = [];
  const leftOut: string[] = [];
  for (const roi of input.rois) {
    if (findingSite(roi.record) === null) leftOut.push(`${roi.record.structure} (slice ${roi.sliceIndex}): not a structure Paraspine can code`);
    else rois.push(roi);
  }
  return { rois, leftOut };
}

/** The SR as a naturalized dataset (for tests and for writing). */
export function buildSrDataset(input: DicomReportInput, opts: DicomObjectOptions = {}): { dataset: NaturalDataset; leftOut: string[] } {
  const refs = input.references;
  const { rois, leftOut } = codedRois(input);
  const { date, time } = dicomDateTime(opts.at ?? new Date());
  // The image library: each CT image a group refers to, once, in slice order.
  const slices = [...new Set(rois.map((r) => r.sliceIndex))].sort((a, b) => a - b);
  const images = slices.map((k) => sliceImage(refs, k));
  const library = container('CONTAINS', SR_CODES.imageLibrary, [
    container('CONTAINS', SR_CODES.imageLibraryGroup, images.map((img) => item('CONTAINS', 'IMAGE', null, { ReferencedSOPSequence: [imageRef(img)] }))),
  ]);
  const sopInstanceUid = newUid();
  const root: NaturalDataset = {
    ValueType: 'CONTAINER',
    ConceptNameCodeSequence: [codeItem(SR_CODES.measurementReport)],
    ContinuityOfContent: 'SEPARATE',
    ContentTemplateSequence: [{ MappingResource: 'DCMR', TemplateIdentifier: '1500' }],
    ContentSequence: [
      code('HAS CONCEPT MOD', SR_CODES.languageOfContent, SR_CODES.english),
      code('HAS OBS CONTEXT', SR_CODES.observerType, SR_CODES.device),
      uidref('HAS OBS CONTEXT', SR_CODES.deviceObserverUid, DEVICE_OBSERVER_UID),
      text('HAS OBS CONTEXT', SR_CODES.deviceObserverName, MANUFACTURER),
      text('HAS OBS CONTEXT', SR_CODES.deviceObserverManufacturer, MANUFACTURER),
      text('HAS OBS CONTEXT', SR_CODES.deviceObserverModelName, `${MANUFACTURER} ${APP_VERSION}`),
      code('HAS CONCEPT MOD', SR_CODES.procedureReported, SR_CODES.ctProcedure),
      library,
      container('CONTAINS', SR_CODES.imagingMeasurements, rois.map((roi) => measurementGroup(input, roi))),
    ],
  };
  const byInstance = new Map(images.map((img) => [img.sopInstanceUid, img]));
  const dataset: NaturalDataset = {
    ...patientStudyEquipment(refs),
    SOPClassUID: COMPREHENSIVE_SR_SOP_CLASS,
    SOPInstanceUID: sopInstanceUid,
    InstanceCreationDate: date,
    InstanceCreationTime: time,
    Modality: 'SR',
    SeriesInstanceUID: newUid(),
    SeriesNumber: String(opts.seriesNumber ?? 900),
    SeriesDescription: 'Paraspine muscle measurements',
    InstanceNumber: '1',
    ContentDate: date,
    ContentTime: time,
    ReferencedPerformedProcedureStepSequence: [],
    PerformedProcedureCodeSequence: [],
    CompletionFlag: 'COMPLETE',
    VerificationFlag: 'UNVERIFIED',
    CurrentRequestedProcedureEvidenceSequence: images.length
      ? [
          {
            StudyInstanceUID: refs.studyInstanceUid,
            ReferencedSeriesSequence: [{ SeriesInstanceUID: refs.seriesInstanceUid, ReferencedSOPSequence: [...byInstance.values()].map((img) => ({ ReferencedSOPClassUID: img.sopClassUid, ReferencedSOPInstanceUID: img.sopInstanceUid })) }],
          },
        ]
      : [],
    ...root,
  };
  return { dataset, leftOut };
}

/** The SR file of a measurement. */
export function makeSr(input: DicomReportInput, opts: DicomObjectOptions = {}): DicomObject {
  const { dataset, leftOut } = buildSrDataset(input, opts);
  return { bytes: writeDataset(dataset), sopInstanceUid: dataset['SOPInstanceUID'] as string, seriesInstanceUid: dataset['SeriesInstanceUID'] as string, leftOut };
}

/** Paraspine as a device observer (a fixed 2.25 UUID-derived UID). */
const DEVICE_OBSERVER_UID = '2.25.305829604361622170376390432640217658519';
