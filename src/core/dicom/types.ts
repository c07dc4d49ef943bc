import type { Problem } from '../errors';
import type { Vec3 } from '../geometry/vec3';

/** A file that could not be used, with a one-line reason a person can act on (the one Problem type). */
export type FileProblem = Problem;

/** What Paraspine needs from one DICOM file's header (never its pixel data). */
export interface DicomHeader {
  readonly path: string;
  readonly fileSize: number;
  readonly transferSyntaxUid: string;
  readonly sopClassUid: string;
  /** May be '' (anonymised files): never used as a key. */
  readonly sopInstanceUid: string;
  readonly modality: string;
  readonly patientName: string;
  readonly patientId: string;
  /** PatientBirthDate (DA, '' when absent). */
  readonly patientBirthDate: string;
  /** PatientSex: 'M', 'F', 'O' or '' (absent or another value). */
  readonly patientSex: string;
  /** PatientAge (AS, e.g. '063Y'; '' when absent). */
  readonly patientAge: string;
  /** PatientSize (0010,1020), metres; null when absent or not a plausible height (0.3 to 2.6 m). */
  readonly patientSizeM: number | null;
  readonly studyInstanceUid: string;
  readonly studyDate: string;
  readonly studyTime: string;
  readonly studyDescription: string;
  readonly studyId: string;
  readonly accessionNumber: string;
  readonly referringPhysicianName: string;
  readonly manufacturer: string;
  /** May be '' (anonymised files): groupSeries then derives an identifier for the series. */
  readonly seriesInstanceUid: string;
  readonly seriesDate: string;
  readonly seriesTime: string;
  readonly seriesDescription: string;
  readonly seriesNumber: number | null;
  readonly frameOfReferenceUid: string;
  readonly instanceNumber: number | null;
  readonly rows: number;
  readonly columns: number;
  readonly numberOfFrames: number;
  readonly samplesPerPixel: number;
  readonly photometricInterpretation: string;
  /** ImageType (0008,0008), values trimmed and joined with '\\' ('' when absent): ORIGINAL or DERIVED first. */
  readonly imageType: string;
  readonly bitsAllocated: number;
  readonly bitsStored: number;
  readonly pixelRepresentation: 0 | 1;
  /** [distance between rows, distance between columns], mm (DICOM order). */
  readonly pixelSpacing: readonly [number, number];
  /** ImageOrientationPatient: row direction then column direction. */
  readonly imageOrientation: readonly [number, number, number, number, number, number];
  /** ImagePositionPatient of each frame (one entry for a single-frame file). */
  readonly framePositions: readonly Vec3[];
  /** Rescale of each frame (one entry for a single-frame file). */
  readonly frameRescale: readonly { readonly slope: number; readonly intercept: number }[];
  readonly sliceThickness: number | null;
  /** Byte offset of the Pixel Data value in the file, and its declared length (-1 when undefined/encapsulated). */
  readonly pixelDataOffset: number;
  readonly pixelDataLength: number;
}

/** One series found by a scan, as the CLI and the app list it. */
export interface SeriesSummary {
  readonly patientName: string;
  readonly patientId: string;
  readonly studyInstanceUid: string;
  readonly studyDate: string;
  readonly studyDescription: string;
  /**
   * The file's SeriesInstanceUID, or when that is empty (anonymised files) an identifier derived from
   * the series' header fields and slice positions: '2.25.' + a UUID as a decimal integer (see derivedUid.ts).
   * Never ''. Annotation documents are keyed by it.
   */
  readonly seriesInstanceUid: string;
  readonly seriesDescription: string;
  readonly seriesNumber: number | null;
  readonly modality: string;
  /** Number of slices (frames across all files). */
  readonly slices: number;
  readonly rows: number;
  readonly columns: number;
  /** [distance between rows, distance between columns], mm. */
  readonly pixelSpacing: readonly [number, number];
  /** Median distance between consecutive slice positions along the normal, mm (null for one slice). */
  readonly sliceSpacingMm: number | null;
  readonly sliceThickness: number | null;
  readonly imageOrientation: readonly number[];
  readonly transferSyntaxUids: readonly string[];
  /** Files of the series (paths as found by the scan). */
  readonly files: readonly string[];
  /** Non-fatal notes: gantry tilt, irregular spacing, ... */
  readonly warnings: readonly string[];
}

export interface ScanResult {
  /** The folder as scanned, symbolic links resolved (set by the API; file paths below lie inside it). */
  readonly root?: string;
  readonly series: readonly SeriesSummary[];
  readonly problems: readonly FileProblem[];
}
