/**
 * The app's checklist shows core's trust flags per label (src/renderer/state/checklist.ts): an outline
 * that crosses itself or encloses no pixel is "⚠ shape?", with the reasons in the tooltip; outlines
 * with one id are told apart (flags keyed by outline); a document opened with repaired ids says so.
 */
import { describe, expect, it } from 'vitest';
import type { AnnotationDocument } from '../../src/core/annotations/document';
import { checklistFlags, flagWord } from '../../src/renderer/state/checklist';
import { createAppStore } from '../../src/renderer/state/store';
import type { LoadedSeriesMeta, ParaspineApi } from '../../src/shared/contract';
import { bowTieIj, documentFor, flatVolume, rectIj, rectTracedTwiceIj, roiOn } from '../fixtures/hostileDocument';
import { slicesFrom } from './sliceApi';

const volume = flatVolume(40, 30, 3);
const g = volume.geometry;

describe('checklist flags', () => {
  it('a bow tie and a square traced twice are flagged "shape?"; a plain outline is not; two outlines with one id each get their own flags', () => {
    const tie = roiOn(g, 1, 'same', { level: 'L3', muscle: 'psoas', side: 'left' }, bowTieIj(5, 14, 5, 14));
    const twice = roiOn(g, 1, 'same', { level: 'L3', muscle: 'multifidus', side: 'left' }, rectTracedTwiceIj(20, 25, 5, 10));
    const plain = roiOn(g, 1, 'plain', { level: 'L3', muscle: 'erectorSpinae', side: 'left' }, rectIj(30, 35, 5, 10));
    const flags = checklistFlags(documentFor(volume, [{ level: 'L3', sliceIndex: 1 }], [tie, twice, plain]), volume, 'L3');
    expect(flags.get(tie)).toEqual([expect.stringMatching(/^the outline crosses itself near column 9\.5, row 9\.5/)]);
    expect(flags.get(twice)).toEqual([expect.stringMatching(/^the outline runs back over itself/), 'the outline encloses no pixel centre: measured as 0 px']);
    expect(flags.get(plain)).toEqual([]);
    expect(flagWord(flags.get(tie)!)).toBe('shape?');
    expect(flagWord(['overlaps the psoas left outline by 4 px (those pixels count in both)'])).toBe('check');
    expect(flagWord(['side check: labelled left but ...', 'the outline crosses itself near column 1, row 1: ...'])).toBe('side?');
  });

  it('a document opened with a note (ids repaired) is marked as opened, not as kept aside', async () => {
    const doc: AnnotationDocument = documentFor(volume, [{ level: 'L3', sliceIndex: 1 }], [roiOn(g, 1, 'a', { level: 'L3', muscle: 'psoas', side: 'left' }, rectIj(5, 9, 5, 9))]);
    const summary = { patientName: 'P', patientId: 'ID', studyInstanceUid: 's', studyDate: '', studyDescription: '', seriesInstanceUid: 'u', seriesDescription: 'd', seriesNumber: 1, modality: 'CT', slices: 3, rows: 30, columns: 40, pixelSpacing: [1, 1] as const, sliceSpacingMm: 3, sliceThickness: 3, imageOrientation: [1, 0, 0, 0, 1, 0], transferSyntaxUids: [], files: [], warnings: [] };
    const meta: LoadedSeriesMeta = { summary, geometry: g, huType: 'int16', warnings: [] };
    const problem = 'u.json: outline 2 (L3 multifidus left) had the id "a" of the L3 psoas left outline: it now has the id "a-2"';
    const api = {
      'app:info': async () => ({ version: '1', workspace: '/ws', recentFolders: [], mode: 'web' as const }),
      'series:scan': async () => ({ series: [summary], problems: [] }),
      'series:load': async () => meta,
      'series:slices': slicesFrom(() => volume.hu.slice().buffer, meta),
      'annotations:load': async () => ({ document: doc, problem }),
      'annotations:save': async () => ({ path: '/ws/u.json' }),
    } as unknown as ParaspineApi;
    const store = createAppStore({ api: () => api, now: () => 't2', newId: () => 'n', rater: () => 'r' });
    await store.getState().init();
    await store.getState().openFolder('/data');
    await store.getState().selectSeries('u');
    expect(store.getState().doc).toEqual(doc);
    expect(store.getState().loadProblem).toBe(problem);
    expect(store.getState().loadProblemOpened).toBe(true);
  });
});
