/**
 * DICOM SEG of the 3 mm CT measured with its masks (--levels auto --split-autochthon): dciodvfy finds no
 * error, the frames hold exactly the records' pixels on the images they reference, and the SEG read back
 * as masks (--masks seg.dcm) gives the same records again. A SEG of another series is refused.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import dcmjs, { type NaturalDataset } from 'dcmjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { measure, type MeasureResult } from './measure';
import type { DicomReportInput } from '../../src/core/report/dicomInput';
import { writeDataset } from '../../src/node/reports/dicomWrite';
import { buildSegDataset, makeSeg } from '../../src/node/reports/seg';
import { encodeRleFrame } from '../fixtures/rleEncoder';
import { loadMasks } from '../../src/node/masks';
import { ABDOMEN, MASKS, codeOf, dciodvfy, measuredAbdomen, MUSCLE_BY_CODE, readDicom, SIDE_BY_CODE } from './dicomHelpers';

type Ds = NaturalDataset;
const seq = (d: Ds, key: string) => (d[key] as Ds[] | undefined) ?? [];
const brief = (r: { sliceIndex: number; muscle: string | null; side: string | null; pixels: number | null; areaMm2: number | null; meanHu: number | null; sdHu: number | null }) =>
  `${r.sliceIndex} ${r.muscle} ${r.side}: ${r.pixels} px, ${r.areaMm2} mm2, mean ${r.meanHu}, sd ${r.sdHu}`;

describe('SEG of the 3 mm CT', () => {
  let dir: string;
  let result: MeasureResult;
  let input: DicomReportInput;
  let file: string;
  let seg: Ds;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'paraspine-seg-'));
    ({ result, input } = await measuredAbdomen());
    const t0 = performance.now();
    const made = makeSeg(input);
    console.log(`SEG made in ${(performance.now() - t0).toFixed(0)} ms (${made.bytes.length} bytes)`);
    file = join(dir, 'seg.dcm');
    writeFileSync(file, made.bytes);
    seg = readDicom(file);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('dciodvfy reports no error', () => {
    const v = dciodvfy(file);
    console.log(`dciodvfy on the SEG:\n${v.all}`);
    expect(v.errors).toEqual([]);
  });

  it('BINARY, one segment per muscle x side with laterality inside the property type, frames holding exactly the records\' pixels on their images', () => {
    expect(seg['SegmentationType']).toBe('BINARY');
    expect(seg['FrameOfReferenceUID']).toBe(input.references.frameOfReferenceUid);
    const segments = new Map<number, string>();
    for (const s of seq(seg, 'SegmentSequence')) {
      const type = seq(s, 'SegmentedPropertyTypeCodeSequence')[0]!;
      const side = SIDE_BY_CODE[codeOf(seq(type, 'SegmentedPropertyTypeModifierCodeSequence')[0])];
      segments.set(Number(s['SegmentNumber']), `${MUSCLE_BY_CODE[codeOf(type)]} ${side}`);
    }
    expect([...segments.values()].sort()).toEqual(['erectorSpinae left', 'erectorSpinae right', 'multifidus left', 'multifidus right', 'psoas left', 'psoas right']);
    const sliceOf = new Map(input.references.slices.map((s, k) => [s.sopInstanceUid, k]));
    const bytes = new Uint8Array((seg['PixelData'] as ArrayBuffer[])[0]!);
    const n = Number(seg['Rows']) * Number(seg['Columns']);
    const perFrame = seq(seg, 'PerFrameFunctionalGroupsSequence');
    expect(perFrame.length).toBe(Number(seg['NumberOfFrames']));
    const counted = perFrame.map((pf, f) => {
      const src = seq(seq(pf, 'DerivationImageSequence')[0]!, 'SourceImageSequence')[0]!;
      const k = sliceOf.get(String(src['ReferencedSOPInstanceUID']))!;
      const what = segments.get(Number(seq(pf, 'SegmentIdentificationSequence')[0]!['ReferencedSegmentNumber']))!;
      let set = 0;
      for (let p = f * n; p < (f + 1) * n; p++) set += (bytes[p >> 3]! >> (p & 7)) & 1;
      return `${k} ${what}: ${set}`;
    });
    const expected = result.measurements.filter((r) => (r.pixels ?? 0) > 0).map((r) => `${r.sliceIndex} ${r.muscle} ${r.side}: ${r.pixels}`);
    expect(counted.sort()).toEqual(expected.sort());
  });

  it('read back as masks (--masks seg.dcm), it gives the same records again', async () => {
    const zs = [...new Set(result.measurements.map((r) => r.z))];
    const again = await measure({ folder: ABDOMEN, masks: file, z: zs });
    const want = result.measurements.filter((r) => (r.pixels ?? 0) > 0).map(brief).sort();
    expect(again.measurements.map(brief).sort()).toEqual(want);
  });

  it('a SEG that codes its segments only (no Paraspine labels) with vertebrae finds the same levels and records', async () => {
    // As TotalSegmentator's SEG names things: by code (label unknown to Paraspine), vertebrae included.
    const { dataset } = buildSegDataset(input);
    const g = input.geometry;
    const n = g.rows * g.columns;
    const segments = dataset['SegmentSequence'] as Ds[];
    for (const s of segments) s['SegmentLabel'] = `Segment ${String(s['SegmentNumber'])}`;
    const perFrame = dataset['PerFrameFunctionalGroupsSequence'] as Ds[];
    const frames: Uint8Array[] = [];
    const bits = new Uint8Array(dataset['PixelData'] as ArrayBuffer);
    for (let f = 0; f < perFrame.length; f++) {
      const frame = new Uint8Array(n);
      for (let p = 0; p < n; p++) frame[p] = (bits[(f * n + p) >> 3]! >> ((f * n + p) & 7)) & 1;
      frames.push(frame);
    }
    const vertebrae = await loadMasks(MASKS, g, { include: (name) => /^vertebrae_L[1-5]$|^sacrum$/.test(name) });
    const codes: Record<string, [string, string]> = {
      vertebrae_L1: ['66794005', 'L1 vertebra'], vertebrae_L2: ['14293000', 'L2 vertebra'], vertebrae_L3: ['36470004', 'L3 vertebra'],
      vertebrae_L4: ['11994002', 'L4 vertebra'], vertebrae_L5: ['49668003', 'L5 vertebra'], sacrum: ['54735007', 'Sacrum'],
    };
    expect(vertebrae.masks.map((m) => m.name).sort()).toEqual(Object.keys(codes).sort());
    for (const m of vertebrae.masks) {
      const number = segments.length + 1;
      const [value, meaning] = codes[m.name]!;
      segments.push({ ...segments[0]!, SegmentNumber: number, SegmentLabel: `Segment ${number}`, SegmentDescription: meaning, SegmentedPropertyTypeCodeSequence: [{ CodeValue: value, CodingSchemeDesignator: 'SCT', CodeMeaning: meaning }] });
      for (let k = 0; k < g.slices; k++) {
        const frame = m.data.subarray(k * n, (k + 1) * n);
        if (!frame.some((v) => v)) continue;
        frames.push(frame);
        perFrame.push({
          ...perFrame[0]!,
          DerivationImageSequence: [{ SourceImageSequence: [{ ReferencedSOPClassUID: input.references.slices[k]!.sopClassUid, ReferencedSOPInstanceUID: input.references.slices[k]!.sopInstanceUid }] }],
          FrameContentSequence: [{ DimensionIndexValues: [number, k + 1] }],
          PlanePositionSequence: [{ ImagePositionPatient: [...g.slicePositions[k]!].map(String) }],
          SegmentIdentificationSequence: [{ ReferencedSegmentNumber: number }],
        });
      }
    }
    const packed = new Uint8Array(Math.ceil((frames.length * n) / 16) * 2);
    frames.forEach((f, fi) => f.forEach((v, p) => { if (v) packed[(fi * n + p) >> 3]! |= 1 << ((fi * n + p) & 7); }));
    Object.assign(dataset, { NumberOfFrames: String(frames.length), PixelData: packed.buffer });
    const coded = join(dir, 'coded.dcm');
    writeFileSync(coded, writeDataset(dataset));
    const again = await measure({ folder: ABDOMEN, masks: coded, levels: 'auto' });
    const withLevel = (r: MeasureResult['measurements'][number]) => `${r.level} ${brief(r)}`;
    expect(again.slices.map((s) => [s.level, s.sliceIndex])).toEqual(result.slices.map((s) => [s.level, s.sliceIndex]));
    expect(again.measurements.map(withLevel).sort()).toEqual(result.measurements.map(withLevel).sort());
  });

  it('frames without image references are placed by their position on the CT grid', async () => {
    const { dataset } = buildSegDataset(input);
    for (const pf of dataset['PerFrameFunctionalGroupsSequence'] as Ds[]) delete pf['DerivationImageSequence'];
    // Frames in reverse order: placed by position, never by file order.
    (dataset['PerFrameFunctionalGroupsSequence'] as Ds[]).reverse();
    const n = input.geometry.rows * input.geometry.columns;
    const frames = Number(dataset['NumberOfFrames']);
    const bits = new Uint8Array(dataset['PixelData'] as ArrayBuffer);
    const rev = new Uint8Array(bits.length);
    for (let f = 0; f < frames; f++) {
      for (let p = 0; p < n; p++) {
        const from = f * n + p;
        const to = (frames - 1 - f) * n + p;
        if ((bits[from >> 3]! >> (from & 7)) & 1) rev[to >> 3]! |= 1 << (to & 7);
      }
    }
    dataset['PixelData'] = rev.buffer;
    const moved = join(dir, 'by-position.dcm');
    writeFileSync(moved, writeDataset(dataset));
    const zs = [...new Set(result.measurements.map((r) => r.z))];
    const again = await measure({ folder: ABDOMEN, masks: moved, z: zs });
    expect(again.measurements.map(brief).sort()).toEqual(result.measurements.filter((r) => (r.pixels ?? 0) > 0).map(brief).sort());
  });

  /** The SEG as FRACTIONAL (8-bit): inside 200 or 128 of 255 (>= 127.5), outside 127 next to an inside pixel (< 127.5), else 0. */
  function fractional(): { dataset: Ds; frames: Uint8Array[] } {
    const { dataset } = buildSegDataset(input);
    const n = input.geometry.rows * input.geometry.columns;
    const count = Number(dataset['NumberOfFrames']);
    const bits = new Uint8Array(dataset['PixelData'] as ArrayBuffer);
    const bytes = new Uint8Array(count * n);
    const on = (q: number) => q >= 0 && q < bytes.length && ((bits[q >> 3]! >> (q & 7)) & 1) === 1;
    for (let p = 0; p < bytes.length; p++) bytes[p] = on(p) ? (p % 2 ? 200 : 128) : on(p - 1) || on(p + 1) ? 127 : 0;
    Object.assign(dataset, { SegmentationType: 'FRACTIONAL', SegmentationFractionalType: 'PROBABILITY', MaximumFractionalValue: 255, BitsAllocated: 8, BitsStored: 8, HighBit: 7, PixelData: bytes.buffer });
    return { dataset, frames: Array.from({ length: count }, (_, f) => bytes.subarray(f * n, (f + 1) * n)) };
  }

  it('a FRACTIONAL SEG (another tool\'s kind): a pixel is set where its value is at least half the maximum', async () => {
    const fractionalFile = join(dir, 'fractional.dcm');
    writeFileSync(fractionalFile, writeDataset(fractional().dataset));
    const zs = [...new Set(result.measurements.map((r) => r.z))];
    const again = await measure({ folder: ABDOMEN, masks: fractionalFile, z: zs });
    expect(again.measurements.map(brief).sort()).toEqual(result.measurements.filter((r) => (r.pixels ?? 0) > 0).map(brief).sort());
    expect(again.warnings.some((w) => w.includes('FRACTIONAL SEG'))).toBe(true);
  });

  it('a FRACTIONAL SEG in RLE (what the legacy Cornerstone adapter writes) reads the same', async () => {
    const { dataset, frames } = fractional();
    dataset['PixelData'] = frames.map((f) => encodeRleFrame(f, 1).slice().buffer);
    // Written with dcmjs directly: our writer writes native pixel data only.
    const meta = { FileMetaInformationVersion: new Uint8Array([0, 1]).buffer, MediaStorageSOPClassUID: dataset['SOPClassUID'], MediaStorageSOPInstanceUID: dataset['SOPInstanceUID'], TransferSyntaxUID: '1.2.840.10008.1.2.5', ImplementationClassUID: '2.25.1' };
    const dict = new dcmjs.data.DicomDict(dcmjs.data.DicomMetaDictionary.denaturalizeDataset(meta));
    dict.dict = dcmjs.data.DicomMetaDictionary.denaturalizeDataset(dataset);
    const rle = join(dir, 'fractional-rle.dcm');
    writeFileSync(rle, Buffer.from(dict.write()));
    const zs = [...new Set(result.measurements.map((r) => r.z))];
    const again = await measure({ folder: ABDOMEN, masks: rle, z: zs });
    expect(again.measurements.map(brief).sort()).toEqual(result.measurements.filter((r) => (r.pixels ?? 0) > 0).map(brief).sort());
  });

  it('a damaged SEG (cut short, or its pixel data short) is refused with one line naming the file', async () => {
    const z = [result.measurements[0]!.z];
    const whole = makeSeg(input).bytes;
    const cut = join(dir, 'cut.dcm');
    writeFileSync(cut, whole.subarray(0, 3000));
    const e1 = await measure({ folder: ABDOMEN, masks: cut, z }).then(() => null, (e: Error) => e.message);
    expect(e1?.startsWith(`${cut}: `)).toBe(true);
    expect(e1).not.toContain('\n');
    const { dataset } = buildSegDataset(input);
    dataset['PixelData'] = new Uint8Array(8).buffer;
    const short = join(dir, 'short.dcm');
    writeFileSync(short, writeDataset(dataset));
    await expect(measure({ folder: ABDOMEN, masks: short, z })).rejects.toThrow(`${short}: pixel data shorter than its frames`);
  });

  it('a SEG on another grid or pixel spacing is refused with a reason naming the file', async () => {
    const g = input.geometry;
    const z = [result.measurements[0]!.z];
    const grid = buildSegDataset(input).dataset;
    grid['Rows'] = g.rows - 1;
    const otherGrid = join(dir, 'other-grid.dcm');
    writeFileSync(otherGrid, writeDataset(grid));
    await expect(measure({ folder: ABDOMEN, masks: otherGrid, z })).rejects.toThrow(`${otherGrid}: SEG grid ${g.columns}x${g.rows - 1} is not the CT's ${g.columns}x${g.rows}`);
    const spaced = buildSegDataset(input).dataset;
    (spaced['SharedFunctionalGroupsSequence'] as Ds[])[0]!['PixelMeasuresSequence'] = [{ PixelSpacing: ['1.5', '1.5'], SliceThickness: '3' }];
    const otherSpacing = join(dir, 'other-spacing.dcm');
    writeFileSync(otherSpacing, writeDataset(spaced));
    await expect(measure({ folder: ABDOMEN, masks: otherSpacing, z })).rejects.toThrow(`${otherSpacing}: SEG pixel spacing 1.5\\1.5 mm is not the CT's`);
  });

  it('a SEG of another series, or another frame of reference, is refused with a reason naming the file', async () => {
    const other = join(dir, 'other-series.dcm');
    writeFileSync(other, makeSeg({ ...input, references: { ...input.references, seriesInstanceUid: '1.2.3.4' } }).bytes);
    await expect(measure({ folder: ABDOMEN, masks: other, z: [result.measurements[0]!.z] })).rejects.toThrow(`${other}: SEG is for series 1.2.3.4, not for series ${input.references.seriesInstanceUid}`);
    const otherFor = join(dir, 'other-frame-of-reference.dcm');
    writeFileSync(otherFor, makeSeg({ ...input, references: { ...input.references, frameOfReferenceUid: '1.2.3.5' } }).bytes);
    await expect(measure({ folder: ABDOMEN, masks: otherFor, z: [result.measurements[0]!.z] })).rejects.toThrow(`${otherFor}: SEG frame of reference 1.2.3.5 is not the CT's`);
  });
});
