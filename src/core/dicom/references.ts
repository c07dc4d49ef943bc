import type { SeriesLayout } from './groupSeries';

/**
 * What a DICOM object made from a series must reference and copy (an SR's image library and SCOORDs, a
 * SEG's per-frame references, the patient and study modules): the series' identity, its frame of
 * reference, and for every slice (in slice order, as the volume's k) the instance and frame it came from.
 * Kept beside the SeriesSummary (not inside it, so the summary printed by `scan` and `measure` stays as
 * released).
 */
export interface SeriesReferences {
  readonly studyInstanceUid: string;
  /** As in the SeriesSummary: the file's SeriesInstanceUID, or the derived one when that is empty. */
  readonly seriesInstanceUid: string;
  /** FrameOfReferenceUID of the series ('' when the files have none). */
  readonly frameOfReferenceUid: string;
  readonly patient: {
    readonly name: string;
    readonly id: string;
    readonly birthDate: string;
    /** 'M', 'F', 'O' or ''. */
    readonly sex: string;
    readonly age: string;
    /** PatientSize, metres (null when absent or implausible). */
    readonly sizeM: number | null;
  };
  readonly study: {
    readonly date: string;
    readonly time: string;
    readonly description: string;
    readonly id: string;
    readonly accessionNumber: string;
    readonly referringPhysicianName: string;
  };
  readonly modality: string;
  readonly manufacturer: string;
  /** One entry per slice k (slice order: feet to head along the normal). */
  readonly slices: readonly SliceReference[];
}

export interface SliceReference {
  readonly sopClassUid: string;
  /** '' when the file has none (anonymised): such a slice cannot be referenced by an SR or a SEG. */
  readonly sopInstanceUid: string;
  /** 1-based frame number within a multi-frame instance; null for a single-frame instance. */
  readonly frameNumber: number | null;
}

/** The references of a laid-out series (from its headers only). */
export function seriesReferences(layout: SeriesLayout): SeriesReferences {
  const h = layout.headers[0]!;
  return {
    studyInstanceUid: h.studyInstanceUid,
    seriesInstanceUid: layout.seriesInstanceUid,
    frameOfReferenceUid: h.frameOfReferenceUid,
    patient: { name: h.patientName, id: h.patientId, birthDate: h.patientBirthDate, sex: h.patientSex, age: h.patientAge, sizeM: h.patientSizeM },
    study: {
      date: h.studyDate,
      time: h.studyTime,
      description: h.studyDescription,
      id: h.studyId,
      accessionNumber: h.accessionNumber,
      referringPhysicianName: h.referringPhysicianName,
    },
    modality: h.modality,
    manufacturer: h.manufacturer,
    slices: layout.frames.map((f) => ({
      sopClassUid: f.header.sopClassUid,
      sopInstanceUid: f.header.sopInstanceUid,
      frameNumber: f.header.numberOfFrames > 1 ? f.frameIndex + 1 : null,
    })),
  };
}
