import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '../..');
const DATA = resolve(ROOT, '../shared/data');

function run(...args: string[]) {
  return spawnSync(process.execPath, [resolve(ROOT, 'bin/paraspine.mjs'), ...args], { encoding: 'utf8', cwd: ROOT });
}

describe('the paraspine executable', () => {
  it('prints help and exits 0', () => {
    const r = run('--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/paraspine measure <series-folder>/);
  });

  it('scans a folder of malformed files without a stack trace, naming each unusable file', () => {
    const r = run('scan', resolve(DATA, 'malformed/pydicom-2.3.1-debian-test_files'));
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/MR_truncated\.dcm: truncated/);
    expect(r.stdout).toMatch(/zipMR\.gz: not DICOM/);
    expect(r.stderr).not.toMatch(/\s+at \S+:\d+/);
  });

  it('fails with one line and exit 1 on a folder without CT', () => {
    const r = run('info', resolve(DATA, 'ct-abdomen-3mm/masks'));
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^paraspine: no CT series/);
  });

  it('info --hu-stats loads every pixel', () => {
    const r = run('info', resolve(DATA, 'ct-abdomen-3mm/dicom'), '--hu-stats', '--json');
    expect(r.status).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.huStats.voxels).toBe(112 * 101 * 122);
    expect(j.huStats.min).toBeLessThan(-900); // air around the patient
    expect(j.huStats.max).toBeGreaterThan(500);
    expect(j.huStats.mean).toBeGreaterThan(j.huStats.min);
    expect(j.huStats.mean).toBeLessThan(j.huStats.max);
  });
});

describe('the paraspine executable on JPEG 2000 data', () => {
  it('keeps stdout clean JSON (codec notes are silenced)', () => {
    const r = run('info', resolve(DATA, 'ct-thorax-j2k/dicom'), '--hu-stats', '--json');
    expect(r.status).toBe(0);
    expect(r.stdout + r.stderr).not.toMatch(/\[INFO\]/);
    const j = JSON.parse(r.stdout);
    expect(j.series.slices).toBe(20);
    expect(j.huStats.voxels).toBe(20 * 512 * 512);
  });
});
