/**
 * Muscle indices, the bone density panel and the adjacent-segment-disease factor panel (core/indices,
 * core/bone/panel.ts). Records are made by hand with known areas, or measured on the real 3 mm CT whose
 * L3 psoas areas are in ../shared/data/README.md (iliopsoas_left 711 mm², iliopsoas_right 702 mm²).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { boneDensityPanel } from '../../src/core/bone/panel';
import { resolveAnthropometry } from '../../src/core/indices/anthropometry';
import { paraspinalIndex, psoasMuscleIndex } from '../../src/core/indices/muscleIndex';
import { asdFactorsPanel, muscleIndexPanel, reportIndices, reportPanels } from '../../src/core/indices/panels';
import { identifyStructure, measureSliceMask, type MeasurementRecord } from '../../src/core/metrics/records';
import { DEFAULT_RANGES } from '../../src/core/metrics/ranges';
import { loadSeriesFromFolder } from '../../src/node/dicomFiles';
import { loadMasks } from '../../src/node/masks';

type R = Partial<MeasurementRecord> & Pick<MeasurementRecord, 'muscle' | 'side' | 'level'>;
function rec(r: R): MeasurementRecord {
  return { structure: `${r.muscle}_${r.side}`, sliceIndex: 10, z: 0, pixels: 1, areaMm2: null, leanAreaMm2: null, fatAreaMm2: null, fatFraction: null, meanHu: null, sdHu: null, leanMeanHu: null, warnings: [], ...r } as MeasurementRecord;
}
const bone = (meanHu: number, vertebra = 'L1'): MeasurementRecord =>
  rec({ structure: `${vertebra} trabecular`, muscle: 'trabecularBone', side: null, level: vertebra === 'T12' ? null : (vertebra as 'L1'), meanHu, sdHu: 12.5, pixels: 40, areaMm2: 360 });

const psoas = [rec({ muscle: 'psoas', side: 'left', level: 'L3', areaMm2: 900 }), rec({ muscle: 'psoas', side: 'right', level: 'L3', areaMm2: 1100 })];

describe('psoas muscle index', () => {
  it('(L + R psoas CSA at L3) / height²: 20 cm² at 2.00 m is 5 cm²/m²; below the men\'s cut-off 6.36, not below the women\'s 3.92', () => {
    const m = psoasMuscleIndex(psoas, { heightM: 2, sex: 'M' });
    expect(m.value).toBe(5);
    expect(m.areaCm2).toBe(20);
    expect(m.cutoff).toBe(6.36);
    expect(m.belowCutoff).toBe(true);
    const f = psoasMuscleIndex(psoas, { heightM: 2, sex: 'F' });
    expect(f.cutoff).toBe(3.92);
    expect(f.belowCutoff).toBe(false);
  });

  it('no height: "height unknown", no value, nothing invented; the panel says so', () => {
    const m = psoasMuscleIndex(psoas, { heightM: null, sex: 'M' });
    expect(m.value).toBeNull();
    expect(m.missing).toEqual(['height unknown']);
    expect(m.belowCutoff).toBeNull();
    const panel = muscleIndexPanel({ measurements: psoas });
    expect(panel.rows[0]).toMatchObject({ label: 'Psoas muscle index (L3)', value: 'height unknown', number: null });
    expect(panel.rows.find((r) => r.label === 'Height')).toMatchObject({ value: 'height unknown', number: null });
    expect(reportIndices({ measurements: psoas }).psoasMuscleIndex).toMatchObject({ value: null, missing: ['height unknown'] });
  });

  it('a missing side is named; a muscle recorded absent counts as 0 with a note', () => {
    const m = psoasMuscleIndex([psoas[0]!], { heightM: 1.7, sex: null });
    expect(m.value).toBeNull();
    expect(m.missing).toEqual(['psoas right at L3 not measured']);
    const absent = psoasMuscleIndex([psoas[0]!, rec({ muscle: 'psoas', side: 'right', level: 'L3', status: 'absent' })], { heightM: 2, sex: null });
    expect(absent.value).toBe(9 / 4);
    expect(absent.notes).toEqual(['psoas right recorded absent at L3: counted as 0']);
  });

  it('other levels are not used', () => {
    const m = psoasMuscleIndex([rec({ muscle: 'psoas', side: 'left', level: 'L4', areaMm2: 900 }), psoas[1]!], { heightM: 2, sex: null });
    expect(m.missing).toEqual(['psoas left at L3 not measured']);
  });

  it('on the real 3 mm CT: the L3 psoas masks (711 + 702 mm², data README) at a typed 1.70 m give 14.13 / 1.70² = 4.889 cm²/m²', async () => {
    const ABD = join(__dirname, '../../../shared/data/ct-abdomen-3mm');
    const L3 = 73;
    const { volume } = await loadSeriesFromFolder(join(ABD, 'dicom'));
    const g = volume.geometry;
    const r = await loadMasks(join(ABD, 'masks'), g, { slices: [L3], include: (n) => n.startsWith('iliopsoas_') });
    expect(r.problems).toEqual([]);
    const plane = g.rows * g.columns;
    const records = r.masks.map((m) => measureSliceMask(volume, L3, m.data.subarray(L3 * plane, (L3 + 1) * plane), identifyStructure(m.name), 'L3', DEFAULT_RANGES));
    const m = psoasMuscleIndex(records, resolveAnthropometry(null, { heightM: 1.7, sex: 'F' }));
    expect(m.areaCm2).toBeCloseTo(14.13, 10);
    expect(m.value).toBeCloseTo(4.889273, 6);
    expect(m.cutoff).toBe(3.92);
    const panel = muscleIndexPanel({ measurements: records }, { heightM: 1.7, sex: 'F' });
    expect(panel.rows[0]!.value).toBe('4.89 cm²/m²');
    expect(panel.rows[0]!.note).toContain('cut-off for women 3.92 cm²/m² (Hamaguchi et al. 2016');
  });
});

describe('height and sex: the DICOM first, else as given', () => {
  it('PatientSize wins over a typed height (with a note); a typed one is used when the DICOM has none', () => {
    expect(resolveAnthropometry({ sizeM: 1.62, sex: 'F' }, { heightM: 1.8, sex: 'M' })).toEqual({
      heightM: 1.62,
      heightSource: 'dicom',
      sex: 'F',
      sexSource: 'dicom',
      notes: ["height 1.8 m given, but the DICOM's PatientSize 1.62 m is used", "sex M given, but the DICOM's PatientSex F is used"],
    });
    expect(resolveAnthropometry({ sizeM: null, sex: 'O' }, { heightM: 1.8, sex: 'female' })).toMatchObject({ heightM: 1.8, heightSource: 'given', sex: 'F', sexSource: 'given', notes: [] });
  });

  it('an implausible typed height or an unknown sex is refused with a reason, not used', () => {
    const a = resolveAnthropometry(null, { heightM: 170, sex: 'x' });
    expect(a.heightM).toBeNull();
    expect(a.sex).toBeNull();
    expect(a.notes).toEqual(['height 170 m is outside 0.5..2.5 m (give it in metres): not used', 'sex "x" is not M or F: not used']);
  });
});

describe('paraspinal index', () => {
  const side = (s: 'left' | 'right') => [
    rec({ muscle: 'erectorSpinae', side: s, level: 'L3', areaMm2: 1500 }),
    rec({ muscle: 'multifidus', side: s, level: 'L3', areaMm2: 600 }),
    rec({ muscle: 'quadratusLumborum', side: s, level: 'L3', areaMm2: 400 }),
  ];
  it('(ES + MF + QL, both sides, at L3) / height², with no cut-off', () => {
    const p = paraspinalIndex([...side('left'), ...side('right')], { heightM: 2 });
    expect(p.value).toBe(50 / 4);
    const panel = muscleIndexPanel({ measurements: [...side('left'), ...side('right')] }, { heightM: 2 });
    expect(panel.rows[1]).toMatchObject({ value: '12.50 cm²/m²', number: 12.5, note: 'no published cut-off' });
  });
  it('names each muscle and side missing (the masks have no quadratus lumborum)', () => {
    const p = paraspinalIndex([...side('left').slice(0, 2), ...side('right').slice(0, 2)], { heightM: 2 });
    expect(p.value).toBeNull();
    expect(p.missing).toEqual(['quadratus lumborum left at L3 not measured', 'quadratus lumborum right at L3 not measured']);
  });
  it('an unsplit autochthon stands for erector spinae + multifidus of its side, with a note', () => {
    const recs = [rec({ muscle: 'autochthon', side: 'left', level: 'L3', areaMm2: 2100 }), ...side('right'), rec({ muscle: 'quadratusLumborum', side: 'left', level: 'L3', areaMm2: 400 })];
    const p = paraspinalIndex(recs, { heightM: 2 });
    expect(p.value).toBe(50 / 4);
    expect(p.notes).toEqual(['erector spinae + multifidus left: the unsplit autochthon']);
  });
  it('neither index is ever called SMI', () => {
    const panel = muscleIndexPanel({ measurements: psoas }, { heightM: 1.7 });
    for (const r of panel.rows) expect(r.label).not.toMatch(/SMI|skeletal muscle index/i);
    expect(panel.title).not.toMatch(/SMI|skeletal muscle index/i);
  });
});

describe('bone density panel (Pickhardt 2013 bands at L1)', () => {
  it.each([
    [95, '≤110 HU: over 90% specific for osteoporosis'],
    [110.04, '≤110 HU: over 90% specific for osteoporosis'], // shown as 110.0: the words follow the number printed
    [110.06, 'between 110 and 160 HU: in neither band'],
    [159.9, 'between 110 and 160 HU: in neither band'],
    [160, '≥160 HU: the 90% sensitive threshold (osteoporosis unlikely)'],
    [230, '≥160 HU: the 90% sensitive threshold (osteoporosis unlikely)'],
  ])('L1 mean %s HU: %s', (mean, band) => {
    const p = boneDensityPanel([bone(mean)]);
    expect(p.rows[0]!.label).toBe('L1 trabecular attenuation');
    expect(p.rows[0]!.number).toBe(mean);
    expect(p.rows[0]!.note).toContain(band);
    expect(p.caveat).toBe('opportunistic screening aid, not a diagnosis');
    expect(p.citations).toEqual(['Pickhardt et al. 2013, Ann Intern Med 158:588-595']);
  });
  it('no L1 ROI: "not measured"; another vertebra is shown without the L1 bands', () => {
    const p = boneDensityPanel([bone(140, 'L2')]);
    expect(p.rows[0]).toMatchObject({ label: 'L1 trabecular attenuation', value: 'not measured', number: null });
    expect(p.rows[1]).toMatchObject({ label: 'L2 trabecular attenuation', value: '140.0 HU' });
    expect(p.rows[1]!.note).toContain('the published bands are for L1');
  });
});

describe('adjacent-segment-disease factor panel (Gong et al. 2022)', () => {
  const recs = [
    rec({ muscle: 'multifidus', side: 'left', level: 'L3/L4', areaMm2: 512 }),
    rec({ muscle: 'multifidus', side: 'right', level: 'L3/L4', areaMm2: 488 }),
    rec({ muscle: 'multifidus', side: 'left', level: 'L4/L5', fatFraction: 0.25 }),
    rec({ muscle: 'multifidus', side: 'right', level: 'L4/L5', fatFraction: 0.125 }),
    rec({ muscle: 'multifidus', side: 'left', level: 'L5/S1', status: 'absent' }),
    rec({ muscle: 'autochthon', side: 'right', level: 'L5/S1', fatFraction: 0.5 }),
  ];
  it('the heading, the seven factors side by side, no threshold and no score', () => {
    const p = asdFactorsPanel({ measurements: recs }, { bone: bone(123.45) });
    expect(p.title).toBe('Factors associated with adjacent segment disease in the literature (Gong et al. 2022, J Orthop Surg Res 17:490)');
    expect(p.rows.map((r) => [r.label, r.value, r.number])).toEqual([
      ['Multifidus CSA at L3/L4, left', '5.12 cm²', 5.12],
      ['Multifidus CSA at L3/L4, right', '4.88 cm²', 4.88],
      ['Multifidus fat infiltration at L4/L5, left', '25.0 %', 25],
      ['Multifidus fat infiltration at L4/L5, right', '12.5 %', 12.5],
      ['Multifidus fat infiltration at L5/S1, left', 'recorded absent', null],
      ['Multifidus fat infiltration at L5/S1, right', 'not measured', null],
      ['L1 trabecular attenuation', '123.5 HU', 123.45],
    ]);
    expect(p.rows[5]!.note).toMatch(/unsplit autochthon/);
    for (const r of p.rows) expect(`${r.value} ${r.note ?? ''}`).not.toMatch(/risk|score|osteopor|HU:/i);
    expect(p.caveat).toBe('no threshold and no risk score: the paper published none');
  });
  it('reportPanels: bone density, muscle indices, ASD factors, each a ReportPanel; reportIndices the same numbers', () => {
    const panels = reportPanels({ measurements: [...recs, ...psoas] }, { heightM: 2, sex: 'M', bone: bone(101) });
    expect(panels.map((p) => p.id)).toEqual(['boneDensity', 'muscleIndex', 'asdFactors']);
    const data = reportIndices({ measurements: [...recs, ...psoas] }, { heightM: 2, sex: 'M', bone: bone(101) });
    expect(data.psoasMuscleIndex.value).toBe(5);
    expect(data.boneDensity).toEqual([{ vertebra: 'L1', meanHu: 101, sdHu: 12.5, pixels: 40, areaMm2: 360, sliceIndex: 10, band: '≤110 HU: over 90% specific for osteoporosis' }]);
    expect(data.asdFactors.rows.map((r) => r.value)).toEqual(panels[2]!.rows.map((r) => r.number));
    expect(JSON.parse(JSON.stringify(data))).toEqual(data);
  });
});
