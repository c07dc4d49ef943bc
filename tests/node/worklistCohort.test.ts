/**
 * The worklist of a generated cohort: phantom series written by the tests' DICOM writer
 * (tests/fixtures/phantomSeries.ts), one per folder, and documents written here, one per state the
 * rule names: none (not started), saved (in progress), signed off (done), a proposed outline left
 * unconfirmed (flagged), signed off then reopened with a reason (flagged), a damaged file (flagged).
 * Opened as a root folder and as a manifest (with a missing folder and a folder without CT); filtered by
 * state and rater; "next" skips done lines and lines locked by someone else.
 */
import { promises as fs, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FolderAccess } from '../../src/node/access';
import { createApi } from '../../src/node/api';
import { FolderSeriesSource } from '../../src/node/seriesSource';
import { SettingsStore } from '../../src/node/settings';
import { documentStem } from '../../src/node/workspace';
import { makePhantomSeries } from '../fixtures/phantomSeries';
import { roiOn } from '../fixtures/hostileDocument';
import { tmpDir } from './helpers';

const T0 = new Date('2025-01-02T03:04:05.000Z');
const uid = (n: number) => `1.2.826.0.1.3680043.10.1459.2.${700 + n}`;
const NAMES = ['a-none', 'b-saved', 'c-signed', 'd-proposed', 'e-reopened', 'f-damaged'] as const;

function doc(n: number, g: ReturnType<typeof makePhantomSeries>['expected']['geometry'], rater: string, extra: Record<string, unknown> = {}, roiSource: 'drawn' | 'proposed' = 'drawn') {
  return {
    format: 'paraspine-annotations',
    version: 2,
    appVersion: 'test',
    rater,
    createdAt: '2025-01-01T10:00:00.000Z',
    modifiedAt: '2025-01-01T11:00:00.000Z',
    series: { studyInstanceUid: '1.2.826.0.1.3680043.10.1459.3.1', seriesInstanceUid: uid(n), patientId: 'PHANTOM-1', patientName: 'PHANTOM^PARASPINE', studyDate: '20240102', seriesDescription: 'phantom', slices: g.slices, rows: g.rows, columns: g.columns },
    ranges: { muscleHu: [-29, 150], fatHu: [-190, -30] },
    levels: [{ level: 'L3', sliceIndex: 2, z: g.slicePositions[2]![2], source: 'manual' }],
    rois: [roiOn(g, 2, `r${n}`, { level: 'L3', muscle: 'psoas', side: 'left' }, [[12.5, 32.5], [17.5, 32.5], [17.5, 36.5], [12.5, 36.5]], { source: roiSource })],
    ...extra,
  };
}

async function cohort() {
  const root = tmpDir();
  const dir = path.join(root, 'cohort');
  const ws = path.join(root, 'ws');
  mkdirSync(ws);
  const docs = NAMES.map((name, n) => {
    const ph = makePhantomSeries({ seriesInstanceUid: uid(n), slices: 4 });
    const folder = path.join(dir, name);
    mkdirSync(folder, { recursive: true });
    for (const f of ph.files) writeFileSync(path.join(folder, f.name), f.bytes);
    return ph.expected.geometry;
  });
  const put = (n: number, body: unknown) => writeFileSync(path.join(ws, `${documentStem(uid(n))}.json`), typeof body === 'string' ? body : JSON.stringify(body));
  const history = (n: number, lines: object[]) => writeFileSync(path.join(ws, `${documentStem(uid(n))}.history.jsonl`), lines.map((l) => JSON.stringify(l) + '\n').join(''));
  const entry = (at: string, rater: string, action: string, extra: object = {}) => ({ at, rater, appVersion: 't', action, revisionBefore: null, revisionAfter: 'sha256:x', changes: {}, ...extra });
  put(1, doc(1, docs[1]!, 'Ann'));
  history(1, [entry('2025-01-01T11:00:00.000Z', 'Ann', 'save')]);
  put(2, doc(2, docs[2]!, 'Bea', { signedOff: { by: 'Bea', at: '2025-01-01T12:00:00.000Z' } }));
  history(2, [entry('2025-01-01T11:30:00.000Z', 'Bea', 'save'), entry('2025-01-01T12:00:00.000Z', 'Bea', 'sign-off')]);
  put(3, doc(3, docs[3]!, 'Ann', {}, 'proposed')); // no history: the last change is the document's modifiedAt
  put(4, doc(4, docs[4]!, 'Bea'));
  history(4, [entry('2025-01-01T12:00:00.000Z', 'Bea', 'sign-off'), entry('2025-01-01T13:00:00.000Z', 'Ann', 'reopen', { reason: 'L4/L5 slice wrong' })]);
  put(5, '{"format":"paraspine-annotations", broken');
  // A manifest of the same series plus a missing folder and a folder without CT.
  mkdirSync(path.join(dir, 'not-ct'));
  writeFileSync(path.join(dir, 'not-ct', 'readme.txt'), 'no DICOM\n');
  const manifest = path.join(dir, 'manifest.csv');
  writeFileSync(manifest, ['id,series', 'P1,a-none', 'P2,b-saved', 'gone,missing-folder', 'P3,c-signed', 'none,not-ct'].join('\n') + '\n');

  const settings = SettingsStore.inDir(path.join(root, 'userdata'));
  await settings.load();
  await settings.update((s) => {
    s.workspace = ws;
  });
  const access = new FolderAccess();
  await access.grant(ws);
  const api = createApi({ mode: 'web', version: '9.9.9', settings, access, sources: { folder: new FolderSeriesSource() }, masks: { loadMasks: async () => ({ masks: [], problems: [] }) }, now: () => T0 });
  return { dir, ws, manifest, api };
}

describe('worklist of a generated cohort', () => {
  it('a root folder: one line per series with the state, rater and last change from the workspace', async () => {
    const { dir, api } = await cohort();
    const r = await api['worklist:open']({ kind: 'folder', path: dir });
    expect(r.total).toBe(6);
    expect(r.lines.map((l) => [l.id, l.state, l.rater, l.lastChange?.at ?? null, l.lastChange?.action ?? null])).toEqual([
      ['a-none', 'not started', '', null, null],
      ['b-saved', 'in progress', 'Ann', '2025-01-01T11:00:00.000Z', 'save'],
      ['c-signed', 'done', 'Bea', '2025-01-01T12:00:00.000Z', 'sign-off'],
      ['d-proposed', 'flagged', 'Ann', '2025-01-01T11:00:00.000Z', 'save'],
      ['e-reopened', 'flagged', 'Bea', '2025-01-01T13:00:00.000Z', 'reopen'],
      ['f-damaged', 'flagged', '', null, null],
    ]);
    expect(r.lines[3]!.flag).toBe('1 proposed outline not confirmed');
    expect(r.lines[4]!.flag).toBe('reopened after sign-off: L4/L5 slice wrong');
    expect(r.lines[5]!.flag).toMatch(/^document cannot be read: .*not valid JSON/);
    expect(r.lines.map((l) => l.folder)).toEqual(NAMES.map((n) => path.join(dir, n)));
    expect(r.lines.map((l) => l.seriesUid)).toEqual(NAMES.map((_, n) => uid(n)));
    expect(r.raters).toEqual(['Ann', 'Bea']);
    expect(r.next).toBe('a-none');
    expect(r.staleMinutes).toBe(30);
  });

  it('filters by state and by rater; next is the first line not done and not locked by someone else', async () => {
    const { dir, ws, api } = await cohort();
    const flagged = await api['worklist:open']({ kind: 'folder', path: dir }, { state: 'flagged' });
    expect(flagged.lines.map((l) => l.id)).toEqual(['d-proposed', 'e-reopened', 'f-damaged']);
    expect(flagged.total).toBe(6);
    expect(flagged.next).toBe('d-proposed');
    const bea = await api['worklist:open']({ kind: 'folder', path: dir }, { rater: ' bea ' });
    expect(bea.lines.map((l) => l.id)).toEqual(['c-signed', 'e-reopened']);
    expect(bea.next).toBe('e-reopened'); // c-signed is done
    // Someone else holds a-none (fresh) and b-saved (stale): both are passed over; our own lock is not.
    const lock = (n: number, minutesAgo: number) =>
      fs.writeFile(path.join(ws, `${documentStem(uid(n))}.lock`), JSON.stringify({ rater: 'Cy', host: 'h2', pid: 9, since: '2025-01-02T01:00:00.000Z', refreshed: new Date(T0.getTime() - minutesAgo * 60_000).toISOString(), token: 'cy' }));
    await lock(0, 1);
    await lock(1, 45);
    const locked = await api['worklist:open']({ kind: 'folder', path: dir });
    expect(locked.lines[0]!.lock).toMatchObject({ rater: 'Cy', host: 'h2', stale: false, mine: false });
    expect(locked.lines[1]!.lock).toMatchObject({ rater: 'Cy', stale: true, mine: false });
    expect(locked.next).toBe('d-proposed');
    expect((await api['worklist:lock']({ seriesUid: uid(3), rater: 'Ann' })).ok).toBe(true);
    const mine = await api['worklist:open']({ kind: 'folder', path: dir });
    expect(mine.lines[3]!.lock).toMatchObject({ rater: 'Ann', mine: true });
    expect(mine.next).toBe('d-proposed');
  });

  it('a manifest: its rows in order; a missing folder and a folder without CT keep their line with the reason', async () => {
    const { dir, manifest, api } = await cohort();
    const r = await api['worklist:open']({ kind: 'manifest', path: manifest });
    expect(r.lines.map((l) => [l.id, l.state, l.seriesUid])).toEqual([
      ['P1', 'not started', uid(0)],
      ['P2', 'in progress', uid(1)],
      ['gone', 'not started', null],
      ['P3', 'done', uid(2)],
      ['none', 'not started', null],
    ]);
    expect(r.lines[2]!.problem).toBe(`line 4: ${path.join(dir, 'missing-folder')}: folder not found`);
    expect(r.lines[4]!.problem).toBe(`line 6: no CT series in ${path.join(dir, 'not-ct')}`);
    expect(r.lines[0]!.folder).toBe(path.join(dir, 'a-none'));
    expect(r.next).toBe('P1');
    await expect(api.dispatch('worklist:open', [{ kind: 'manifest', path: path.join(dir, 'nope.csv') }])).rejects.toThrow(`${path.join(dir, 'nope.csv')}: cannot read the manifest (ENOENT)`);
  });
});
