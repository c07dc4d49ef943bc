import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { imagePositionOf, withImagePosition } from '../fixtures/hostileDicom';
import { cli } from './run';

/**
 * Every command names every file it left out: one line each on stderr (`skipped <file>: <reason>`), and in
 * the JSON `problems` where the command writes JSON. The folders are copies of the shared 3 mm CT (112
 * slices of 101 x 122, 2-byte pixels; file names run foot to head, so file n holds slice n - 1) made in a
 * temporary folder with a few files spoiled; the rest of the series must still be measured right.
 */
const DATA = resolve(__dirname, '../../../shared/data');
const ABDOMEN = join(DATA, 'ct-abdomen-3mm/dicom');
const MASKS = join(DATA, 'ct-abdomen-3mm/masks');
const PIXEL_BYTES = 101 * 122 * 2;

/** A copy of the CT with `spoil` applied to the file of slice k (it returns the new bytes), plus `extra` files. */
function copyCt(name: string, spoil: Record<number, (bytes: Uint8Array) => Uint8Array>, extra: Record<string, string> = {}): { dir: string; file: (k: number) => string } {
  const dir = mkdtempSync(join(tmpdir(), `paraspine-leftout-${name}-`));
  const names = readdirSync(ABDOMEN).sort();
  expect(names).toHaveLength(112);
  names.forEach((n, k) => {
    const bytes = new Uint8Array(readFileSync(join(ABDOMEN, n)));
    writeFileSync(join(dir, n), spoil[k] ? spoil[k](bytes) : bytes);
  });
  for (const [n, text] of Object.entries(extra)) writeFileSync(join(dir, n), text);
  return { dir, file: (k) => join(dir, names[k]!) };
}

/** Moves the slice sideways (patient x) by `mm`, all else equal. */
const sideways = (mm: number) => (bytes: Uint8Array): Uint8Array => {
  const p = imagePositionOf(bytes);
  return withImagePosition(bytes, [p[0] + mm, p[1], p[2]]);
};
/** Cuts the last 100 bytes of pixel data. */
const truncated = (bytes: Uint8Array): Uint8Array => bytes.subarray(0, bytes.length - 100);

type Rec = Record<string, number | string | null>;

describe('every command names every file it left out', () => {
  let ct: { dir: string; file: (k: number) => string };
  let expected: { path: string; reason: string }[];
  beforeAll(() => {
    // Slice 20 unusable, slice 100 jumps 10 mm sideways, and a text file: 110 slices remain.
    ct = copyCt('three', { 20: truncated, 100: sideways(10) }, { 'notes.txt': 'not an image' });
    expected = [
      { path: ct.file(100), reason: 'not part of a consistent volume (position 10 mm off the line of the other slices)' },
      { path: ct.file(20), reason: `truncated pixel data (${PIXEL_BYTES - 100} of ${PIXEL_BYTES} bytes)` },
      { path: join(ct.dir, 'notes.txt'), reason: expect.stringMatching(/^not DICOM/) },
    ];
  });

  /** The `skipped` lines on stderr: each left-out file exactly once, with its reason. */
  function expectSkippedNamed(notes: string[]): void {
    const skipped = notes.filter((n) => n.startsWith('skipped '));
    expect(skipped).toHaveLength(expected.length);
    for (const p of expected) {
      const lines = skipped.filter((n) => n.startsWith(`skipped ${p.path}: `));
      expect(lines, p.path).toHaveLength(1);
      expect(lines[0]!.slice(`skipped ${p.path}: `.length)).toEqual(p.reason);
    }
    for (const n of notes) expect(n).not.toMatch(/undefined|\n/);
  }

  it('scan lists them (as before)', async () => {
    const r = await cli('scan', ct.dir, '--json');
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.series.map((s: { slices: number }) => s.slices)).toEqual([110]);
    expect(json.problems).toEqual(expect.arrayContaining(expected));
    expect(json.problems).toHaveLength(3);
  });

  it('info names them on stderr, and in a new JSON key `problems`', async () => {
    const text = await cli('info', ct.dir);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/110 slices of 101 x 122/);
    expectSkippedNamed(text.notes);
    const json = await cli('info', ct.dir, '--json');
    const info = JSON.parse(json.stdout);
    expect(info.series.slices).toBe(110);
    expect(info.problems).toEqual(expect.arrayContaining(expected));
    expect(info.problems).toHaveLength(3);
  });

  it('info --hu-stats names them and reads the 110 slices that remain', async () => {
    const text = await cli('info', ct.dir, '--hu-stats');
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(new RegExp(`over ${110 * 101 * 122} voxels`));
    expectSkippedNamed(text.notes);
    const json = JSON.parse((await cli('info', ct.dir, '--hu-stats', '--json')).stdout);
    expect(json.huStats.voxels).toBe(110 * 101 * 122);
    expect(json.problems).toEqual(expect.arrayContaining(expected));
    expect(json.problems).toHaveLength(3);
  });

  it('stats names them on stderr (JSON and CSV) and lists them in its JSON `problems` beside the masks\'', async () => {
    const r = await cli('stats', ct.dir, '--masks', MASKS);
    expect(r.code).toBe(0);
    expectSkippedNamed(r.notes);
    const json = JSON.parse(r.stdout);
    expect(json.series.slices).toBe(110);
    expect(json.problems).toEqual(expect.arrayContaining(expected));
    expect(json.problems).toHaveLength(3);
    expect(json.structures.map((s: Rec) => s.structure)).toContain('iliopsoas_left');
    const csv = await cli('stats', ct.dir, '--masks', MASKS, '--format', 'csv');
    expect(csv.code).toBe(0);
    expectSkippedNamed(csv.notes);
    expect(csv.stdout.split('\n')[0]).toBe('seriesInstanceUid,structure,voxels,volumeMm3,meanHu');
  });

  it('measure names them, and L3 (away from the spoiled slices) keeps the reference values', async () => {
    const r = await cli('measure', ct.dir, '--masks', MASKS, '--levels', 'L3');
    expect(r.code, r.errors.join('\n')).toBe(0);
    expectSkippedNamed(r.notes);
    const json = JSON.parse(r.stdout);
    expect(json.problems).toEqual(expect.arrayContaining(expected));
    // L3 is slice 73 of the full series; slice 20 below it is gone, so it is slice 72 of these 110.
    const psoas = json.measurements.find((m: Rec) => m.structure === 'iliopsoas_left');
    expect(psoas).toMatchObject({ level: 'L3', sliceIndex: 72, pixels: 79 });
    expect(psoas.z).toBeCloseTo(313.3018, 3);
    expect(psoas.meanHu).toBeCloseTo(27.0506, 4);
  });
});

describe('a slice that jumps sideways: masks are never mapped onto it', () => {
  it('L3 slice moved 10 mm: named, and L3 is refused (--levels L3) or reported not found (auto), never measured on a neighbour', async () => {
    const ct = copyCt('l3', { 73: sideways(10) });
    const skipped = `skipped ${ct.file(73)}: not part of a consistent volume (position 10 mm off the line of the other slices)`;
    const only = await cli('measure', ct.dir, '--masks', MASKS, '--levels', 'L3');
    expect(only.code).toBe(1);
    expect(only.notes).toContain(skipped);
    expect(only.errors).toEqual([expect.stringMatching(/^level L3 not found: the series has no slice at the centroid of vertebrae_L3: the nearest, slice \d+, lies [\d.]+ mm from it where slices are 3 mm apart/)]);
    const auto = await cli('measure', ct.dir, '--masks', MASKS);
    expect(auto.code).toBe(0);
    expect(auto.notes).toContain(skipped);
    const json = JSON.parse(auto.stdout);
    expect(json.problems).toEqual([{ path: ct.file(73), reason: 'not part of a consistent volume (position 10 mm off the line of the other slices)' }]);
    expect(json.measurements.filter((m: Rec) => m.level === 'L3')).toEqual([]);
    expect(json.warnings.join('\n')).toMatch(/level L3 not found: the series has no slice at the centroid of vertebrae_L3/);
    // The disc levels below are measured as on the whole series (L3/L4 67, L4/L5 55, L5/S1 44: below slice 73).
    expect(json.levels.map((l: Rec) => [l.level, l.sliceIndex])).toEqual([['L3/L4', 67], ['L4/L5', 55], ['L5/S1', 44]]);
  });
});
