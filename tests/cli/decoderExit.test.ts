/**
 * Every command exits when its work is done, whatever the number of decoder workers: a load that decodes
 * fewer compressed frames than there are workers left idle workers that kept the process alive forever
 * (the result printed, then a wait on an idle worker's port). Each command is spawned as a user runs it
 * (bin/paraspine.mjs) on a series with one compressed (RLE) slice, under a timeout that catches a hang.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePhantomSeries } from '../fixtures/phantomSeries';
import { writeNifti1 } from '../fixtures/writeNifti';
import { writeTempFiles } from '../dicom/helpers';

const ROOT = resolve(__dirname, '../..');
const SLICES = 4;
const ROWS = 16;
const COLUMNS = 12;

let dir = '';
let cleanup: () => Promise<void> = async () => {};
let z0 = 0;

beforeAll(async () => {
  // The phantom series uncompressed, its slice 0 replaced by the same slice RLE-compressed (same UIDs).
  const plain = makePhantomSeries({ slices: SLICES, rows: ROWS, columns: COLUMNS });
  const rle = makePhantomSeries({ slices: SLICES, rows: ROWS, columns: COLUMNS, encoding: 'rle' });
  const files = plain.files.map((f) => (f.slice === 0 ? { name: f.name, bytes: rle.files.find((r) => r.slice === 0)!.bytes } : f));
  ({ dir, cleanup } = await writeTempFiles(files));
  // A mask of the whole grid (NIfTI voxel (i, j, k) = CT voxel (i, j, k): RAS = (-L, -P, S)).
  const g = plain.expected.geometry;
  const p0 = g.slicePositions[0]!;
  z0 = p0[2];
  const dz = g.slicePositions[1]![2] - p0[2];
  const affine = [-g.columnSpacingMm, 0, 0, -p0[0], 0, -g.rowSpacingMm, 0, -p0[1], 0, 0, dz, p0[2], 0, 0, 0, 1];
  const data = new Uint8Array(COLUMNS * ROWS * SLICES).fill(1);
  writeFileSync(join(dir, 'masks.nii'), writeNifti1({ dims: [COLUMNS, ROWS, SLICES], datatype: 2, data, affine }));
});

afterAll(() => cleanup());

function run(workers: number, args: string[]) {
  return spawnSync(process.execPath, [resolve(ROOT, 'bin/paraspine.mjs'), ...args], {
    encoding: 'utf8',
    cwd: ROOT,
    timeout: 30_000,
    env: { ...process.env, PARASPINE_DECODE_WORKERS: String(workers) },
  });
}

describe('every command exits on a series with one compressed slice, with 1, 2 and 8 decoder workers', () => {
  const dicom = (): string[] => ['--series', '1.2.826.0.1.3680043.10.1459.2.1'];
  const commands: { name: string; args: () => string[]; check: (stdout: string) => void }[] = [
    { name: 'scan', args: () => ['scan', dir, '--json'], check: (s) => expect(JSON.parse(s).series[0].slices).toBe(SLICES) },
    { name: 'info', args: () => ['info', dir, '--json', ...dicom()], check: (s) => expect(JSON.parse(s).series.slices).toBe(SLICES) },
    {
      name: 'info --hu-stats',
      args: () => ['info', dir, '--hu-stats', '--json', ...dicom()],
      check: (s) => {
        const j = JSON.parse(s);
        // The phantom's truth: air -1000 HU outside the body, the bone disc 700 HU.
        expect(j.huStats.voxels).toBe(SLICES * ROWS * COLUMNS);
        expect(j.huStats.min).toBe(-1000);
        expect(j.huStats.max).toBe(700);
      },
    },
    {
      name: 'stats',
      args: () => ['stats', dir, '--masks', join(dir, 'masks.nii'), ...dicom()],
      check: (s) => expect(JSON.parse(s).structures[0].voxels).toBe(SLICES * ROWS * COLUMNS),
    },
    {
      name: 'measure',
      args: () => ['measure', dir, '--masks', join(dir, 'masks.nii'), '--structures', 'all', '--z', String(z0), ...dicom()],
      check: (s) => expect(JSON.parse(s).measurements[0].pixels).toBe(ROWS * COLUMNS),
    },
  ];
  for (const workers of [1, 2, 8]) {
    for (const c of commands) {
      it(`${c.name}, PARASPINE_DECODE_WORKERS=${workers}`, () => {
        const r = run(workers, c.args());
        expect(r.error, 'the command did not exit within 30 s').toBeUndefined();
        expect(r.signal).toBeNull();
        expect(r.stderr).not.toMatch(/\s+at \S+:\d+/);
        expect(r.status).toBe(0);
        c.check(r.stdout);
      }, 60_000);
    }
  }
});
