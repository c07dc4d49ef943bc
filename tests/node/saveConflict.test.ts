/**
 * A stale document never overwrites a newer one: two copies opened from the same revision (two tabs,
 * a reopened page), the second save is refused with a typed conflict naming the file; the newer
 * document and its .prev.json stay as they are; "keep both" writes the stale copy as a separate file.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promises as fs, readdirSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBridge, type Bridge } from '../../src/node/bridge/server';
import { createService } from '../../src/node/createService';
import { documentPath, loadDocument, previousPath, saveDocument, saveDocumentCopy } from '../../src/node/workspace';
import { phantomDocument, phantomVolume, SERIES_UID, tmpDir } from './helpers';

const now = () => new Date('2024-05-06T07:08:09.010Z');
const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const base = phantomDocument(phantomVolume());
/** Two edits of the same base: different raters and times, so each file is recognisable. */
const tabA = { ...base, rater: 'Tab A', modifiedAt: '2024-05-06T07:00:00.000Z' };
const tabB = { ...base, rater: 'Tab B', modifiedAt: '2024-05-06T07:05:00.000Z', rois: base.rois.slice(0, 1) };

describe('annotations:save against a stale copy (workspace)', () => {
  it('two saves from the same base: the second is refused, the disk keeps the newer, .prev.json keeps what it had', async () => {
    const ws = tmpDir();
    await saveDocument(ws, base, now);
    const opened = await loadDocument(ws, SERIES_UID, now);
    // The revision is the hash of the bytes on disk (computed here, not by the app).
    const onDisk = await fs.readFile(documentPath(ws, SERIES_UID));
    expect(opened.revision).toBe(sha(onDisk));

    const a = await saveDocument(ws, tabA, now, { baseRevision: opened.revision });
    expect(a.conflict).toBeUndefined();
    const afterA = await fs.readFile(documentPath(ws, SERIES_UID));
    const prevAfterA = await fs.readFile(previousPath(ws, SERIES_UID));
    expect(a.revision).toBe(sha(afterA));
    expect(JSON.parse(afterA.toString()).rater).toBe('Tab A');
    expect(prevAfterA.equals(onDisk)).toBe(true);

    // Tab B saves twice from the old base (an autosave, then one more): both refused, nothing written.
    for (let i = 0; i < 2; i++) {
      const b = await saveDocument(ws, { ...tabB, modifiedAt: `2024-05-06T07:0${6 + i}:00.000Z` }, now, { baseRevision: opened.revision });
      expect(b.conflict).toBeDefined();
      expect(b.conflict!.reason).toMatch(new RegExp(`^${SERIES_UID.replace(/\./g, '\\.')}\\.json was saved by Tab A at 2024-05-06 07:00:00 UTC from another window or tab, after this copy was opened: this copy was not saved; reload \\(this tab's changes are lost\\) or keep both \\(this copy saved as a separate file\\)$`));
      expect(b.conflict!.reason).not.toMatch(/undefined|\n/);
      expect(b.conflict!.revision).toBe(sha(afterA));
      expect(b.conflict!.modifiedAt).toBe('2024-05-06T07:00:00.000Z');
      expect((await fs.readFile(documentPath(ws, SERIES_UID))).equals(afterA)).toBe(true);
      expect((await fs.readFile(previousPath(ws, SERIES_UID))).equals(prevAfterA)).toBe(true);
    }
    // Tab A goes on saving from its own last revision.
    const a2 = await saveDocument(ws, { ...tabA, modifiedAt: '2024-05-06T07:10:00.000Z' }, now, { baseRevision: a.revision! });
    expect(a2.conflict).toBeUndefined();
    expect((await fs.readFile(previousPath(ws, SERIES_UID))).equals(afterA)).toBe(true);
    expect(readdirSync(ws).sort()).toEqual([`${SERIES_UID}.history.jsonl`, `${SERIES_UID}.json`, `${SERIES_UID}.prev.json`]);
  });

  it('two saves from the same base at the same moment: exactly one is written', async () => {
    const ws = tmpDir();
    await saveDocument(ws, base, now);
    const rev = (await loadDocument(ws, SERIES_UID, now)).revision;
    const [a, b] = await Promise.all([saveDocument(ws, tabA, now, { baseRevision: rev }), saveDocument(ws, tabB, now, { baseRevision: rev })]);
    expect([a.conflict === undefined, b.conflict === undefined]).toEqual([true, false]);
    expect(JSON.parse(await fs.readFile(documentPath(ws, SERIES_UID), 'utf8')).rater).toBe('Tab A');
    expect(JSON.parse(await fs.readFile(previousPath(ws, SERIES_UID), 'utf8')).rater).toBe('Dr. Rater');
  });

  it('across processes: a save waits for the lock of another process, and takes over one whose process is gone', async () => {
    const ws = tmpDir();
    await saveDocument(ws, base, now);
    const lock = path.join(ws, `.${SERIES_UID}.json.lock`);
    // A live process (this test's parent) holds the lock: the save waits, then is refused, nothing written.
    await fs.writeFile(lock, String(process.ppid));
    const before = await fs.readFile(documentPath(ws, SERIES_UID));
    await expect(saveDocument(ws, tabA, now)).rejects.toThrow(`not saved: ${SERIES_UID}.json is being saved by another Paraspine (process ${process.ppid}); try again`);
    expect((await fs.readFile(documentPath(ws, SERIES_UID))).equals(before)).toBe(true);
    // Its holder is gone (a process that has exited): taken over, saved, the lock removed.
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
    await fs.writeFile(lock, dead);
    expect((await saveDocument(ws, tabA, now)).conflict).toBeUndefined();
    expect(JSON.parse(await fs.readFile(documentPath(ws, SERIES_UID), 'utf8')).rater).toBe('Tab A');
    expect(readdirSync(ws).sort()).toEqual([`${SERIES_UID}.history.jsonl`, `${SERIES_UID}.json`, `${SERIES_UID}.prev.json`]);
  }, 20_000);

  it('a copy opened when nothing was saved (base null) does not replace a document saved since', async () => {
    const ws = tmpDir();
    const opened = await loadDocument(ws, SERIES_UID, now);
    expect(opened).toMatchObject({ document: null, revision: null });
    expect((await saveDocument(ws, tabA, now, { baseRevision: null })).conflict).toBeUndefined();
    const b = await saveDocument(ws, tabB, now, { baseRevision: null });
    expect(b.conflict?.reason).toMatch(/was saved by Tab A/);
    expect(JSON.parse(await fs.readFile(documentPath(ws, SERIES_UID), 'utf8')).rater).toBe('Tab A');
  });

  it('an old document without any revision field loads, and saves from its revision', async () => {
    const ws = tmpDir();
    // As an earlier Paraspine wrote it: compact JSON, no revision anywhere.
    const bytes = Buffer.from(JSON.stringify(base));
    await fs.writeFile(documentPath(ws, SERIES_UID), bytes);
    const opened = await loadDocument(ws, SERIES_UID, now);
    expect(opened.document).toEqual(base);
    expect(opened.revision).toBe(sha(bytes));
    expect((await saveDocument(ws, tabA, now, { baseRevision: opened.revision })).conflict).toBeUndefined();
    expect((await fs.readFile(previousPath(ws, SERIES_UID))).equals(bytes)).toBe(true);
  });

  it('keep both: the stale copy is written as a separate file, never over another; the document is untouched', async () => {
    const ws = tmpDir();
    await saveDocument(ws, tabA, now);
    const doc = await fs.readFile(documentPath(ws, SERIES_UID));
    const c1 = await saveDocumentCopy(ws, tabB, now);
    const c2 = await saveDocumentCopy(ws, tabB, now);
    expect(path.basename(c1.path)).toBe(`${SERIES_UID}.copy-2024-05-06T07-08-09-010Z.json`);
    expect(path.basename(c2.path)).toBe(`${SERIES_UID}.copy-2024-05-06T07-08-09-010Z-1.json`);
    expect(JSON.parse(await fs.readFile(c1.path, 'utf8'))).toEqual(tabB);
    expect((await fs.readFile(documentPath(ws, SERIES_UID))).equals(doc)).toBe(true);
    expect((await loadDocument(ws, SERIES_UID, now)).document!.rater).toBe('Tab A');
    await expect(saveDocumentCopy(ws, { nope: 1 }, now)).rejects.toThrow(/^copy not saved: not a Paraspine annotation document/);
  });
});

describe('annotations:save against a stale copy (bridge, HTTP)', () => {
  let bridge: Bridge;
  let ws: string;
  beforeAll(async () => {
    const root = tmpDir();
    ws = path.join(root, 'ws');
    await fs.mkdir(ws);
    const { service } = await createService({ mode: 'web', version: '0', userDataDir: path.join(root, 'u') });
    bridge = await startBridge({ service, port: 0 });
  });
  afterAll(async () => {
    await bridge?.close();
  });
  const api = (channel: string, args: unknown[]) =>
    new Promise<{ status: number; json: Record<string, unknown> }>((resolve, reject) => {
      const req = http.request(
        { host: '127.0.0.1', port: bridge.port, method: 'POST', path: `/api/${channel}`, headers: { 'content-type': 'application/json', 'x-paraspine-token': bridge.token } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode!, json: JSON.parse(Buffer.concat(chunks).toString()) as Record<string, unknown> }));
        },
      );
      req.on('error', reject);
      req.end(JSON.stringify(args));
    });

  it('the second save from the same base gets a typed conflict (HTTP 200, nothing written); keep both writes a copy', async () => {
    expect((await api('workspace:set', [ws])).status).toBe(200);
    expect((await api('annotations:save', [base])).status).toBe(200);
    const opened = (await api('annotations:load', [SERIES_UID])).json;
    const rev = opened.revision as string;
    expect(rev).toBe(sha(await fs.readFile(documentPath(ws, SERIES_UID))));

    const a = await api('annotations:save', [tabA, { baseRevision: rev }]);
    expect(a.status).toBe(200);
    expect(a.json.conflict).toBeUndefined();
    const afterA = await fs.readFile(documentPath(ws, SERIES_UID));
    const prevAfterA = await fs.readFile(previousPath(ws, SERIES_UID));

    const b = await api('annotations:save', [tabB, { baseRevision: rev }]);
    expect(b.status).toBe(200);
    expect(b.json).toMatchObject({ path: documentPath(ws, SERIES_UID), conflict: { reason: expect.stringMatching(/\.json was saved by Tab A .*not saved/), revision: sha(afterA) } });
    expect((await fs.readFile(documentPath(ws, SERIES_UID))).equals(afterA)).toBe(true);
    expect((await fs.readFile(previousPath(ws, SERIES_UID))).equals(prevAfterA)).toBe(true);

    const copy = await api('annotations:saveCopy', [tabB]);
    expect(copy.status).toBe(200);
    const copyPath = copy.json.path as string;
    expect(path.dirname(copyPath)).toBe(ws);
    expect(path.basename(copyPath)).toMatch(new RegExp(`^${SERIES_UID.replace(/\./g, '\\.')}\\.copy-.*\\.json$`));
    expect(JSON.parse(await fs.readFile(copyPath, 'utf8'))).toEqual(tabB);
    expect((await fs.readFile(documentPath(ws, SERIES_UID))).equals(afterA)).toBe(true);
  });

  it('a malformed base revision is refused with a reason (400), nothing written', async () => {
    const before = await fs.readFile(documentPath(ws, SERIES_UID));
    const r = await api('annotations:save', [tabB, { baseRevision: 42 }]);
    expect(r.status).toBe(400);
    expect(r.json.error).toMatch(/^annotations:save: argument 1\.baseRevision/);
    // The third argument names a blinded second read ({ rater } or null): anything else is refused, and so is a fourth.
    const three = await api('annotations:save', [tabB, { baseRevision: null }, 3]);
    expect(three.status).toBe(400);
    expect(three.json.error).toMatch(/^annotations:save: argument 2: .*expected object/);
    const four = await api('annotations:save', [tabB, { baseRevision: null }, null, 3]);
    expect(four.status).toBe(400);
    expect(four.json.error).toMatch(/expects 1 to 3 argument\(s\), got 4/);
    expect((await fs.readFile(documentPath(ws, SERIES_UID))).equals(before)).toBe(true);
  });
});
