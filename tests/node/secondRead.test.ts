/**
 * A blinded second read (src/node/workspace.ts readPath, src/node/reads.ts, src/node/api/agreement.ts):
 * the first read stays at the series' document path, a rater's second read is `<stem>.read-<slug>.json`
 * with its own history; another read's outlines are given only when both reads are signed off; the
 * agreement of the two is `paraspine agreement`'s on the two saved files, and the hand-computed values
 * of the muscle phantom (tests/fixtures/musclePhantom.ts: HU 40, a fat plane of -100 HU on column 40,
 * 0.8 x 0.75 mm pixels).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { reopenDocument, signOffDocument, type AnnotationDocument } from '../../src/core/annotations/document';
import { FolderAccess } from '../../src/node/access';
import { createApi, type ParaspineService } from '../../src/node/api';
import { loadSeriesFromFolder } from '../../src/node/dicomFiles';
import { readHistory } from '../../src/node/history';
import { readsView } from '../../src/node/reads';
import { FolderSeriesSource } from '../../src/node/seriesSource';
import { SettingsStore } from '../../src/node/settings';
import { documentPath, raterSlug, readPath } from '../../src/node/workspace';
import { folderLocator, type ReadInfo } from '../../src/shared/contract';
import { cli } from '../cli/run';
import { writeMusclePhantom } from '../fixtures/musclePhantom';
import { phantomReads } from '../fixtures/phantomReads';
import { tmpDir } from './helpers';

const NOW = '2026-01-01T00:00:00.000Z';

describe('per-rater document paths', () => {
  it('keeps the first read at the series document path and names second reads by rater slug', () => {
    const ws = path.join('ws');
    expect(readPath(ws, '1.2.3')).toBe(documentPath(ws, '1.2.3'));
    expect(readPath(ws, '1.2.3', null)).toBe(path.join('ws', '1.2.3.json'));
    expect(readPath(ws, '1.2.3', { rater: 'Dr. Ana Müller' })).toBe(path.join('ws', '1.2.3.read-dr-ana-muller.json'));
    expect(readPath(ws, '1.2.3', { rater: '  B  ' })).toBe(path.join('ws', '1.2.3.read-b.json'));
    // Nothing of the name left: a hash of it (10 hex digits), still one file per name.
    expect(raterSlug('李')).toMatch(/^[0-9a-f]{10}$/);
    expect(raterSlug('李')).not.toBe(raterSlug('王'));
    expect(() => readPath(ws, '1.2.3', { rater: ' ' })).toThrow(/needs the rater's name/);
  });
});

describe('hiding rule', () => {
  const doc = { rois: [] } as unknown as AnnotationDocument;
  const read = (rater: string, signed: boolean, second = true): { info: ReadInfo; document: AnnotationDocument } => ({
    info: { read: second ? { rater } : null, rater, file: `${rater}.json`, signedOff: signed ? { by: rater, at: NOW } : null },
    document: doc,
  });
  it('hides other reads until this read and another are signed off', () => {
    expect(readsView(read('B', false), [read('A', true, false)]).compare).toBeNull();
    expect(readsView(read('B', false), [read('A', true, false)]).hidden).toMatch(/until this read is signed off/);
    expect(readsView(read('B', true), [read('A', false, false)]).compare).toBeNull();
    expect(readsView(read('B', true), [read('A', false, false)]).hidden).toMatch(/until one of them is signed off too/);
    expect(readsView(null, [read('A', true, false)]).compare).toBeNull();
    const both = readsView(read('B', true), [read('A', false, false), read('C', true)]);
    expect(both.compare?.info.rater).toBe('C');
    expect(both.hidden).toBeNull();
    expect(readsView(read('B', true), []).hidden).toBeNull();
  });
});

describe('a blinded second read through the API', () => {
  let api: ParaspineService;
  let dicom: string;
  let ws: string;
  let a: AnnotationDocument;
  let b: AnnotationDocument;
  let uid: string;

  beforeAll(async () => {
    const root = tmpDir('paraspine-second-read-');
    const ph = writeMusclePhantom(root);
    dicom = ph.dicom;
    const g = ph.geometry;
    ws = path.join(root, 'ws');
    mkdirSync(ws);
    const settings = SettingsStore.inDir(path.join(root, 'userdata'));
    await settings.load();
    api = createApi({ mode: 'web', version: '0.0.0', settings, access: new FolderAccess(), sources: { folder: new FolderSeriesSource() }, masks: { loadMasks: async () => ({ masks: [], problems: [] }) }, now: () => new Date(NOW) });
    await api['workspace:set'](ws);
    await api['series:scan'](dicom);
    const { summary } = await loadSeriesFromFolder(dicom);
    uid = summary.seriesInstanceUid;
    // A: psoas columns 34..37 x rows 22..29 (32 px); multifidus 33..39 x 40..55 (112 px).
    // B: one column more each: psoas 34..38 (40 px); multifidus 33..40 (128 px, 16 of them fat).
    ({ a, b } = phantomReads(summary, g, NOW));
  });

  it('saves each read in its own file, shows neither to the other, and compares them once both are signed off', async () => {
    const readB = { rater: 'Rater B' };
    const sa = await api['annotations:save'](a, { baseRevision: null });
    expect(sa.path).toBe(path.join(ws, `${uid}.json`));
    // B's blinded read starts empty: A's document is not what B loads.
    expect((await api['annotations:load'](uid, readB)).document).toBeNull();
    const sb = await api['annotations:save'](b, { baseRevision: null }, readB);
    expect(sb.path).toBe(path.join(ws, `${uid}.read-rater-b.json`));
    expect((await api['annotations:load'](uid)).document?.rater).toBe('Rater A');
    expect((await api['annotations:load'](uid, readB)).document?.rois.map((r) => r.id)).toEqual(['b1', 'b2']);

    // Nothing signed off: each read sees the other's rater, never its outlines.
    let st = await api['reads:status'](uid, readB);
    expect(st.mine?.file).toBe(`${uid}.read-rater-b.json`);
    expect(st.others.map((o) => [o.rater, o.read])).toEqual([['Rater A', null]]);
    expect(st.compare).toBeNull();
    await expect(api['agreement:reads'](folderLocator(dicom, uid), readB)).rejects.toThrow(/agreement: other reads stay hidden until this read is signed off/);

    // A signs off; B still open: still hidden from both.
    const aSigned = signOffDocument(a, 'Rater A', '2026-01-01T01:00:00.000Z');
    const sa2 = await api['annotations:save'](aSigned, { baseRevision: sa.revision ?? null });
    expect((await api['reads:status'](uid)).compare).toBeNull();
    expect((await api['reads:status'](uid, readB)).compare).toBeNull();

    // B signs off: now each sees the other.
    const bSigned = signOffDocument(b, 'Rater B', '2026-01-01T02:00:00.000Z');
    const sb2 = await api['annotations:save'](bSigned, { baseRevision: sb.revision ?? null }, readB);
    st = await api['reads:status'](uid, readB);
    expect(st.compare?.info.rater).toBe('Rater A');
    expect(st.compare?.document.rois.map((r) => r.id)).toEqual(['a1', 'a2']);
    expect((await api['reads:status'](uid)).compare?.document.rois.map((r) => r.id)).toEqual(['b1', 'b2']);

    // Each history has its own sign-off.
    const hA = await readHistory(path.join(ws, `${uid}.history.jsonl`));
    const hB = await readHistory(path.join(ws, `${uid}.read-rater-b.history.jsonl`));
    expect(hA.map((e) => e.action)).toEqual(['save', 'sign-off']);
    expect(hB.map((e) => e.action)).toEqual(['save', 'sign-off']);
    expect(hB[1]!.signedOff).toEqual({ by: 'Rater B', at: '2026-01-01T02:00:00.000Z' });

    // The agreement: B's read first (the open read), A's second; hand-computed values and the CLI's on the same files.
    const view = await api['agreement:reads'](folderLocator(dicom, uid), readB);
    expect(view.raters).toEqual(['Rater B', 'Rater A']);
    const pair = (m: string) => view.rois.find((r) => r.muscle === m)!.pairs[0]!;
    expect(pair('psoas').dice).toBeCloseTo(8 / 9, 12);
    expect(pair('multifidus').dice).toBeCloseTo(14 / 15, 12);
    expect(pair('psoas').hausdorffMm).toBeCloseTo(0.8, 12);
    const csa = view.metrics.find((m) => m.key === 'areaMm2')!;
    expect(csa.icc.ok && csa.icc.icc).toBeCloseTo(7040 / 7200, 10);
    // A - B: differences -8 and -16 px of 0.6 mm².
    expect(csa.blandAltman[0]!.ok && csa.blandAltman[0]!.bias).toBeCloseTo(-7.2, 9);
    const fileB = path.join(ws, `${uid}.read-rater-b.json`);
    const fileA = path.join(ws, `${uid}.json`);
    const r = await cli('agreement', fileB, fileA, '--series', dicom);
    expect(r.code).toBe(0);
    expect(view).toEqual(JSON.parse(r.stdout));

    // Reopening B's read needs a reason (kept in its history); the other read is hidden again.
    await expect(api['annotations:save'](reopenDocument(bSigned, '2026-01-01T03:00:00.000Z'), { baseRevision: sb2.revision ?? null }, readB)).rejects.toThrow(/reopening it needs a reason/);
    await api['annotations:save'](reopenDocument(bSigned, '2026-01-01T03:00:00.000Z'), { baseRevision: sb2.revision ?? null, reason: 'psoas edge' }, readB);
    expect((await readHistory(path.join(ws, `${uid}.read-rater-b.history.jsonl`))).at(-1)).toMatchObject({ action: 'reopen', reason: 'psoas edge' });
    expect((await api['reads:status'](uid, readB)).compare).toBeNull();
    expect(sa2.path).toBe(fileA);
    expect(JSON.parse(readFileSync(fileA, 'utf8')).signedOff.by).toBe('Rater A');
  });

  it('does not list a file that only looks like a read', async () => {
    writeFileSync(path.join(ws, `${uid}.read-Not.A.Slug.json`), '{}');
    // A read's name holding another program's file: left out (and left as it is), the other reads still listed.
    writeFileSync(path.join(ws, `${uid}.read-zz.json`), '{"not":"ours"}');
    const st = await api['reads:status'](uid);
    expect(readFileSync(path.join(ws, `${uid}.read-zz.json`), 'utf8')).toBe('{"not":"ours"}');
    expect(st.others.map((o) => o.file)).toEqual([`${uid}.read-rater-b.json`]);
  });
});
