/**
 * The audit trail beside an annotation document (src/node/history.ts through saveDocument): one JSON
 * line per save with who, when, app version, revisions before / after and what changed; signing off,
 * and reopening only with a reason.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { reopenDocument, signOffDocument, type AnnotationDocument } from '../../src/core/annotations/document';
import { APP_VERSION } from '../../src/node/appVersion';
import { readHistory } from '../../src/node/history';
import { documentPath, saveDocument } from '../../src/node/workspace';
import { phantomDocument, phantomVolume, SERIES_UID, tmpDir } from './helpers';

const at = (t: string) => () => new Date(t);
/** The revision of a file as the workspace names it: sha256 of its bytes, computed here from the file. */
const revisionOfFile = async (file: string) => `sha256:${createHash('sha256').update(await fs.readFile(file)).digest('hex')}`;

describe('history of an annotation document', () => {
  const v = phantomVolume();
  const doc = phantomDocument(v);

  it('three saves give three lines: who, when, version, revisions and what changed', async () => {
    const ws = tmpDir();
    const file = documentPath(ws, SERIES_UID);
    const history = path.join(ws, `${SERIES_UID}.history.jsonl`);

    await saveDocument(ws, doc, at('2024-05-06T07:00:00.000Z'));
    const rev1 = await revisionOfFile(file);

    // Second save (another rater): L3 moved to slice 2 with its outlines changed, L4/L5 added, the left psoas removed.
    const z2 = v.geometry.slicePositions[2]![2];
    const second: AnnotationDocument = {
      ...doc,
      rater: 'Second Rater',
      levels: [{ ...doc.levels[0]!, sliceIndex: 2, z: z2 }, { level: 'L4/L5', sliceIndex: 0, z: v.geometry.slicePositions[0]![2], source: 'manual' }],
      rois: [{ ...doc.rois[1]!, sliceIndex: 2, z: z2, pointsLps: doc.rois[1]!.pointsLps.map((p) => [p[0], p[1], z2] as const) }],
    };
    await saveDocument(ws, second, at('2024-05-06T07:05:00.000Z'));
    const rev2 = await revisionOfFile(file);

    // Third save: the muscle range changed, L4/L5 removed, a new outline.
    const third: AnnotationDocument = {
      ...second,
      ranges: { muscleHu: [-30, 150], fatHu: second.ranges.fatHu },
      levels: [second.levels[0]!],
      rois: [...second.rois, { ...doc.rois[0]!, id: 'new-outline' }],
    };
    await saveDocument(ws, third, at('2024-05-06T07:10:00.000Z'));
    const rev3 = await revisionOfFile(file);

    const text = await fs.readFile(history, 'utf8');
    expect(text.split('\n')).toHaveLength(4); // three lines, each ended by '\n'
    const h = await readHistory(history);
    expect(h).toHaveLength(3);
    expect(h.map((e) => [e.at, e.rater, e.appVersion, e.action])).toEqual([
      ['2024-05-06T07:00:00.000Z', 'Dr. Rater', APP_VERSION, 'save'],
      ['2024-05-06T07:05:00.000Z', 'Second Rater', APP_VERSION, 'save'],
      ['2024-05-06T07:10:00.000Z', 'Second Rater', APP_VERSION, 'save'],
    ]);
    expect(h.map((e) => [e.revisionBefore, e.revisionAfter])).toEqual([
      [null, rev1],
      [rev1, rev2],
      [rev2, rev3],
    ]);
    expect(h[0]!.changes).toEqual({ created: true, levelsAdded: ['L3'], outlinesAdded: doc.rois.map((r) => r.id) });
    expect(h[1]!.changes).toEqual({
      levelsAdded: ['L4/L5'],
      levelsMoved: [{ level: 'L3', fromSlice: 1, toSlice: 2 }],
      outlinesRemoved: [doc.rois[0]!.id],
      outlinesChanged: [doc.rois[1]!.id],
    });
    expect(h[2]!.changes).toEqual({
      levelsRemoved: ['L4/L5'],
      outlinesAdded: ['new-outline'],
      ranges: { before: { muscleHu: [-29, 150], fatHu: [-190, -30] }, after: { muscleHu: [-30, 150], fatHu: [-190, -30] } },
    });
  });

  it('is only appended to: the earlier lines stay byte for byte', async () => {
    const ws = tmpDir();
    const history = path.join(ws, `${SERIES_UID}.history.jsonl`);
    await saveDocument(ws, doc, at('2024-05-06T07:00:00.000Z'));
    const first = await fs.readFile(history, 'utf8');
    await saveDocument(ws, { ...doc, rater: 'B' }, at('2024-05-06T07:01:00.000Z'));
    const both = await fs.readFile(history, 'utf8');
    expect(both.startsWith(first)).toBe(true);
    expect(both.length).toBeGreaterThan(first.length);
  });

  it('signing off, a refused change, a refused reopen without a reason, and a reopen with one', async () => {
    const ws = tmpDir();
    const file = documentPath(ws, SERIES_UID);
    const history = path.join(ws, `${SERIES_UID}.history.jsonl`);
    await saveDocument(ws, doc, at('2024-05-06T07:00:00.000Z'));
    const signed = signOffDocument(doc, 'Dr. Rater', '2024-05-06T08:00:00.000Z');
    await saveDocument(ws, signed, at('2024-05-06T08:00:00.000Z'));
    expect(JSON.parse(await fs.readFile(file, 'utf8')).signedOff).toEqual({ by: 'Dr. Rater', at: '2024-05-06T08:00:00.000Z' });

    const onDisk = await fs.readFile(file);
    // A change to a signed-off read is refused; so is reopening it without a reason. Nothing written, no line.
    await expect(saveDocument(ws, { ...signed, rois: [] }, at('2024-05-06T09:00:00.000Z'))).rejects.toThrow(
      `not saved: ${SERIES_UID}.json is signed off by Dr. Rater at 2024-05-06 08:00:00 UTC; reopen it (with a reason) before changing it`,
    );
    const reopened = reopenDocument(signed, '2024-05-06T09:00:00.000Z');
    await expect(saveDocument(ws, reopened, at('2024-05-06T09:00:00.000Z'))).rejects.toThrow(
      `not saved: ${SERIES_UID}.json was signed off by Dr. Rater at 2024-05-06 08:00:00 UTC; reopening it needs a reason`,
    );
    expect((await fs.readFile(file)).equals(onDisk)).toBe(true);
    expect(await readHistory(history)).toHaveLength(2);

    await saveDocument(ws, reopened, at('2024-05-06T09:00:00.000Z'), { reason: 'L3 outlined on the wrong slice' });
    const h = await readHistory(history);
    expect(h.map((e) => e.action)).toEqual(['save', 'sign-off', 'reopen']);
    expect(h[1]!.signedOff).toEqual({ by: 'Dr. Rater', at: '2024-05-06T08:00:00.000Z' });
    expect(h[2]!.reason).toBe('L3 outlined on the wrong slice');
    expect(JSON.parse(await fs.readFile(file, 'utf8')).signedOff).toBeNull();
  });

  it('a save refused as a conflict writes no line', async () => {
    const ws = tmpDir();
    await saveDocument(ws, doc, at('2024-05-06T07:00:00.000Z'));
    const r = await saveDocument(ws, { ...doc, rater: 'Late tab' }, at('2024-05-06T07:01:00.000Z'), { baseRevision: 'sha256:0000' });
    expect(r.conflict).toBeDefined();
    expect(await readHistory(path.join(ws, `${SERIES_UID}.history.jsonl`))).toHaveLength(1);
  });
});
