import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makePhantomSeries } from '../fixtures/phantomSeries';
import { writeTempFiles } from '../dicom/helpers';
import { cli } from './run';

const DATA = resolve(__dirname, '../../../shared/data');
const THORAX = join(DATA, 'ct-thorax-j2k/dicom');

describe('paraspine with series that have no SeriesInstanceUID', () => {
  it('info and measure --series work with the derived UID of the thorax series', async () => {
    const info = await cli('info', THORAX, '--json');
    expect(info.code).toBe(0);
    const uid = JSON.parse(info.stdout).series.seriesInstanceUid as string;
    expect(uid).toMatch(/^2\.25\.[1-9][0-9]*$/);
    const text = await cli('info', THORAX, '--series', uid);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`series ${uid}`);
    expect(text.stdout).toContain(`warning: SeriesInstanceUID is empty; using derived identifier ${uid}`);
    const m = await cli('measure', THORAX, '--series', uid, '--masks', join(DATA, 'ct-thorax-j2k/masks'), '--z', '-790', '--structures', 'autochthon_left');
    expect(m.errors).toEqual([]);
    expect(m.code).toBe(0);
    const out = JSON.parse(m.stdout);
    expect(out.series.seriesInstanceUid).toBe(uid);
    expect(out.measurements).toHaveLength(1);
    const csv = await cli('measure', THORAX, '--series', uid, '--masks', join(DATA, 'ct-thorax-j2k/masks'), '--z', '-790', '--structures', 'autochthon_left', '--format', 'csv');
    expect(csv.stdout.split('\n')[1]).toContain(uid);
  });

  it('two anonymised series: scan lists both, info needs --series and accepts each derived UID', async () => {
    const a = makePhantomSeries({ seriesInstanceUid: '' });
    const b = makePhantomSeries({ seriesInstanceUid: '', obliqueDeg: 15 });
    const { dir, cleanup } = await writeTempFiles([
      ...a.files.map((f) => ({ ...f, name: `a-${f.name}` })),
      ...b.files.map((f) => ({ ...f, name: `b-${f.name}` })),
    ]);
    try {
      const scan = JSON.parse((await cli('scan', dir, '--json')).stdout) as { series: { seriesInstanceUid: string }[]; problems: unknown[] };
      expect(scan.problems).toEqual([]);
      const uids = scan.series.map((s) => s.seriesInstanceUid);
      expect(uids).toHaveLength(2);
      expect(uids[0]).not.toBe(uids[1]);
      const both = await cli('info', dir, '--hu-stats');
      expect(both.code).toBe(1);
      expect(both.errors.join()).toMatch(/2 CT series found; choose one with --series UID/);
      for (const uid of uids) {
        const r = await cli('info', dir, '--series', uid, '--hu-stats', '--json');
        expect(r.code).toBe(0);
        const info = JSON.parse(r.stdout);
        expect(info.series.seriesInstanceUid).toBe(uid);
        expect(info.huStats.voxels).toBe(64 * 56 * 6);
      }
    } finally {
      await cleanup();
    }
  });
});
