/**
 * A workspace document whose outlines share an id (a hand-edited or merged file): it is opened, the
 * later outline gets a fresh id, and `problem` (the app's message line) says so naming the file.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { documentPath, loadDocument } from '../../src/node/workspace';
import { phantomDocument, phantomVolume, SERIES_UID, tmpDir } from './helpers';

describe('workspace: duplicate outline ids', () => {
  it('are repaired on load with a one-line note naming the file; the document on disk is left as it was', async () => {
    const doc = phantomDocument(phantomVolume());
    const [a, b] = doc.rois;
    const dup = { ...doc, rois: [a!, { ...b!, id: a!.id, muscle: 'multifidus' as const }] };
    const ws = tmpDir();
    const file = documentPath(ws, SERIES_UID);
    const text = JSON.stringify(dup);
    await fs.writeFile(file, text);
    const r = await loadDocument(ws, SERIES_UID);
    expect(r.document!.rois.map((x) => x.id)).toEqual([a!.id, `${a!.id}-2`]);
    expect(r.document!.rois.map((x) => x.muscle)).toEqual(['psoas', 'multifidus']);
    expect(r.problem).toBe(`${path.basename(file)}: outline 2 (L3 multifidus right) had the id ${JSON.stringify(a!.id)} of the L3 psoas left outline: it now has the id ${JSON.stringify(`${a!.id}-2`)}`);
    expect(await fs.readFile(file, 'utf8')).toBe(text); // saved again only with the next change
  });

  it('many: the first three, then a count, on one line', async () => {
    const doc = phantomDocument(phantomVolume());
    const a = doc.rois[0]!;
    const ws = tmpDir();
    await fs.writeFile(documentPath(ws, SERIES_UID), JSON.stringify({ ...doc, rois: Array.from({ length: 6 }, () => a) }));
    const r = await loadDocument(ws, SERIES_UID);
    expect(new Set(r.document!.rois.map((x) => x.id)).size).toBe(6);
    expect(r.problem!.split('; ')).toHaveLength(4);
    expect(r.problem).toMatch(/; and 2 more outlines given fresh ids$/);
    expect(r.problem).not.toContain('\n');
  });
});
