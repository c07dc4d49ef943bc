/**
 * The bridge and the app read only inside the folders the user opened: a file link in an opened
 * folder that leads outside is listed by the scan with its reason and never read (series:slices serves
 * none of it); a link that leads into an opened folder is read; a link changed after the scan to lead
 * outside is refused when the series is opened, naming the file. The command line follows links as before.
 */
import { mkdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ScanResult } from '../../src/core/dicom/types';
import { createService } from '../../src/node/createService';
import { scanFolder } from '../../src/node/dicomFiles';
import { folderLocator, type SeriesSlices } from '../../src/shared/contract';
import { makePhantomSeries } from '../fixtures/phantomSeries';
import { writeMusclePhantom } from '../fixtures/musclePhantom';
import type { MaskImportResult } from '../../src/shared/contract';
import { tmpDir } from './helpers';

describe('links in an opened folder (app and bridge services)', () => {
  it('a link to a file outside is a listed problem, never read; inside a granted folder it is read; a retargeted link is refused', async () => {
    const root = tmpDir();
    const ct = path.join(root, 'ct');
    const other = path.join(root, 'other'); // opened too: links into it are fine
    const outside = path.join(root, 'outside'); // never opened
    for (const d of [ct, other, outside]) mkdirSync(d);
    const p = makePhantomSeries({ slices: 4, rows: 8, columns: 8 });
    const file = (k: number) => p.files.find((f) => f.slice === k)!.bytes;
    writeFileSync(path.join(ct, 's0.dcm'), file(0));
    writeFileSync(path.join(ct, 's1.dcm'), file(1));
    writeFileSync(path.join(other, 's2.dcm'), file(2));
    writeFileSync(path.join(outside, 's3.dcm'), file(3));
    symlinkSync(path.join(other, 's2.dcm'), path.join(ct, 'in.dcm'));
    symlinkSync(path.join(outside, 's3.dcm'), path.join(ct, 'out.dcm'));
    symlinkSync(outside, path.join(ct, 'elsewhere'));

    const { service } = await createService({ mode: 'web', version: '0', userDataDir: path.join(root, 'u') });
    await service.dispatch('series:scan', [other]); // the user opened it (typed path)
    const scan = (await service.dispatch('series:scan', [ct])) as ScanResult;
    expect(scan.problems).toEqual([
      { path: path.join(ct, 'elsewhere'), reason: 'a link to a folder: not followed (open that folder itself)' },
      { path: path.join(ct, 'out.dcm'), reason: `a link to ${path.join(outside, 's3.dcm')}, outside the folders you opened: not read` },
    ]);
    expect(scan.series).toHaveLength(1);
    const s = scan.series[0]!;
    expect(s.slices).toBe(3);
    expect([...s.files].sort()).toEqual([path.join(ct, 'in.dcm'), path.join(ct, 's0.dcm'), path.join(ct, 's1.dcm')]);

    // The command line reads what its user names: links to files are followed wherever they lead.
    const cli = await scanFolder(ct);
    expect(cli.series[0]!.slices).toBe(4);
    expect(cli.problems).toEqual([{ path: path.join(ct, 'elsewhere'), reason: 'a link to a folder: not followed (open that folder itself)' }]);

    // The rest of the folder works: slices 0..2 are the phantom's exact HU (slice 2 through the link into `other`).
    const loc = folderLocator(ct, s.seriesInstanceUid);
    await service.dispatch('series:load', [loc]);
    const got = (await service.dispatch('series:slices', [loc, { start: 0, count: 3 }])) as SeriesSlices;
    expect(got.huType).toBe('int16');
    expect([...new Int16Array(got.bytes)]).toEqual([...p.expected.hu.subarray(0, 3 * 64)]);
    await expect(service.dispatch('series:slices', [loc, { start: 0, count: 4 }])).rejects.toThrow(/outside the series' slices 0\.\.2/);

    // The link inside is changed to lead outside after the scan: opening the series is refused, naming it.
    rmSync(path.join(ct, 'in.dcm'));
    symlinkSync(path.join(outside, 's3.dcm'), path.join(ct, 'in.dcm'));
    const refused = service.dispatch('series:load', [loc]);
    await expect(refused).rejects.toMatchObject({ kind: 'access' });
    await expect(refused).rejects.toThrow(
      `${path.join(ct, 'in.dcm')}: a link to ${path.join(outside, 's3.dcm')}, outside the folders you opened: not read (changed since the folder was scanned; scan it again)`,
    );
    // Scanned again: the two files inside are the series, both links listed.
    const again = (await service.dispatch('series:scan', [ct])) as ScanResult;
    expect(again.series[0]!.slices).toBe(2);
    expect(again.problems.map((q) => path.basename(q.path))).toEqual(['elsewhere', 'in.dcm', 'out.dcm']);
    expect(again.problems.every((q) => !/undefined|\n/.test(q.reason))).toBe(true);

  });

  it('masks:import: a mask file linked from outside the opened folders is listed and not read; the other masks import', async () => {
    const root = tmpDir();
    const ph = writeMusclePhantom(root);
    const outside = path.join(root, 'outside');
    mkdirSync(outside);
    renameSync(path.join(ph.masks, 'iliopsoas_left.nii.gz'), path.join(outside, 'iliopsoas_left.nii.gz'));
    symlinkSync(path.join(outside, 'iliopsoas_left.nii.gz'), path.join(ph.masks, 'iliopsoas_left.nii.gz'));

    const { service } = await createService({ mode: 'web', version: '0', userDataDir: path.join(root, 'u') });
    const scan = (await service.dispatch('series:scan', [ph.dicom])) as ScanResult;
    const series = folderLocator(ph.dicom, scan.series[0]!.seriesInstanceUid);
    const r = (await service.dispatch('masks:import', [{ series, masksPath: ph.masks, levels: [{ level: 'L3', sliceIndex: 2 }] }])) as MaskImportResult;
    expect(r.problems).toContainEqual({ path: path.join(ph.masks, 'iliopsoas_left.nii.gz'), reason: `a link to ${path.join(outside, 'iliopsoas_left.nii.gz')}, outside the folders you opened: not read` });
    // The rest of the folder: the autochthon mask gives its outline; nothing came from the linked psoas.
    expect(r.rois.map((x) => `${x.level} ${x.muscle} ${x.side} ${x.sliceIndex}`)).toEqual(['L3 autochthon left 2']);
    // Once that folder is opened too, the same link is read.
    await service.dispatch('series:scan', [outside]).catch(() => undefined); // typed by the user: granted (it holds no DICOM)
    const again = (await service.dispatch('masks:import', [{ series, masksPath: ph.masks, levels: [{ level: 'L3', sliceIndex: 2 }] }])) as MaskImportResult;
    expect(again.rois.map((x) => `${x.muscle} ${x.side}`).sort()).toEqual(['autochthon left', 'psoas left', 'psoas left']); // without the split: psoas and iliacus blocks
  });
});
