/**
 * The references a series keeps at load (core/dicom/references.ts): what a DICOM SR or SEG made from it
 * must name. Expected values are those written into the phantom files by the test itself.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readFilesHeaders } from '../../src/node/dicomFiles';
import type { DicomElement } from '../fixtures/dicomWriter';
import { enhancedCt } from '../fixtures/hostileDicom';
import { makePhantomSeries } from '../fixtures/phantomSeries';
import { writeTempFiles } from './helpers';

/** The phantom's files with extra patient elements on every slice (kept in tag order). */
function withPatient(extra: DicomElement[]) {
  return makePhantomSeries({ slices: 4, rows: 8, columns: 8, edit: (els) => [...els, ...extra].sort((a, b) => a.tag - b.tag) });
}

async function referencesOf(files: readonly { name: string; bytes: Uint8Array }[]) {
  const { dir, cleanup } = await writeTempFiles(files);
  try {
    return (await readFilesHeaders(files.map((f) => path.join(dir, f.name)))).references;
  } finally {
    await cleanup();
  }
}

describe('series references', () => {
  it('name each slice by its own file (slice order, feet to head, whatever the file order), with patient and study', async () => {
    const series = withPatient([
      { tag: 0x00100040, vr: 'CS', value: 'F' },
      { tag: 0x00101020, vr: 'DS', value: '1.72' },
    ]);
    const refs = await referencesOf(series.files);
    // The writer gives slice k (feet to head) the SOPInstanceUID ...4.<k+1>; files are shuffled.
    expect(refs.slices.map((s) => s.sopInstanceUid)).toEqual([1, 2, 3, 4].map((n) => `1.2.826.0.1.3680043.10.1459.4.${n}`));
    expect(refs.slices.every((s) => s.frameNumber === null && s.sopClassUid === '1.2.840.10008.5.1.4.1.1.2')).toBe(true);
    expect(refs.seriesInstanceUid).toBe('1.2.826.0.1.3680043.10.1459.2.1');
    expect(refs.studyInstanceUid).toBe('1.2.826.0.1.3680043.10.1459.3.1');
    expect(refs.patient).toMatchObject({ name: 'PHANTOM^PARASPINE', id: 'PHANTOM-1', sex: 'F', sizeM: 1.72 });
  });

  it('keep a PatientSize only when it is a height in metres (172 written in cm, or 0, is unknown)', async () => {
    for (const [value, expected] of [['172', null], ['0', null], ['0.29', null], ['2.61', null], ['0.3', 0.3], ['2.6', 2.6]] as const) {
      const refs = await referencesOf(withPatient([{ tag: 0x00101020, vr: 'DS', value }]).files);
      expect(refs.patient.sizeM, value).toBe(expected);
    }
    const refs = await referencesOf(withPatient([{ tag: 0x00100040, vr: 'CS', value: 'X' }]).files);
    expect(refs.patient.sex).toBe('');
  });

  it('name the frame of a multi-frame instance (1-based), in slice order', async () => {
    // Frame f at z = 2.5 (2 - f): the first frame is the highest slice, so slice k holds frame 3 - k.
    const bytes = enhancedCt({ frames: 3, position: (f) => [0, 0, 2.5 * (2 - f)] });
    const refs = await referencesOf([{ name: 'enhanced.dcm', bytes }]);
    expect(refs.slices.map((s) => s.frameNumber)).toEqual([3, 2, 1]);
    expect(new Set(refs.slices.map((s) => s.sopInstanceUid))).toEqual(new Set(['1.2.826.0.1.3680043.10.1459.9.1']));
  });
});
