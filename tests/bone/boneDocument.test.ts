/**
 * The bone ROI in the annotation document (version 2): old version-1 documents still open unchanged,
 * bone ROIs are measured into 'trabecularBone' records, and the CSV/JSON and `measure --annotations`
 * carry them as new rows with every existing column kept.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ANNOTATION_FORMAT,
  ANNOTATION_VERSION,
  newAnnotationDocument,
  parseAnnotationDocument,
  readAnnotationDocument,
  setBoneRoi,
  type AnnotationDocument,
  type BoneRoi,
} from '../../src/core/annotations/document';
import { measureAnnotationsChecked } from '../../src/core/annotations/measureAnnotations';
import { boneRoiFromMasks } from '../../src/core/bone/measureBone';
import { proposeTrabecularRoi } from '../../src/core/bone/trabecular';
import { EXPORT_CSV_COLUMNS, exportMeasurementsCsv, measurementsJson } from '../../src/core/export/measurementsExport';
import { DEFAULT_RANGES } from '../../src/core/metrics/ranges';
import { loadSeriesFromFolder } from '../../src/node/dicomFiles';
import { loadMasks } from '../../src/node/masks';
import { loadDocument, saveDocument } from '../../src/node/workspace';
import { cli } from '../cli/run';
import { TRABECULAR, phantomSeries } from './phantom';

const NOW = '2026-01-01T00:00:00.000Z';
const series = (g: { slices: number; rows: number; columns: number }) => ({
  studyInstanceUid: '1.2.3',
  seriesInstanceUid: '1.2.3.4',
  patientId: 'P',
  patientName: 'Phantom',
  studyDate: '20260101',
  seriesDescription: 'vertebra phantom',
  slices: g.slices,
  rows: g.rows,
  columns: g.columns,
});

/** A version-1 document as version 1 wrote it (written out by hand here, not by the current code). */
function versionOneDocument(g: { slices: number; rows: number; columns: number }) {
  return {
    format: 'paraspine-annotations',
    version: 1,
    appVersion: '0.9.0',
    rater: 'r',
    createdAt: NOW,
    modifiedAt: NOW,
    series: series(g),
    ranges: { muscleHu: [-29, 150], fatHu: [-190, -30] },
    levels: [{ level: 'L1', sliceIndex: 2, z: 4, source: 'manual' }],
    rois: [
      { id: 'a', level: 'L1', muscle: 'psoas', side: 'left', sliceIndex: 2, z: 4, pointsLps: [[5, 100, 4], [15, 100, 4], [15, 110, 4], [5, 110, 4]], source: 'drawn', createdAt: NOW, modifiedAt: NOW },
    ],
    absent: [{ level: 'L1', muscle: 'quadratusLumborum', side: 'left', at: NOW }],
  };
}

function boneRoi(doc: { pointsLps: BoneRoi['pointsLps']; sliceIndex: number; z: number }, vertebra: BoneRoi['vertebra'] = 'L1', id = 'b1'): BoneRoi {
  return { id, vertebra, sliceIndex: doc.sliceIndex, z: doc.z, pointsLps: doc.pointsLps, source: 'proposed', createdAt: NOW, modifiedAt: NOW };
}

describe('annotation document version 2: bone ROIs', () => {
  it('this Paraspine writes version 2', () => {
    expect(ANNOTATION_VERSION).toBe(2);
    const { g } = phantomSeries(1);
    expect(newAnnotationDocument(series(g), DEFAULT_RANGES, 't', 'r', NOW).version).toBe(2);
  });

  it('a version-1 document opens unchanged (same fields, same values, still version 1) and measures as before', () => {
    const { g, volume } = phantomSeries(1);
    const old = versionOneDocument(g);
    const r = readAnnotationDocument(JSON.parse(JSON.stringify(old)));
    if (!r.ok) throw new Error(r.reason);
    expect(r.document).toEqual(old);
    expect(r.notes).toEqual([]);
    const m = measureAnnotationsChecked(volume, r.document);
    expect(m.records.map((x) => x.structure)).toEqual(['psoas_left', 'quadratusLumborum_left']);
    expect(m.records[0]!.pixels).toBe(100); // 10 x 10 mm at 1 mm pixels, pixel-centre rule (x 5..14, y 100..109)
  });

  it('a version-1 document holding bone ROIs is refused with a reason (bone ROIs came with version 2)', () => {
    const { g } = phantomSeries(1);
    const r = parseAnnotationDocument({ ...versionOneDocument(g), boneRois: [] });
    expect(r).toEqual({ ok: false, reason: 'invalid annotation document: boneRois (bone ROIs) need document version 2, this document is version 1' });
  });

  it('a document from a newer version is refused', () => {
    const { g } = phantomSeries(1);
    const r = parseAnnotationDocument({ ...versionOneDocument(g), version: 3 });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toBe('written by a newer Paraspine (document version 3, this version reads up to 2)');
  });

  it('a malformed bone ROI is named in the user\'s terms', () => {
    const { g } = phantomSeries(1);
    const bad = { ...versionOneDocument(g), version: 2, boneRois: [{ id: 'x', vertebra: 'C7', sliceIndex: 0, z: 0, pointsLps: [[0, 0, 0], [1, 0, 0], [0, 1, 0]], source: 'proposed', createdAt: NOW, modifiedAt: NOW }] };
    const r = parseAnnotationDocument(bad);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toBe('invalid annotation document: boneRois.0.vertebra (bone ROI 1 of 1 (C7, id "x")): expected one of T12, L1, L2, L3, L4, L5, found text "C7"');
  });

  it('setBoneRoi raises a version-1 document to 2 and keeps one ROI per vertebra; the document round-trips through JSON', () => {
    const { g, mask } = phantomSeries(1);
    const p = proposeTrabecularRoi(g, mask, 'L1');
    if (!p.ok) throw new Error(p.reason);
    const v1 = readAnnotationDocument(versionOneDocument(g));
    if (!v1.ok) throw new Error(v1.reason);
    let doc = setBoneRoi(v1.document, boneRoi(p.proposal), '2026-02-01T00:00:00.000Z');
    doc = setBoneRoi(doc, boneRoi(p.proposal, 'L1', 'b2'), '2026-02-01T00:00:00.000Z');
    expect(doc.version).toBe(2);
    expect(doc.boneRois!.map((b) => b.id)).toEqual(['b2']);
    expect(doc.rois).toEqual(v1.document.rois);
    const again = readAnnotationDocument(JSON.parse(JSON.stringify(doc)));
    if (!again.ok) throw new Error(again.reason);
    expect(again.document).toEqual(doc);
  });

  it('measured: a trabecularBone record of exactly 150 HU beside the muscles; CSV and JSON carry it as a new row, every column kept', () => {
    const { g, volume, mask } = phantomSeries(1);
    const p = proposeTrabecularRoi(g, mask, 'L1');
    if (!p.ok) throw new Error(p.reason);
    const v1 = readAnnotationDocument(versionOneDocument(g));
    if (!v1.ok) throw new Error(v1.reason);
    const doc: AnnotationDocument = setBoneRoi(v1.document, boneRoi(p.proposal), NOW);
    const { records, warnings } = measureAnnotationsChecked(volume, doc);
    expect(warnings).toEqual([]);
    const b = records.find((r) => r.muscle === 'trabecularBone')!;
    expect(b).toMatchObject({ structure: 'L1 trabecular', level: 'L1', side: null, meanHu: TRABECULAR, sdHu: 0, pixels: p.proposal.pixels, roiIds: ['b1'], origin: 'proposed', status: 'measured' });
    expect(b.leanAreaMm2).toBeNull();
    // The muscle records are the version-1 ones, unchanged.
    const before = measureAnnotationsChecked(volume, v1.document).records;
    expect(records.filter((r) => r.muscle !== 'trabecularBone')).toEqual(before);
    // CSV: the same header, one row more.
    const csvOld = exportMeasurementsCsv(volume, v1.document).trimEnd().split('\n');
    const csvNew = exportMeasurementsCsv(volume, doc).trimEnd().split('\n');
    expect(csvNew[0]).toBe(csvOld[0]);
    expect(csvNew[0]).toBe(EXPORT_CSV_COLUMNS.join(','));
    expect(csvNew).toHaveLength(csvOld.length + 1);
    const cols = csvNew[0]!.split(',');
    const row = csvNew.find((l) => l.includes('L1 trabecular'))!.split(',');
    expect(row[cols.indexOf('muscle')]).toBe('trabecularBone');
    expect(row[cols.indexOf('level')]).toBe('L1');
    expect(row[cols.indexOf('meanHu')]).toBe('150');
    expect(row[cols.indexOf('leanAreaMm2')]).toBe('');
    for (const line of csvOld.slice(1)) expect(csvNew).toContain(line);
    // JSON: the same keys, the record added.
    const jOld = measurementsJson(volume, v1.document);
    const jNew = measurementsJson(volume, doc);
    expect(Object.keys(jNew)).toEqual(Object.keys(jOld));
    expect(jNew.measurements).toHaveLength(jOld.measurements.length + 1);
    expect(jNew.asymmetry).toEqual(jOld.asymmetry);
  });

  it('the workspace saves and loads a document holding a bone ROI without dropping it; a version-1 one stays version 1', async () => {
    const { g, mask } = phantomSeries(1);
    const p = proposeTrabecularRoi(g, mask, 'L1');
    if (!p.ok) throw new Error(p.reason);
    const ws = mkdtempSync(join(tmpdir(), 'paraspine-bone-ws-'));
    const old = versionOneDocument(g);
    await saveDocument(ws, old);
    const l1 = await loadDocument(ws, old.series.seriesInstanceUid);
    expect(l1.document).toEqual(old);
    const doc = setBoneRoi(l1.document!, boneRoi(p.proposal), NOW);
    await saveDocument(ws, doc);
    const l2 = await loadDocument(ws, old.series.seriesInstanceUid);
    expect(l2.document).toEqual(doc);
    expect(l2.document!.boneRois).toHaveLength(1);
  });

  it('a bone ROI with the id of an outline or of another bone ROI gets a fresh id, said in a note', () => {
    const { g } = phantomSeries(1);
    const v2 = { ...versionOneDocument(g), version: 2 };
    const b = { vertebra: 'L1', sliceIndex: 2, z: 4, pointsLps: [[50, 40, 4], [60, 40, 4], [60, 50, 4]], source: 'drawn', createdAt: NOW, modifiedAt: NOW };
    const r = readAnnotationDocument({ ...v2, boneRois: [{ ...b, id: 'a' }, { ...b, vertebra: 'L2', id: 'k' }, { ...b, vertebra: 'L3', id: 'k' }] });
    if (!r.ok) throw new Error(r.reason);
    expect(r.document.rois.map((x) => x.id)).toEqual(['a']);
    expect(r.document.boneRois!.map((x) => x.id)).toEqual(['a-2', 'k', 'k-2']);
    expect(r.notes).toEqual([
      'bone ROI 1 (L1) had the id "a" of another ROI: it now has the id "a-2"',
      'bone ROI 3 (L3) had the id "k" of another ROI: it now has the id "k-2"',
    ]);
  });

  it('a bone ROI off every slice is not measured and named; a second one of a vertebra is named', () => {
    const { g, volume, mask } = phantomSeries(1);
    const p = proposeTrabecularRoi(g, mask, 'L1');
    if (!p.ok) throw new Error(p.reason);
    const base = newAnnotationDocument(series(g), DEFAULT_RANGES, 't', 'r', NOW);
    const off = { ...boneRoi(p.proposal, 'L2', 'far'), z: 500, pointsLps: p.proposal.pointsLps.map(([x, y]) => [x, y, 500] as [number, number, number]) };
    const doc = { ...base, boneRois: [boneRoi(p.proposal), boneRoi(p.proposal, 'L1', 'twice'), off] };
    const m = measureAnnotationsChecked(volume, doc);
    expect(m.records.map((r) => r.structure)).toEqual(['L1 trabecular']);
    expect(m.warnings).toEqual([
      'L1 trabecular bone ROI twice not measured: another ROI of L1 comes first',
      'L2 trabecular bone ROI far not measured: z 500 mm lies off every slice (nearest: slice 4 at z 8 mm)',
    ]);
  });
});

describe('paraspine measure --annotations with an L1 bone ROI on the real 3 mm CT', () => {
  it('prints the bone row in the JSON and the CSV, beside the outline rows', async () => {
    const ABD = join(__dirname, '../../../shared/data/ct-abdomen-3mm');
    const { volume, summary } = await loadSeriesFromFolder(join(ABD, 'dicom'));
    const g = volume.geometry;
    const masks = await loadMasks(join(ABD, 'masks'), g, { include: (n) => n === 'vertebrae_L1' });
    const res = boneRoiFromMasks(volume, masks.masks[0]!.data, 'L1');
    if (!res.ok) throw new Error(res.reason);
    const doc = setBoneRoi(newAnnotationDocument({ ...series(g), ...pickSeries(summary) }, DEFAULT_RANGES, 'test', 'tester', NOW), boneRoi(res.proposal), NOW);
    const dir = mkdtempSync(join(tmpdir(), 'paraspine-bone-'));
    const file = join(dir, 'doc.json');
    writeFileSync(file, JSON.stringify(doc));
    const j = await cli('measure', join(ABD, 'dicom'), '--annotations', file);
    expect(j.errors).toEqual([]);
    const json = JSON.parse(j.stdout);
    expect(json.measurements).toHaveLength(1);
    expect(json.measurements[0]).toMatchObject({ structure: 'L1 trabecular', muscle: 'trabecularBone', level: 'L1', side: null, pixels: res.record.pixels, meanHu: res.record.meanHu, sdHu: res.record.sdHu, status: 'measured', roiIds: ['b1'] });
    const c = await cli('measure', join(ABD, 'dicom'), '--annotations', file, '--format', 'csv');
    const lines = c.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(EXPORT_CSV_COLUMNS.join(','));
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(',L1 trabecular,trabecularBone,,L1,');
    expect(ANNOTATION_FORMAT).toBe(doc.format);
  });
});

function pickSeries(s: { studyInstanceUid: string; seriesInstanceUid: string; patientId: string; patientName: string; studyDate: string; seriesDescription: string }) {
  return { studyInstanceUid: s.studyInstanceUid, seriesInstanceUid: s.seriesInstanceUid, patientId: s.patientId, patientName: s.patientName, studyDate: s.studyDate, seriesDescription: s.seriesDescription };
}
