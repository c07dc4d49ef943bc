/**
 * Height and sex for the muscle indices: from the DICOM (PatientSize, PatientSex: SeriesReferences.patient)
 * when present, else as given (typed in the app, `--height-m`, `--sex`). Nothing is invented: a missing
 * value stays null and the index says so.
 */

export type Sex = 'M' | 'F';

/** Heights accepted, metres (a typed value outside is refused with a reason, not used). */
export const MIN_HEIGHT_M = 0.5;
export const MAX_HEIGHT_M = 2.5;

export interface Anthropometry {
  heightM: number | null;
  heightSource: 'dicom' | 'given' | null;
  sex: Sex | null;
  sexSource: 'dicom' | 'given' | null;
  /** One line each: a given value not used (the DICOM's wins), a given value refused. */
  notes: string[];
}

export interface GivenAnthropometry {
  heightM?: number | null;
  /** 'M', 'F', 'male', 'female' (any case); anything else is refused with a note. */
  sex?: string | null;
}

/** What the DICOM says (SeriesReferences.patient: sizeM null when absent or implausible; sex 'M', 'F', 'O' or ''). */
export interface DicomPatient {
  readonly sizeM: number | null;
  readonly sex: string;
}

/** 'M' or 'F' from a typed or DICOM value; null for anything else ('O', '', unknown words). */
export function parseSex(s: string | null | undefined): Sex | null {
  const t = (s ?? '').trim().toLowerCase();
  if (t === 'm' || t === 'male') return 'M';
  if (t === 'f' || t === 'female') return 'F';
  return null;
}

/** Why a typed height is not usable, or null when it is. */
export function heightProblem(h: number): string | null {
  if (!Number.isFinite(h)) return `height ${h} is not a number`;
  if (h < MIN_HEIGHT_M || h > MAX_HEIGHT_M) return `height ${h} m is outside ${MIN_HEIGHT_M}..${MAX_HEIGHT_M} m (give it in metres)`;
  return null;
}

export function resolveAnthropometry(dicom: DicomPatient | null | undefined, given: GivenAnthropometry = {}): Anthropometry {
  const notes: string[] = [];
  let heightM: number | null = null;
  let heightSource: Anthropometry['heightSource'] = null;
  const g = given.heightM ?? null;
  const gProblem = g === null ? null : heightProblem(g);
  if (gProblem) notes.push(`${gProblem}: not used`);
  if (dicom?.sizeM != null) {
    heightM = dicom.sizeM;
    heightSource = 'dicom';
    if (g !== null && !gProblem && Math.abs(g - dicom.sizeM) > 0.005) notes.push(`height ${g} m given, but the DICOM's PatientSize ${dicom.sizeM} m is used`);
  } else if (g !== null && !gProblem) {
    heightM = g;
    heightSource = 'given';
  }
  let sex: Sex | null = null;
  let sexSource: Anthropometry['sexSource'] = null;
  const gs = given.sex == null || given.sex.trim() === '' ? null : given.sex;
  const gSex = gs === null ? null : parseSex(gs);
  if (gs !== null && gSex === null) notes.push(`sex ${JSON.stringify(gs)} is not M or F: not used`);
  const dSex = parseSex(dicom?.sex);
  if (dSex) {
    sex = dSex;
    sexSource = 'dicom';
    if (gSex && gSex !== dSex) notes.push(`sex ${gSex} given, but the DICOM's PatientSex ${dSex} is used`);
  } else if (gSex) {
    sex = gSex;
    sexSource = 'given';
  }
  return { heightM, heightSource, sex, sexSource, notes };
}
