/**
 * Issue 14's recorded states, driven through the zustand store and the checklist's one completeness
 * rule (src/renderer/state/checklist.ts targetState): a muscle recorded absent at a level counts as
 * done and is undoable; a level with an outline whose trust flag is neither resolved nor accepted with a
 * reason is not complete; an acceptance covers exactly the flags it names. Phantoms: a flat 40 x 30 x 3
 * volume, rectangles through pixel edges and a bow tie (it crosses itself: core's shape flag).
 */
import { describe, expect, it } from 'vitest';
import { parseAnnotationDocument, type AnnotationDocument, type Roi } from '../../src/core/annotations/document';
import { completeCount, documentFlags, firstOpenTarget, nextTarget, targetState } from '../../src/renderer/state/checklist';
import { createAppStore } from '../../src/renderer/state/store';
import type { LoadedSeriesMeta, ParaspineApi } from '../../src/shared/contract';
import { bowTieIj, documentFor, flatVolume, rectIj, roiOn } from '../fixtures/hostileDocument';
import { slicesFrom } from './sliceApi';

const volume = flatVolume(40, 30, 3);
const g = volume.geometry;
const L3 = { level: 'L3' as const };
const plain = (id: string, muscle: Roi['muscle'], side: Roi['side'], i0: number, extra: Partial<Roi> = {}) => roiOn(g, 1, id, { ...L3, muscle, side }, rectIj(i0, i0 + 3, 5, 8), extra);
const tie = (extra: Partial<Roi> = {}) => roiOn(g, 1, 'tie', { ...L3, muscle: 'psoas', side: 'right' }, bowTieIj(10, 14, 5, 9), extra);

function docWith(rois: Roi[], absent: AnnotationDocument['absent'] = undefined): AnnotationDocument {
  const d = documentFor(volume, [{ level: 'L3', sliceIndex: 1 }], rois);
  return absent ? { ...d, absent } : d;
}

describe('checklist completeness (one rule)', () => {
  it('absent counts as done; a flagged outline is not complete until its flags are accepted; an outline wins over an absent record', () => {
    const doc = docWith([plain('a', 'psoas', 'left', 1), tie(), plain('q', 'quadratusLumborum', 'left', 20)], [
      { level: 'L3', muscle: 'quadratusLumborum', side: 'right', at: 't' },
      { level: 'L3', muscle: 'quadratusLumborum', side: 'left', at: 't' },
    ]);
    const flagsOf = documentFlags(doc, volume);
    const tieFlags = [...flagsOf(doc.rois[1]!)];
    expect(tieFlags).toEqual([expect.stringMatching(/^the outline crosses itself/)]);
    expect(targetState(doc, 'L3', 'psoas', 'left', flagsOf)).toBe('done');
    expect(targetState(doc, 'L3', 'psoas', 'right', flagsOf)).toBe('flagged');
    expect(targetState(doc, 'L3', 'quadratusLumborum', 'right', flagsOf)).toBe('absent');
    expect(targetState(doc, 'L3', 'quadratusLumborum', 'left', flagsOf)).toBe('done'); // the outline wins
    expect(targetState(doc, 'L3', 'erectorSpinae', 'left', flagsOf)).toBe('open');
    expect(completeCount(doc, 'L3', flagsOf)).toBe(3);
    // The walk: from PS L the next target not complete is the flagged PS R; from there it skips both QL.
    expect(nextTarget(doc, 'L3', { muscle: 'psoas', side: 'left' }, flagsOf)).toEqual({ muscle: 'psoas', side: 'right' });
    expect(nextTarget(doc, 'L3', { muscle: 'psoas', side: 'right' }, flagsOf)).toEqual({ muscle: 'erectorSpinae', side: 'left' });
    expect(firstOpenTarget(doc, 'L3', flagsOf)).toEqual({ muscle: 'psoas', side: 'right' });

    // Accepted with a reason, naming exactly its flag: complete.
    const accepted = docWith([doc.rois[0]!, tie({ accepted: { flags: tieFlags, reason: 'phantom', rater: 'r', at: 't' } }), doc.rois[2]!], doc.absent);
    const fa = documentFlags(accepted, volume);
    expect(targetState(accepted, 'L3', 'psoas', 'right', fa)).toBe('done');
    expect(completeCount(accepted, 'L3', fa)).toBe(4);

    // An acceptance of another flag text covers nothing.
    const other = docWith([tie({ accepted: { flags: ['an earlier flag'], reason: 'x', rater: 'r', at: 't' } })]);
    expect(targetState(other, 'L3', 'psoas', 'right', documentFlags(other, volume))).toBe('flagged');

    // A new flag reopens it: an erector spinae outline laid over the accepted bow tie makes an overlap flag.
    const over = docWith([tie({ accepted: { flags: tieFlags, reason: 'phantom', rater: 'r', at: 't' } }), plain('es', 'erectorSpinae', 'right', 10)]);
    const fo = documentFlags(over, volume);
    expect(fo(over.rois[0]!)).toEqual([tieFlags[0], expect.stringMatching(/^overlaps the erector spinae right outline by \d+ px/)]);
    expect(targetState(over, 'L3', 'psoas', 'right', fo)).toBe('flagged');

    // Resolved: the outline redrawn without the flag is complete, the stale acceptance is ignored.
    const fixed = docWith([plain('tie', 'psoas', 'right', 10, { accepted: { flags: ['the outline crosses itself'], reason: 'x', rater: 'r', at: 't' } })]);
    expect(targetState(fixed, 'L3', 'psoas', 'right', documentFlags(fixed, volume))).toBe('done');
  });

  it('the document keeps absent and accepted (optional, additive); old documents still load; a bad absent record gets a one-line reason', () => {
    const doc = docWith([tie({ accepted: { flags: ['f'], reason: 'why', rater: 'r', at: 't' } })], [{ level: 'L5/S1', muscle: 'quadratusLumborum', side: 'right', note: 'iliac crest', rater: 'r', at: 't' }]);
    const back = parseAnnotationDocument(JSON.parse(JSON.stringify(doc)));
    expect(back).toEqual({ ok: true, document: doc });
    const old = docWith([plain('a', 'psoas', 'left', 1)]);
    expect(parseAnnotationDocument(JSON.parse(JSON.stringify(old)))).toEqual({ ok: true, document: old });
    const bad = parseAnnotationDocument({ ...JSON.parse(JSON.stringify(doc)), absent: [{ level: 'L5/S1', muscle: 'quadratusLumborum', side: 'middle', at: 't' }] });
    expect(bad).toEqual({ ok: false, reason: 'invalid annotation document: absent.0.side (absent record 1 of 1 (L5/S1 quadratusLumborum middle)): expected one of left, right, found text "middle"' });
    const noReason = parseAnnotationDocument({ ...JSON.parse(JSON.stringify(doc)), rois: [{ ...doc.rois[0], accepted: { flags: ['f'], reason: '  ', rater: 'r', at: 't' } }] });
    expect(noReason.ok).toBe(false);
  });
});

async function openStore(doc: AnnotationDocument) {
  const summary = { patientName: 'P', patientId: 'ID', studyInstanceUid: 's', studyDate: '', studyDescription: '', seriesInstanceUid: 'u', seriesDescription: 'd', seriesNumber: 1, modality: 'CT', slices: 3, rows: 30, columns: 40, pixelSpacing: [1, 1] as const, sliceSpacingMm: 3, sliceThickness: 3, imageOrientation: [1, 0, 0, 0, 1, 0], transferSyntaxUids: [], files: [], warnings: [] };
  const meta: LoadedSeriesMeta = { summary, geometry: g, huType: 'int16', warnings: [] };
  const api = {
    'app:info': async () => ({ version: '1', workspace: '/ws', recentFolders: [], mode: 'web' as const }),
    'series:scan': async () => ({ series: [summary], problems: [] }),
    'series:load': async () => meta,
    'series:slices': slicesFrom(() => volume.hu.slice().buffer, meta),
    'annotations:load': async () => ({ document: doc, problem: null }),
    'annotations:save': async () => ({ path: '/ws/u.json' }),
  } as unknown as ParaspineApi;
  let n = 0;
  const store = createAppStore({ api: () => api, now: () => `2024-01-01T00:00:${String(n++).padStart(2, '0')}Z`, newId: () => `n${n}`, rater: () => 'Dr R' });
  await store.getState().init();
  await store.getState().openFolder('/data');
  await store.getState().selectSeries('u');
  store.getState().setSlice(1);
  return store;
}

describe('store: absent at this level', () => {
  it('d / the row button records the active target absent (its outline deleted, one undo step), drawing an outline clears it and says so', async () => {
    const store = await openStore(docWith([plain('q', 'quadratusLumborum', 'right', 20)]));
    const s = () => store.getState();
    s().setActiveMuscle('quadratusLumborum');
    s().setActiveSide('right');
    s().toggleAbsent();
    expect(s().doc!.rois).toEqual([]);
    expect(s().doc!.absent).toEqual([{ level: 'L3', muscle: 'quadratusLumborum', side: 'right', rater: 'Dr R', at: expect.any(String) }]);
    expect(s().toast?.text).toBe('QL R at L3 recorded absent; its outline was deleted (undo: Ctrl+Z)');
    expect(targetState(s().doc, 'L3', 'quadratusLumborum', 'right', documentFlags(s().doc!, volume))).toBe('absent');
    expect({ muscle: s().activeMuscle, side: s().activeSide }).toEqual({ muscle: 'erectorSpinae', side: 'left' }); // the pointer moves on (after QL R in the checklist's order)
    s().undo();
    expect(s().doc!.rois.map((r) => r.id)).toEqual(['q']);
    expect(s().doc!.absent).toBeUndefined();
    s().redo();
    expect(s().doc!.absent).toHaveLength(1);
    // A click on × (the same action) clears it.
    s().toggleAbsent({ level: 'L3', muscle: 'quadratusLumborum', side: 'right' });
    expect(s().doc!.absent).toBeUndefined();
    s().undo();
    expect(s().doc!.absent).toHaveLength(1);
    // Drawing an outline for it clears the record, in the same undo step, and says so.
    s().setActiveMuscle('quadratusLumborum');
    s().setActiveSide('right');
    expect(s().addOutline('new', roiOn(g, 1, 'x', { ...L3, muscle: 'quadratusLumborum', side: 'right' }, rectIj(20, 23, 5, 8)).pointsLps)).toBe('added');
    expect(s().doc!.absent).toBeUndefined();
    expect(s().doc!.rois.map((r) => r.id)).toEqual(['new']);
    expect(s().toast?.text).toMatch(/^QL R at L3 was recorded absent: the new outline replaces that record/);
    s().undo();
    expect(s().doc!.absent).toHaveLength(1);
    expect(s().doc!.rois).toEqual([]);
  });

  it('recording absent on a level not marked yet marks it on the slice shown (as drawing does)', async () => {
    const store = await openStore(docWith([]));
    const s = () => store.getState();
    s().setActiveLevel('L5/S1');
    s().setSlice(0);
    s().toggleAbsent({ level: 'L5/S1', muscle: 'quadratusLumborum', side: 'right' });
    expect(s().doc!.levels.find((l) => l.level === 'L5/S1')).toMatchObject({ sliceIndex: 0, source: 'manual' });
    expect(s().doc!.absent).toHaveLength(1);
    s().undo(); // one step: the mark and the record
    expect(s().doc!.levels.some((l) => l.level === 'L5/S1')).toBe(false);
    expect(s().doc!.absent).toBeUndefined();
  });
});

describe('store: accept a flag with a reason', () => {
  it('needs a reason; accepts exactly the flags raised now, without making the outline "edited"; undoable; the level is then complete', async () => {
    const store = await openStore(docWith([tie()]));
    const s = () => store.getState();
    const before = s().doc!;
    s().requestAccept({ level: 'L3', muscle: 'psoas', side: 'right' });
    expect(s().acceptRequest).toEqual({ level: 'L3', muscle: 'psoas', side: 'right' });
    expect(s().acceptFlags('   ')).toBe(false);
    expect(s().doc).toBe(before);
    expect(s().toast?.kind).toBe('error');
    expect(s().acceptRequest).not.toBeNull(); // the dialog stays open for the reason
    expect(s().acceptFlags(' checked on slices 1 and 3 ')).toBe(true);
    expect(s().acceptRequest).toBeNull();
    const roi = s().doc!.rois[0]!;
    expect(roi.accepted).toEqual({ flags: [expect.stringMatching(/^the outline crosses itself/)], reason: 'checked on slices 1 and 3', rater: 'Dr R', at: expect.any(String) });
    expect(roi.modifiedAt).toBe(roi.createdAt); // accepting is not editing
    expect(targetState(s().doc, 'L3', 'psoas', 'right', documentFlags(s().doc!, volume))).toBe('done');
    s().undo();
    expect(s().doc!.rois[0]!.accepted).toBeUndefined();
    // Nothing to accept: a toast, no change.
    s().requestAccept({ level: 'L3', muscle: 'psoas', side: 'left' });
    const d = s().doc;
    expect(s().acceptFlags('x')).toBe(false);
    expect(s().doc).toBe(d);
    expect(s().toast?.text).toBe('PS L at L3 has no flag to accept');
  });
});
