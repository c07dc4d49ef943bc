/** Shared by the SR and SEG writers: new UIDs, DS values, dates, and writing a naturalized dataset with dcmjs. */
import { createHash, randomUUID } from 'node:crypto';
import dcmjs, { type NaturalDataset } from 'dcmjs';
import type { CodedConcept } from '../../core/anatomy/codes';
import type { SeriesReferences } from '../../core/dicom/references';
import { UserError } from '../../core/errors';
import { APP_VERSION } from '../appVersion';

/** A new UID under the 2.25 root (ISO/IEC 9834-8: a UUID as one decimal integer). */
export function newUid(): string {
  if (derived) return derived();
  return `2.25.${BigInt(`0x${randomUUID().replace(/-/g, '')}`).toString()}`;
}

/** While withDerivedUids runs: the next derived UID. */
let derived: (() => string) | null = null;

/**
 * Runs `make` (synchronous: no other code runs meanwhile) with every newUid() derived from `seed`: the
 * n-th UID is a name-based UUID (RFC 4122 version 5 layout over SHA-256 of the seed and n) under 2.25.
 * Same seed, same UIDs: a report made again from the same inputs at the same date is the same bytes
 * (a batch's report equals `measure --format sr|seg --date` of that series); the seed holds what makes
 * the object (the caller's content and date), so other content gets other UIDs.
 */
export function withDerivedUids<T>(seed: string, make: () => T): T {
  if (derived) throw new Error('withDerivedUids: nested');
  let n = 0;
  derived = () => {
    const h = createHash('sha256').update(seed).update(`\0${n++}`).digest();
    h[6] = (h[6]! & 0x0f) | 0x50; // version 5 (name-based)
    h[8] = (h[8]! & 0x3f) | 0x80; // RFC 4122 variant
    return `2.25.${BigInt(`0x${h.subarray(0, 16).toString('hex')}`).toString()}`;
  };
  try {
    return make();
  } finally {
    derived = null;
  }
}

/**
 * A number as a DICOM DS value (at most 16 characters): written by hand because dcmjs truncates longer
 * values instead of rounding them. The exact value travels in FloatingPointValue beside it.
 */
export function formatDs(x: number): string {
  if (!Number.isFinite(x)) throw new RangeError(`DS value must be finite (got ${x})`);
  const plain = String(x);
  if (plain.length <= 16) return plain;
  for (let p = 15; p >= 1; p--) {
    const s = Number(x.toPrecision(p)).toString();
    if (s.length <= 16) return s;
    const e = x.toExponential(p - 1);
    if (e.length <= 16) return e;
  }
  return x.toExponential(0);
}

/** DICOM DA and TM of a moment (UTC). */
export function dicomDateTime(at: Date): { date: string; time: string } {
  const iso = at.toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ
  return { date: iso.slice(0, 10).replace(/-/g, ''), time: iso.slice(11, 19).replace(/:/g, '') };
}

export function codeItem(code: CodedConcept): NaturalDataset {
  return { CodeValue: code.value, CodingSchemeDesignator: code.scheme, CodeMeaning: code.meaning };
}

export const MANUFACTURER = 'Paraspine';

/** Patient, study and equipment attributes copied from the CT (Patient, General Study, General Equipment modules). */
export function patientStudyEquipment(refs: SeriesReferences): NaturalDataset {
  return {
    SpecificCharacterSet: 'ISO_IR 192',
    PatientName: refs.patient.name,
    PatientID: refs.patient.id,
    PatientBirthDate: refs.patient.birthDate,
    PatientSex: refs.patient.sex,
    StudyInstanceUID: refs.studyInstanceUid,
    StudyDate: refs.study.date,
    StudyTime: refs.study.time,
    StudyID: refs.study.id,
    AccessionNumber: refs.study.accessionNumber,
    ReferringPhysicianName: refs.study.referringPhysicianName,
    ...(refs.study.description ? { StudyDescription: refs.study.description } : {}),
    Manufacturer: MANUFACTURER,
    ManufacturerModelName: MANUFACTURER,
    DeviceSerialNumber: '1',
    SoftwareVersions: APP_VERSION,
  };
}

/** The series' image of slice k, or a one-line reason why it cannot be referenced. */
export function sliceImage(refs: SeriesReferences, k: number): { sopClassUid: string; sopInstanceUid: string; frameNumber: number | null } {
  const s = refs.slices[k];
  if (!s) throw new RangeError(`slice ${k} is outside the series (0..${refs.slices.length - 1})`);
  if (!s.sopInstanceUid || !s.sopClassUid) throw new UserError('input', `slice ${k} of series ${refs.seriesInstanceUid} has no SOPInstanceUID or SOPClassUID: a DICOM report cannot reference it`);
  return s;
}

/** The file bytes of a naturalized dataset (Explicit VR Little Endian), written with dcmjs. */
export function writeDataset(ds: NaturalDataset): Buffer {
  const { DicomDict, DicomMetaDictionary } = dcmjs.data;
  // The meta header is built here (dcmjs's datasetToBuffer overwrites the dataset's _meta).
  const meta = {
    FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
    MediaStorageSOPClassUID: ds['SOPClassUID'],
    MediaStorageSOPInstanceUID: ds['SOPInstanceUID'],
    TransferSyntaxUID: '1.2.840.10008.1.2.1',
    ImplementationClassUID: IMPLEMENTATION_CLASS_UID,
    ImplementationVersionName: `PARASPINE_${APP_VERSION}`.slice(0, 16),
  };
  const dict = new DicomDict(DicomMetaDictionary.denaturalizeDataset(meta));
  dict.dict = DicomMetaDictionary.denaturalizeDataset(ds);
  return Buffer.from(dict.write());
}

/** Paraspine's implementation class UID (a fixed 2.25 UUID-derived UID). */
const IMPLEMENTATION_CLASS_UID = '2.25.186375842927130467862371493425170683441';
