/**
 * DICOM SR (TID 1500) of the 3 mm CT measured with its masks (--levels auto --split-autochthon):
 * dciodvfy finds no error, and the TID 1500 structure that dciodvfy does not check is checked here.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NaturalDataset } from 'dcmjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { measure, type MeasureResult } from './measure';
import { buildDicomReportInput } from '../../src/core/report/dicomInput';
import { loadSeriesFromFolder } from '../../src/node/dicomFiles';
import type { DicomReportInput } from '../../src/core/report/dicomInput';
import { formatDs } from '../../src/node/reports/dicomWrite';
import { makeSeg } from '../../src/node/reports/seg';
import { makeSr } from '../../src/node/reports/sr';
import { ABDOMEN, codeOf, ctInstancesByZ, dciodvfy, measuredAbdomen, MUSCLE_BY_CODE, readDicom, SIDE_BY_CODE } from './dicomHelpers';

type Ds = NaturalDataset;
const seq = (d: Ds, key: string) => (d[key] as Ds[] | undefined) ?? [];
const named = (d: Ds) => codeOf(seq(d, 'ConceptNameCodeSequence')[0]);
const children = (d: Ds) => seq(d, 'ContentSequence');

/** Even-odd rule: is point (x, y) inside the closed polygon (flat x, y list, last point = first)? */
function inside(x: number, y: number, pts: number[]): boolean {
  let c = false;
  for (let a = 0; a + 3 < pts.length; a += 2) {
    const [x1, y1, x2, y2] = [pts[a]!, pts[a + 1]!, pts[a + 2]!, pts[a + 3]!];
    if (y1 > y !== y2 > y && x < ((x2 - x1) * (y - y1)) / (y2 - y1) + x1) c = !c;
  }
  return c;
}

function shoelace(pts: number[]): number {
  let s = 0;
  for (let a = 0; a + 3 < pts.length; a += 2) s += pts[a]! * pts[a + 3]! - pts[a + 2]! * pts[a + 1]!;
  return Math.abs(s) / 2;
}

/** The mask with its holes filled: background reached from the border (4-connected, the dual of 8-connected muscle) stays out. */
function filled(mask: Uint8Array, columns: number, rows: number): Uint8Array {
  const out = new Uint8Array(mask.length).fill(1);
  const stack: number[] = [];
  for (let i = 0; i < columns; i++) stack.push(i, (rows - 1) * columns + i);
  for (let j = 0; j < rows; j++) stack.push(j * columns, j * columns + columns - 1);
  while (stack.length) {
    const p = stack.pop()!;
    if (mask[p] || !out[p]) continue;
    out[p] = 0;
    const i = p % columns;
    const j = (p - i) / columns;
    if (i > 0) stack.push(p - 1);
    if (i < columns - 1) stack.push(p + 1);
    if (j > 0) stack.push(p - columns);
    if (j < rows - 1) stack.push(p + columns);
  }
  return out;
}

describe('SR of the 3 mm CT', () => {
  let dir: string;
  let result: MeasureResult;
  let input: DicomReportInput;
  let file: string;
  let sr: Ds;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'paraspine-sr-'));
    ({ result, input } = await measuredAbdomen());
    const t0 = performance.now();
    const made = makeSr(input);
    console.log(`SR made in ${(performance.now() - t0).toFixed(0)} ms (${made.bytes.length} bytes, ${input.rois.length} ROIs)`);
    file = join(dir, 'sr.dcm');
    writeFileSync(file, made.bytes);
    sr = readDicom(file);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('the references of the 3 mm CT name each slice its own file, in slice order', () => {
    const byZ = ctInstancesByZ(ABDOMEN);
    expect(input.references.slices.map((s) => s.sopInstanceUid)).toEqual(byZ.map((f) => f.uid));
    expect(input.references.slices.every((s) => s.frameNumber === null)).toBe(true);
  });

  it('dciodvfy reports no error', () => {
    const v = dciodvfy(file);
    console.log(`dciodvfy on the SR:\n${v.all}`);
    expect(v.errors).toEqual([]);
  });

  it('is a TID 1500 report of the CT\'s patient and study, by the Paraspine device', () => {
    expect(sr['SOPClassUID']).toBe('1.2.840.10008.5.1.4.1.1.88.33');
    expect(sr['StudyInstanceUID']).toBe(input.references.studyInstanceUid);
    expect(sr['PatientID'] ?? '').toBe(input.references.patient.id);
    expect(sr['SeriesInstanceUID']).not.toBe(input.references.seriesInstanceUid);
    expect(String(sr['SOPInstanceUID'])).toMatch(/^2\.25\.\d+$/);
    expect(named(sr)).toBe('DCM:126000');
    expect(seq(sr, 'ContentTemplateSequence')[0]!['TemplateIdentifier']).toBe('1500');
    const top = children(sr);
    const text = (code: string) => top.find((c) => named(c) === code)?.['TextValue'];
    expect(codeOf(seq(top.find((c) => named(c) === 'DCM:121005')!, 'ConceptCodeSequence')[0])).toBe('DCM:121007');
    expect(text('DCM:121013')).toBe('Paraspine');
    expect(String(text('DCM:121015'))).toMatch(/^Paraspine \d+\.\d+\.\d+/);
  });

  it('one group per ROI: tracking id and UID, finding site with laterality, closed outlines, area, mean and SD', () => {
    const top = children(sr);
    const libraryImages = new Set(
      children(children(top.find((c) => named(c) === 'DCM:111028')!)[0]!).map((img) => String(seq(img, 'ReferencedSOPSequence')[0]!['ReferencedSOPInstanceUID'])),
    );
    const groups = children(top.find((c) => named(c) === 'DCM:126010')!);
    const measured = result.measurements.filter((r) => (r.pixels ?? 0) > 0);
    expect(groups.length).toBe(measured.length);
    expect(groups.length).toBe(24); // 4 levels x psoas, erector spinae, multifidus x left, right
    const g = input.geometry;
    const sliceOf = new Map(input.references.slices.map((s, k) => [s.sopInstanceUid, k]));
    const uids = new Set<string>();
    const ids = new Set<string>();
    for (const group of groups) {
      expect(named(group)).toBe('DCM:125007');
      const items = children(group);
      const id = items.find((c) => named(c) === 'DCM:112039');
      const uid = items.find((c) => named(c) === 'DCM:112040');
      expect(id?.['RelationshipType']).toBe('HAS OBS CONTEXT');
      expect(String(id?.['TextValue'] ?? '')).not.toBe('');
      ids.add(String(id?.['TextValue']));
      expect(String(uid?.['UID'])).toMatch(/^2\.25\.\d+$/);
      uids.add(String(uid?.['UID']));
      const site = items.find((c) => named(c) === 'SCT:363698007')!;
      expect(site['RelationshipType']).toBe('HAS CONCEPT MOD');
      const muscle = MUSCLE_BY_CODE[codeOf(seq(site, 'ConceptCodeSequence')[0])];
      const lat = children(site).find((c) => named(c) === 'SCT:272741003')!;
      expect(lat['RelationshipType']).toBe('HAS CONCEPT MOD');
      const side = SIDE_BY_CODE[codeOf(seq(lat, 'ConceptCodeSequence')[0])];

      const scoords = items.filter((c) => c['ValueType'] === 'SCOORD');
      expect(scoords.length).toBeGreaterThan(0);
      const images = new Set(scoords.map((s) => String(seq(children(s)[0]!, 'ReferencedSOPSequence')[0]!['ReferencedSOPInstanceUID'])));
      expect(images.size).toBe(1);
      const image = [...images][0]!;
      expect(libraryImages.has(image)).toBe(true);
      for (const s of scoords) expect(children(s)[0]!['RelationshipType']).toBe('SELECTED FROM');
      const k = sliceOf.get(image)!;
      const record = measured.find((r) => r.sliceIndex === k && r.muscle === muscle && r.side === side)!;
      expect(record, `${muscle} ${side} on slice ${k}`).toBeDefined();

      // NUMs: units on every one; values equal the record's (FloatingPointValue exact, the DS to its 16 characters).
      const nums = items.filter((c) => c['ValueType'] === 'NUM');
      for (const n of nums) expect(seq(seq(n, 'MeasuredValueSequence')[0]!, 'MeasurementUnitsCodeSequence').length).toBe(1);
      const valueOf = (concept: string, derivation?: string) => {
        const n = nums.find((x) => named(x) === concept && (!derivation || codeOf(seq(children(x).find((c) => named(c) === 'DCM:121401')!, 'ConceptCodeSequence')[0]) === derivation))!;
        const mv = seq(n, 'MeasuredValueSequence')[0]!;
        const fp = Number(mv['FloatingPointValue']);
        const ds = Number(mv['NumericValue']);
        expect(String(mv['NumericValue']).length).toBeLessThanOrEqual(16);
        expect(Math.abs(ds - fp)).toBeLessThanOrEqual(Math.abs(fp) * 1e-13 + 1e-12);
        return { fp, unit: codeOf(seq(mv, 'MeasurementUnitsCodeSequence')[0]) };
      };
      expect(valueOf('SCT:42798000')).toEqual({ fp: record.areaMm2, unit: 'UCUM:mm2' });
      expect(valueOf('DCM:112031', 'SCT:373098007')).toEqual({ fp: record.meanHu, unit: "UCUM:[hnsf'U]" });
      expect(valueOf('DCM:112031', 'SCT:386136009')).toEqual({ fp: record.sdHu, unit: "UCUM:[hnsf'U]" });

      // Outlines: closed; with the pixel-centre rule (centre of pixel i, j at i + 0.5, j + 0.5) the pixels
      // inside are exactly the record's mask with its holes filled, and the shoelace areas (x pixel area)
      // add up to that many pixels' area, which is the Area when the mask has no hole.
      const mask = result.dicom!.recordMasks!.get(record)!;
      const full = filled(mask, g.columns, g.rows);
      let shoelaceSum = 0;
      const inAny = new Uint8Array(mask.length);
      for (const s of scoords) {
        const pts = (s['GraphicData'] as number[]).map(Number);
        expect(s['GraphicType']).toBe('POLYLINE');
        expect([pts[0], pts[1]]).toEqual([pts[pts.length - 2], pts[pts.length - 1]]);
        shoelaceSum += shoelace(pts);
        for (let j = 0; j < g.rows; j++) for (let i = 0; i < g.columns; i++) if (inside(i + 0.5, j + 0.5, pts)) inAny[j * g.columns + i] = inAny[j * g.columns + i]! ^ 1;
      }
      expect([...inAny]).toEqual([...full]);
      const fullCount = full.reduce((a, b) => a + b, 0);
      expect(shoelaceSum).toBeCloseTo(fullCount, 9);
      expect(fullCount).toBeGreaterThanOrEqual(record.pixels!);
      if (fullCount === record.pixels) expect(shoelaceSum * g.columnSpacingMm * g.rowSpacingMm).toBeCloseTo(record.areaMm2!, 9);
    }
    expect(uids.size).toBe(groups.length);
    expect(ids.size).toBe(groups.length);
    expect(ids.has('L3 Psoas left')).toBe(true);
  });
});

describe('a series that cannot be referenced', () => {
  it('anonymised slices without SOPInstanceUID: refused with a reason', async () => {
    const { input } = await measuredAbdomen();
    const refs = { ...input.references, slices: input.references.slices.map((s) => ({ ...s, sopInstanceUid: '' })) };
    const k = Math.min(...input.rois.map((r) => r.sliceIndex)); // the image library lists slices in order
    expect(() => makeSr({ ...input, references: refs })).toThrow(`slice ${k} of series ${refs.seriesInstanceUid} has no SOPInstanceUID or SOPClassUID: a DICOM report cannot reference it`);
    expect(() => makeSeg({ ...input, references: { ...refs, frameOfReferenceUid: '' } })).toThrow(`series ${refs.seriesInstanceUid} has no FrameOfReferenceUID`);
    expect(() => makeSeg({ ...input, references: refs })).toThrow('has no SOPInstanceUID');
  });
});

describe('DS values', () => {
  it('at most 16 characters, rounded not cut', () => {
    expect(formatDs(711)).toBe('711');
    expect(formatDs(27.050632911392405)).toBe('27.0506329113924');
    expect(formatDs(-0.000012345678901234567)).toBe('-1.2345678901e-5');
    expect(formatDs(1 / 3)).toBe('0.33333333333333');
    for (const x of [1e21, -123456789.123456789, 2 / 3, 1e-30]) expect(formatDs(x).length).toBeLessThanOrEqual(16);
  });
});

describe('SR and SEG of an annotation document (outlines drawn on the 3 mm CT)', () => {
  it('the outline itself on its image, the record\'s numbers, and the SEG of its pixels read back the same', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'paraspine-sr-doc-'));
    try {
      const { summary, volume } = await loadSeriesFromFolder(ABDOMEN);
      const g = volume.geometry;
      const p0 = g.slicePositions[73]!;
      const at = (i: number, j: number) => [p0[0] + i * g.columnSpacingMm, p0[1] + j * g.rowSpacingMm, p0[2]];
      const now = new Date(0).toISOString();
      // Psoas left around pixels i 40..44, j 50..53 of slice 73 (20 px, 180 mm2).
      const doc = {
        format: 'paraspine-annotations',
        version: 1,
        appVersion: 'test',
        rater: 'tester',
        createdAt: now,
        modifiedAt: now,
        series: (({ studyInstanceUid, seriesInstanceUid, patientId, patientName, studyDate, seriesDescription, slices, rows, columns }) => ({ studyInstanceUid, seriesInstanceUid, patientId, patientName, studyDate, seriesDescription, slices, rows, columns }))(summary),
        ranges: { muscleHu: [-29, 150], fatHu: [-190, -30] },
        levels: [{ level: 'L3', sliceIndex: 73, z: p0[2], source: 'manual' }],
        rois: [{ id: 'a', level: 'L3', muscle: 'psoas', side: 'left', sliceIndex: 73, z: p0[2], pointsLps: [at(39.5, 49.5), at(44.5, 49.5), at(44.5, 53.5), at(39.5, 53.5)], source: 'drawn', createdAt: now, modifiedAt: now }],
      };
      const docFile = join(dir, 'doc.json');
      writeFileSync(docFile, JSON.stringify(doc));
      const result = await measure({ folder: ABDOMEN, annotations: docFile });
      expect(result.measurements.map((r) => [r.structure, r.pixels, r.areaMm2])).toEqual([['psoas_left', 20, 180]]);
      const input = buildDicomReportInput({ ...result.dicom!, records: result.measurements });

      const srFile = join(dir, 'sr.dcm');
      writeFileSync(srFile, makeSr(input).bytes);
      expect(dciodvfy(srFile).errors).toEqual([]);
      const groups = children(children(readDicom(srFile)).find((c) => named(c) === 'DCM:126010')!);
      expect(groups.length).toBe(1);
      const items = children(groups[0]!);
      const scoord = items.find((c) => c['ValueType'] === 'SCOORD')!;
      // DICOM image coordinates: pixel centre (i, j) at (i + 0.5, j + 0.5); the outline closed.
      expect((scoord['GraphicData'] as number[]).map((v) => +Number(v).toFixed(4))).toEqual([40, 50, 45, 50, 45, 54, 40, 54, 40, 50]);
      expect(seq(children(scoord)[0]!, 'ReferencedSOPSequence')[0]!['ReferencedSOPInstanceUID']).toBe(input.references.slices[73]!.sopInstanceUid);
      const area = items.find((c) => named(c) === 'SCT:42798000')!;
      expect(seq(area, 'MeasuredValueSequence')[0]!['FloatingPointValue']).toBe(180);

      const segFile = join(dir, 'seg.dcm');
      writeFileSync(segFile, makeSeg(input).bytes);
      expect(dciodvfy(segFile).errors).toEqual([]);
      const again = await measure({ folder: ABDOMEN, masks: segFile, z: [p0[2]] });
      const pick = (r: MeasureResult['measurements'][number]) => [r.structure, r.sliceIndex, r.pixels, r.areaMm2, r.meanHu, r.sdHu];
      expect(again.measurements.map(pick)).toEqual(result.measurements.map(pick));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
