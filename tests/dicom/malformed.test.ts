import { readdir, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSeriesFromFolder, readDicomHeader, scanFolder, loadSeries } from '../../src/node/dicomFiles';
import { shared } from './helpers';

const MAL = (...p: string[]): string => shared('malformed', ...p);

async function allFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await allFiles(p)));
    else out.push(p);
  }
  return out;
}

async function reasonFor(path: string): Promise<string> {
  try {
    await readDicomHeader(path);
    return 'OK';
  } catch (e) {
    return (e as Error).message;
  }
}

describe('malformed files: loaded or listed with a one-line reason', () => {
  it('scanning the whole malformed folder accounts for every file, with one-line reasons', async () => {
    const files = await allFiles(MAL());
    const scan = await scanFolder(MAL());
    const inSeries = new Set(scan.series.flatMap((s) => s.files));
    const withProblem = new Set(scan.problems.map((p) => p.path));
    for (const f of files) expect(inSeries.has(f) || withProblem.has(f), relative(MAL(), f)).toBe(true);
    for (const p of scan.problems) {
      expect(p.reason).not.toMatch(/\n/);
      expect(p.reason.length).toBeGreaterThan(5);
      expect(p.reason.length).toBeLessThan(400);
    }
    // The CT series in there still load: gantry tilt, slice increment x2, not-a-volume, pydicom CT_small, bad_sequence.
    expect(scan.series.length).toBeGreaterThanOrEqual(5);
    for (const s of scan.series) {
      const v = await loadSeries(s);
      expect(v.hu.length).toBe(s.rows * s.columns * s.slices);
    }
  });

  it('gives specific reasons', async () => {
    expect(await reasonFor(MAL('pydicom-2.3.1-debian-test_files', 'MR_truncated.dcm'))).toBe('truncated pixel data (8130 of 8192 bytes)');
    expect(await reasonFor(MAL('pydicom-2.3.1-debian-test_files', 'zipMR.gz'))).toBe('not DICOM (gzip archive)');
    expect(await reasonFor(MAL('dwv', 'dwv-test_bad.zip'))).toBe('not DICOM (zip archive)');
    expect(await reasonFor(MAL('dwv', 'dwv-test_no-number-rows.dcm'))).toBe('not an image (Rows missing or zero)');
    expect(await reasonFor(MAL('pydicom-2.3.1-debian-test_files', 'MR_small_bigendian.dcm'))).toBe('not CT (modality MR)');
    expect(await reasonFor(MAL('pydicom-2.3.1-debian-test_files', 'ExplVR_BigEnd.dcm'))).toBe('not CT (modality US)');
    expect(await reasonFor(MAL('pydicom-2.3.1-debian-test_files', 'rtplan_truncated.dcm'))).toMatch(/^truncated/);
    expect(await reasonFor(MAL('pydicom-2.3.1-debian-test_files', 'no_meta_group_length.dcm'))).toBe('not an image (no pixel data)');
    expect(await reasonFor(MAL('pydicom-2.3.1-debian-test_files', 'README.txt'))).toMatch(/^not DICOM/);
    expect(await reasonFor(MAL('pydicom-2.3.1-debian-test_files', 'image_dfl.dcm'))).toBe('not CT (modality OT)');
    expect(await reasonFor(MAL('pydicom-2.3.1-debian-test_files', 'liver_1frame.dcm'))).toBe('unsupported BitsAllocated 1');
    expect(await reasonFor(MAL('pydicom-2.3.1-debian-test_files', 'CT_small.dcm'))).toBe('OK');
  });

  it('deflated data set is inflated to read the header', async () => {
    const { parseDataSet } = await import('../../src/core/dicom/parseHeader');
    const { readFile } = await import('node:fs/promises');
    const bytes = new Uint8Array(await readFile(MAL('pydicom-2.3.1-debian-test_files', 'image_dfl.dcm')));
    const parsed = parseDataSet(bytes, bytes.length, true);
    expect(parsed.transferSyntaxUid).toBe('1.2.840.10008.1.2.1.99');
    expect(parsed.inflated).toBe(true);
    expect(parsed.dataSet.uint16('x00280010')).toBe(512);
    expect(parsed.dataSet.string('x00080060')).toBe('OT');
  });

  it('gantry tilt loads with a warning that names the tilt', async () => {
    const { volume, summary } = await loadSeriesFromFolder(MAL('dicom2nifti-failing', 'gantrytilting'));
    expect(summary.slices).toBe(4);
    expect(summary.warnings.some((w) => /gantry tilt/.test(w))).toBe(true);
    expect(volume.warnings.some((w) => /gantry tilt \d+(\.\d)?°/.test(w))).toBe(true);
  });

  it('tilted series keep every slice (none is off the line of the others); the tilt is the one their orientation gives', async () => {
    // Both tables advance along patient z under an image plane turned about x: gantrytilting's column
    // direction (0, 0.9703, -0.2419) is 14.0° off y, sliceincrement/002's (0, 0.9636, -0.2672) 15.5° (the
    // latter with a missing slice: a double step on the same line).
    for (const [dir, deg] of [[['gantrytilting'], '14.0'], [['sliceincrement', '002'], '15.5']] as const) {
      const scan = await scanFolder(MAL('dicom2nifti-failing', ...dir));
      expect(scan.problems.filter((p) => p.path.endsWith('.dcm'))).toEqual([]);
      expect(scan.series[0]!.slices).toBe(4);
      expect(scan.series[0]!.warnings[0]).toMatch(new RegExp(`^gantry tilt ${deg.replace('.', '\\.')}°`));
    }
  });

  it('sliceincrement: each series loads with an irregular-spacing warning', async () => {
    for (const sub of ['001', '002']) {
      const { volume, summary } = await loadSeriesFromFolder(MAL('dicom2nifti-failing', 'sliceincrement', sub));
      expect(summary.slices).toBe(4);
      expect(volume.warnings.some((w) => /irregular slice spacing/.test(w))).toBe(true);
    }
    // 002 is missing slice 4 (files 1, 2, 3, 5).
    const s2 = await loadSeriesFromFolder(MAL('dicom2nifti-failing', 'sliceincrement', '002'));
    expect(s2.summary.warnings.join(' ')).toMatch(/missing slice/);
  });

  it('notavolume: duplicates are named, the rest still loads', async () => {
    const dir = MAL('dicom2nifti-failing', 'notavolume', '001');
    const scan = await scanFolder(dir);
    expect(scan.series).toHaveLength(1);
    const dup = scan.problems.filter((p) => /^same position as /.test(p.reason));
    expect(dup.length).toBeGreaterThan(0);
    for (const p of dup) {
      const other = p.reason.replace(/^same position as (.*?) \(.*$/, '$1');
      expect(other).not.toBe(p.path);
      expect((await stat(other)).isFile()).toBe(true);
    }
    expect(scan.series[0]!.slices + dup.length).toBe(4);
  });

  it('a folder with only non-CT or broken files gives a one-line error, not a throw from deep inside', async () => {
    await expect(loadSeriesFromFolder(MAL('dicom2nifti-failing', 'sliceorientation'))).rejects.toThrow(
      /^no CT series found in .*not CT \(modality MR\)/,
    );
  });
});
