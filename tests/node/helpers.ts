import * as dicomFiles from '../../src/node/dicomFiles';
import type { FolderFiles } from '../../src/node/seriesSource';
import { mkdtempSync, realpathSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { newAnnotationDocument, seriesIdentity, type AnnotationDocument, type Roi } from '../../src/core/annotations/document';
import type { SeriesReferences } from '../../src/core/dicom/references';
import type { SeriesSummary } from '../../src/core/dicom/types';
import { makeGeometry } from '../../src/core/geometry/volumeGeometry';
import { DEFAULT_RANGES } from '../../src/core/metrics/ranges';
import { sliceIjToLps } from '../../src/core/roi/contour';
import type { HuVolume } from '../../src/core/volume';

export function tmpDir(prefix = 'paraspine-test-'): string {
  return realpathSync(mkdtempSync(path.join(os.tmpdir(), prefix)));
}

/** A 32x24x3 phantom: HU = i*10 - 100 + k (varies along columns, so every region has its own mean). */
export function phantomVolume(): HuVolume {
  const columns = 32;
  const rows = 24;
  const slices = 3;
  const geometry = makeGeometry({
    columns,
    rows,
    slices,
    columnSpacingMm: 0.8,
    rowSpacingMm: 0.7,
    rowDirection: [1, 0, 0],
    columnDirection: [0, 1, 0],
    slicePositions: [0, 1, 2].map((k) => [-10, -20, 100 + 3 * k] as [number, number, number]),
  });
  const hu = new Int16Array(columns * rows * slices);
  for (let k = 0; k < slices; k++) for (let j = 0; j < rows; j++) for (let i = 0; i < columns; i++) hu[k * rows * columns + j * columns + i] = i * 10 - 100 + k;
  return { geometry, hu, warnings: [] };
}

export const SERIES_UID = '1.2.826.0.1.3680043.8.498.1';

export function phantomSummary(v: HuVolume): SeriesSummary {
  return {
    patientName: 'PHANTOM^ONE',
    patientId: 'P001',
    studyInstanceUid: '1.2.3.4',
    studyDate: '20240101',
    studyDescription: 'phantom',
    seriesInstanceUid: SERIES_UID,
    seriesDescription: 'Axial, with "quotes", and commas',
    seriesNumber: 1,
    modality: 'CT',
    slices: v.geometry.slices,
    rows: v.geometry.rows,
    columns: v.geometry.columns,
    pixelSpacing: [v.geometry.rowSpacingMm, v.geometry.columnSpacingMm],
    sliceSpacingMm: 3,
    sliceThickness: 3,
    imageOrientation: [1, 0, 0, 0, 1, 0],
    transferSyntaxUids: ['1.2.840.10008.1.2.1'],
    files: [],
    warnings: [],
  };
}

export function rectRoi(v: HuVolume, k: number, i0: number, j0: number, i1: number, j1: number, extra: Partial<Roi>): Roi {
  const pts = sliceIjToLps(v.geometry, k, [
    [i0, j0],
    [i1, j0],
    [i1, j1],
    [i0, j1],
  ]);
  return {
    id: `roi-${Math.random().toString(36).slice(2)}`,
    level: 'L3',
    muscle: 'psoas',
    side: 'left',
    sliceIndex: k,
    z: v.geometry.slicePositions[k]![2],
    pointsLps: pts,
    source: 'drawn',
    createdAt: '2024-01-01T00:00:00.000Z',
    modifiedAt: '2024-01-01T00:00:00.000Z',
    ...extra,
  };
}

export function phantomDocument(v: HuVolume): AnnotationDocument {
  const s = phantomSummary(v);
  const doc = newAnnotationDocument(
    seriesIdentity(s),
    DEFAULT_RANGES,
    '0.1.0',
    'Dr. Rater',
    '2024-01-01T00:00:00.000Z',
  );
  doc.levels.push({ level: 'L3', sliceIndex: 1, z: v.geometry.slicePositions[1]![2], source: 'manual' });
  // Left psoas: pixels i = 3..9, j = 4..8 (7 x 5 = 35 px); right psoas: i = 16..19, j = 4..10 (4 x 7 = 28 px).
  doc.rois.push(rectRoi(v, 1, 2.5, 3.5, 9.5, 8.5, { side: 'left' }));
  doc.rois.push(rectRoi(v, 1, 15.5, 3.5, 19.5, 10.5, { side: 'right' }));
  return doc;
}

/** The DICOM references of a phantom series (one CT instance per slice, UIDs made up for the test). */
export function phantomReferences(slices: number, seriesUid = SERIES_UID): SeriesReferences {
  return {
    studyInstanceUid: '1.2.3.4',
    seriesInstanceUid: seriesUid,
    frameOfReferenceUid: '1.2.3.4.5',
    patient: { name: 'PHANTOM^ONE', id: 'P001', birthDate: '', sex: '', age: '', sizeM: null },
    study: { date: '20240101', time: '', description: 'phantom', id: '', accessionNumber: '', referringPhysicianName: '' },
    modality: 'CT',
    manufacturer: '',
    slices: Array.from({ length: slices }, (_, k) => ({ sopClassUid: '1.2.840.10008.5.1.4.1.1.2', sopInstanceUid: `${seriesUid}.${k + 1}`, frameNumber: null })),
  };
}

/** The real dicomFiles functions, the pixel reads counted. */
export function countingFiles() {
  const calls = { loadFiles: 0, openFiles: 0, readSlices: [] as [number, number][] };
  const files: FolderFiles = {
    scanFolder: (f) => dicomFiles.scanFolder(f),
    readFilesHeaders: (p) => dicomFiles.readFilesHeaders(p),
    loadFiles: (p) => {
      calls.loadFiles++;
      return dicomFiles.loadFiles(p);
    },
    openFiles: async (p) => {
      calls.openFiles++;
      const opened = await dicomFiles.openFiles(p);
      return {
        ...opened,
        readSlices: (start, count) => {
          calls.readSlices.push([start, count]);
          return opened.readSlices(start, count);
        },
      };
    },
  };
  return { files, calls };
}
