/**
 * Hostile and odd mask input (masks half of the issue): never a wrong number without a word, never a
 * hang, never a blow-up. Every file is generated here (tests/fixtures/hostileNifti.ts) from the real
 * iliopsoas_left mask of the 3 mm abdominal CT (79 voxels on the L3 slice 73, README of the data).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeGeometry, type VolumeGeometry } from '../../src/core/geometry/volumeGeometry';
import { gunzip, readNifti, type NiftiImage } from '../../src/core/masks/nifti';
import { countVoxels, resampleLabels } from '../../src/core/masks/resample';
import { loadMasks, maskSource } from '../../src/node/masks';
import { cli } from '../cli/run';
import { editNifti1, hugeDeclaredNifti, linkToDevZero, makeFifo, oddNifti, twoMemberGzip } from '../fixtures/hostileNifti';
import { writeNifti1 } from '../fixtures/writeNifti';
import { geometryFromDicomFolder } from './dicomGeometry';

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
