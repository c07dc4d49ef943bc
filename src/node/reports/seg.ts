/**
 * DICOM SEG (BINARY) of the measured ROIs: one segment per muscle x side (laterality nested in the
 * segmented property type item), one frame per segment and CT slice that holds its pixels, on the CT's
 * geometry, each frame referencing its CT image by SOPInstanceUID (and frame number in a multi-frame
 * image).
 *
 * The dataset is built here rather than with dcmjs's Segmentation derivation: that path normalizes the
 * whole CT series (copying every slice's pixel data) only to learn its geometry, which the
 * SeriesReferences and the volume geometry already give. dcmjs writes the file.
 */
import type { NaturalDataset } from 'dcmjs';
import { ANATOMICAL_STRUCTURE, LATERALITY_CODES, MUSCLE_CODES } from '../../core/anatomy/codes';
import type { Muscle, Side } from '../../core/anatomy/anatomy';
import { MUSCLE_NAMES as MUSCLE_LABELS } from '../../core/anatomy/muscleStyle';
import { sliceSpacingMm } from '../../core/geometry/volumeGeometry';
import type { DicomReportInput } from '../../core/report/dicomInput';
import { UserError } from '../../core/errors';
import { codedRois, type DicomObject, type DicomObjectOptions } from './sr';
import { codeItem, dicomDateTime, formatDs, newUid, patientStudyEquipment, sliceImage, writeDataset } from './dicomWrite';

export const SEGMENTATION_SOP_CLASS = '1.2.840.10008.5.1.4.1.1.66.4';

/** Segment names as the mask loaders give them (identifyStructure knows them): psoas_left, erector_spinae_right, ... */
export const SEGMENT_NAMES: Readonly<Record<Muscle | 'autochthon', string>> = {
  psoas: 'psoas',
  erectorSpinae: 'erector_spinae',
  multifidus: 'multifidus',
  quadratusLumborum: 'quadratus_lumborum',
  autochthon: 'autochthon',
};

interface Segment {
  number: number;
  muscle: Muscle | 'autochthon';
  side: Side | null;
  /** Slice k -> its pixels of this segment (the union of the segment's ROIs on that slice). */
  frames: Map<number, Uint8Array>;
}

/** Pack 0/1 frames into DICOM's 1-bit pixel data: bits continuous across frames, least significant bit first, padded to an even length. */
export function packBits(frames: readonly Uint8Array[], pixelsPerFrame: number): Uint8Array {
  const total = frames.length * pixelsPerFrame;
  const out = new Uint8Array(Math.ceil(Math.ceil(total / 8) / 2) * 2);
  let bit = 0;
  for (const f of frames) {
    for (let p = 0; p < pixelsPerFrame; p++, bit++) if (f[p]) out[bit >> 3]! |= 1 << (bit & 7);
  }
  return out;
}

export function buildSegDataset(input: DicomReportInput, opts: DicomObjectOptions = {}): { dataset: NaturalDataset; leftOut: string[] } {
  const refs = input.references;
  const g = input.geometry;
  if (!refs.frameOfReferenceUid) throw new UserError('input', `series ${refs.seriesInstanceUid} has no FrameOfReferenceUID: a SEG on its geometry cannot be written`);
  const coded = codedRois(input);
  const leftOut = [...coded.leftOut];
  // The SEG holds the muscles (one segment per muscle and side); a trabecular bone ROI is in the SR only.
  const rois = coded.rois.filter((roi) => roi.record.muscle !== 'trabecularBone' || (leftOut.push(`${roi.record.structure} (slice ${roi.sliceIndex}): bone ROIs are reported in the SR, not the SEG`), false));
  const n = g.rows * g.columns;
  const segments: Segment[] = [];
  for (const roi of rois) {
    const muscle = roi.record.muscle as Exclude<typeof roi.record.muscle, 'trabecularBone' | null>;
    const side = roi.record.side;
    let seg = segments.find((s) => s.muscle === muscle && s.side === side);
    if (!seg) segments.push((seg = { number: 0, muscle, side, frames: new Map() }));
    const frame = seg.frames.get(roi.sliceIndex) ?? new Uint8Array(n);
    for (let p = 0; p < n; p++) if (roi.mask[p]) frame[p] = 1;
    seg.frames.set(roi.sliceIndex, frame);
  }
  // Segments in the muscle order of the exports, left before right.
  const order = Object.keys(SEGMENT_NAMES);
  segments.sort((a, b) => order.indexOf(a.muscle) - order.indexOf(b.muscle) || String(a.side).localeCompare(String(b.side)));
  segments.forEach((s, i) => (s.number = i + 1));

  const { date, time } = dicomDateTime(opts.at ?? new Date());
  const dimensionUid = newUid();
  const frames: Uint8Array[] = [];
  const perFrame: NaturalDataset[] = [];
  const referenced = new Map<string, { sopClassUid: string; sopInstanceUid: string }>();
  for (const seg of segments) {
    for (const k of [...seg.frames.keys()].sort((a, b) => a - b)) {
      const img = sliceImage(refs, k);
      referenced.set(img.sopInstanceUid, img);
      frames.push(seg.frames.get(k)!);
      const p = g.slicePositions[k]!;
      perFrame.push({
        DerivationImageSequence: [
          {
            SourceImageSequence: [
              {
                ReferencedSOPClassUID: img.sopClassUid,
                ReferencedSOPInstanceUID: img.sopInstanceUid,
                ...(img.frameNumber !== null ? { ReferencedFrameNumber: String(img.frameNumber) } : {}),
                PurposeOfReferenceCodeSequence: [{ CodeValue: '121322', CodingSchemeDesignator: 'DCM', CodeMeaning: 'Source image for image processing operation' }],
              },
            ],
            DerivationCodeSequence: [{ CodeValue: '113076', CodingSchemeDesignator: 'DCM', CodeMeaning: 'Segmentation' }],
          },
        ],
        FrameContentSequence: [{ DimensionIndexValues: [seg.number, k + 1] }],
        PlanePositionSequence: [{ ImagePositionPatient: [...p].map((v) => formatDs(v)) }],
        SegmentIdentificationSequence: [{ ReferencedSegmentNumber: seg.number }],
      });
    }
  }
  const segmentSequence = segments.map((s) => ({
    SegmentNumber: s.number,
    SegmentLabel: s.side ? `${SEGMENT_NAMES[s.muscle]}_${s.side}` : SEGMENT_NAMES[s.muscle],
    SegmentDescription: s.muscle === 'autochthon' ? 'Autochthon (erector spinae and multifidus)' : `${MUSCLE_LABELS[s.muscle]}${s.side ? `, ${s.side}` : ''}`,
    SegmentAlgorithmType: 'SEMIAUTOMATIC',
    SegmentAlgorithmName: 'Paraspine',
    SegmentedPropertyCategoryCodeSequence: [codeItem(ANATOMICAL_STRUCTURE)],
    // Laterality inside the type item (a modifier at segment level is not where readers look).
    SegmentedPropertyTypeCodeSequence: [{ ...codeItem(MUSCLE_CODES[s.muscle]), ...(s.side ? { SegmentedPropertyTypeModifierCodeSequence: [codeItem(LATERALITY_CODES[s.side])] } : {}) }],
  }));
  const spacing = sliceSpacingMm(g);
  const dataset: NaturalDataset = {
    ...patientStudyEquipment(refs),
    SOPClassUID: SEGMENTATION_SOP_CLASS,
    SOPInstanceUID: newUid(),
    InstanceCreationDate: date,
    InstanceCreationTime: time,
    Modality: 'SEG',
    SeriesInstanceUID: newUid(),
    SeriesNumber: String(opts.seriesNumber ?? 901),
    SeriesDescription: 'Paraspine muscle outlines',
    InstanceNumber: '1',
    ContentDate: date,
    ContentTime: time,
    ContentLabel: 'PARASPINE',
    ContentDescription: 'Muscle outlines measured by Paraspine',
    ContentCreatorName: '',
    ImageType: ['DERIVED', 'PRIMARY'],
    FrameOfReferenceUID: refs.frameOfReferenceUid,
    PositionReferenceIndicator: '',
    ReferencedSeriesSequence: [
      { SeriesInstanceUID: refs.seriesInstanceUid, ReferencedInstanceSequence: [...referenced.values()].map((img) => ({ ReferencedSOPClassUID: img.sopClassUid, ReferencedSOPInstanceUID: img.sopInstanceUid })) },
    ],
    SegmentationType: 'BINARY',
    SegmentSequence: segmentSequence,
    DimensionOrganizationSequence: [{ DimensionOrganizationUID: dimensionUid }],
    DimensionIndexSequence: [
      { DimensionOrganizationUID: dimensionUid, DimensionIndexPointer: 0x0062000b, FunctionalGroupPointer: 0x0062000a, DimensionDescriptionLabel: 'ReferencedSegmentNumber' },
      { DimensionOrganizationUID: dimensionUid, DimensionIndexPointer: 0x00200032, FunctionalGroupPointer: 0x00209113, DimensionDescriptionLabel: 'ImagePositionPatient' },
    ],
    SharedFunctionalGroupsSequence: [
      {
        PlaneOrientationSequence: [{ ImageOrientationPatient: [...g.rowDirection, ...g.columnDirection].map((v) => formatDs(v)) }],
        PixelMeasuresSequence: [{ PixelSpacing: [formatDs(g.rowSpacingMm), formatDs(g.columnSpacingMm)], SliceThickness: formatDs(spacing > 0 ? spacing : 1), SpacingBetweenSlices: formatDs(spacing > 0 ? spacing : 1) }],
      },
    ],
    PerFrameFunctionalGroupsSequence: perFrame,
    NumberOfFrames: String(frames.length),
    Rows: g.rows,
    Columns: g.columns,
    SamplesPerPixel: 1,
    PhotometricInterpretation: 'MONOCHROME2',
    BitsAllocated: 1,
    BitsStored: 1,
    HighBit: 0,
    PixelRepresentation: 0,
    LossyImageCompression: '00',
    PixelData: packBits(frames, n).buffer,
    _vrMap: { PixelData: 'OB' },
  };
  return { dataset, leftOut };
}

/** The SEG file of a measurement. */
export function makeSeg(input: DicomReportInput, opts: DicomObjectOptions = {}): DicomObject {
  const { dataset, leftOut } = buildSegDataset(input, opts);
  if (dataset['NumberOfFrames'] === '0') throw new UserError('input', 'no ROI with pixels to write as a SEG');
  return { bytes: writeDataset(dataset), sopInstanceUid: dataset['SOPInstanceUID'] as string, seriesInstanceUid: dataset['SeriesInstanceUID'] as string, leftOut };
}
