/**
 * Header extraction: the attributes Paraspine reads from a DICOM data set, as they are (no check that
 * refuses anything; that is validateHeader.ts). The data set is read through HeaderDataSet, so the same
 * extraction serves a data set parsed from Part-10 bytes (dicom-parser) and a DICOM JSON model object
 * (PS3.18 F.2, what a DICOMweb server returns as series or instance metadata).
 */
import type { DataSet, Element } from './dicomParserLib';

/** Read access to a data set's attributes by tag ('x00280010': dicom-parser's spelling). */
export interface HeaderDataSet {
  /** Whether the attribute is present (even with an empty value). */
  has(tag: string): boolean;
  /** Its value as text, NULs removed and trimmed, multiple values joined with '\\' ('' when absent or unreadable). */
  text(tag: string): string;
  /** Its first value as an unsigned 16-bit integer (US); null when absent or shorter than one value. */
  us(tag: string): number | null;
  /** Item `index` of a sequence attribute; undefined when absent. */
  item(tag: string, index: number): HeaderDataSet | undefined;
  /** Number of items of a sequence attribute (0 when absent). */
  itemCount(tag: string): number;
}

/** A data set parsed by dicom-parser (Part-10 bytes). */
export function dicomParserDataSet(ds: DataSet): HeaderDataSet {
  return {
    has: (tag) => Boolean(ds.elements[tag]),
    text: (tag) => {
      if (!ds.elements[tag]) return '';
      try {
        return (ds.string(tag) ?? '').replace(/\0/g, '').trim();
      } catch {
        return '';
      }
    },
    us: (tag) => {
      const el = ds.elements[tag];
      if (!el || el.length < 2) return null;
      const v = ds.uint16(tag);
      return v === undefined ? null : v;
    },
    item: (tag, index) => {
      const el: Element | undefined = ds.elements[tag];
      const inner = el?.items?.[index]?.dataSet;
      return inner ? dicomParserDataSet(inner) : undefined;
    },
    itemCount: (tag) => ds.elements[tag]?.items?.length ?? 0,
  };
}

/** One attribute of the DICOM JSON model (PS3.18 F.2.2): its VR and values (absent when empty). */
export interface DicomJsonAttribute {
  vr: string;
  Value?: unknown[];
  BulkDataURI?: string;
  InlineBinary?: string;
}

/** A data set in the DICOM JSON model: attributes keyed by tag as 8 hex digits ('00280010'). */
export type DicomJsonDataSet = Record<string, DicomJsonAttribute>;

/** The text of one JSON value: a person name's alphabetic form, a number as written, a string as is. */
function jsonValueText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  if (typeof v === 'object' && 'Alphabetic' in v) return String((v as { Alphabetic: unknown }).Alphabetic ?? '');
  return '';
}

/** A data set in the DICOM JSON model (DICOMweb metadata). Bulk data (pixel data) is not read here. */
export function dicomJsonDataSet(json: DicomJsonDataSet): HeaderDataSet {
  const at = (tag: string): DicomJsonAttribute | undefined => {
    const a = json[tag.replace(/^x/, '').toUpperCase()];
    return a && typeof a === 'object' ? a : undefined;
  };
  return {
    has: (tag) => at(tag) !== undefined,
    text: (tag) =>
      (at(tag)?.Value ?? [])
        .map(jsonValueText)
        .join('\\')
        .replace(/\0/g, '')
        .trim(),
    us: (tag) => {
      const v = at(tag)?.Value?.[0];
      return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xffff ? v : null;
    },
    item: (tag, index) => {
      const a = at(tag);
      const v = a?.vr === 'SQ' ? a.Value?.[index] : undefined;
      return v && typeof v === 'object' ? dicomJsonDataSet(v as DicomJsonDataSet) : undefined;
    },
    itemCount: (tag) => {
      const a = at(tag);
      return a?.vr === 'SQ' ? (a.Value?.length ?? 0) : 0;
    },
  };
}

/** A numeric attribute as read: its values, or why there are none. */
export type NumberValue =
  | { readonly state: 'ok'; readonly values: number[] }
  | { readonly state: 'missing' }
  | { readonly state: 'empty' }
  | { readonly state: 'invalid'; readonly text: string };

/** DS (decimal string) and IS (integer string) grammars: nothing else is a number (no '0x10', '1,5', 'NaN'). */
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const INTEGER = /^[+-]?\d+$/;

/** Reads a DS/IS attribute strictly: a value that is present but not a (finite) number is 'invalid', never re-interpreted. */
function readNumbers(ds: HeaderDataSet | undefined, tag: string, integer = false): NumberValue {
  if (!ds || !ds.has(tag)) return { state: 'missing' };
  const s = ds.text(tag);
  if (!s) return { state: 'empty' };
  const grammar = integer ? INTEGER : DECIMAL;
  const parts = s.split('\\').map((p) => p.trim());
  const values = parts.map((p) => (grammar.test(p) ? Number(p) : NaN));
  return values.every((v) => Number.isFinite(v)) ? { state: 'ok', values } : { state: 'invalid', text: s };
}

/** The first value of a numeric attribute (lenient: null when missing or unusable; for informational fields only). */
function firstNumber(ds: HeaderDataSet | undefined, tag: string): number | null {
  const v = readNumbers(ds, tag);
  return v.state === 'ok' && v.values.length > 0 ? v.values[0]! : null;
}

export function cleanUid(s: string | undefined): string {
  return (s ?? '').replace(/[\0\s]+$/g, '').replace(/^\s+/, '');
}

const PER_FRAME = 'x52009230';
const SHARED = 'x52009229';

/**
 * A numeric attribute of frame f: at the top level, else in the per-frame functional group, else in the
 * shared one. The first place where it is present decides: present but invalid is an error there.
 */
function frameNumbers(ds: HeaderDataSet, f: number, macroTag: string, tag: string): NumberValue {
  const top = readNumbers(ds, tag);
  if (top.state !== 'missing') return top;
  return groupNumbers(ds, f, macroTag, tag);
}

/** Like frameNumbers, but only the functional groups (per-frame, then shared). */
function groupNumbers(ds: HeaderDataSet, f: number, macroTag: string, tag: string): NumberValue {
  const perFrame = readNumbers(ds.item(PER_FRAME, f)?.item(macroTag, 0), tag);
  if (perFrame.state !== 'missing') return perFrame;
  return readNumbers(ds.item(SHARED, 0)?.item(macroTag, 0), tag);
}

/**
 * The Rescale Type of frame f (top level, else per-frame, else shared Pixel Value Transformation):
 * '' when absent (for CT that means HU), else its value in capitals.
 */
function rescaleType(ds: HeaderDataSet, f: number): string {
  if (ds.has('x00281054')) return ds.text('x00281054').toUpperCase();
  const perFrame = ds.item(PER_FRAME, f)?.item('x00289145', 0);
  if (perFrame?.has('x00281054')) return perFrame.text('x00281054').toUpperCase();
  return (ds.item(SHARED, 0)?.item('x00289145', 0)?.text('x00281054') ?? '').toUpperCase();
}

/** What frame f of an image declares about its place and its values. */
export interface FrameFields {
  /** ImagePositionPatient in the functional groups (per-frame, then shared). */
  readonly positionInGroups: NumberValue;
  /** The position as written (per-frame group, else top level), for a reason. */
  readonly positionText: string;
  readonly rescaleSlope: NumberValue;
  readonly rescaleIntercept: NumberValue;
  /** '' when absent, else in capitals. */
  readonly rescaleType: string;
  /** ImageOrientationPatient in the functional groups. */
  readonly orientationInGroups: NumberValue;
}

/** The attributes of one image's header, as the data set holds them (nothing checked yet). */
export interface HeaderFields {
  readonly rows: number | null;
  readonly columns: number | null;
  readonly samplesPerPixel: number | null;
  readonly bitsAllocated: number | null;
  readonly bitsStored: number | null;
  readonly highBit: number | null;
  readonly pixelRepresentation: number | null;
  /** In capitals. */
  readonly photometricInterpretation: string;
  readonly numberOfFrames: NumberValue;
  /** Items of the per-frame functional groups sequence. */
  readonly perFrameItems: number;
  /** SOPClassUID, else the file meta's MediaStorageSOPClassUID. */
  readonly sopClassUid: string;
  /** In capitals ('' when absent). */
  readonly modality: string;
  /** Top level, else frame 1's functional groups. */
  readonly pixelSpacing: NumberValue;
  readonly imageOrientation: NumberValue;
  /** ImagePositionPatient at the top level. */
  readonly topPosition: NumberValue;
  /** Frame f's own attributes (read when asked: frames are many). */
  frame(f: number): FrameFields;
  readonly sliceThickness: number | null;
  readonly seriesNumber: number | null;
  readonly instanceNumber: number | null;
  /** The identifying attributes, as DicomHeader holds them. */
  readonly identity: {
    readonly sopInstanceUid: string;
    readonly patientName: string;
    readonly patientId: string;
    readonly patientBirthDate: string;
    readonly patientSex: string;
    readonly patientAge: string;
    readonly patientSizeM: number | null;
    readonly studyId: string;
    readonly accessionNumber: string;
    readonly referringPhysicianName: string;
    readonly manufacturer: string;
    readonly studyInstanceUid: string;
    readonly studyDate: string;
    readonly studyTime: string;
    readonly studyDescription: string;
    readonly seriesInstanceUid: string;
    readonly seriesDate: string;
    readonly seriesTime: string;
    readonly seriesDescription: string;
    readonly frameOfReferenceUid: string;
    readonly imageType: string;
  };
}

/** The header attributes of a data set, as they are (see validateHeader for what is refused). */
export function extractHeaderFields(ds: HeaderDataSet): HeaderFields {
  const s = (tag: string): string => ds.text(tag);
  return {
    rows: ds.us('x00280010'),
    columns: ds.us('x00280011'),
    samplesPerPixel: ds.us('x00280002'),
    bitsAllocated: ds.us('x00280100'),
    bitsStored: ds.us('x00280101'),
    highBit: ds.us('x00280102'),
    pixelRepresentation: ds.us('x00280103'),
    photometricInterpretation: s('x00280004').toUpperCase(),
    numberOfFrames: readNumbers(ds, 'x00280008', true),
    perFrameItems: ds.itemCount(PER_FRAME),
    sopClassUid: cleanUid(s('x00080016') || s('x00020002')),
    modality: s('x00080060').toUpperCase(),
    pixelSpacing: frameNumbers(ds, 0, 'x00289110', 'x00280030'),
    imageOrientation: frameNumbers(ds, 0, 'x00209116', 'x00200037'),
    topPosition: readNumbers(ds, 'x00200032'),
    frame: (f) => ({
      positionInGroups: groupNumbers(ds, f, 'x00209113', 'x00200032'),
      positionText: (ds.item(PER_FRAME, f)?.item('x00209113', 0)?.text('x00200032') ?? '') || s('x00200032'),
      rescaleSlope: frameNumbers(ds, f, 'x00289145', 'x00281053'),
      rescaleIntercept: frameNumbers(ds, f, 'x00289145', 'x00281052'),
      rescaleType: rescaleType(ds, f),
      orientationInGroups: groupNumbers(ds, f, 'x00209116', 'x00200037'),
    }),
    sliceThickness:
      firstNumber(ds, 'x00180050') ??
      (() => {
        const g = groupNumbers(ds, 0, 'x00289110', 'x00180050');
        return g.state === 'ok' ? g.values[0]! : null;
      })(),
    seriesNumber: firstNumber(ds, 'x00200011'),
    instanceNumber: firstNumber(ds, 'x00200013'),
    identity: {
      sopInstanceUid: cleanUid(s('x00080018')),
      patientName: s('x00100010'),
      patientId: s('x00100020'),
      patientBirthDate: s('x00100030'),
      patientSex: ((v) => (v === 'M' || v === 'F' || v === 'O' ? v : ''))(s('x00100040').toUpperCase()),
      patientAge: s('x00101010'),
      patientSizeM: ((v) => (v !== null && v >= 0.3 && v <= 2.6 ? v : null))(firstNumber(ds, 'x00101020')),
      studyId: s('x00200010'),
      accessionNumber: s('x00080050'),
      referringPhysicianName: s('x00080090'),
      manufacturer: s('x00080070'),
      studyInstanceUid: cleanUid(s('x0020000d')),
      studyDate: s('x00080020'),
      studyTime: s('x00080030'),
      studyDescription: s('x00081030'),
      seriesInstanceUid: cleanUid(s('x0020000e')),
      seriesDate: s('x00080021'),
      seriesTime: s('x00080031'),
      seriesDescription: s('x0008103e'),
      frameOfReferenceUid: cleanUid(s('x00200052')),
      imageType: s('x00080008')
        .split('\\')
        .map((v) => v.trim())
        .join('\\'),
    },
  };
}
