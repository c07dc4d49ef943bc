/**
 * The domain tables read from their one home give the values README states (Definitions, the metrics
 * panel and the tools): the orders below are written out by hand here, not read from the app.
 */
import { describe, expect, it } from 'vitest';
import { newAnnotationDocument, type SeriesIdentity } from '../../src/core/annotations/document';
import { sortRecords } from '../../src/core/annotations/measureAnnotations';
import type { Level, Muscle, Side } from '../../src/core/anatomy/anatomy';
import { DEFAULT_RANGES } from '../../src/core/metrics/ranges';
import type { MeasurementRecord } from '../../src/core/metrics/records';
import { MUSCLE_HU } from '../../src/core/roi/outlines';
import { SOFT_TISSUE_HU } from '../../src/core/roi/regionGrow';
import { CHECKLIST } from '../../src/renderer/state/checklist';
import { setLevel } from '../../src/renderer/state/documentOps';
import { RANGE_PRESETS } from '../../src/renderer/state/presets';

const ID: SeriesIdentity = { studyInstanceUid: 'st', seriesInstanceUid: 'se', patientId: 'P', patientName: 'N', studyDate: '20200101', seriesDescription: 'd', slices: 10, rows: 4, columns: 4 };

function rec(level: Level | null, muscle: Muscle | 'autochthon' | null, side: Side | null, sliceIndex = 0, structure = `${muscle ?? 'x'}_${side ?? ''}`): MeasurementRecord {
  return { structure, muscle, side, level, sliceIndex, z: sliceIndex, warnings: [] } as unknown as MeasurementRecord;
}

describe('one home per domain table', () => {
  it('default ranges: muscle -29..150, fat -190..-30 HU; tools and the Standard preset use them', () => {
    expect(MUSCLE_HU).toEqual([-29, 150]);
    expect(SOFT_TISSUE_HU).toEqual([-190, 150]);
    const standard = RANGE_PRESETS.find((p) => p.id === 'default');
    expect(standard?.label).toBe('Standard (-29..150 / -190..-30)');
    expect(standard?.ranges).toEqual({ muscleHu: [-29, 150], fatHu: [-190, -30] });
    expect(DEFAULT_RANGES).toEqual({ muscleHu: [-29, 150], fatHu: [-190, -30] });
  });

  it('the checklist walks psoas, quadratus lumborum, erector spinae, multifidus, left before right', () => {
    expect(CHECKLIST.map((c) => `${c.muscle} ${c.side}`)).toEqual([
      'psoas left', 'psoas right', 'quadratusLumborum left', 'quadratusLumborum right',
      'erectorSpinae left', 'erectorSpinae right', 'multifidus left', 'multifidus right',
    ]);
  });

  it('records sort head to foot by level, then slice, then muscle (psoas, QL, ES, MF, autochthon), then name', () => {
    const input = [
      rec(null, 'psoas', 'left', 1),
      rec('L5/S1', 'psoas', 'left'),
      rec('L3', 'autochthon', 'left'),
      rec('L3', 'multifidus', 'left'),
      rec('L3', 'erectorSpinae', 'left'),
      rec('L3', 'quadratusLumborum', 'right'),
      rec('L3', 'psoas', 'right'),
      rec('L3', 'psoas', 'left'),
      rec('L1/L2', 'multifidus', 'left'),
      rec('L3/L4', 'psoas', 'left'),
    ];
    expect(sortRecords(input).map((r) => `${r.level} ${r.structure}`)).toEqual([
      'L1/L2 multifidus_left',
      'L3 psoas_left',
      'L3 psoas_right',
      'L3 quadratusLumborum_right',
      'L3 erectorSpinae_left',
      'L3 multifidus_left',
      'L3 autochthon_left',
      'L3/L4 psoas_left',
      'L5/S1 psoas_left',
      'null psoas_left',
    ]);
  });

  it("a document's level marks stay head to foot whatever order they are set in", () => {
    let doc = newAnnotationDocument(ID, DEFAULT_RANGES, '1', 'r', 't');
    for (const [n, level] of (['L5/S1', 'L2', 'L3/L4', 'L1', 'L4/L5'] as const).entries()) doc = setLevel(doc, level, n, n, 't');
    expect(doc.levels.map((l) => l.level)).toEqual(['L1', 'L2', 'L3/L4', 'L4/L5', 'L5/S1']);
  });
});
