/**
 * `paraspine measure`'s mapping of TotalSegmentator classes to Paraspine muscles (src/core/muscles): the
 * split is the default (`--split-autochthon` says so), `--no-split` keeps the raw classes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MP, writeMusclePhantom } from '../fixtures/musclePhantom';
import { cli } from './run';

type Rec = Record<string, number | string | null>;
const DATA = resolve(__dirname, '../../../shared/data');
const ABDOMEN = join(DATA, 'ct-abdomen-3mm/dicom');
const MASKS = join(DATA, 'ct-abdomen-3mm/masks');

async function json(...argv: string[]) {
  const r = await cli('measure', ...argv);
  expect(r.errors).toEqual([]);
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as { measurements: Rec[]; levels: Rec[] };
}
const brief = (r: Rec) => `${r.muscle} ${r.side} ${r.pixels} ${r.sourceKind} ${r.source}`;

describe('phantom with an iliacus beside the psoas and a fat plane in the autochthon', () => {
  let dir: string;
  let ph: ReturnType<typeof writeMusclePhantom>;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'paraspine-split-'));
    ph = writeMusclePhantom(dir);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const z = () => String(ph.geometry.slicePositions[2]![2]);

  it("--no-split: the masks raw (iliopsoas as psoas, one autochthon), source the mask's name, sourceKind mask", async () => {
    const out = await json(ph.dicom, '--masks', ph.masks, '--z', z(), '--no-split');
    expect(out.measurements.map(brief)).toEqual(['psoas left 128 mask iliopsoas_left', 'autochthon left 288 mask autochthon_left']);
    const csv = (await cli('measure', ph.dicom, '--masks', ph.masks, '--z', z(), '--format', 'csv', '--no-split')).stdout;
    const [head, first] = csv.split('\n');
    expect(head!.split(',').slice(-2)).toEqual(['source', 'sourceKind']);
    expect(first!.endsWith(',iliopsoas_left,mask')).toBe(true);
  });

  it('by default (and with --split-autochthon): psoas without the iliacus, multifidus and erector spinae split on the fat plane', async () => {
    const out = await json(ph.dicom, '--masks', ph.masks, '--z', z());
    // source: the mask and the rule, as --split-autochthon wrote it before (README); sourceKind: mask-split
    expect(out.measurements.map(brief)).toEqual([
      'psoas left 32 mask-split iliopsoas_left: psoas component nearest the spine',
      'erectorSpinae left 176 mask-split autochthon_left: lateral part (fat-plane split)',
      'multifidus left 112 mask-split autochthon_left: medial part (fat-plane split)',
    ]);
    expect(await json(ph.dicom, '--masks', ph.masks, '--z', z(), '--split-autochthon')).toEqual(out);
    const es = out.measurements.find((m) => m.muscle === 'erectorSpinae')!;
    expect(es.structure).toBe('autochthon_left');
    expect(es.fatAreaMm2 as number).toBeCloseTo(16 * MP.pixelAreaMm2, 10); // the fat plane went to the erector spinae
    expect(es.meanHu as number).toBeCloseTo((160 * 40 - 16 * 100) / 176, 10);
    const mf = out.measurements.find((m) => m.muscle === 'multifidus')!;
    expect([mf.fatAreaMm2, mf.meanHu]).toEqual([0, 40]);
    const csv = (await cli('measure', ph.dicom, '--masks', ph.masks, '--z', z(), '--format', 'csv')).stdout;
    const [head, first] = csv.split('\n');
    expect(head!.split(',').slice(-2)).toEqual(['source', 'sourceKind']);
    expect(first!.endsWith(',iliopsoas_left: psoas component nearest the spine,mask-split')).toBe(true);
  });

  it("masks named with --structures are measured raw (source the mask's name, sourceKind mask, mapping raw)", async () => {
    const r = await cli('measure', ph.dicom, '--masks', ph.masks, '--z', z(), '--split-autochthon', '--structures', 'iliopsoas_left,autochthon_left');
    const out = JSON.parse(r.stdout) as { mapping: string; measurements: Rec[] };
    expect(out.measurements.map(brief)).toEqual(['psoas left 128 mask iliopsoas_left', 'autochthon left 288 mask autochthon_left']);
    expect(out.mapping).toBe('raw');
  });

  it('--split-autochthon and --no-split need --masks', async () => {
    for (const option of ['--split-autochthon', '--no-split']) {
      const r = await cli('measure', ph.dicom, '--annotations', join(dir, 'none.json'), option);
      expect(r.code).toBe(2);
      expect(r.errors).toEqual([`${option} needs --masks`]);
    }
  });
});

describe('real 3 mm abdominal CT', () => {
  it('psoas well below the iliopsoas at L5/S1; multifidus + erector spinae = autochthon exactly at every level', async () => {
    const raw = await json(ABDOMEN, '--masks', MASKS, '--no-split');
    const split = await json(ABDOMEN, '--masks', MASKS);
    expect(split.levels.map((l) => `${l.level} ${l.sliceIndex}`)).toEqual(['L3 73', 'L3/L4 67', 'L4/L5 55', 'L5/S1 44']);
    const find = (rs: Rec[], level: string, muscle: string, side: string) => rs.find((m) => m.level === level && m.muscle === muscle && m.side === side)!;
    for (const level of ['L3', 'L3/L4', 'L4/L5', 'L5/S1']) {
      for (const side of ['left', 'right']) {
        const auto = find(raw.measurements, level, 'autochthon', side);
        const mf = find(split.measurements, level, 'multifidus', side);
        const es = find(split.measurements, level, 'erectorSpinae', side);
        expect((mf.pixels as number) + (es.pixels as number)).toBe(auto.pixels);
        expect((mf.fatAreaMm2 as number) + (es.fatAreaMm2 as number)).toBeCloseTo(auto.fatAreaMm2 as number, 9);
        expect((mf.leanAreaMm2 as number) + (es.leanAreaMm2 as number)).toBeCloseTo(auto.leanAreaMm2 as number, 9);
        expect(mf.pixels as number).toBeGreaterThan(0.15 * (auto.pixels as number));
        expect(es.pixels as number).toBeGreaterThan(0.15 * (auto.pixels as number));
        const psoas = find(split.measurements, level, 'psoas', side);
        expect([psoas.source, psoas.sourceKind]).toEqual([`iliopsoas_${side}: psoas component nearest the spine`, 'mask-split']);
        expect(psoas.pixels as number).toBeLessThanOrEqual(find(raw.measurements, level, 'psoas', side).pixels as number);
      }
    }
    // L3: the iliopsoas is the psoas alone (README reference: 79 and 78 pixels).
    expect(find(split.measurements, 'L3', 'psoas', 'left').pixels).toBe(79);
    expect(find(split.measurements, 'L3', 'psoas', 'right').pixels).toBe(78);
    // L5/S1: the iliacus along the wing is left out (iliopsoas_left 18.1 cm² on slice 44, 17.0 on the old slice 47).
    const psoasL = find(split.measurements, 'L5/S1', 'psoas', 'left');
    expect(find(raw.measurements, 'L5/S1', 'psoas', 'left').areaMm2 as number).toBeGreaterThan(1700);
    expect(psoasL.areaMm2 as number).toBeLessThan(1000);
    expect(psoasL.areaMm2 as number).toBeGreaterThan(500);
  });
});
