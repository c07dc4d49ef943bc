/**
 * Headers from a DICOM JSON model data set (what a DICOMweb server returns as metadata), through the
 * same extraction and validation as Part-10 files. The JSON comes from dcmjs reading the files (not
 * from our parser), or is written here by hand; expected values are the phantom's own truth, the
 * shared CT's documented values (../shared/data/README.md), or the values written.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DicomJsonDataSet } from '../../src/core/dicom/headerFields';
import { headerFromDicomJson } from '../../src/core/dicom/parseHeader';
import { makePhantomSeries } from '../fixtures/phantomSeries';
import { shared } from './helpers';

/** dcmjs, as far as used here (it ships no type declarations: imported by a name the compiler does not resolve). */
interface Dcmjs {
  data: { DicomMessage: { readFile(buffer: ArrayBuffer): { dict: DicomJsonDataSet; meta: DicomJsonDataSet } } };
}
const DCMJS: string = 'dcmjs';
const dcmjs = ((await import(DCMJS)) as { default: Dcmjs }).default;

/** dcmjs's reading of a Part-10 file: the data set in the DICOM JSON model, and its transfer syntax. */
function viaDcmjs(bytes: Uint8Array): { json: DicomJsonDataSet; transferSyntaxUid: string } {
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const message = dcmjs.data.DicomMessage.readFile(buffer);
  const json = { ...message.dict };
  delete json['7FE00010']; // metadata carries no pixel data
  return { json, transferSyntaxUid: String(message.meta['00020010']!.Value![0]) };
}

const CT_IMAGE = '1.2.840.10008.5.1.4.1.1.2';
const ENHANCED_CT = '1.2.840.10008.5.1.4.1.1.2.1';

/** A classic CT image's metadata written by hand (2 x 3 pixels, 16-bit signed). */
function classic(extra: DicomJsonDataSet = {}): DicomJsonDataSet {
  return {
    '00080016': { vr: 'UI', Value: [CT_IMAGE] },
    '00080018': { vr: 'UI', Value: ['1.2.3.4.5'] },
    '00080060': { vr: 'CS', Value: ['CT'] },
    '00100010': { vr: 'PN', Value: [{ Alphabetic: 'DOE^JANE' }] },
    '00100040': { vr: 'CS', Value: ['F'] },
    '0020000D': { vr: 'UI', Value: ['1.2.3'] },
    '0020000E': { vr: 'UI', Value: ['1.2.3.4'] },
    '00200013': { vr: 'IS', Value: [7] },
    '00200032': { vr: 'DS', Value: [-10.5, 20, 30.25] },
    '00200037': { vr: 'DS', Value: [1, 0, 0, 0, 1, 0] },
    '00200052': { vr: 'UI', Value: ['1.2.3.9'] },
    '00280002': { vr: 'US', Value: [1] },
    '00280004': { vr: 'CS', Value: ['MONOCHROME2'] },
    '00280010': { vr: 'US', Value: [2] },
    '00280011': { vr: 'US', Value: [3] },
    '00280030': { vr: 'DS', Value: [0.8, 0.7] },
    '00280100': { vr: 'US', Value: [16] },
    '00280101': { vr: 'US', Value: [16] },
    '00280102': { vr: 'US', Value: [15] },
    '00280103': { vr: 'US', Value: [1] },
    '00281052': { vr: 'DS', Value: [-1024] },
    '00281053': { vr: 'DS', Value: [1] },
    ...extra,
  };
}

describe('headers from DICOM JSON metadata', () => {
  it('the phantom files read by dcmjs give the phantom geometry and rescale', () => {
    const phantom = makePhantomSeries({ slices: 3, rows: 10, columns: 12 });
    const g = phantom.expected.geometry;
    for (const f of phantom.files) {
      const { json, transferSyntaxUid } = viaDcmjs(f.bytes);
      const h = headerFromDicomJson(json, f.name, { transferSyntaxUid });
      expect(h.path).toBe(f.name);
      expect([h.rows, h.columns, h.numberOfFrames]).toEqual([10, 12, 1]);
      expect(h.pixelSpacing).toEqual([g.rowSpacingMm, g.columnSpacingMm]);
      expect(h.imageOrientation).toEqual([...g.rowDirection, ...g.columnDirection]);
      expect(h.framePositions).toEqual([g.slicePositions[f.slice]]);
      expect(h.frameRescale).toEqual([{ slope: 1, intercept: -1024 }]);
      expect(h.transferSyntaxUid).toBe('1.2.840.10008.1.2.1');
      expect([h.pixelDataOffset, h.pixelDataLength]).toEqual([-1, -1]); // frames come apart
    }
  });

  const ABDOMEN = shared('ct-abdomen-3mm', 'dicom');
  it.skipIf(!existsSync(ABDOMEN))("the shared abdominal CT's first file read by dcmjs: its documented values", () => {
    const name = readdirSync(ABDOMEN).sort()[0]!;
    const { json, transferSyntaxUid } = viaDcmjs(readFileSync(path.join(ABDOMEN, name)));
    const h = headerFromDicomJson(json, name, { transferSyntaxUid });
    expect([h.rows, h.columns]).toEqual([101, 122]);
    expect(h.pixelSpacing).toEqual([3, 3]);
    expect(h.imageOrientation).toEqual([1, 0, 0, 0, 1, 0]);
    expect(h.frameRescale[0]!.intercept).toBe(-1024);
    expect([h.bitsAllocated, h.pixelRepresentation]).toEqual([16, 1]);
    expect(h.transferSyntaxUid).toBe('1.2.840.10008.1.2.1');
  });

  it('a hand-written classic CT: every field as written, the transfer syntax from AvailableTransferSyntaxUID', () => {
    const h = headerFromDicomJson(classic({ '00083002': { vr: 'UI', Value: ['1.2.840.10008.1.2.4.90'] } }), 'https://pacs/i/1');
    expect(h).toMatchObject({
      path: 'https://pacs/i/1',
      sopClassUid: CT_IMAGE,
      sopInstanceUid: '1.2.3.4.5',
      patientName: 'DOE^JANE',
      patientSex: 'F',
      studyInstanceUid: '1.2.3',
      seriesInstanceUid: '1.2.3.4',
      frameOfReferenceUid: '1.2.3.9',
      instanceNumber: 7,
      rows: 2,
      columns: 3,
      pixelSpacing: [0.8, 0.7],
      framePositions: [[-10.5, 20, 30.25]],
      frameRescale: [{ slope: 1, intercept: -1024 }],
      transferSyntaxUid: '1.2.840.10008.1.2.4.90',
    });
  });

  it('an Enhanced CT: geometry and rescale from the functional groups, per frame', () => {
    const frame = (z: number, intercept: number): DicomJsonDataSet => ({
      '00209113': { vr: 'SQ', Value: [{ '00200032': { vr: 'DS', Value: [0, 0, z] } }] },
      '00289145': { vr: 'SQ', Value: [{ '00281052': { vr: 'DS', Value: [intercept] }, '00281053': { vr: 'DS', Value: [1] } }] },
    });
    const json: DicomJsonDataSet = {
      ...classic({ '00080016': { vr: 'UI', Value: [ENHANCED_CT] }, '00280008': { vr: 'IS', Value: [2] } }),
      '52009229': {
        vr: 'SQ',
        Value: [
          {
            '00209116': { vr: 'SQ', Value: [{ '00200037': { vr: 'DS', Value: [0, 1, 0, 0, 0, -1] } }] },
            '00289110': { vr: 'SQ', Value: [{ '00280030': { vr: 'DS', Value: [0.5, 0.6] }, '00180050': { vr: 'DS', Value: [1.25] } }] },
          },
        ],
      },
      '52009230': { vr: 'SQ', Value: [frame(5, -1000), frame(7.5, -1024)] },
    };
    for (const tag of ['00200032', '00200037', '00280030', '00281052', '00281053']) delete json[tag];
    const h = headerFromDicomJson(json, 'enhanced', { transferSyntaxUid: '1.2.840.10008.1.2.1' });
    expect(h.numberOfFrames).toBe(2);
    expect(h.pixelSpacing).toEqual([0.5, 0.6]);
    expect(h.imageOrientation).toEqual([0, 1, 0, 0, 0, -1]);
    expect(h.framePositions).toEqual([
      [0, 0, 5],
      [0, 0, 7.5],
    ]);
    expect(h.frameRescale).toEqual([
      { slope: 1, intercept: -1000 },
      { slope: 1, intercept: -1024 },
    ]);
    expect(h.sliceThickness).toBe(1.25);
  });

  it('refuses what a file would be refused for, with the same one-line reason', () => {
    const refused = (json: DicomJsonDataSet, ts = '1.2.840.10008.1.2.1'): string => {
      try {
        headerFromDicomJson(json, 'x', { transferSyntaxUid: ts });
      } catch (e) {
        return (e as Error).message;
      }
      return 'accepted';
    };
    expect(refused(classic())).toBe('accepted');
    expect(refused(classic({ '00080060': { vr: 'CS', Value: ['MR'] } }))).toBe('not CT (modality MR)');
    expect(refused(classic({ '00281054': { vr: 'LO', Value: ['US'] } }))).toMatch(/^values are not Hounsfield units \(RescaleType 'US': unspecified units\)/);
    const noRescale = classic();
    delete noRescale['00281052'];
    delete noRescale['00281053'];
    expect(refused(noRescale)).toBe('RescaleIntercept and RescaleSlope missing (required for CT: HU cannot be known)');
    expect(refused(classic({ '00280030': { vr: 'DS', Value: ['1,5', '1'] } }))).toBe("PixelSpacing '1,5\\1' is not a number");
    expect(refused(classic({ '00280010': { vr: 'US' } }))).toBe('not an image (Rows missing or zero)');
    expect(refused(classic(), '')).toBe('no transfer syntax');
    expect(refused(classic({ '00280004': { vr: 'CS', Value: ['RGB'] }, '00280002': { vr: 'US', Value: [3] } }))).toMatch(/^colour image \(RGB\)/);
  });
});
