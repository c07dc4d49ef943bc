/**
 * The core mask pipeline (runMaskPipeline) on the real 3 mm abdominal CT masks (../shared/data), and
 * the S1 stand-in rules: an empty, tiny or misplaced vertebrae_S1 mask never places L5/S1; the sacrum
 * stands in, and levels come out in anatomical order.
 *
 * Label files are generated here from the shared binary masks with TotalSegmentator's label values
 * (tests/fixtures/writeNifti.ts).
 */
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LEVELS } from '../../src/core/anatomy/anatomy';
import { sliceOffsetMm, type VolumeGeometry } from '../../src/core/geometry/volumeGeometry';
import { isVertebraMask, TOTALSEGMENTATOR_TOTAL } from '../../src/core/masks/labels';
import { readNifti, type NiftiImage } from '../../src/core/masks/nifti';
import { runMaskPipeline, type MaskPipelineResult } from '../../src/core/masks/pipeline';
import { maskSource } from '../../src/node/masks';
import { cli } from '../cli/run';
import { writeNifti1 } from '../fixtures/writeNifti';
import { geometryFromDicomFolder } from './dicomGeometry';

const ABD = join(__dirname, '../../../shared/data/ct-abdomen-3mm');
const MASKS = join(ABD, 'masks');
const LABEL = Object.fromEntries(Object.entries(TOTALSEGMENTATOR_TOTAL).map(([v, n]) => [n, Number(v)]));
/** Reference slices on this CT (README; L5/S1 from the sacrum). */
const EXPECTED = { L3: 73, 'L3/L4': 67, 'L4/L5': 55, 'L5/S1': 44 } as const;

let dir: string;
let g: VolumeGeometry;
let ref: NiftiImage;
const images: Record<string, NiftiImage> = {};

/** A multilabel file of the shared masks with TotalSegmentator values; `edit` may change the labels. */
function multilabel(file: string, edit?: (data: Uint8Array) => void): string {
  const data = new Uint8Array(ref.nx * ref.ny * ref.nz);
  for (const [name, img] of Object.entries(images)) for (let o = 0; o < data.length; o++) if (img.data[o] !== 0) data[o] = LABEL[name]!;
  edit?.(data);
  const path = join(dir, file);
  writeFileSync(path, writeNifti1({ dims: [ref.nx, ref.ny, ref.nz], datatype: 2, data, affine: ref.affine, gzip: true }));
  return path;
}

/** A copy of the binary-mask folder plus a vertebrae_S1.nii.gz made by `fill`. */
function folderWithS1(name: string, fill: (data: Uint8Array) => void): string {
  const out = join(dir, name);
  mkdirSync(out);
  for (const f of readdirSync(MASKS)) copyFileSync(join(MASKS, f), join(out, f));
  const data = new Uint8Array(ref.nx * ref.ny * ref.nz);
  fill(data);
  writeFileSync(join(out, 'vertebrae_S1.nii.gz'), writeNifti1({ dims: [ref.nx, ref.ny, ref.nz], datatype: 2, data, affine: ref.affine, gzip: true }));
  return out;
}

/** Set a cube of `n`^3 NIfTI voxels to `value` around the centroid of the named mask's voxels. */
function cubeAt(data: Uint8Array, name: string, n: number, value: number): void {
  const img = images[name]!;
  let si = 0, sj = 0, sk = 0, c = 0;
  for (let k = 0; k < img.nz; k++) for (let j = 0; j < img.ny; j++) for (let i = 0; i < img.nx; i++) {
    if (img.data[i + img.nx * (j + img.ny * k)] !== 0) (si += i), (sj += j), (sk += k), c++;
  }
  const [ci, cj, ck] = [Math.round(si / c), Math.round(sj / c), Math.round(sk / c)];
  for (let k = ck; k < ck + n; k++) for (let j = cj; j < cj + n; j++) for (let i = ci; i < ci + n; i++) data[i + img.nx * (j + img.ny * k)] = value;
}

async function levelsFrom(path: string, labels?: 'totalsegmentator'): Promise<MaskPipelineResult> {
  return runMaskPipeline({
    source: maskSource(path, g, labels ? { labels } : {}),
    geometry: g,
    levels: DEFAULT_LEVELS,
    include: (n) => !isVertebraMask(n),
  });
}

/** Slices of the found levels, and a check that they run head to foot in the order asked. */
function slicesOf(r: MaskPipelineResult): Record<string, number> {
  const head = (k: number) => sliceOffsetMm(g, k) * Math.sign(g.normal[2]);
  const ks = r.slices.map((s) => s.sliceIndex);
  for (let n = 1; n < ks.length; n++) expect(head(ks[n]!)).toBeLessThan(head(ks[n - 1]!));
  return Object.fromEntries(r.slices.map((s) => [s.level, s.sliceIndex]));
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'paraspine-pipeline-'));
  g = geometryFromDicomFolder(join(ABD, 'dicom'));
  for (const f of readdirSync(MASKS).sort()) images[f.replace(/\.nii(\.gz)?$/, '')] = readNifti(readFileSync(join(MASKS, f)));
  ref = images['sacrum']!;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('runMaskPipeline on the 3 mm abdominal CT', () => {
  it('finds the reference levels and gives each structure one slice mask per level', async () => {
    const r = await levelsFrom(MASKS);
    expect(slicesOf(r)).toEqual(EXPECTED);
    expect(r.warnings).toEqual([]);
    expect(r.structures.map((s) => s.name).sort()).toEqual(['autochthon_left', 'autochthon_right', 'iliopsoas_left', 'iliopsoas_right']);
    const plane = g.rows * g.columns;
    const psoas = r.structures.find((s) => s.name === 'iliopsoas_left')!;
    expect(psoas.sliceMasks).toHaveLength(4);
    expect(psoas.sliceMasks.every((m) => m.length === plane)).toBe(true);
    expect(psoas.sliceMasks[0]!.reduce((a, b) => a + b, 0)).toBe(79); // README reference at L3 (slice 73)
  });

  it('a TotalSegmentator multilabel file without label 26 (vertebrae_S1): L5/S1 from the sacrum, below L4/L5', async () => {
    const r = await levelsFrom(multilabel('no-s1.nii.gz'), 'totalsegmentator');
    expect(slicesOf(r)).toEqual(EXPECTED);
    expect(r.found!.levels.find((l) => l.level === 'L5/S1')!.method).toMatch(/vertebrae_L5 and sacrum/);
  });

  it('a tiny stray vertebrae_S1 (label 26 on 8 voxels at L3) is not used: the sacrum stands in', async () => {
    // Before the fix, L5/S1 was placed from this stray mask, above L3/L4.
    const r = await levelsFrom(multilabel('stray-s1.nii.gz', (d) => cubeAt(d, 'vertebrae_L3', 2, LABEL['vertebrae_S1']!)), 'totalsegmentator');
    expect(slicesOf(r)).toEqual(EXPECTED);
    expect(r.found!.levels.find((l) => l.level === 'L5/S1')!.method).toMatch(/sacrum/);
  });

  it('a binary folder with an all-zero vertebrae_S1.nii.gz beside sacrum.nii.gz: the sacrum stands in', async () => {
    const r = await levelsFrom(folderWithS1('zero-s1', () => {}));
    expect(slicesOf(r)).toEqual(EXPECTED);
    expect(r.found!.levels.find((l) => l.level === 'L5/S1')!.method).toMatch(/sacrum/);
  });

  it('a vertebrae_S1 mask above L5 (large, but misplaced) is passed over for the sacrum', async () => {
    const r = await levelsFrom(folderWithS1('high-s1', (d) => cubeAt(d, 'vertebrae_L3', 6, 1))); // 216 voxels, 5832 mm³
    expect(slicesOf(r)).toEqual(EXPECTED);
    expect(r.found!.levels.find((l) => l.level === 'L5/S1')!.method).toMatch(/sacrum/);
  });

  it('without a usable stand-in, L5/S1 is reported missing with the reason', async () => {
    const path = multilabel('no-sacrum.nii.gz', (d) => {
      for (let o = 0; o < d.length; o++) if (d[o] === LABEL['sacrum']) d[o] = 0;
      cubeAt(d, 'vertebrae_L3', 6, LABEL['vertebrae_S1']!);
    });
    const r = await levelsFrom(path, 'totalsegmentator');
    expect(slicesOf(r)).toEqual({ L3: 73, 'L3/L4': 67, 'L4/L5': 55 });
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]).toMatch(/^level L5\/S1 not found: vertebrae_S1 \(centroid at slice \d+\) is not below vertebrae_L5 \(centroid at slice \d+\); no sacrum mask$/);
  });

  it('paraspine measure on the multilabel file without label 26 gives the numbers of the binary masks', async () => {
    const file = multilabel('cli-no-s1.nii.gz');
    const [multi, binary] = [
      await cli('measure', join(ABD, 'dicom'), '--masks', file, '--labels', 'totalsegmentator'),
      await cli('measure', join(ABD, 'dicom'), '--masks', MASKS),
    ];
    expect(multi.code).toBe(0);
    const a = JSON.parse(multi.stdout);
    const b = JSON.parse(binary.stdout);
    expect(a.levels).toEqual(b.levels);
    expect(a.levels.map((l: { sliceIndex: number }) => l.sliceIndex)).toEqual([73, 67, 55, 44]);
    // the same records; each says where it came from (a label of the multilabel file, a binary mask file; both split by default)
    const kinds = (o: { measurements: { sourceKind: string }[] }) => [...new Set(o.measurements.map((m) => m.sourceKind))];
    expect([kinds(a), kinds(b)]).toEqual([['label-split'], ['mask-split']]);
    const noKind = (m: object) => ({ ...m, sourceKind: undefined });
    expect(a.measurements.map(noKind)).toEqual(b.measurements.map(noKind)); // source too: the mask and rule, the same names
  });
});
