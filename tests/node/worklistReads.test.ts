/**
 * The worklist and the blinded second read together, through createApi (as the app's main process and
 * the browser bridge call it): one API per app window, all on one shared workspace.
 * - Locks per read: rater A holds the first read (`<stem>.lock`) while rater B edits a second read
 *   (`<stem>.read-<slug>.lock`) of the same series; B's second window is refused B's read; each save is
 *   checked against the lock of the read it saves.
 * - The worklist of a second read: state, rater, last change and lock are the rater's own read; of the
 *   first read only where it stands; "next" skips a line whose own read is signed off.
 * - agreement:pdf writes the PDF `paraspine agreement B A --pdf FILE --date NOW` writes, byte for byte.
 * - A manifest chosen in the desktop app's open dialog has its rows' folders granted; one reached
 *   otherwise only lists folders already granted.
 * Expected values: file names written out here, the muscle phantom's hand-computed ICC (tests/node/secondRead.test.ts).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { signOffDocument, type AnnotationDocument } from '../../src/core/annotations/document';
import { FolderAccess } from '../../src/node/access';
import { createApi, type ApiOptions, type ParaspineService } from '../../src/node/api';
import { loadSeriesFromFolder } from '../../src/node/dicomFiles';
import { FolderSeriesSource } from '../../src/node/seriesSource';
import { SettingsStore } from '../../src/node/settings';
import { folderLocator } from '../../src/shared/contract';
import { cli } from '../cli/run';
import { makePhantomSeries } from '../fixtures/phantomSeries';
import { writeMusclePhantom } from '../fixtures/musclePhantom';
import { phantomReads } from '../fixtures/phantomReads';
import { tmpDir } from './helpers';

const NOW = '2026-01-01T00:00:00.000Z';
const B = { rater: 'Rater B' };

/** One app window: its own API (its own worklist session) on the shared settings file and workspace. */
async function window(root: string, name: string, extra: Partial<ApiOptions> = {}): Promise<ParaspineService> {
  const settings = SettingsStore.inDir(path.join(root, `userdata-${name}`));
  await settings.load();
  const api = createApi({ mode: 'web', version: '0.0.0', settings, access: new FolderAccess(), sources: { folder: new FolderSeriesSource() }, masks: { loadMasks: async () => ({ masks: [], problems: [] }) }, now: () => new Date(NOW), ...extra });
  return api;
}

describe('a blinded second read beside the first, through the worklist', () => {
  let root: string;
  let dicom: string;
  let ws: string;
  let uid: string;
  let a: AnnotationDocument;
  let b: AnnotationDocument;
  let apiA: ParaspineService;
  let apiB: ParaspineService;
  let apiB2: ParaspineService;

  beforeAll(async () => {
    root = tmpDir('paraspine-worklist-reads-');
    const ph = writeMusclePhantom(root);
    dicom = ph.dicom;
    const g = ph.geometry;
    ws = path.join(root, 'ws');
    mkdirSync(ws);
    apiA = await window(root, 'a');
    apiB = await window(root, 'b');
    apiB2 = await window(root, 'b2');
    for (const api of [apiA, apiB, apiB2]) {
      await api['workspace:set'](ws);
      await api['series:scan'](dicom);
    }
    const { summary } = await loadSeriesFromFolder(dicom);
    uid = summary.seriesInstanceUid;
    ({ a, b } = phantomReads(summary, g, NOW));
  });

  it('locks each read on its own: A and B read the series at once, B\'s second window is refused B\'s read', async () => {
    expect(await apiA['worklist:lock']({ seriesUid: uid, rater: 'Rater A' })).toEqual({ ok: true });
    // B's second read is not blocked by A's first read.
    expect(await apiB['worklist:lock']({ seriesUid: uid, rater: 'Rater B', read: B })).toEqual({ ok: true });
    expect(existsSync(path.join(ws, `${uid}.lock`))).toBe(true);
    expect(existsSync(path.join(ws, `${uid}.read-rater-b.lock`))).toBe(true);
    expect(JSON.parse(readFileSync(path.join(ws, `${uid}.read-rater-b.lock`), 'utf8')).rater).toBe('Rater B');

    // B's other window: B's read is held (by B's first window), so it is refused, naming who holds it.
    const again = await apiB2['worklist:lock']({ seriesUid: uid, rater: 'Rater B', read: B });
    expect(again.ok).toBe(false);
    expect(!again.ok && again.holder.rater).toBe('Rater B');
    // The first read is held by A: refused to B too.
    expect((await apiB['worklist:lock']({ seriesUid: uid, rater: 'Rater B' })).ok).toBe(false);
    // B took the first read's lock in vain: B's own read is still held.
    expect(await apiB['worklist:refresh'](uid, B)).toBe(true);

    // Both save at once, each against the lock of the read saved.
    const sa = await apiA['annotations:save'](a, { baseRevision: null });
    expect(sa.path).toBe(path.join(ws, `${uid}.json`));
    const sb = await apiB['annotations:save'](b, { baseRevision: null }, B);
    expect(sb.path).toBe(path.join(ws, `${uid}.read-rater-b.json`));
    // The second window's save of B's read is refused (B's first window holds it); so is B saving over A's read.
    await expect(apiB2['annotations:save'](b, { baseRevision: sb.revision ?? null }, B)).rejects.toThrow(`not saved: ${uid}.read-rater-b.json is locked by Rater B`);
    await expect(apiB['annotations:save'](b, { baseRevision: sa.revision ?? null })).rejects.toThrow(`not saved: ${uid}.json is locked by Rater A`);
    // A copy ("keep both") from B's window is checked against B's read, which B holds.
    expect((await apiB['annotations:saveCopy'](b)).path).toMatch(/\.copy-/);

    // Read-only in B's second window: B's read only, never A's lock.
    await apiB2['worklist:readOnly'](uid, B);
    await expect(apiB2['annotations:save'](b, { baseRevision: sb.revision ?? null }, B)).rejects.toThrow(`not saved: ${uid}.read-rater-b.json was opened read-only`);

    // Released: each window releases only its own read.
    await apiB['worklist:release'](uid);
    expect(existsSync(path.join(ws, `${uid}.read-rater-b.lock`))).toBe(false);
    expect(existsSync(path.join(ws, `${uid}.lock`))).toBe(true);
    await apiA['worklist:release'](uid);
    expect(existsSync(path.join(ws, `${uid}.lock`))).toBe(false);
  });

  it('lists the rater\'s own read in the worklist and "next" skips it once signed off', async () => {
    const cohort = { kind: 'folder' as const, path: dicom };
    expect(await apiB['worklist:lock']({ seriesUid: uid, rater: 'Rater B', read: B })).toEqual({ ok: true });
    // A's first read signed off; B's read saved (in progress), locked by B's window.
    const la = await apiA['annotations:load'](uid);
    await apiA['annotations:save'](signOffDocument(a, 'Rater A', '2026-01-01T01:00:00.000Z'), { baseRevision: la.revision ?? null });
    const first = await apiB['worklist:open'](cohort);
    expect(first.lines.map((l) => [l.state, l.rater, l.lock?.rater ?? null, l.firstRead])).toEqual([['done', 'Rater A', null, undefined]]);
    expect(first.next).toBeNull();

    const second = await apiB['worklist:open'](cohort, {}, B);
    expect(second.lines).toHaveLength(1);
    const line = second.lines[0]!;
    expect(line.state).toBe('in progress');
    expect(line.rater).toBe('Rater B');
    expect(line.firstRead).toBe('signed off');
    expect(line.lock).toMatchObject({ rater: 'Rater B', mine: true });
    expect(line.lastChange?.rater).toBe('Rater B');
    expect(second.next).toBe(line.id);
    expect(second.raters).toEqual(['Rater B']);
    // Nothing of the first read's outlines on the line.
    expect(JSON.stringify(second)).not.toContain('"a1"');

    // Another rater's second read: not started, nobody's lock, the first read still signed off.
    const c = await apiA['worklist:open'](cohort, {}, { rater: 'Rater C' });
    expect(c.lines.map((l) => [l.state, l.rater, l.lock, l.firstRead, l.lastChange])).toEqual([['not started', '', null, 'signed off', null]]);

    // B signs off: B's line is done, "next" has nothing left for B.
    const lb = await apiB['annotations:load'](uid, B);
    await apiB['annotations:save'](signOffDocument(b, 'Rater B', '2026-01-01T02:00:00.000Z'), { baseRevision: lb.revision ?? null }, B);
    const done = await apiB['worklist:open'](cohort, {}, B);
    expect(done.lines[0]!.state).toBe('done');
    expect(done.lines[0]!.lastChange).toMatchObject({ rater: 'Rater B', action: 'sign-off' });
    expect(done.next).toBeNull();
    await apiB['worklist:release'](uid);
  });

  it('writes the agreement PDF the command line writes for the same two reads', async () => {
    const { path: file } = await apiB['agreement:pdf'](folderLocator(dicom, uid), B);
    expect(file).toBe(path.join(ws, 'exports', `${uid}.agreement.pdf`));
    const out = path.join(root, 'cli-agreement.pdf');
    const r = await cli('agreement', path.join(ws, `${uid}.read-rater-b.json`), path.join(ws, `${uid}.json`), '--series', dicom, '--pdf', out, '--date', NOW);
    expect(r.errors).toEqual([]);
    expect(r.code).toBe(0);
    const app = readFileSync(file);
    expect(app.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(Buffer.compare(app, readFileSync(out))).toBe(0);
    // Another date gives other bytes (the comparison above is not vacuous).
    const other = path.join(root, 'cli-agreement-later.pdf');
    await cli('agreement', path.join(ws, `${uid}.read-rater-b.json`), path.join(ws, `${uid}.json`), '--series', dicom, '--pdf', other, '--date', '2026-02-01T00:00:00Z');
    expect(Buffer.compare(app, readFileSync(other))).not.toBe(0);
    // A date that is not one: a usage error in one line, nothing written.
    const bad = await cli('agreement', path.join(ws, `${uid}.read-rater-b.json`), path.join(ws, `${uid}.json`), '--series', dicom, '--pdf', path.join(root, 'bad.pdf'), '--date', 'yesterday');
    expect(bad.errors).toEqual(["--date must be an ISO 8601 date or date-time (got 'yesterday')"]);
    expect(bad.code).not.toBe(0);
    expect(existsSync(path.join(root, 'bad.pdf'))).toBe(false);
    // The ICC line: CSA of the two ROIs, 7040 / 7200 (hand-computed in secondRead.test.ts) to 4 digits.
    const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
    expect(text).toContain('ICC(2,1), two-way random, absolute agreement, single rater (95% CI)');
    expect(text).toMatch(/CSA \(mm2\), 2 ROIs: 0\.9778 \[/);
  });

  it('refuses the agreement PDF while the other read is hidden', async () => {
    await expect(apiA['agreement:pdf'](folderLocator(dicom, uid), { rater: 'Rater C' })).rejects.toThrow('agreement: this read is not saved in the workspace yet');
  });
});

describe('a manifest chosen in the desktop app', () => {
  it('grants the rows\' folders of a manifest picked in the dialog, never of one reached otherwise', async () => {
    const root = tmpDir('paraspine-manifest-grant-');
    const put = (folder: string, n: number) => {
      const ph = makePhantomSeries({ seriesInstanceUid: `1.2.826.0.1.3680043.10.1459.2.${880 + n}`, slices: 3, rows: 16, columns: 16 });
      mkdirSync(folder, { recursive: true });
      for (const f of ph.files) writeFileSync(path.join(folder, f.name), f.bytes);
    };
    const picked = path.join(root, 'cohort', 'manifest.csv');
    const elsewhere = path.join(root, 'elsewhere', 's1');
    const third = path.join(root, 'third', 's3');
    put(path.join(root, 'cohort', 'rel'), 1);
    put(elsewhere, 2);
    put(third, 3);
    writeFileSync(picked, `id,series\nR,rel\nE,${elsewhere}\n`);
    // A manifest inside an opened folder that names a folder never opened.
    const opened = path.join(root, 'opened');
    mkdirSync(opened);
    const inOpened = path.join(opened, 'manifest.csv');
    writeFileSync(inOpened, `id,series\nT,${third}\n`);

    let answer: string | null = null;
    const access = new FolderAccess();
    await access.grant(opened);
    const api = await window(root, 'desktop', { mode: 'electron', access, pickManifest: async () => answer });

    // Typed, not picked: outside the folders opened.
    await expect(api['worklist:open']({ kind: 'manifest', path: picked })).rejects.toThrow(`${picked}: outside the folders you opened`);
    // In an opened folder: listed, but its row's folder is not granted by it.
    const t = await api['worklist:open']({ kind: 'manifest', path: inOpened });
    expect(t.lines.map((l) => [l.id, l.seriesUid])).toEqual([['T', null]]);
    expect(t.lines[0]!.problem).toContain('outside the folders you opened');
    // Cancelled dialog: nothing granted.
    expect(await api['worklist:pickManifest']()).toBeNull();
    await expect(api['worklist:open']({ kind: 'manifest', path: picked })).rejects.toThrow('outside the folders you opened');

    // Picked in the dialog: its folder and both rows' folders granted.
    answer = picked;
    expect(await api['worklist:pickManifest']()).toBe(picked);
    const r = await api['worklist:open']({ kind: 'manifest', path: picked });
    expect(r.lines.map((l) => [l.id, l.seriesUid, l.problem])).toEqual([
      ['R', '1.2.826.0.1.3680043.10.1459.2.881', undefined],
      ['E', '1.2.826.0.1.3680043.10.1459.2.882', undefined],
    ]);
    expect((await api['series:scan'](elsewhere)).series.map((s) => s.seriesInstanceUid)).toEqual(['1.2.826.0.1.3680043.10.1459.2.882']);
    // The other manifest's row is still not granted.
    await expect(api['series:scan'](third)).rejects.toThrow('outside the folders you opened');
    // The browser has no dialog.
    await expect((await window(root, 'web'))['worklist:pickManifest']()).rejects.toThrow('not available in the browser');
  });
});
