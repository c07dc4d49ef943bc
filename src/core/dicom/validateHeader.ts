/**
 * Header validation: the checks that refuse an image Paraspine cannot measure, each with a one-line
 * reason (DicomFileError), over the attributes extracted from its data set (headerFields.ts), whatever
 * the data set came from. The pixel data element itself is checked by the caller that has one
 * (parseHeader.ts for Part-10 bytes), at the point given by `pixelData`.
 */
import type { Vec3 } from '../geometry/vec3';
import { cross, dot, norm } from '../geometry/vec3';
import { DicomFileError } from './errors';
import type { HeaderFields, NumberValue } from './headerFields';
import { pixelEncoding, transferSyntaxName } from './transferSyntax';
import type { DicomHeader } from './types';

/** Largest Rows or Columns accepted: nothing bigger is ever allocated. */
export const MAX_DIMENSION = 8192;
/** Largest decoded pixel data accepted for one file (bytes). */
export const MAX_PIXEL_BYTES = 1024 * 1024 * 1024;
/** Largest number of frames accepted in one file. */
export const MAX_FRAMES = 20000;
/**
 * Largest header (everything before the Pixel Data element) read, in bytes of the file, or of the
 * inflated data set for Deflated files: far beyond real headers (a 20,000-frame Enhanced CT has a few MB).
 */
export const MAX_HEADER_BYTES = 64 * 1024 * 1024;
/** A stored step of more than this many HU is not a CT rescale. */
export const MAX_RESCALE_SLOPE = 1000;
/** Every CT value lies in this range (HU); a rescale that cannot produce any value in it is refused. */
export const PHYSICAL_HU: readonly [number, number] = [-2000, 32767];
/**
 * Values a CT image of a patient always holds some of: air (-1000, clipped at -1024) to dense bone and
 * contrast (the standard 12-bit scale ends at +3071). Metal reaches higher (extended scales to about
 * +30,000) and padding outside the reconstruction circle lower (-2000, -3024), but a slice with not a
 * single voxel in this range is not a CT image of a body: its rescale is wrong (see VolumeAssembler).
 */
export const CT_VALUE_HU: readonly [number, number] = [-1024, 3071];
/** A coordinate farther than this from the origin (mm) is not in any scanner. */
export const MAX_POSITION_MM = 1e6;

/** The value of a numeric attribute as a person reads it in a reason ('1e', shortened when long). */
function quoted(text: string): string {
  return `'${text.length > 40 ? `${text.slice(0, 39)}…` : text}'`;
}

/** The reason for a numeric attribute that is not usable: missing, empty, or not a number. */
function numberProblem(name: string, v: NumberValue, missingNote = ''): string {
  if (v.state === 'missing') return `${name} missing${missingNote}`;
  if (v.state === 'empty') return `${name} is empty${missingNote}`;
  if (v.state === 'invalid') return `${name} ${quoted(v.text)} is not a number`;
  return `${name} ${v.values.join('\\')} is not usable`;
}

/** A number as text in a reason, only when it is a plain finite number. */
export function num(v: number): string {
  return Number.isFinite(v) ? String(v) : 'an invalid number';
}

/** Range of stored values BitsStored and PixelRepresentation allow: [min, max]. */
function storedRange(bitsStored: number, signed: boolean): [number, number] {
  return signed ? [-(2 ** (bitsStored - 1)), 2 ** (bitsStored - 1) - 1] : [0, 2 ** bitsStored - 1];
}

/** What a Rescale Type other than HU means, for the reason (DICOM PS3.3 C.11.1.1.2, C.8.16.2.1.5). */
const RESCALE_TYPES: Record<string, string> = {
  US: 'unspecified units',
  OD: 'optical density',
  MGML: 'mg/ml',
  Z_EFF: 'effective atomic number',
  ED: 'electron density',
  EDW: 'electron density relative to water',
  HU_MOD: 'modified Hounsfield units',
  PCT: 'percent',
};

/** The image's size as checked, for the pixel data's own checks. */
export interface ImageSize {
  readonly rows: number;
  readonly columns: number;
  readonly numberOfFrames: number;
  readonly bitsAllocated: number;
  /** Bytes of all frames' values, uncompressed. */
  readonly totalBytes: number;
}

/**
 * Checks the pixel data against the checked image size (throws a DicomFileError) and says where its
 * value lies: the file offset and declared length (-1 when encapsulated or unknown, as for DICOMweb
 * metadata, whose frames are fetched apart).
 */
export type PixelDataCheck = (image: ImageSize) => { pixelDataOffset: number; pixelDataLength: number };

/**
 * Validates an image's extracted attributes and builds its DicomHeader; throws DicomFileError with a
 * one-line reason for anything that is not a usable CT image. `path` and `fileSize` name where the
 * image came from (a file, or a DICOMweb instance).
 */
export function validateHeader(fields: HeaderFields, transferSyntaxUid: string, path: string, fileSize: number, pixelData: PixelDataCheck): DicomHeader {
  const { rows, columns } = fields;
  if (!rows || !columns) {
    throw new DicomFileError(`not an image (${!rows ? 'Rows' : 'Columns'} missing or zero)`);
  }
  if (rows > MAX_DIMENSION || columns > MAX_DIMENSION) {
    throw new DicomFileError(`image too large (${columns}x${rows} declared; limit ${MAX_DIMENSION}x${MAX_DIMENSION})`);
  }
  const samplesPerPixel = fields.samplesPerPixel ?? 1;
  const bitsAllocated = fields.bitsAllocated ?? 0;
  const bitsStoredValue = fields.bitsStored;
  const highBit = fields.highBit;
  const pixelRepresentationValue = fields.pixelRepresentation;
  const photometricInterpretation = fields.photometricInterpretation;
  if (bitsAllocated !== 8 && bitsAllocated !== 16 && bitsAllocated !== 32) {
    throw new DicomFileError(`unsupported BitsAllocated ${bitsAllocated}`);
  }
  if (bitsStoredValue === null) throw new DicomFileError('BitsStored missing');
  const bitsStored = bitsStoredValue;
  if (!(bitsStored >= 1 && bitsStored <= bitsAllocated)) {
    throw new DicomFileError(`invalid BitsStored ${bitsStored} (BitsAllocated ${bitsAllocated})`);
  }
  if (highBit !== null && highBit !== bitsStored - 1) {
    throw new DicomFileError(`invalid HighBit ${highBit} (BitsStored ${bitsStored}: must be ${bitsStored - 1})`);
  }
  if (pixelRepresentationValue === null) throw new DicomFileError('PixelRepresentation missing');
  if (pixelRepresentationValue !== 0 && pixelRepresentationValue !== 1) {
    throw new DicomFileError(`invalid PixelRepresentation ${pixelRepresentationValue} (must be 0 or 1)`);
  }
  const pixelRepresentation: 0 | 1 = pixelRepresentationValue;
  const nf = fields.numberOfFrames;
  const perFrameItems = fields.perFrameItems;
  if (nf.state === 'missing' && perFrameItems > 1) {
    throw new DicomFileError(`NumberOfFrames missing on a multi-frame image (${perFrameItems} per-frame functional group items)`);
  }
  if (nf.state === 'empty' || nf.state === 'invalid') throw new DicomFileError(numberProblem('NumberOfFrames', nf));
  const numberOfFrames = nf.state === 'ok' ? nf.values[0]! : 1;
  if (!Number.isInteger(numberOfFrames) || numberOfFrames < 1 || numberOfFrames > MAX_FRAMES) {
    throw new DicomFileError(`invalid NumberOfFrames ${num(numberOfFrames)}${numberOfFrames > MAX_FRAMES ? ` (limit ${MAX_FRAMES})` : ''}`);
  }
  const frameBytes = rows * columns * Math.max(1, samplesPerPixel) * (bitsAllocated / 8);
  const totalBytes = frameBytes * numberOfFrames;
  if (totalBytes > MAX_PIXEL_BYTES) {
    throw new DicomFileError(`pixel data too large (${columns}x${rows}x${numberOfFrames} frames declared)`);
  }
  const { pixelDataOffset, pixelDataLength } = pixelData({ rows, columns, numberOfFrames, bitsAllocated, totalBytes });

  const { sopClassUid, modality } = fields;
  const ctSop = sopClassUid === '1.2.840.10008.5.1.4.1.1.2' || sopClassUid === '1.2.840.10008.5.1.4.1.1.2.1';
  if (modality !== 'CT' && !(modality === '' && ctSop)) {
    throw new DicomFileError(`not CT (modality ${modality || 'missing'})`);
  }
  if (samplesPerPixel !== 1 && photometricInterpretation.startsWith('MONOCHROME')) {
    throw new DicomFileError(`invalid SamplesPerPixel ${samplesPerPixel} (${photometricInterpretation} greyscale has 1 sample per pixel)`);
  }
  if (samplesPerPixel === 0) throw new DicomFileError('invalid SamplesPerPixel 0 (an image has at least 1 sample per pixel)');
  if (samplesPerPixel !== 1 || (photometricInterpretation !== '' && !photometricInterpretation.startsWith('MONOCHROME'))) {
    throw new DicomFileError(`colour image (${photometricInterpretation || `${samplesPerPixel} samples per pixel`}), not greyscale CT`);
  }
  if (!transferSyntaxUid) throw new DicomFileError('no transfer syntax');
  if (pixelEncoding(transferSyntaxUid) === null) {
    throw new DicomFileError(`unsupported transfer syntax ${transferSyntaxName(transferSyntaxUid)} (${transferSyntaxUid})`);
  }

  // Geometry: top level (classic CT) or functional groups (Enhanced CT). Present but invalid is never "missing".
  const spacingValue = fields.pixelSpacing;
  if (spacingValue.state !== 'ok') throw new DicomFileError(spacingValue.state === 'missing' ? 'no geometry (PixelSpacing missing)' : numberProblem('PixelSpacing', spacingValue));
  const spacing = spacingValue.values;
  if (spacing.length < 2 || !(spacing[0]! > 0) || !(spacing[1]! > 0) || spacing[0]! > MAX_POSITION_MM || spacing[1]! > MAX_POSITION_MM) {
    throw new DicomFileError(`no geometry (invalid PixelSpacing ${spacing.join('\\')})`);
  }
  const iopValue = fields.imageOrientation;
  if (iopValue.state !== 'ok') {
    throw new DicomFileError(iopValue.state === 'missing' ? 'no geometry (ImageOrientationPatient missing)' : numberProblem('ImageOrientationPatient', iopValue));
  }
  const iop = iopValue.values;
  if (iop.length < 6) throw new DicomFileError(`no geometry (ImageOrientationPatient has ${iop.length} of 6 values)`);
  const rowDir: Vec3 = [iop[0]!, iop[1]!, iop[2]!];
  const colDir: Vec3 = [iop[3]!, iop[4]!, iop[5]!];
  const nr = norm(rowDir);
  const nc = norm(colDir);
  if (!(nr > 0.5 && nc > 0.5 && nr < 2 && nc < 2) || Math.abs(dot(rowDir, colDir)) / (nr * nc) > 0.01 || !(norm(cross(rowDir, colDir)) > 0)) {
    throw new DicomFileError(`no geometry (invalid ImageOrientationPatient ${iop.join('\\')})`);
  }
  const framePositions: Vec3[] = [];
  const frameRescale: { slope: number; intercept: number }[] = [];
  const [storedLo, storedHi] = storedRange(bitsStored, pixelRepresentation === 1);
  const frameNote = (f: number): string => (numberOfFrames === 1 ? '' : ` of frame ${f + 1}`);
  let checked: { slope: number; intercept: number } | null = null;
  for (let f = 0; f < numberOfFrames; f++) {
    const frame = fields.frame(f);
    const posValue = frame.positionInGroups;
    const pv = posValue.state === 'missing' && (numberOfFrames === 1 || f === 0) ? fields.topPosition : posValue;
    if (pv.state !== 'ok') {
      throw new DicomFileError(pv.state === 'missing' ? `no geometry (ImagePositionPatient${frameNote(f)} missing)` : numberProblem(`ImagePositionPatient${frameNote(f)}`, pv));
    }
    const pos = pv.values;
    if (pos.length < 3) throw new DicomFileError(`no geometry (ImagePositionPatient${frameNote(f)} has ${pos.length} of 3 values)`);
    if (pos.some((v) => Math.abs(v) > MAX_POSITION_MM)) {
      const text = frame.positionText || pos.join('\\');
      throw new DicomFileError(`ImagePositionPatient${frameNote(f)} ${quoted(text)} is outside any scanner (more than ${MAX_POSITION_MM} mm from the origin)`);
    }
    framePositions.push([pos[0]!, pos[1]!, pos[2]!]);
    // Rescale: required for CT (Type 1); present but invalid is never re-interpreted.
    const sv = frame.rescaleSlope;
    const iv = frame.rescaleIntercept;
    const note = ' (required for CT: HU cannot be known)';
    if (sv.state === 'missing' && iv.state === 'missing') throw new DicomFileError(`RescaleIntercept and RescaleSlope${frameNote(f)} missing${note}`);
    if (iv.state !== 'ok') throw new DicomFileError(numberProblem(`RescaleIntercept${frameNote(f)}`, iv, iv.state === 'empty' ? ' (required for CT)' : note));
    if (sv.state !== 'ok') throw new DicomFileError(numberProblem(`RescaleSlope${frameNote(f)}`, sv, sv.state === 'empty' ? ' (required for CT)' : note));
    const slope = sv.values[0]!;
    const intercept = iv.values[0]!;
    // Units: an absent Rescale Type on CT means HU; anything else is not what Paraspine measures.
    const units = frame.rescaleType;
    if (units !== '' && units !== 'HU') {
      const meaning = RESCALE_TYPES[units];
      throw new DicomFileError(
        `values are not Hounsfield units (RescaleType${frameNote(f)} ${quoted(units)}${meaning ? `: ${meaning}` : ''}); only HU can be measured as muscle attenuation`,
      );
    }
    if (checked === null || checked.slope !== slope || checked.intercept !== intercept) {
      if (slope === 0) throw new DicomFileError(`RescaleSlope${frameNote(f)} 0 (every pixel would be the intercept)`);
      if (Math.abs(slope) > MAX_RESCALE_SLOPE) {
        throw new DicomFileError(`RescaleSlope${frameNote(f)} ${num(slope)} is not a CT rescale (more than ${MAX_RESCALE_SLOPE} HU per stored step)`);
      }
      const a = storedLo * slope + intercept;
      const b = storedHi * slope + intercept;
      const lo = Math.min(a, b);
      const hi = Math.max(a, b);
      if (!(Number.isFinite(lo) && Number.isFinite(hi)) || hi < PHYSICAL_HU[0] || lo > PHYSICAL_HU[1]) {
        throw new DicomFileError(
          `rescale${frameNote(f)} outside any physical HU range (stored ${storedLo}..${storedHi} gives ${num(lo)}..${num(hi)} HU; CT is within ${PHYSICAL_HU[0]}..${PHYSICAL_HU[1]})`,
        );
      }
      checked = { slope, intercept };
    }
    frameRescale.push(checked);
  }
  if (numberOfFrames > 1) {
    // Every frame must share the first frame's orientation (Enhanced CT may carry one per frame).
    for (let f = 1; f < numberOfFrames; f++) {
      const o = fields.frame(f).orientationInGroups;
      if (o.state === 'ok' && o.values.some((v, i) => Math.abs(v - iop[i]!) > 1e-4)) {
        throw new DicomFileError(`not part of a consistent volume (frame ${f + 1} has a different orientation)`);
      }
    }
  }
  const { identity: id } = fields;

  return {
    path,
    fileSize,
    transferSyntaxUid,
    sopClassUid,
    sopInstanceUid: id.sopInstanceUid,
    modality: modality || 'CT',
    patientName: id.patientName,
    patientId: id.patientId,
    patientBirthDate: id.patientBirthDate,
    patientSex: id.patientSex,
    patientAge: id.patientAge,
    patientSizeM: id.patientSizeM,
    studyId: id.studyId,
    accessionNumber: id.accessionNumber,
    referringPhysicianName: id.referringPhysicianName,
    manufacturer: id.manufacturer,
    studyInstanceUid: id.studyInstanceUid,
    studyDate: id.studyDate,
    studyTime: id.studyTime,
    studyDescription: id.studyDescription,
    seriesInstanceUid: id.seriesInstanceUid,
    seriesDate: id.seriesDate,
    seriesTime: id.seriesTime,
    seriesDescription: id.seriesDescription,
    seriesNumber: fields.seriesNumber,
    frameOfReferenceUid: id.frameOfReferenceUid,
    instanceNumber: fields.instanceNumber,
    rows,
    columns,
    numberOfFrames,
    samplesPerPixel,
    photometricInterpretation,
    imageType: id.imageType,
    bitsAllocated,
    bitsStored,
    pixelRepresentation,
    pixelSpacing: [spacing[0]!, spacing[1]!],
    imageOrientation: [iop[0]!, iop[1]!, iop[2]!, iop[3]!, iop[4]!, iop[5]!],
    framePositions,
    frameRescale,
    sliceThickness: fields.sliceThickness,
    pixelDataOffset,
    pixelDataLength,
  };
}
