import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from './run';

const DATA = resolve(__dirname, '../../../shared/data');
const ABDOMEN = join(DATA, 'ct-abdomen-3mm/dicom');
const MASKS = join(DATA, 'ct-abdomen-3mm/masks');

/** Reference values at L3 (slice 73) from ../shared/data/README.md (independent computation). */
const REFERENCE = {
  iliopsoas_left: { pixels: 79, areaMm2: 711, meanHu: 27.0506, sdHu: 27.0517, leanAreaMm2: 666, leanMeanHu: 32.0946, fatAreaMm2: 45 },
  iliopsoas_right: { pixels: 78, areaMm2: 702, meanHu: 33.2949, sdHu: 17.8599, leanAreaMm2: 702, leanMeanHu: 33.2949, fatAreaMm2: 0 },
  autochthon_left: { pixels: 282, areaMm2: 2538, meanHu: 16.5, sdHu: 21.6745, leanAreaMm2: 2394, leanMeanHu: 20.0827, fatAreaMm2: 144 },
  autochthon_right: { pixels: 263, areaMm2: 2367, meanHu: 7.5703, sdHu: 26.5936, leanAreaMm2: 2133, leanMeanHu: 14.0211, fatAreaMm2: 234 },
} as const;

type Rec = Record<string, number | string | null>;

function checkReference(records: Rec[]) {
  for (const [structure, ref] of Object.entries(REFERENCE)) {
    const r = records.find((x) => x.structure === structure);
    expect(r, structure).toBeDefined();
    expect(r!.sliceIndex).toBe(73);
    expect(r!.z as number).toBeCloseTo(313.3018, 3);
    expect(r!.pixels).toBe(ref.pixels);
    expect(r!.areaMm2).toBeCloseTo(ref.areaMm2, 6);
    expect(r!.leanAreaMm2).toBeCloseTo(ref.leanAreaMm2, 6);
    expect(r!.fatAreaMm2).toBeCloseTo(ref.fatAreaMm2, 6);
    expect(r!.fatFraction as number).toBeCloseTo(ref.fatAreaMm2 / ref.areaMm2, 10);
    expect(r!.meanHu as number).toBeCloseTo(ref.meanHu, 4);
    expect(r!.sdHu as number).toBeCloseTo(ref.sdHu, 4);
    expect(r!.leanMeanHu as number).toBeCloseTo(ref.leanMeanHu, 4);
  }
}

describe('paraspine measure on the real 3 mm abdominal CT', () => {
  it('finds L3 from the vertebra masks and matches the reference values', async () => {
    // the reference values are the raw masks' (--no-split; the default maps them as the app does: tests/cli/mapping.test.ts)
    const r = await cli('measure', ABDOMEN, '--masks', MASKS, '--levels', 'L3', '--no-split');
    expect(r.errors).toEqual([]);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.ranges).toEqual({ muscleHu: [-29, 150], fatHu: [-190, -30] });
    expect(json.series.slices).toBe(112);
    expect(json.levels).toHaveLength(1);
    expect(json.levels[0]).toMatchObject({ level: 'L3', sliceIndex: 73 });
    expect(json.measurements.map((m: Rec) => m.structure).sort()).toEqual(Object.keys(REFERENCE).sort());
    checkReference(json.measurements);
    expect(r.notes.some((n) => /L3: slice 73/.test(n))).toBe(true);
  });

  it('measures the slice nearest a given z the same way', async () => {
    const r = await cli('measure', ABDOMEN, '--masks', MASKS, '--z', '314.5', '--no-split');
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.measurements.every((m: Rec) => m.level === null)).toBe(true);
    checkReference(json.measurements);
  });

  it('auto levels give the four default levels in order, discs between the bodies', async () => {
    const r = await cli('measure', ABDOMEN, '--masks', MASKS, '--no-split');
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    const levels = json.levels as { level: string; sliceIndex: number }[];
    expect(levels.map((l) => l.level)).toEqual(['L3', 'L3/L4', 'L4/L5', 'L5/S1']);
    const k = levels.map((l) => l.sliceIndex);
    // feet-to-head indices: L3 is above (larger index) every disc below it
    expect(k[0]).toBe(73);
    expect(k[0]! > k[1]! && k[1]! > k[2]! && k[2]! > k[3]!).toBe(true);
    expect(json.measurements).toHaveLength(16);
    expect(json.asymmetry.length).toBeGreaterThan(0);
  });

  it('writes tidy CSV with the series identity and ranges on every row', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'paraspine-cli-'));
    const file = join(dir, 'out.csv');
    const r = await cli('measure', ABDOMEN, '--masks', MASKS, '--levels', 'L3', '--format', 'csv', '--out', file, '--muscle-hu', '-29,150', '--no-split');
    expect(r.code).toBe(0);
    const { readFileSync } = await import('node:fs');
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    const header = lines[0]!.split(',');
    expect(header).toContain('areaMm2');
    expect(header).toContain('seriesInstanceUid');
    expect(lines).toHaveLength(5);
    const rows = lines.slice(1).map((l) => Object.fromEntries(l.split(',').map((v, i) => [header[i], v])));
    const left = rows.find((x) => x.structure === 'iliopsoas_left')!;
    expect(Number(left.pixels)).toBe(79);
    expect(Number(left.areaMm2)).toBe(711);
    expect(left.muscleHuLo).toBe('-29');
    expect(left.fatHuHi).toBe('-30');
    expect(left.level).toBe('L3');
    expect(Number(left.asymmetryPct)).toBeCloseTo((100 * (711 - 702)) / 706.5, 10);
  });

  it('honours other HU ranges', async () => {
    const r = await cli('measure', ABDOMEN, '--masks', MASKS, '--levels', 'L3', '--muscle-hu', '0,100', '--fat-hu', '-200,-1');
    const json = JSON.parse(r.stdout);
    expect(json.ranges).toEqual({ muscleHu: [0, 100], fatHu: [-200, -1] });
    const right = json.measurements.find((m: Rec) => m.structure === 'iliopsoas_right');
    expect(right.pixels).toBe(78);
    expect(right.leanAreaMm2).toBeLessThan(702);
    expect(right.fatAreaMm2).toBeGreaterThan(0);
    expect(right.leanAreaMm2 + right.fatAreaMm2).toBeLessThanOrEqual(702);
  });
});

describe('paraspine stats', () => {
  it('matches the whole-volume reference values', async () => {
    const r = await cli('stats', ABDOMEN, '--masks', MASKS);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    const get = (n: string) => json.structures.find((s: Rec) => s.structure === n);
    expect(get('autochthon_left').volumeMm3).toBeCloseTo(420255, 6);
    expect(get('autochthon_left').meanHu).toBeCloseTo(16.367, 3);
    expect(get('iliopsoas_right').volumeMm3).toBeCloseTo(266922, 6);
    expect(get('iliopsoas_right').meanHu).toBeCloseTo(42.394, 3);
    expect(get('vertebrae_L3').voxels).toBeGreaterThan(0);
  });
});

describe('errors are one line and a non-zero exit', () => {
  it.each([
    [['measure', MASKS, '--masks', MASKS], 1, /no CT series/],
    [['measure', ABDOMEN, '--masks', MASKS, '--levels', 'L9'], 2, /unknown level 'L9'/],
    [['measure', ABDOMEN, '--masks', MASKS, '--frobnicate'], 2, /unknown option '--frobnicate'/],
    [['measure', ABDOMEN, '--masks', join(DATA, 'ct-thorax-j2k/masks')], 1, /overlap/],
    [['measure', ABDOMEN], 2, /needs --masks/],
    [['measure', ABDOMEN, '--masks', MASKS, '--muscle-hu', '150,-29'], 2, /LO <= HI/],
    [['measure', ABDOMEN, '--masks', MASKS, '--z', '5000'], 1, /outside the series/],
    [['measure', '/nonexistent/folder', '--masks', MASKS], 1, /no such file or folder/],
    [['measure', ABDOMEN, '--masks', '/nonexistent/masks'], 1, /no such file or folder/],
    [['stats', ABDOMEN], 1, /needs --masks/],
    [['frobnicate'], 2, /unknown command/],
  ] as const)('%j', async (argv, code, pattern) => {
    const r = await cli(...argv);
    expect(r.code).toBe(code);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatch(pattern);
    expect(r.errors[0]).not.toMatch(/\n|    at /);
  });

  it('asks for --series when a folder holds several CT series', async () => {
    const r = await cli('info', join(DATA, 'ct-abdomen-3mm/..'));
    expect(r.code).toBe(1);
    expect(r.errors[0]).toMatch(/CT series found; choose one with --series UID/);
  });

  it('--help lists the commands', async () => {
    const r = await cli('--help');
    expect(r.code).toBe(0);
    for (const c of ['scan', 'info', 'measure', 'stats']) expect(r.stdout).toContain(`paraspine ${c}`);
  });
});

describe('paraspine measure --annotations', () => {
  it('measures contours and mask pixels identically (a contour on pixel edges around a mask slice)', async () => {
    // An ROI drawn exactly around pixels (i 40..44, j 50..53) of slice 73: 20 pixels.
    const info = JSON.parse((await cli('info', ABDOMEN, '--json')).stdout).series;
    const dir = mkdtempSync(join(tmpdir(), 'paraspine-ann-'));
    const file = join(dir, 'doc.json');
    const z = 313.3018;
    const scan = JSON.parse((await cli('measure', ABDOMEN, '--masks', MASKS, '--z', String(z))).stdout);
    expect(scan.levels[0].sliceIndex).toBe(73);
    const pos = await import('../../src/node/dicomFiles').then((m) => m.loadSeriesFromFolder(ABDOMEN));
    const g = pos.volume.geometry;
    const p0 = g.slicePositions[73]!;
    const at = (i: number, j: number) => [p0[0] + i * g.columnSpacingMm, p0[1] + j * g.rowSpacingMm, p0[2]];
    const now = new Date(0).toISOString();
    const doc = {
      format: 'paraspine-annotations',
      version: 1,
      appVersion: 'test',
      rater: 'tester',
      createdAt: now,
      modifiedAt: now,
      series: {
        studyInstanceUid: info.studyInstanceUid,
        seriesInstanceUid: info.seriesInstanceUid,
        patientId: info.patientId,
        patientName: info.patientName,
        studyDate: info.studyDate,
        seriesDescription: info.seriesDescription,
        slices: info.slices,
        rows: info.rows,
        columns: info.columns,
      },
      ranges: { muscleHu: [-29, 150], fatHu: [-190, -30] },
      levels: [{ level: 'L3', sliceIndex: 73, z: p0[2], source: 'manual' }],
      rois: [
        {
          id: 'a',
          level: 'L3',
          muscle: 'psoas',
          side: 'left',
          sliceIndex: 73,
          z: p0[2],
          pointsLps: [at(39.5, 49.5), at(44.5, 49.5), at(44.5, 53.5), at(39.5, 53.5)],
          source: 'drawn',
          createdAt: now,
          modifiedAt: now,
        },
      ],
    };
    writeFileSync(file, JSON.stringify(doc));
    const r = await cli('measure', ABDOMEN, '--annotations', file);
    expect(r.errors).toEqual([]);
    const json = JSON.parse(r.stdout);
    expect(json.measurements).toHaveLength(1);
    const m = json.measurements[0];
    expect(m).toMatchObject({ structure: 'psoas_left', level: 'L3', sliceIndex: 73, pixels: 20, areaMm2: 180 });
    // the same pixels by hand
    let sum = 0;
    const plane = g.rows * g.columns;
    for (let j = 50; j <= 53; j++) for (let i = 40; i <= 44; i++) sum += pos.volume.hu[73 * plane + j * g.columns + i]!;
    expect(m.meanHu).toBeCloseTo(sum / 20, 10);

    // --muscle-hu / --fat-hu beat the document's ranges, each on its own; the document's beat the defaults
    const hu: number[] = [];
    for (let j = 50; j <= 53; j++) for (let i = 40; i <= 44; i++) hu.push(pos.volume.hu[73 * plane + j * g.columns + i]!);
    const pixelMm2 = g.rowSpacingMm * g.columnSpacingMm;
    const within = (lo: number, hi: number) => hu.filter((v) => v >= lo && v <= hi).length * pixelMm2;
    const ranged = join(dir, 'ranged.json');
    writeFileSync(ranged, JSON.stringify({ ...doc, ranges: { muscleHu: [0, 40], fatHu: [-100, -20] } }));
    const fromDoc = JSON.parse((await cli('measure', ABDOMEN, '--annotations', ranged)).stdout);
    expect(fromDoc.ranges).toEqual({ muscleHu: [0, 40], fatHu: [-100, -20] });
    expect(fromDoc.measurements[0].leanAreaMm2).toBeCloseTo(within(0, 40), 10);
    expect(fromDoc.measurements[0].fatAreaMm2).toBeCloseTo(within(-100, -20), 10);
    const flagged = JSON.parse((await cli('measure', ABDOMEN, '--annotations', ranged, '--muscle-hu', '-29,150')).stdout);
    expect(flagged.ranges).toEqual({ muscleHu: [-29, 150], fatHu: [-100, -20] });
    expect(flagged.measurements[0].leanAreaMm2).toBeCloseTo(within(-29, 150), 10);
    expect(flagged.measurements[0].fatAreaMm2).toBeCloseTo(within(-100, -20), 10);
    expect(within(0, 40)).not.toBe(within(-29, 150)); // the phantom pixels tell the two ranges apart

    // --z is refused two slices beyond either end of the series (the nearest slice is only taken within half a slice)
    const zs = g.slicePositions.map((q) => q[2]);
    const dz = Math.abs(zs[1]! - zs[0]!);
    for (const zOut of [Math.max(...zs) + 2 * dz, Math.min(...zs) - 2 * dz]) {
      const rz = await cli('measure', ABDOMEN, '--annotations', file, '--z', String(zOut));
      expect(rz.code).toBe(1);
      expect(rz.errors).toHaveLength(1);
      expect(rz.errors[0]).toMatch(/outside the series/);
    }

    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ ...doc, version: 99 }));
    const rb = await cli('measure', ABDOMEN, '--annotations', bad);
    expect(rb.code).toBe(1);
    expect(rb.errors[0]).toMatch(/newer Paraspine/);
  });
});

describe('paraspine measure --structures', () => {
  it('measures only the named structures, vertebrae included when asked', async () => {
    const r = await cli('measure', ABDOMEN, '--masks', MASKS, '--levels', 'L3', '--structures', 'vertebrae_L3,iliopsoas_left');
    expect(r.errors).toEqual([]);
    const json = JSON.parse(r.stdout);
    expect(json.measurements.map((m: Rec) => m.structure).sort()).toEqual(['iliopsoas_left', 'vertebrae_L3']);
    expect(json.measurements.find((m: Rec) => m.structure === 'vertebrae_L3').pixels).toBeGreaterThan(100);
    const bad = await cli('measure', ABDOMEN, '--masks', MASKS, '--levels', 'L3', '--structures', 'spleen');
    expect(bad.code).toBe(1);
    expect(bad.errors[0]).toMatch(/no mask named 'spleen'/);
  });
});

describe('paraspine measure on the JPEG 2000 thorax series', () => {
  const THORAX = join(DATA, 'ct-thorax-j2k/dicom');
  it('a multilabel file with the TotalSegmentator table gives the same numbers as the binary masks', async () => {
    const info = JSON.parse((await cli('info', THORAX, '--json')).stdout).series;
    expect(info.slices).toBe(20);
    const multi = await cli('measure', THORAX, '--masks', join(DATA, 'ct-thorax-j2k/masks/totalsegmentator_multilabel.nii.gz'), '--labels', 'totalsegmentator', '--z', '-800,-790,-780', '--no-split');
    const binary = await cli('measure', THORAX, '--masks', join(DATA, 'ct-thorax-j2k/masks'), '--z', '-800,-790,-780', '--no-split');
    expect(multi.errors).toEqual([]);
    expect(binary.errors).toEqual([]);
    const a = JSON.parse(multi.stdout).measurements.filter((m: Rec) => String(m.structure).startsWith('autochthon'));
    const b = JSON.parse(binary.stdout).measurements.filter((m: Rec) => String(m.structure).startsWith('autochthon'));
    expect(a.length).toBeGreaterThan(0);
    // the same numbers; each record says what it came from (a label of the multilabel file, a binary mask file)
    expect(a.map((m: Rec) => m.sourceKind)).toEqual(a.map(() => 'label'));
    expect(b.map((m: Rec) => m.sourceKind)).toEqual(b.map(() => 'mask'));
    expect(a.map((m: Rec) => m.source)).toEqual(a.map((m: Rec) => m.structure)); // the mask's (label's) name
    const noKind = (m: Rec) => ({ ...m, sourceKind: undefined });
    expect(a.map(noKind)).toEqual(b.map(noKind));
    // real paraspinal muscle: a few thousand mm² per side, mean HU in the soft-tissue range
    for (const m of a) {
      expect(m.areaMm2).toBeGreaterThan(500);
      expect(m.meanHu).toBeGreaterThan(-100);
      expect(m.meanHu).toBeLessThan(100);
    }
  });
});
