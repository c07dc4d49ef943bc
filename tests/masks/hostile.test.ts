/**
 * Hostile and odd mask input (masks half of the issue): never a wrong number without a word, never a
 * hang, never a blow-up. Every file is generated here (tests/fixtures/hostileNifti.ts) from the real
 * iliopsoas_left mask of the 3 mm abdominal CT (79 voxels on the L3 slice 73, README of the data).
 */
import type { SeriesReferences } from '../../src/core/dicom/references';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeGeometry, type VolumeGeometry } from '../../src/core/geometry/volumeGeometry';
import { gunzip, readNifti, readNiftiHeader, type NiftiImage } from '../../src/core/masks/nifti';
import { countVoxels, gridFitProblem, resampleLabels, resampleMask } from '../../src/core/masks/resample';
import { loadMasks, maskSource } from '../../src/node/masks';
import { cli } from '../cli/run';
import { editNifti1, gaussianSmoothed, hugeDeclaredNifti, linkToDevZero, makeFifo, oddNifti, qformOf, twoMemberGzip, zerosDeclaredNifti } from '../fixtures/hostileNifti';
import { writeNifti1 } from '../fixtures/writeNifti';
import { geometryFromDicomFolder } from './dicomGeometry';
import { FolderAccess } from '../../src/node/access';
import { createApi } from '../../src/node/api';
import type { SeriesSource } from '../../src/node/seriesSource';
import { SettingsStore } from '../../src/node/settings';
import { folderLocator, type FolderSeriesLocator, type MaskImportResult } from '../../src/shared/contract';
import type { SeriesSummary } from '../../src/core/dicom/types';

const ABD = join(__dirname, '../../../shared/data/ct-abdomen-3mm');
const DICOM = join(ABD, 'dicom');
const L3 = 73;
const L3_Z = '313.3018';

let g: VolumeGeometry;
let dir: string;
let psoas: NiftiImage;

beforeAll(() => {
  g = geometryFromDicomFolder(DICOM);
  psoas = readNifti(readFileSync(join(ABD, 'masks/iliopsoas_left.nii.gz')));
  dir = mkdtempSync(join(tmpdir(), 'paraspine-hostile-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const dims = () => [psoas.nx, psoas.ny, psoas.nz] as [number, number, number];
/** The psoas mask with `inside` on its voxels and `outside` elsewhere. */
function psoasValues(inside: number, outside: number): number[] {
  return Array.from(psoas.data, (v) => (v !== 0 ? inside : outside));
}
function folder(name: string, files: Record<string, Uint8Array>): string {
  const d = join(dir, name);
  mkdirSync(d, { recursive: true });
  for (const [f, bytes] of Object.entries(files)) writeFileSync(join(d, f), bytes);
  return d;
}
const goodPsoas = () => writeNifti1({ dims: dims(), datatype: 2, data: psoasValues(1, 0), affine: psoas.affine, gzip: true });

describe('1. a mask voxel is set only when finite and non-zero', () => {
  it('float mask with NaN or infinite background: 79 voxels, not the whole slice (12,322 before)', async () => {
    const d = folder('nan', {
      'iliopsoas_left.nii': writeNifti1({ dims: dims(), datatype: 16, data: psoasValues(1, NaN), affine: psoas.affine }),
      'iliopsoas_right.nii': writeNifti1({ dims: dims(), datatype: 64, data: psoasValues(1, -Infinity), affine: psoas.affine }),
    });
    const r = await loadMasks(d, g, { slices: [L3] });
    expect(r.masks.map((m) => [m.name, countVoxels(m.data, g, L3)])).toEqual([
      ['iliopsoas_left', 79],
      ['iliopsoas_right', 79],
    ]);
  });

  it('multilabel float file: NaN and infinity are no label', async () => {
    const data = psoasValues(5, NaN);
    data[0] = Infinity;
    const file = join(dir, 'nan-multi.nii');
    writeFileSync(file, writeNifti1({ dims: dims(), datatype: 16, data, affine: psoas.affine }));
    const r = await loadMasks(file, g, {});
    expect(r.masks.map((m) => [m.name, countVoxels(m.data, g, L3)])).toEqual([['label_5', 79]]);
  });

  it('paraspine measure gives 79 pixels on the NaN-background mask', async () => {
    const d = folder('nan-cli', { 'iliopsoas_left.nii': writeNifti1({ dims: dims(), datatype: 16, data: psoasValues(1, NaN), affine: psoas.affine }) });
    const r = await cli('measure', DICOM, '--masks', d, '--z', L3_Z);
    expect(r.code).toBe(0);
    const m = JSON.parse(r.stdout).measurements;
    expect(m.map((x: { structure: string; pixels: number }) => [x.structure, x.pixels])).toEqual([['iliopsoas_left', 79]]);
  });
});

describe('2. geometry that cannot be trusted is refused; notes reach the user', () => {
  const base = () => ({ dims: dims(), datatype: 2 as const, data: psoasValues(1, 0), affine: psoas.affine });
  const qf = () => ({ bcd: [0, 0, 0] as [number, number, number], offset: [psoas.affine[3]!, psoas.affine[7]!, psoas.affine[11]!] as [number, number, number], qfac: 1 as const });
  function fourD(): Uint8Array {
    const one = writeNifti1({ ...base() });
    const two = new Uint8Array(one.length + one.length - 352);
    two.set(one);
    two.set(one.subarray(352), one.length);
    return editNifti1(two, { volumes: 2 });
  }

  it('lists no sform/qform and invalid qform voxel sizes as problems; notes the rest', async () => {
    const d = folder('geometry', {
      'iliopsoas_left.nii': fourD(),
      'iliopsoas_right.nii': oddNifti(base(), { pixdim: [NaN, 1e30, 0] }),
      'noform.nii': oddNifti(base(), { sformCode: 0, qformCode: 0 }),
      'qnan.nii': oddNifti({ ...base(), affine: undefined, qform: qf() }, { pixdim: [NaN, 3, 3] }),
      'qhuge.nii': oddNifti({ ...base(), affine: undefined, qform: qf() }, { pixdim: [3, 3, 1e30] }),
      'qzero.nii': oddNifti({ ...base(), affine: undefined, qform: qf() }, { pixdim: [3, 0, 3] }),
      'qneg.nii': oddNifti({ ...base(), affine: undefined, qform: qf() }, { pixdim: [-3, 3, 3] }),
    });
    const r = await loadMasks(d, g, { slices: [L3] });
    expect(r.masks.map((m) => [m.name, countVoxels(m.data, g, L3)])).toEqual([
      ['iliopsoas_left', 79],
      ['iliopsoas_right', 79],
    ]);
    expect(r.problems).toEqual([
      { path: join(d, 'noform.nii'), reason: 'no sform or qform (sform_code and qform_code are 0): the position of the mask in the patient is unknown; not used' },
      { path: join(d, 'qhuge.nii'), reason: expect.stringMatching(/^pixdim\[3\] = 1\.0\d*e\+30 is not a valid voxel size .*the qform needs it; not used$/) },
      { path: join(d, 'qnan.nii'), reason: expect.stringMatching(/^pixdim\[1\] = NaN is not a valid voxel size/) },
      { path: join(d, 'qneg.nii'), reason: expect.stringMatching(/^pixdim\[1\] = -3 is not a valid voxel size/) },
      { path: join(d, 'qzero.nii'), reason: expect.stringMatching(/^pixdim\[2\] = 0 is not a valid voxel size/) },
    ]);
    expect(r.notes).toEqual([
      { path: join(d, 'iliopsoas_left.nii'), reason: '2 volumes in the file (dim[4..7]); only the first 3-D volume is used' },
      { path: join(d, 'iliopsoas_right.nii'), reason: expect.stringMatching(/^pixdim\[1\] = NaN is not a valid voxel size .*; ignored \(the sform gives the geometry\)$/) },
    ]);
  });

  it('refuses a multilabel file without sform/qform, naming it', async () => {
    const file = join(dir, 'noform-multi.nii');
    writeFileSync(file, oddNifti(base(), { sformCode: 0, qformCode: 0 }));
    await expect(loadMasks(file, g, {})).rejects.toThrow(`${file}: no sform or qform`);
  });

  it('paraspine measure and stats print the notes on stderr and in the JSON warnings', async () => {
    const d = folder('fourd-cli', { 'iliopsoas_left.nii': fourD() });
    const note = `${join(d, 'iliopsoas_left.nii')}: 2 volumes in the file (dim[4..7]); only the first 3-D volume is used`;
    const m = await cli('measure', DICOM, '--masks', d, '--z', L3_Z);
    expect(m.code).toBe(0);
    expect(m.notes).toContain(`note ${note}`);
    expect(JSON.parse(m.stdout).warnings).toContain(note);
    expect(JSON.parse(m.stdout).measurements[0].pixels).toBe(79);
    const s = await cli('stats', DICOM, '--masks', d);
    expect(s.code).toBe(0);
    expect(s.notes).toContain(`note ${note}`);
    expect(JSON.parse(s.stdout).warnings).toEqual([note]);
  });
});

describe('3. concatenated gzip members (pigz, bgzip)', () => {
  it('reads every member', async () => {
    const nii = writeNifti1({ dims: dims(), datatype: 2, data: psoasValues(1, 0), affine: psoas.affine });
    const two = twoMemberGzip(nii);
    const d = folder('members', { 'iliopsoas_left.nii.gz': two });
    const r = await loadMasks(d, g, { slices: [L3] });
    expect(r.problems).toEqual([]);
    expect(countVoxels(r.masks[0]!.data, g, L3)).toBe(79);
  });
});

describe('4. special files are listed, never opened (no hang)', () => {
  it('a FIFO and a link to /dev/zero named like masks, in a folder and as the masks path', async () => {
    const d = folder('special', { 'iliopsoas_left.nii.gz': goodPsoas() });
    makeFifo(join(d, 'fifo.nii'));
    linkToDevZero(join(d, 'zero.nii'));
    const r = await loadMasks(d, g, { slices: [L3] });
    expect(r.masks.map((m) => m.name)).toEqual(['iliopsoas_left']);
    expect(r.problems).toEqual([
      { path: join(d, 'fifo.nii'), reason: 'not a regular file (a FIFO); not read' },
      { path: join(d, 'zero.nii'), reason: 'not a regular file (a device); not read' },
    ]);
    await expect(loadMasks(join(d, 'fifo.nii'), g, {})).rejects.toThrow(`${join(d, 'fifo.nii')}: not a regular file (a FIFO)`);
    await expect(loadMasks(join(d, 'zero.nii'), g, {})).rejects.toThrow(`${join(d, 'zero.nii')}: not a regular file (a device)`);
    const m = await cli('measure', DICOM, '--masks', join(d, 'fifo.nii'), '--z', L3_Z);
    expect(m.code).toBe(1);
    expect(m.errors.join('\n')).toMatch(/fifo\.nii: not a regular file \(a FIFO\)/);
  });
});

describe('5. bounded work', () => {
  it('refuses a small file that declares a huge image, before inflating it', async () => {
    const bomb = hugeDeclaredNifti([2048, 2048, 512], 2);
    expect(bomb.length).toBeLessThan(10_000);
    const d = folder('bomb', { 'iliopsoas_left.nii.gz': goodPsoas(), 'bomb.nii.gz': bomb, 'raw.nii': editNifti1(writeNifti1({ dims: [2, 2, 2], datatype: 16, data: new Array(8).fill(0), affine: psoas.affine }), { dims: [4096, 4096, 64] }) });
    const r = await loadMasks(d, g, { slices: [L3] });
    expect(r.masks.map((m) => m.name)).toEqual(['iliopsoas_left']);
    expect(r.problems).toEqual([
      { path: join(d, 'bomb.nii.gz'), reason: 'image of 2048x2048x512 voxels (2048 MiB) is larger than the limit of 512 MiB per mask file' },
      { path: join(d, 'raw.nii'), reason: 'image of 4096x4096x64 voxels (4096 MiB) is larger than the limit of 512 MiB per mask file' },
    ]);
    await expect(loadMasks(join(d, 'bomb.nii.gz'), g, {})).rejects.toThrow(/bomb\.nii\.gz: image of 2048x2048x512 voxels .* larger than the limit/);
    expect(() => readNifti(bomb, 'b.nii.gz')).toThrow(/^b\.nii\.gz: image of 2048x2048x512 voxels/);
  });

  it('inflates no further than asked (and than the header declares)', () => {
    const small = writeNifti1({ dims: [4, 4, 4], datatype: 2, data: new Array(64).fill(1), affine: psoas.affine });
    const padded = new Uint8Array(small.length + 32 * 1024 * 1024);
    padded.set(small);
    const gz = gzipSync(padded);
    expect(gunzip(gz, 'x', 1000).length).toBeLessThan(20 * 1024 * 1024);
    const img = readNifti(gz);
    expect([img.nx, img.ny, img.nz, img.data.length]).toEqual([4, 4, 4, 64]);
  });

  it('refuses a multilabel file of 2,000 labels in measure --structures all and stats', async () => {
    const data = Array.from(psoas.data, (_, o) => 1 + (o % 2000));
    const file = join(dir, 'labels2000.nii.gz');
    writeFileSync(file, writeNifti1({ dims: dims(), datatype: 4, data, affine: psoas.affine, gzip: true }));
    const limit = 'labels2000.nii.gz: more than 1000 distinct labels (the limit for a multilabel file); is it a label image?';
    await expect(loadMasks(file, g, {})).rejects.toThrow(limit);
    const m = await cli('measure', DICOM, '--masks', file, '--z', L3_Z, '--structures', 'all');
    expect([m.code, m.errors]).toEqual([1, [limit]]);
    const s = await cli('stats', DICOM, '--masks', file);
    expect([s.code, s.errors]).toEqual([1, [limit]]);
  });

  it('loads structures on their slices only (one plane per slice, not one whole grid per label)', async () => {
    const file = join(dir, 'two-labels.nii.gz');
    writeFileSync(file, writeNifti1({ dims: dims(), datatype: 2, data: psoasValues(7, 0).map((v, o) => (v ? v : o % 3 === 0 ? 9 : 0)), affine: psoas.affine, gzip: true }));
    const r = await maskSource(file, g).load(() => true, [L3, 10]);
    const plane = g.rows * g.columns;
    expect(r.masks.map((m) => [m.name, m.data.length, m.slices])).toEqual([
      ['label_7', 2 * plane, [L3, 10]],
      ['label_9', 2 * plane, [L3, 10]],
    ]);
    let n = 0;
    for (let o = 0; o < plane; o++) n += r.masks[0]!.data[o]!;
    expect(n).toBe(79);
  });

  it('refuses a load whose masks would pass the memory limit', () => {
    const G = makeGeometry({ columns: 4, rows: 4, slices: 2, columnSpacingMm: 1, rowSpacingMm: 1, rowDirection: [1, 0, 0], columnDirection: [0, 1, 0], slicePositions: [[0, 0, 0], [0, 0, 1]] });
    const img = readNifti(writeNifti1({ dims: [4, 4, 2], datatype: 2, data: Array.from({ length: 32 }, (_, o) => 1 + (o % 4)), affine: [-1, 0, 0, 0, 0, -1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1] }));
    expect(resampleLabels(img, G, { maxMaskBytes: 4 * 32 }).size).toBe(4);
    expect(() => resampleLabels(img, G, { name: 'x.nii', maxMaskBytes: 3 * 32 })).toThrow(/^x\.nii: 4 masks of 0 MiB on this CT grid would take more than the limit/);
  });
});

describe('6. messages name the file and never quote the inflater', () => {
  it('damaged gzip data', async () => {
    const gz = goodPsoas();
    const bad = gz.slice();
    for (let n = 20; n < bad.length - 8; n += 7) bad[n] = bad[n]! ^ 0x5a;
    const d = folder('damaged', { 'iliopsoas_left.nii.gz': bad });
    const r = await loadMasks(d, g, {}).catch((e: Error) => e);
    expect(r).toEqual({ masks: [], problems: [{ path: join(d, 'iliopsoas_left.nii.gz'), reason: expect.stringMatching(/^gzip data corrupt( \(truncated\))?$/) }], notes: [] });
    await expect(loadMasks(join(d, 'iliopsoas_left.nii.gz'), g, {})).rejects.toThrow(new RegExp(`^${join(d, 'iliopsoas_left.nii.gz').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: gzip data corrupt( \\(truncated\\))?$`));
  });

  it('a present but invalid dim[0] is called invalid, not missing', () => {
    const nii = writeNifti1({ dims: [2, 2, 2], datatype: 2, data: new Array(8).fill(1), affine: psoas.affine });
    new DataView(nii.buffer).setInt16(40, 9, true);
    expect(() => readNifti(nii, 'x.nii')).toThrow('x.nii: invalid dim[0] = 9 (the number of dimensions must be 1 to 7)');
  });
});

/**
 * The app's mask import (node/api.ts masks:import) on a folder of masks, at L3 (slice 73): the series
 * source gives the real CT's geometry only (no HU is read without splitAutochthon).
 */
async function appImport(masksPath: string): Promise<MaskImportResult> {
  const summary = { seriesInstanceUid: '1.2.3', slices: g.slices } as unknown as SeriesSummary;
  const references = {} as SeriesReferences; // masks:import never reads them
  const folderSource: SeriesSource<FolderSeriesLocator> = {
    kind: 'folder',
    list: async () => ({ series: [summary], problems: [] }),
    headers: async () => ({ summary, references, geometry: g, warnings: [] }),
    load: async () => {
      throw new Error('no HU needed');
    },
    open: async () => {
      throw new Error('no slices needed');
    },
  };
  const settings = SettingsStore.inDir(join(dir, 'userdata'));
  await settings.load();
  const api = createApi({ mode: 'web', version: '0.0.0', settings, access: new FolderAccess(), sources: { folder: folderSource }, masks: { loadMasks, maskSource } });
  await api.dispatch('series:scan', [DICOM]);
  return (await api.dispatch('masks:import', [{ series: folderLocator(DICOM, '1.2.3'), masksPath, levels: [{ level: 'L3', sliceIndex: L3 }] }])) as MaskImportResult;
}

/** The muscle and side of each outline the app imported, sorted. */
function importedSides(r: MaskImportResult): string[] {
  return r.rois.map((x) => `${x.muscle} ${x.side}`).sort();
}

const REF_RIGHT_L3 = 78; // iliopsoas_right at L3: the data README's reference

describe('7. probability maps (soft masks) are refused, or thresholded when asked', () => {
  /** iliopsoas_left smoothed with a Gaussian of sigma 1 voxel (3 mm), float32 values in 0..1. */
  const soft = () => Array.from(gaussianSmoothed(psoas.data, dims(), 1));
  const softFile = () => writeNifti1({ dims: dims(), datatype: 16, data: soft(), affine: psoas.affine, gzip: true });
  /** The soft psoas beside the real binary iliopsoas_right (copied into the temp folder). */
  function softFolder(name: string): string {
    const d = folder(name, { 'iliopsoas_left.nii.gz': softFile() });
    copyFileSync(join(ABD, 'masks/iliopsoas_right.nii.gz'), join(d, 'iliopsoas_right.nii.gz'));
    return d;
  }
  const refused = /^values between 0 and 1 that are not whole numbers \(e\.g\. [0-9.e-]+, from [0-9.e-]+ to [0-9.]+\): a probability map, not a binary mask; not used without a threshold \(paraspine measure --mask-threshold T sets a voxel where its value >= T\)$/;

  it('counted wherever non-zero, the smoothed psoas would be several times the 79 px: without a threshold it is refused, naming the file; the rest loads', async () => {
    const img = readNifti(softFile());
    const everyNonZero = resampleMask(img, g, { slices: [L3] });
    expect(countVoxels(everyNonZero, g, L3)).toBeGreaterThan(3 * 79); // what the rule for binary masks gave before
    const d = softFolder('soft');
    const r = await loadMasks(d, g, { slices: [L3] });
    expect(r.masks.map((m) => [m.name, countVoxels(m.data, g, L3), m.threshold])).toEqual([['iliopsoas_right', REF_RIGHT_L3, undefined]]);
    expect(r.problems).toEqual([{ path: join(d, 'iliopsoas_left.nii.gz'), reason: expect.stringMatching(refused) }]);
  });

  it('paraspine measure without --mask-threshold: the soft mask is a problem line naming the file, the other mask is measured', async () => {
    const d = softFolder('soft-cli');
    const m = await cli('measure', DICOM, '--masks', d, '--z', L3_Z);
    expect(m.code).toBe(0);
    const out = JSON.parse(m.stdout);
    expect(out.measurements.map((x: { structure: string; pixels: number }) => [x.structure, x.pixels])).toEqual([['iliopsoas_right', REF_RIGHT_L3]]);
    expect(out.problems).toEqual([{ path: join(d, 'iliopsoas_left.nii.gz'), reason: expect.stringMatching(refused) }]);
    const line = m.notes.find((l) => l.includes('iliopsoas_left.nii.gz'));
    expect(line).toMatch(new RegExp(`^skipped ${join(d, 'iliopsoas_left.nii.gz').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: values between 0 and 1`));
    expect(line).not.toContain('\n');
  });

  // Tolerance: thresholding a smoothed binary mask at 0.5 gives the mask back on straight edges; on
  // a convex bend the smoothed edge moves inwards and on a concave one outwards, by less than a voxel
  // for sigma = 1 voxel. The psoas at L3 is a compact blob (79 px, ~32 edge pixels), so the count stays
  // within 10 % (8 px) of 79, and the pixels overlap the mask's (Dice >= 0.9).
  it('paraspine measure --mask-threshold 0.5: close to the 79 px reference at L3, the threshold in the JSON (maskThreshold) and in the CSV flags', async () => {
    const d = softFolder('soft-threshold');
    const m = await cli('measure', DICOM, '--masks', d, '--z', L3_Z, '--mask-threshold', '0.5');
    expect(m.code).toBe(0);
    const out = JSON.parse(m.stdout);
    const [left, right] = out.measurements as { structure: string; pixels: number; maskThreshold?: number; warnings: string[] }[];
    expect(left!.structure).toBe('iliopsoas_left');
    expect(Math.abs(left!.pixels - 79)).toBeLessThanOrEqual(8);
    expect(left!.maskThreshold).toBe(0.5);
    expect(left!.warnings).toEqual(['probability map mask thresholded: voxels with value >= 0.5']);
    expect(right).toMatchObject({ structure: 'iliopsoas_right', pixels: REF_RIGHT_L3 });
    expect(right).not.toHaveProperty('maskThreshold'); // a binary mask is read as before
    expect(out.problems).toEqual([]);
    const note = `${join(d, 'iliopsoas_left.nii.gz')}: a probability map (values from `;
    expect(out.warnings.some((w: string) => w.startsWith(note) && w.endsWith('): thresholded, a voxel is set where its value >= 0.5'))).toBe(true);
    expect(m.notes.some((l) => l.startsWith(`note ${note}`))).toBe(true);
    // The same pixels as the mask, nearly: Dice against the binary iliopsoas_left at L3.
    const thresholded = resampleMask(readNifti(softFile()), g, { slices: [L3], threshold: 0.5 });
    const binary = resampleMask(psoas, g, { slices: [L3] });
    let both = 0;
    for (let o = 0; o < binary.length; o++) both += thresholded[o]! & binary[o]!;
    expect((2 * both) / (countVoxels(thresholded, g, L3) + 79)).toBeGreaterThanOrEqual(0.9);
    expect(countVoxels(thresholded, g, L3)).toBe(left!.pixels);
    const csv = await cli('measure', DICOM, '--masks', d, '--z', L3_Z, '--mask-threshold', '0.5', '--format', 'csv');
    const [header, ...rows] = csv.stdout.trim().split('\n');
    const flags = header!.split(',').indexOf('flags');
    expect(flags).toBeGreaterThan(0);
    expect(rows.find((r) => r.includes('iliopsoas_left'))).toContain('probability map mask thresholded: voxels with value >= 0.5');
  });

  it('--split-autochthon: the psoas taken from the thresholded iliopsoas carries the threshold too', async () => {
    const d = softFolder('soft-split');
    const m = await cli('measure', DICOM, '--masks', d, '--z', L3_Z, '--mask-threshold', '0.5', '--split-autochthon');
    expect(m.code).toBe(0);
    const recs = JSON.parse(m.stdout).measurements as { structure: string; muscle: string; source: string; maskThreshold?: number }[];
    expect(recs.map((r) => [r.structure, r.muscle, r.maskThreshold])).toEqual([
      ['iliopsoas_left', 'psoas', 0.5],
      ['iliopsoas_right', 'psoas', undefined],
    ]);
  });

  it('rule: a voxel is set where its value >= the threshold (an exact phantom)', async () => {
    // Psoas voxels hold 0.25, 0.5 or 0.75 in turn; the rest 0.
    const values = Array.from(psoas.data, (v, o) => (v !== 0 ? [0.25, 0.5, 0.75][o % 3]! : 0));
    const d = folder('levels', { 'iliopsoas_left.nii': writeNifti1({ dims: dims(), datatype: 16, data: values, affine: psoas.affine }) });
    const expected = (t: number) => {
      const m = resampleMask(readNifti(writeNifti1({ dims: dims(), datatype: 2, data: values.map((v) => (v >= t ? 1 : 0)), affine: psoas.affine })), g, { slices: [L3] });
      return countVoxels(m, g, L3);
    };
    for (const t of [0.25, 0.5, 0.75, 1]) {
      const r = await loadMasks(d, g, { slices: [L3], threshold: t });
      expect([t, countVoxels(r.masks[0]!.data, g, L3)]).toEqual([t, expected(t)]);
    }
    expect(expected(0.5)).toBeLessThan(79);
    expect(expected(0.25)).toBe(79);
    const none = await loadMasks(d, g, { slices: [L3], threshold: 1 });
    expect(none.notes).toEqual([{ path: join(d, 'iliopsoas_left.nii'), reason: 'a probability map (values from 0.25 to 0.75): thresholded, a voxel is set where its value >= 1; no voxel reaches it, so the mask is empty' }]);
  });

  it('values that are not whole numbers outside 0..1 are refused even with a threshold; a multilabel file of fractions is refused', async () => {
    const d = folder('not-probability', { 'iliopsoas_left.nii': writeNifti1({ dims: dims(), datatype: 16, data: psoasValues(7.5, 0), affine: psoas.affine }) });
    const r = await loadMasks(d, g, { slices: [L3], threshold: 0.5 });
    expect(r.masks).toEqual([]);
    expect(r.problems).toEqual([
      { path: join(d, 'iliopsoas_left.nii'), reason: 'values that are not whole numbers (e.g. 7.5, from 7.5 to 7.5): not a binary mask, and not a probability map (0 to 1) that a threshold could make one; not used' },
    ]);
    const file = join(dir, 'soft-multi.nii.gz');
    writeFileSync(file, softFile());
    await expect(loadMasks(file, g, {})).rejects.toThrow(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: values that are not whole numbers \\(e\\.g\\. .*a probability map, not a label image; not used`));
    const m = await cli('measure', DICOM, '--masks', file, '--z', L3_Z, '--structures', 'all');
    expect(m.code).toBe(1);
    expect(m.errors).toEqual([expect.stringMatching(/soft-multi\.nii\.gz: values that are not whole numbers .*not a label image/)]);
  });

  it('--mask-threshold must be in (0, 1] and needs --masks', async () => {
    for (const bad of ['0', '1.5', '-0.5', 'abc', '0x1', '']) {
      const m = await cli('measure', DICOM, '--masks', dir, '--z', L3_Z, '--mask-threshold', bad);
      expect([bad, m.code]).toEqual([bad, 2]);
      expect(m.errors).toEqual([`--mask-threshold must be a number greater than 0 and at most 1 (got '${bad}')`]);
    }
    const m = await cli('measure', DICOM, '--annotations', join(dir, 'none.json'), '--mask-threshold', '0.5');
    expect([m.code, m.errors]).toEqual([2, ['--mask-threshold needs --masks']]);
  });

  it("the app's mask import refuses the soft mask the same way, naming the file; the other side is imported", async () => {
    const d = softFolder('soft-app');
    const r = await appImport(d);
    expect(importedSides(r)).toEqual(['psoas right']);
    expect(r.problems).toContainEqual({ path: join(d, 'iliopsoas_left.nii.gz'), reason: expect.stringMatching(refused) });
  });
});

describe('8. gzip masks that declare far more than the CT needs; the load budget; empty masks', () => {
  // 1024 x 1024 x 511 uint8 (511 MiB, under the 512 MiB per-file limit) on the 3 mm grid of the masks,
  // so it overlaps the CT: a ~0.5 MB gzip file of zeros that used to be inflated in full (8-19 s each)
  // and gave an empty record without a word.
  const BOMB_DIMS = [1024, 1024, 511] as const;
  const bomb = () => zerosDeclaredNifti(BOMB_DIMS, 2, psoas.affine);
  const bombReason = 'declares 1024x1024x511 voxels (511 MiB) but the CT lies within 122x101x112 of them (1.3 MiB): more than 16 times what this series needs; not read';

  it('eight such files are refused from their headers, each named; the real mask beside them loads', async () => {
    const b = bomb();
    expect(b.length).toBeLessThan(1024 * 1024);
    // Cut after 4 KB: were more than the header inflated, the reason would be 'gzip data corrupt'.
    const cut = b.subarray(0, 4096);
    expect(readNiftiHeader(gunzip(cut, 'cut', 540)).layout.dataBytes).toBe(511 * 1024 * 1024); // the header, inflatable alone
    const files: Record<string, Uint8Array> = { 'iliopsoas_left.nii.gz': goodPsoas() };
    for (let n = 1; n <= 8; n++) files[`bomb${n}.nii.gz`] = n % 2 ? b : cut;
    const d = folder('bombs', files);
    const r = await loadMasks(d, g, { slices: [L3] });
    expect(r.masks.map((m) => [m.name, countVoxels(m.data, g, L3)])).toEqual([['iliopsoas_left', 79]]);
    expect(r.problems).toEqual(Array.from({ length: 8 }, (_, n) => ({ path: join(d, `bomb${n + 1}.nii.gz`), reason: bombReason })));
    // In paraspine measure: the bombs named on stderr and in the JSON problems, the psoas measured.
    const m = await cli('measure', DICOM, '--masks', d, '--z', L3_Z, '--structures', 'all');
    expect(m.code).toBe(0);
    const out = JSON.parse(m.stdout);
    expect(out.measurements.map((x: { structure: string; pixels: number }) => [x.structure, x.pixels])).toEqual([['iliopsoas_left', 79]]);
    expect(out.problems).toHaveLength(8);
    expect(m.notes).toContain(`skipped ${join(d, 'bomb1.nii.gz')}: ${bombReason}`);
  });

  it('a mask of a larger scan than the series (12 times the CT in z, 17 MiB) passes; 20 times does not', () => {
    const at = (nz: number) => {
      const affine = [...psoas.affine];
      affine[11] = affine[11]! - 3 * nz * 0.5; // the grid reaches below and above the CT
      return gridFitProblem({ affine, nx: 122, ny: 101, nz }, 1, g, 'x');
    };
    expect(at(12 * 112)).toBeUndefined();
    expect(at(20 * 112)).toBe(
      'declares 122x101x2240 voxels (26 MiB) but the CT lies within 122x101x112 of them (1.3 MiB): more than 16 times what this series needs; not read',
    );
  });

  it('a header whose grid holds no CT voxel is refused as not overlapping before its data is inflated', async () => {
    const far = [...psoas.affine];
    far[11] = far[11]! + 5000; // 5 m above the CT
    const cut = zerosDeclaredNifti([122, 101, 112], 2, far).subarray(0, 2048);
    const d = folder('far', { 'iliopsoas_left.nii.gz': goodPsoas(), 'iliopsoas_right.nii.gz': cut });
    const r = await loadMasks(d, g, { slices: [L3] });
    expect(r.masks.map((m) => m.name)).toEqual(['iliopsoas_left']);
    expect(r.problems).toEqual([{ path: join(d, 'iliopsoas_right.nii.gz'), reason: 'mask iliopsoas_right does not overlap the CT' }]);
  });

  it('a load has a budget across all its masks: past its bytes or its time, the rest are listed as not read', async () => {
    const d = folder('budget', { 'a.nii.gz': goodPsoas(), 'b.nii.gz': goodPsoas(), 'c.nii.gz': goodPsoas() });
    const each = 122 * 101 * 112; // bytes of voxel data each declares (uint8)
    const r = await loadMasks(d, g, { slices: [L3], budget: { maxBytes: 2 * each } });
    expect(r.masks.map((m) => m.name)).toEqual(['a', 'b']);
    expect(r.problems).toEqual([{ path: join(d, 'c.nii.gz'), reason: 'not read: its 1.3 MiB of voxel data would take the masks of this load past their budget of 2.6 MiB' }]);
    const t = await loadMasks(d, g, { slices: [L3], budget: { maxSeconds: 0 } });
    expect(t.masks).toEqual([]);
    expect(t.problems).toEqual(['a', 'b', 'c'].map((n) => ({ path: join(d, `${n}.nii.gz`), reason: 'not read: reading the masks of this load took longer than its budget of 0 s' })));
    // One budget for all the loads of one mask source (the pipeline's vertebra and muscle loads).
    const src = maskSource(d, g, { budget: { maxBytes: 2 * each } });
    expect((await src.load((n) => n === 'a', [L3])).masks.map((m) => m.name)).toEqual(['a']);
    const second = await src.load((n) => n !== 'a', [L3]);
    expect([second.masks.map((m) => m.name), second.problems.map((p) => p.path)]).toEqual([['b'], [join(d, 'c.nii.gz')]]);
  });

  it('an empty mask is measured as empty and named: a note on stderr and in the JSON warnings', async () => {
    const d = folder('empty-mask', { 'iliopsoas_left.nii.gz': goodPsoas(), 'iliopsoas_right.nii.gz': writeNifti1({ dims: dims(), datatype: 2, data: psoasValues(0, 0), affine: psoas.affine, gzip: true }) });
    const r = await loadMasks(d, g, { slices: [L3] });
    expect(r.notes).toEqual([{ path: join(d, 'iliopsoas_right.nii.gz'), reason: 'empty mask: no voxel is set in the file' }]);
    const m = await cli('measure', DICOM, '--masks', d, '--z', L3_Z);
    expect(m.code).toBe(0);
    const out = JSON.parse(m.stdout);
    expect(out.measurements.map((x: { structure: string; pixels: number }) => [x.structure, x.pixels])).toEqual([['iliopsoas_left', 79], ['iliopsoas_right', 0]]);
    const note = `${join(d, 'iliopsoas_right.nii.gz')}: empty mask: no voxel is set in the file`;
    expect(out.warnings).toContain(note);
    expect(m.notes).toContain(`note ${note}`);
    const file = join(dir, 'empty-multi.nii.gz');
    writeFileSync(file, writeNifti1({ dims: dims(), datatype: 2, data: psoasValues(0, 0), affine: psoas.affine, gzip: true }));
    expect((await loadMasks(file, g, {})).notes).toEqual([{ path: file, reason: 'empty mask: no label is set in the file (every voxel is 0)' }]);
  });
});

describe('9. a folder named like a mask file is named, not skipped', () => {
  it('in a masks folder: a problem line naming it; the rest loads (loadMasks, measure, the app)', async () => {
    const d = folder('dir-named', { 'iliopsoas_right.nii.gz': goodPsoas() });
    mkdirSync(join(d, 'iliopsoas_left.nii.gz'));
    writeFileSync(join(d, 'iliopsoas_left.nii.gz', 'inside.nii.gz'), goodPsoas());
    const reason = 'a folder named like a mask file; not read (masks are read from the folder given, not from its subfolders)';
    const r = await loadMasks(d, g, { slices: [L3] });
    expect(r.masks.map((m) => [m.name, countVoxels(m.data, g, L3)])).toEqual([['iliopsoas_right', 79]]);
    expect(r.problems).toEqual([{ path: join(d, 'iliopsoas_left.nii.gz'), reason }]);
    const m = await cli('measure', DICOM, '--masks', d, '--z', L3_Z);
    expect(m.code).toBe(0);
    expect(JSON.parse(m.stdout).problems).toEqual([{ path: join(d, 'iliopsoas_left.nii.gz'), reason }]);
    expect(m.notes).toContain(`skipped ${join(d, 'iliopsoas_left.nii.gz')}: ${reason}`);
    const app = await appImport(d);
    expect(app.problems).toContainEqual({ path: join(d, 'iliopsoas_left.nii.gz'), reason });
  });
});

describe('10. sform and qform that disagree, and template-space sforms, are named', () => {
  const base = () => ({ dims: dims(), datatype: 2 as const, data: psoasValues(1, 0), affine: psoas.affine });
  /** An sform in a template space: 400 mm off (were it used, the mask would not lie on the psoas). */
  const template = () => psoas.affine.map((v, n) => (n === 11 ? v - 400 : v));
  const files = () => ({
    'agree.nii': writeNifti1({ ...base(), qform: qformOf(psoas.affine) }),
    'flipped.nii': writeNifti1({ ...base(), qform: qformOf(psoas.affine, { flipX: true }) }),
    'shifted.nii': writeNifti1({ ...base(), qform: qformOf(psoas.affine, { shift: [0, 0, 30] }) }),
    'template.nii': writeNifti1({ ...base(), affine: template(), sformCode: 4, qform: qformOf(psoas.affine) }),
    'templateonly.nii': writeNifti1({ ...base(), sformCode: 4 }),
  });
  const notes = (d: string) => [
    { path: join(d, 'flipped.nii'), reason: "sform and qform disagree (left-right flipped, 726.0 mm apart at the grid's corners): the sform (sform_code 2, aligned) is used, as the NIfTI standard says" },
    { path: join(d, 'shifted.nii'), reason: "sform and qform disagree (30.0 mm apart at the grid's corners): the sform (sform_code 2, aligned) is used, as the NIfTI standard says" },
    { path: join(d, 'template.nii'), reason: "sform and qform disagree (400.0 mm apart at the grid's corners): the qform (qform_code 1, scanner) is used: the sform places the mask in a template, not in this scan" },
    { path: join(d, 'templateonly.nii'), reason: 'sform_code 4 (MNI 152 template space) and no qform: the sform is used as this scan\'s coordinates; check that the mask lies on the anatomy' },
  ];

  it('loadMasks: each note names the file and the one used; the geometry used gives the 79 px', async () => {
    const d = folder('xforms', files());
    const r = await loadMasks(d, g, { slices: [L3] });
    expect(r.problems).toEqual([]);
    expect(r.masks.map((m) => [m.name, countVoxels(m.data, g, L3)])).toEqual(['agree', 'flipped', 'shifted', 'template', 'templateonly'].map((n) => [n, 79]));
    expect(r.notes).toEqual(notes(d));
  });

  it('the notes reach paraspine measure (stderr, JSON warnings) and the app import message', async () => {
    const d = folder('xforms-cli', files());
    const m = await cli('measure', DICOM, '--masks', d, '--z', L3_Z, '--structures', 'all');
    expect(m.code).toBe(0);
    const out = JSON.parse(m.stdout);
    for (const n of notes(d)) {
      expect(out.warnings).toContain(`${n.path}: ${n.reason}`);
      expect(m.notes).toContain(`note ${n.path}: ${n.reason}`);
    }
    const app = await appImport(folder('xforms-app', { 'iliopsoas_left.nii': files()['flipped.nii'] }));
    expect(app.problems).toContainEqual({ path: join(dir, 'xforms-app', 'iliopsoas_left.nii'), reason: `note: ${notes(join(dir, 'xforms-app'))[0]!.reason}` });
    expect(importedSides(app)).toEqual(['psoas left']);
  });
});
