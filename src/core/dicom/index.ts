/** Public API of the pure DICOM core (no Node, no DOM). */
export type { DicomHeader, FileProblem, ScanResult, SeriesSummary } from './types';
export { DicomFileError } from './errors';
export { parseDicomHeader, parseDataSet, MAX_DIMENSION, MAX_FRAMES, MAX_PIXEL_BYTES } from './parseHeader';
export { groupSeries, layoutSeries, seriesGroupKey, summarise, type FrameRef, type SeriesLayout } from './groupSeries';
export { derivedUid, sha256 } from './derivedUid';
export { VolumeAssembler, nativeFrame, nativeFrameBytes, fitsInt16, type RawPixels } from './assembleVolume';
export { encapsulatedFrames, type EncapsulatedFrames } from './encapsulated';
export { decodeRleFrame } from './rle';
export { TS, pixelEncoding, transferSyntaxName, isEncapsulated } from './transferSyntax';
