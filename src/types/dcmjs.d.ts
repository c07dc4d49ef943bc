/**
 * The few parts of dcmjs (which ships no types) that Paraspine uses: its DICOM reader and writer on
 * naturalized datasets (attributes by keyword, sequences as arrays of objects).
 */
declare module 'dcmjs' {
  /** A naturalized dataset: attribute keyword -> value (string, number, array, nested datasets, ArrayBuffer). */
  export type NaturalDataset = Record<string, unknown>;
  /** A denaturalized dataset: tag -> { vr, Value }. */
  export type DenaturalDataset = Record<string, { vr: string; Value?: unknown[] }>;

  export class DicomDict {
    constructor(meta: DenaturalDataset);
    meta: DenaturalDataset;
    dict: DenaturalDataset;
    write(options?: { allowInvalidVRLength?: boolean }): ArrayBuffer;
  }

  export const DicomMessage: {
    readFile(buffer: ArrayBuffer, options?: { ignoreErrors?: boolean; untilTag?: string; includeUntilTagValue?: boolean }): DicomDict;
  };

  export const DicomMetaDictionary: {
    naturalizeDataset(dataset: DenaturalDataset): NaturalDataset;
    denaturalizeDataset(dataset: NaturalDataset): DenaturalDataset;
  };

  const dcmjs: {
    data: {
      DicomDict: typeof DicomDict;
      DicomMessage: typeof DicomMessage;
      DicomMetaDictionary: typeof DicomMetaDictionary;
    };
  };
  export default dcmjs;
}
