import { spawnSync } from 'node:child_process';
import { promises as fs, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cleanInterruptedWrites } from '../../src/node/atomicWrite';
import { createService } from '../../src/node/createService';
import { loadDocument, MAX_DOCUMENT_BYTES, saveDocument } from '../../src/node/workspace';
import { phantomDocument, phantomVolume, SERIES_UID, tmpDir } from './helpers';

const now = () => new Date('2024-05-06T07:08:09.010Z');
const PACKAGE_JSON = '{ "name": "someone-elses-project", "version": "1.0.0" }\n';

describe('the workspace never touches files it did not write', () => {
  const doc = phantomDocument(phantomVolume());

  it("annotations for a series named 'package' neither rename nor overwrite the workspace's package.json", async () => {
    const ws = tmpDir();
    writeFileSync(path.join(ws, 'package.json'), PACKAGE_JSON);
    await expect(loadDocument(ws, 'package', now)).rejects.toThrow(/package\.json in the workspace is not a Paraspine annotation document: left as it is/);
    const foreignDoc = { ...doc, series: { ...doc.series, seriesInstanceUid: 'package' } };
    await expect(saveDocument(ws, foreignDoc, now)).rejects.toThrow(/not saved: package\.json .* never overwritten/);
    expect(readdirSync(ws)).toEqual(['package.json']);
    expect(readFileSync(path.join(ws, 'package.json'), 'utf8')).toBe(PACKAGE_JSON);
  });

  it('a damaged file under a name that is no DICOM UID is left alone', async () => {
    const ws = tmpDir();
    writeFileSync(path.join(ws, 'notes.json'), 'my notes, not JSON');
    await expect(loadDocument(ws, 'notes', now)).rejects.toThrow(/left as it is/);
    expect(readdirSync(ws)).toEqual(['notes.json']);
  });

  it('a document with a UTF-8 byte order mark loads', async () => {
    const ws = tmpDir();
    await saveDocument(ws, doc, now);
    const file = path.join(ws, `${SERIES_UID}.json`);
    writeFileSync(file, '\ufeff' + readFileSync(file, 'utf8'));
    const r = await loadDocument(ws, SERIES_UID, now);
    expect(r.problem).toBeNull();
    expect(r.document).toEqual(doc);
  });

  it('a document over the size limit is refused before parsing and kept', async () => {
    const ws = tmpDir();
    const file = path.join(ws, `${SERIES_UID}.json`);
    const fh = await fs.open(file, 'w');
    await fh.truncate(MAX_DOCUMENT_BYTES + 1); // sparse: no memory, no disk
    await fh.close();
    await expect(loadDocument(ws, SERIES_UID, now)).rejects.toThrow(/larger than an annotation document can be/);
    expect(readdirSync(ws)).toEqual([`${SERIES_UID}.json`]);
  });
});

describe('temp files of interrupted saves', () => {
  it('are removed on start when their writer is gone; live writers and other files are kept', async () => {
    const dir = tmpDir();
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString(); // a pid that has exited
    const stale = `.${SERIES_UID}.json.tmp-${dead}-0a1b2c3d`;
    const live = `.${SERIES_UID}.json.tmp-${process.ppid}-deadbeef`; // our parent is alive
    for (const n of [stale, live, `${SERIES_UID}.json`, '.hidden-user-file']) writeFileSync(path.join(dir, n), 'x');
    expect(await cleanInterruptedWrites(dir)).toEqual([stale]);
    expect(readdirSync(dir).sort()).toEqual([live, '.hidden-user-file', `${SERIES_UID}.json`].sort());
  });

  it('createService cleans the workspace it remembers', async () => {
    const userData = tmpDir();
    const ws = tmpDir();
    writeFileSync(path.join(userData, 'settings.json'), JSON.stringify({ version: 1, window: { width: 1400, height: 900 }, workspace: ws, recentFolders: [], rater: '' }));
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
    const stale = `.${SERIES_UID}.json.tmp-${dead}-00ff00ff`;
    writeFileSync(path.join(ws, stale), '{"half');
    const { settings } = await createService({ mode: 'web', version: '0.0.0', userDataDir: userData });
    expect(settings.get().workspace).toBe(ws);
    expect(readdirSync(ws)).toEqual([]);
  });
});
