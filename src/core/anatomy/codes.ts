/**
 * Coded concepts of the DICOM objects Paraspine writes (SR TID 1500, SEG) and reads (SEG import).
 * Where each code comes from is listed in the README ("DICOM codes").
 */
import type { Muscle, Side } from './anatomy';

export interface CodedConcept {
  readonly value: string;
  /** Coding scheme designator: DCM, SCT, UCUM, RFC5646. */
  readonly scheme: string;
  readonly meaning: string;
}

const c = (scheme: string, value: string, meaning: string): CodedConcept => ({ scheme, value, meaning });

/**
 * Finding site of each structure Paraspine measures. SNOMED CT has no concept we could verify for
 * "psoas major" alone (a code seen for it, 64038003, is an intercostal lymph node elsewhere), so the
 * psoas is coded as the iliopsoas muscle (what TotalSegmentator's iliopsoas mask and its SEG say too).
 */
export const MUSCLE_CODES: Readonly<Record<Muscle | 'autochthon', CodedConcept>> = {
  psoas: c('SCT', '68455001', 'Iliopsoas muscle'),
  erectorSpinae: c('SCT', '44947003', 'Erector spinae muscle'),
  multifidus: c('SCT', '5709001', 'Multifidus muscles'),
  quadratusLumborum: c('SCT', '6001004', 'Quadratus lumborum muscle'),
  autochthon: c('SCT', '244849004', 'Deep muscle of back'),
};

export const LATERALITY_CODES: Readonly<Record<Side, CodedConcept>> = {
  left: c('SCT', '7771000', 'Left'),
  right: c('SCT', '24028007', 'Right'),
};

/** Vertebrae, for SEG import (a SEG's vertebrae can find the levels): named as the vertebra masks are. */
export const VERTEBRA_CODES: Readonly<Record<string, CodedConcept>> = {
  vertebrae_L1: c('SCT', '66794005', 'L1 vertebra'),
  vertebrae_L2: c('SCT', '14293000', 'L2 vertebra'),
  vertebrae_L3: c('SCT', '36470004', 'L3 vertebra'),
  vertebrae_L4: c('SCT', '11994002', 'L4 vertebra'),
  vertebrae_L5: c('SCT', '49668003', 'L5 vertebra'),
  sacrum: c('SCT', '54735007', 'Sacrum'),
};

/** The muscle (or autochthon) a coded structure names, or null. */
export function muscleOfCode(scheme: string, value: string): Muscle | 'autochthon' | null {
  for (const [m, code] of Object.entries(MUSCLE_CODES)) if (code.scheme === scheme && code.value === value) return m as Muscle | 'autochthon';
  return null;
}

export function sideOfCode(scheme: string, value: string): Side | null {
  if (scheme !== 'SCT') return null;
  return value === LATERALITY_CODES.left.value ? 'left' : value === LATERALITY_CODES.right.value ? 'right' : null;
}

/** SR document, TID 1500 and its parts, the derivations and units. */
export const SR_CODES = {
  measurementReport: c('DCM', '126000', 'Imaging Measurement Report'),
  imagingMeasurements: c('DCM', '126010', 'Imaging Measurements'),
  measurementGroup: c('DCM', '125007', 'Measurement Group'),
  imageLibrary: c('DCM', '111028', 'Image Library'),
  imageLibraryGroup: c('DCM', '126200', 'Image Library Group'),
  languageOfContent: c('DCM', '121049', 'Language of Content Item and Descendants'),
  english: c('RFC5646', 'en-US', 'English (United States)'),
  observerType: c('DCM', '121005', 'Observer Type'),
  device: c('DCM', '121007', 'Device'),
  deviceObserverUid: c('DCM', '121012', 'Device Observer UID'),
  deviceObserverName: c('DCM', '121013', 'Device Observer Name'),
  deviceObserverManufacturer: c('DCM', '121014', 'Device Observer Manufacturer'),
  deviceObserverModelName: c('DCM', '121015', 'Device Observer Model Name'),
  procedureReported: c('DCM', '121058', 'Procedure reported'),
  ctProcedure: c('SCT', '77477000', 'Computerized axial tomography'),
  trackingIdentifier: c('DCM', '112039', 'Tracking Identifier'),
  trackingUid: c('DCM', '112040', 'Tracking Unique Identifier'),
  findingSite: c('SCT', '363698007', 'Finding Site'),
  laterality: c('SCT', '272741003', 'Laterality'),
  imageRegion: c('DCM', '111030', 'Image Region'),
  area: c('SCT', '42798000', 'Area'),
  attenuation: c('DCM', '112031', 'Attenuation Coefficient'),
  derivation: c('DCM', '121401', 'Derivation'),
  mean: c('SCT', '373098007', 'Mean'),
  sd: c('SCT', '386136009', 'Standard Deviation'),
  mm2: c('UCUM', 'mm2', 'square millimeter'),
  hu: c('UCUM', "[hnsf'U]", 'Hounsfield unit'),
} as const;

/** SEG: category of every segment. */
export const ANATOMICAL_STRUCTURE = c('SCT', '123037004', 'Anatomical Structure');
