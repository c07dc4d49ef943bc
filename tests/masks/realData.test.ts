/** Real CT + TotalSegmentator masks from ../shared/data (read in place). */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sliceZ, type VolumeGeometry } from '../../src/core/geometry/volumeGeometry';
import { levelsFromVertebraMasks } from '../../src/core/masks/levels';
import { countVoxels } from '../../src/core/masks/resample';
import { loadMasks, type LoadedMask } from '../../src/node/masks';
import { geometryFromDicomFolder } from './dicomGeometry';

const DATA = join(__dirname, '../../../shared/data');
const ABD = join(DATA, 'ct-abdomen-3mm');
const THX = join(DATA, 'ct-thorax-j2k');
/** Number of positions where two masks differ (vitest's deep equality is far too slow for 5M voxels). */
function differing(a: Uint8Array, b: Uint8Array): number {
  expect(a.length).toBe(b.length);
  let n = 0;
  for (let o = 0; o < a.length; o++) if (a[o] !== b[o]) n++;
  return n;
}
const byName = (ms: LoadedMask[]) => Object.fromEntries(ms.map((m) => [m.name, m.data]));

describe('abdomen CT: masks onto the DICOM grid', () => {
  let g: VolumeGeometry;
  let masks: Record<string, Uint8Array>;
  beforeAll(async () => {
    g = geometryFromDicomFolder(join(ABD, 'dicom'));
    const r = await loadMasks(join(ABD, 'masks'), g, {});
    expect(r.problems).toEqual([]);
    masks = byName(r.masks);
  });

  it('builds the expected geometry', () => {
    expect([g.slices, g.rows, g.columns]).toEqual([112, 101, 122]);
    expect(sliceZ(g, 73)).toBeCloseTo(313.3018, 3);
    expect(Object.keys(masks).sort()).toEqual([
      'autochthon_left', 'autochthon_right', 'iliopsoas_left', 'iliopsoas_right', 'sacrum',
      'vertebrae_L1', 'vertebrae_L2', 'vertebrae_L3', 'vertebrae_L4', 'vertebrae_L5',
    ]);
  });

  it('matches the README reference pixel counts on slice 73 (L3)', () => {
    expect(countVoxels(masks.iliopsoas_left!, g, 73)).toBe(79);
    expect(countVoxels(masks.iliopsoas_right!, g, 73)).toBe(78);
    expect(countVoxels(masks.autochthon_left!, g, 73)).toBe(282);
    expect(countVoxels(masks.autochthon_right!, g, 73)).toBe(263);
  });

  it('matches the README whole-volume counts (27 mm3 voxels)', () => {
    expect(countVoxels(masks.autochthon_left!, g) * 27).toBe(420255);
    expect(countVoxels(masks.iliopsoas_right!, g) * 27).toBe(266922);
  });

  it('left is left: autochthon_left lies at larger LPS x (higher column) than autochthon_right', () => {
    const meanI = (m: Uint8Array) => {
      let s = 0;
      let n = 0;
      m.forEach((v, o) => v && (s += o % g.columns, n++));
      return s / n;
    };
    expect(meanI(masks.autochthon_left!)).toBeGreaterThan(meanI(masks.autochthon_right!) + 10);
  });

  it('loads only the requested slices, identical to the full load there', async () => {
    const r = await loadMasks(join(ABD, 'masks'), g, { slices: [73] });
    const part = byName(r.masks);
    expect(countVoxels(part.autochthon_right!, g)).toBe(263);
    const plane = g.rows * g.columns;
    expect(differing(part.autochthon_right!.subarray(73 * plane, 74 * plane), masks.autochthon_right!.subarray(73 * plane, 74 * plane))).toBe(0);
  });

  it('finds L3 at slice 73 and disc levels where the vertebrae leave few voxels', () => {
    const r = levelsFromVertebraMasks(masks, g);
    expect(r.missing).toEqual([]);
    const at = Object.fromEntries(r.levels.map((l) => [l.level, l]));
    expect(at['L3']!.sliceIndex).toBe(73);
    expect(at['L3']!.z).toBeCloseTo(313.3018, 3);
    // Disc slices: the middle between the endplates at the bodies' centre (see levels.ts); L5/S1 at 44 (L5's
    // endplate at 43, the sacrum's at 46 behind it: the tilted disc), where the old footprint cut gave 47.
    expect(at['L1/L2']!.sliceIndex).toBe(92);
    expect(at['L2/L3']!.sliceIndex).toBe(80);
    expect(at['L3/L4']!.sliceIndex).toBe(67);
    expect(at['L4/L5']!.sliceIndex).toBe(55);
    expect(at['L5/S1']!.sliceIndex).toBe(44);
    // Sanity: each lumbar disc slice holds far fewer voxels of its two vertebrae than either body's centroid slice.
    const pair = (a: string, b: string, k: number) => countVoxels(masks[a]!, g, k) + countVoxels(masks[b]!, g, k);
    for (const [disc, up, low] of [['L2/L3', 'L2', 'L3'], ['L3/L4', 'L3', 'L4'], ['L4/L5', 'L4', 'L5']] as const) {
      const k = at[disc]!.sliceIndex;
      const onDisc = pair(`vertebrae_${up}`, `vertebrae_${low}`, k);
      expect(onDisc).toBeLessThan(0.6 * countVoxels(masks[`vertebrae_${up}`]!, g, at[up]!.sliceIndex));
      expect(onDisc).toBeLessThan(0.6 * countVoxels(masks[`vertebrae_${low}`]!, g, at[low]!.sliceIndex));
    }
    // Ordering head to feet.
    const order = ['L1', 'L1/L2', 'L2', 'L2/L3', 'L3', 'L3/L4', 'L4', 'L4/L5', 'L5', 'L5/S1'].map((l) => at[l]!.sliceIndex);
    for (let n = 1; n < order.length; n++) expect(order[n]!).toBeLessThan(order[n - 1]!);
  });
});

describe('thorax CT (JPEG 2000 headers): multilabel equals the binary masks', () => {
  let g: VolumeGeometry;
  beforeAll(() => {
    g = geometryFromDicomFolder(join(THX, 'dicom'));
  });

  it('has 20 slices of 512 x 512 at 2 mm', () => {
    expect([g.slices, g.rows, g.columns]).toEqual([20, 512, 512]);
    expect(sliceZ(g, 1) - sliceZ(g, 0)).toBeCloseTo(2, 6);
  });

  it('labels 86/87 (TotalSegmentator table) give exactly the voxels of autochthon_left/right', async () => {
    const multi = byName((await loadMasks(join(THX, 'masks/totalsegmentator_multilabel.nii.gz'), g, { labels: 'totalsegmentator' })).masks);
    const binary = byName((await loadMasks(join(THX, 'masks'), g, {})).masks.filter((m) => m.name !== 'totalsegmentator_multilabel'));
    for (const name of ['autochthon_left', 'autochthon_right', 'vertebrae_T11', 'vertebrae_T12']) {
      const n = countVoxels(multi[name]!, g);
      expect(n).toBeGreaterThan(5000);
      expect(countVoxels(binary[name]!, g)).toBe(n);
      expect(differing(multi[name]!, binary[name]!)).toBe(0);
    }
    expect(countVoxels(multi.autochthon_left!, g)).toBe(16338);
    expect(countVoxels(multi.autochthon_right!, g)).toBe(21605);
    // Every slice has autochthon muscle (README).
    for (let k = 0; k < g.slices; k++) expect(countVoxels(multi.autochthon_left!, g, k)).toBeGreaterThan(0);
  });

  it('without a table, labels come back as label_N', async () => {
    const r = await loadMasks(join(THX, 'masks/totalsegmentator_multilabel.nii.gz'), g, { slices: [10] });
    const names = r.masks.map((m) => m.name);
    expect(names).toContain('label_86');
    expect(names).toContain('label_87');
    expect(names.every((n) => /^label_\d+$/.test(n))).toBe(true);
  });
});

describe('loadMasks errors and problems', () => {
  let g: VolumeGeometry;
  let dir: string;
  beforeAll(() => {
    g = geometryFromDicomFolder(join(ABD, 'dicom'));
    dir = mkdtempSync(join(tmpdir(), 'paraspine-masks-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('lists unreadable files as problems and still loads the rest', async () => {
    const d = join(dir, 'mixed');
    rmSync(d, { recursive: true, force: true });
    mkdirSync(d);
    copyFileSync(join(ABD, 'masks/iliopsoas_left.nii.gz'), join(d, 'iliopsoas_left.nii.gz'));
    writeFileSync(join(d, 'broken.nii.gz'), Buffer.from([0x1f, 0x8b, 8, 0, 1, 2, 3, 4, 5, 6, 7]));
    writeFileSync(join(d, 'text.nii'), 'not an image at all'.repeat(40));
    writeFileSync(join(d, 'notes.txt'), 'ignored');
    const r = await loadMasks(d, g, { slices: [73] });
    expect(r.masks.map((m) => m.name)).toEqual(['iliopsoas_left']);
    expect(countVoxels(r.masks[0]!.data, g)).toBe(79);
    expect(r.problems).toEqual([
      { path: join(d, 'broken.nii.gz'), reason: expect.stringMatching(/^gzip data corrupt/) },
      { path: join(d, 'text.nii'), reason: 'not a NIfTI file' },
    ]);
  });

  it('errors on a folder without NIfTI files, a missing path, and masks that do not overlap', async () => {
    const empty = join(dir, 'empty');
    mkdirSync(empty, { recursive: true });
    await expect(loadMasks(empty, g, {})).rejects.toThrow(/no NIfTI masks \(\*\.nii, \*\.nii\.gz\) in this folder$/);
    await expect(loadMasks(join(dir, 'nope'), g, {})).rejects.toThrow(/nope: no such file or folder$/);
    // The thorax masks lie ~1 m below the abdomen CT's z range.
    await expect(loadMasks(join(THX, 'masks/autochthon_left.nii.gz'), g, {})).rejects.toThrow(
      'mask autochthon_left.nii.gz does not overlap the CT',
    );
    const other = join(dir, 'other');
    mkdirSync(other, { recursive: true });
    copyFileSync(join(THX, 'masks/autochthon_left.nii.gz'), join(other, 'autochthon_left.nii.gz'));
    await expect(loadMasks(other, g, {})).rejects.toThrow('mask autochthon_left does not overlap the CT');
  });
});
