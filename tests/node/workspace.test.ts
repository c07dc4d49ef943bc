import { promises as fs, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { documentPath, documentStem, loadDocument, previousPath, saveDocument } from '../../src/node/workspace';
import { phantomDocument, phantomVolume, SERIES_UID, tmpDir } from './helpers';

const now = () => new Date('2024-05-06T07:08:09.010Z');

describe('workspace', () => {
  const doc = phantomDocument(phantomVolume());

  it('names the file from the SeriesInstanceUID, sanitised and kept unique', () => {
    expect(documentStem('1.2.840.113619.2')).toBe('1.2.840.113619.2');
    const a = documentStem('../../etc/passwd');
    expect(a).not.toContain('/');
    expect(a.startsWith('.')).toBe(false);
    expect(documentStem('a/b')).not.toBe(documentStem('a_b'));
    expect(() => documentStem('  ')).toThrow(/no SeriesInstanceUID/);
  });

  it('saves atomically, reloads the same document, keeps the previous version', async () => {
    const ws = tmpDir();
    const r1 = await saveDocument(ws, doc, now);
    expect(r1.path).toBe(documentPath(ws, SERIES_UID));
    expect(await fs.readFile(previousPath(ws, SERIES_UID)).catch(() => null)).toBeNull(); // nothing to keep yet
    const back = await loadDocument(ws, SERIES_UID, now);
    expect(back.problem).toBeNull();
    expect(back.document).toEqual(doc);

    const v2 = { ...doc, rater: 'Second', modifiedAt: '2024-02-02T00:00:00.000Z' };
    await saveDocument(ws, v2, now);
    const prev = JSON.parse(await fs.readFile(previousPath(ws, SERIES_UID), 'utf8')) as typeof doc;
    expect(prev.rater).toBe('Dr. Rater');
    expect((await loadDocument(ws, SERIES_UID, now)).document!.rater).toBe('Second');
    // no temp files left behind
    expect(readdirSync(ws).sort()).toEqual([`${SERIES_UID}.history.jsonl`, `${SERIES_UID}.json`, `${SERIES_UID}.prev.json`]);
  });

  it('refuses to save an invalid document and writes nothing', async () => {
    const ws = tmpDir();
    await expect(saveDocument(ws, { ...doc, rois: [{ ...doc.rois[0]!, pointsLps: [[0, 0, 0]] }] })).rejects.toThrow(/not saved: invalid annotation document: rois\.0\.pointsLps/);
    expect(readdirSync(ws)).toEqual([]);
  });

  it('a corrupt document is moved aside and reported, the previous version restored, never overwritten', async () => {
    const ws = tmpDir();
    await saveDocument(ws, doc, now);
    await saveDocument(ws, { ...doc, rater: 'Second' }, now);
    const file = documentPath(ws, SERIES_UID);
    await fs.writeFile(file, '{"format": "paraspine-annotations", truncated');
    const r = await loadDocument(ws, SERIES_UID, now);
    expect(r.problem).toMatch(/not valid JSON/);
    expect(r.problem).toMatch(/kept aside as .*\.corrupt-2024-05-06T07-08-09-010Z\.json/);
    expect(r.problem).toMatch(/restored the previous version/);
    expect(r.document!.rater).toBe('Dr. Rater');
    const aside = path.join(ws, `${SERIES_UID}.corrupt-2024-05-06T07-08-09-010Z.json`);
    expect(await fs.readFile(aside, 'utf8')).toBe('{"format": "paraspine-annotations", truncated');
    expect(await fs.readFile(file).catch(() => null)).toBeNull();
  });

  it('a document from a newer version is moved aside and reported', async () => {
    const ws = tmpDir();
    const newer = JSON.stringify({ ...doc, version: 99 });
    await fs.writeFile(documentPath(ws, SERIES_UID), newer);
    const r = await loadDocument(ws, SERIES_UID, now);
    expect(r.document).toBeNull();
    expect(r.problem).toMatch(/newer Paraspine \(document version 99/);
    const files = readdirSync(ws);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/\.corrupt-.*\.json$/);
    expect(await fs.readFile(path.join(ws, files[0]!), 'utf8')).toBe(newer);
  });

  it('saving over an unusable file moves it aside first (never overwritten) and reports it', async () => {
    const ws = tmpDir();
    const newer = JSON.stringify({ ...doc, version: 99 });
    await fs.writeFile(documentPath(ws, SERIES_UID), newer);
    const r = await saveDocument(ws, doc, now);
    expect(r.problem).toMatch(/newer Paraspine.*kept aside/);
    const aside = readdirSync(ws).find((f) => f.includes('.corrupt-'))!;
    expect(await fs.readFile(path.join(ws, aside), 'utf8')).toBe(newer);
    expect((await loadDocument(ws, SERIES_UID, now)).document).toEqual(doc);
  });

  it('two corrupt files at the same time do not clobber each other when moved aside', async () => {
    const ws = tmpDir();
    await fs.writeFile(documentPath(ws, SERIES_UID), 'first');
    await loadDocument(ws, SERIES_UID, now);
    await fs.writeFile(documentPath(ws, SERIES_UID), 'second');
    await loadDocument(ws, SERIES_UID, now);
    const contents = await Promise.all(readdirSync(ws).map((f) => fs.readFile(path.join(ws, f), 'utf8')));
    expect(contents.sort()).toEqual(['first', 'second']);
  });

  it('nothing saved yet: no document, no problem', async () => {
    const r = await loadDocument(tmpDir(), SERIES_UID, now);
    expect(r).toMatchObject({ document: null, problem: null });
  });
});
