/**
 * The one shortcuts table (src/shared/shortcuts.ts): no two bindings collide, every binding does what
 * its action says when dispatched through the renderer's keyboard handler, the help overlay lists the
 * table, and the Electron menu takes its accelerators from it and binds no bare key.
 */
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it, vi } from 'vitest';
import type { Level } from '../../src/core/anatomy/anatomy';
import { makeGeometry } from '../../src/core/geometry/volumeGeometry';
import { menuTemplate } from '../../src/main/menu';
import type { LoadedSeriesMeta, MenuAction, ParaspineApi } from '../../src/shared/contract';
import { acceleratorFor, allBindings, findCollisions, formatBinding, helpRows, matchShortcut, SHORTCUTS, type ActionId, type KeyBinding, type KeyLike, type ShortcutAction, type ShortcutRow } from '../../src/shared/shortcuts';
import { HelpOverlay } from '../../src/renderer/components/HelpOverlay';
import { handleKey } from '../../src/renderer/keyboard';
import { nextPreset } from '../../src/renderer/state/presets';
import { createAppStore, getAppStore, type AppState } from '../../src/renderer/state/store';
import type { StoreApi } from 'zustand/vanilla';
import type { MenuItemConstructorOptions } from 'electron';
import type { Vec3 } from '../../src/core/geometry/vec3';
import { slicesFrom } from './sliceApi';

// Server rendering reads a zustand store's initial state; read the live one so the overlay can be open.
vi.mock('../../src/renderer/state/store', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/renderer/state/store')>();
  return { ...real, useApp: <T>(sel: (s: AppState) => T): T => sel(real.getAppStore(() => ({}) as ParaspineApi).getState()) };
});

const SLICES = 30;
const geometry = makeGeometry({
  columns: 8,
  rows: 6,
  slices: SLICES,
  columnSpacingMm: 2,
  rowSpacingMm: 2,
  rowDirection: [1, 0, 0],
  columnDirection: [0, 1, 0],
  slicePositions: Array.from({ length: SLICES }, (_, k) => [0, 0, 3 * k] as Vec3),
});
const summary = { patientName: 'P', patientId: 'ID', studyInstanceUid: 'st', studyDate: '20200101', studyDescription: '', seriesInstanceUid: 'se', seriesDescription: 'd', seriesNumber: 1, modality: 'CT', slices: SLICES, rows: 6, columns: 8, pixelSpacing: [2, 2] as const, sliceSpacingMm: 3, sliceThickness: 3, imageOrientation: [1, 0, 0, 0, 1, 0], transferSyntaxUids: [], files: [], warnings: [] };
const meta: LoadedSeriesMeta = { summary, geometry, huType: 'int16', warnings: [] };

function fakeApi(): ParaspineApi {
  return {
    'app:info': async () => ({ version: '1', workspace: '/ws', recentFolders: [], mode: 'web' as const }),
    'series:scan': async () => ({ series: [summary], problems: [] }),
    'series:load': async () => meta,
    'series:slices': slicesFrom(() => new Int16Array(8 * 6 * SLICES).buffer, meta),
    'annotations:load': async () => ({ document: null, problem: null }),
    'annotations:save': async () => ({ path: '/ws/se.json' }),
  } as unknown as ParaspineApi;
}

const START = 15;

/** A store with the series open on slice START, L3/L4 marked on slice 4, and one selected outline. */
async function openStore(): Promise<StoreApi<AppState>> {
  let n = 0;
  const api = fakeApi();
  const store = createAppStore({ api: () => api, now: () => `2024-01-01T00:00:${String(n++).padStart(2, '0')}Z`, newId: () => `id${n}`, rater: () => 'tester' });
  await store.getState().init();
  await store.getState().openFolder('/data');
  await store.getState().selectSeries('se');
  const s = () => store.getState();
  s().setSlice(4);
  s().markLevel('L3/L4');
  s().setActiveLevel('L3');
  s().setSlice(START);
  s().addOutline('roi-1', [
    [1, 1, 3 * START],
    [7, 1, 3 * START],
    [7, 5, 3 * START],
  ]);
  s().selectRoi('roi-1');
  expect(s().volume).not.toBeNull();
  expect(s().sliceIndex).toBe(START);
  return store;
}

const SHIFTED_DIGITS: Record<string, string> = { '1': '!', '2': '@', '3': '#', '4': '$', '0': ')' };

/** The keydown a US keyboard sends for a binding. */
function eventFor(b: KeyBinding): KeyLike {
  const shift = b.shift ?? b.key === '?';
  const digit = /^[0-9]$/.test(b.key);
  const key = digit && shift ? SHIFTED_DIGITS[b.key]! : b.key.length === 1 && shift ? b.key.toUpperCase() : b.key;
  const code = digit ? `Digit${b.key}` : /^[a-z]$/.test(b.key) ? `Key${b.key.toUpperCase()}` : b.key === '?' ? 'Slash' : b.key;
  return { key, code, shiftKey: shift, ctrlKey: !!b.mod, metaKey: false, altKey: false };
}

type Check = (before: AppState, after: AppState, store: StoreApi<AppState>) => void;
type Prepare = (store: StoreApi<AppState>) => void;

const levelOf = (s: AppState, level: Level) => s.doc?.levels.find((l) => l.level === level);

/** What each action must change (one entry per action id, so a new action fails to compile until it has one). */
const EXPECT: { [Id in ActionId]: { prepare?: (store: StoreApi<AppState>, a: Extract<ShortcutAction, { type: Id }>) => void; check: (a: Extract<ShortcutAction, { type: Id }>, before: AppState, after: AppState) => void } | 'menu' } = {
  stepSlice: { check: (a, b, s) => expect(s.sliceIndex).toBe(b.sliceIndex + a.delta) },
  firstSlice: { check: (_a, _b, s) => expect(s.sliceIndex).toBe(0) },
  lastSlice: { check: (_a, _b, s) => expect(s.sliceIndex).toBe(SLICES - 1) },
  markLevel: {
    prepare: (store) => store.getState().setSlice(START + 2), // no level is marked there
    check: (a, b, s) => {
      expect(levelOf(b, a.level)?.sliceIndex).not.toBe(START + 2);
      expect(levelOf(s, a.level)).toMatchObject({ sliceIndex: START + 2, source: 'manual' });
      expect(s.activeLevel).toBe(a.level);
    },
  },
  goToLevel: {
    prepare: (store, a) => {
      store.getState().setActiveLevel(a.level === 'L5/S1' ? 'L4/L5' : 'L5/S1'); // neither is marked: the slice stays
      expect(store.getState().sliceIndex).toBe(START);
    },
    check: (a, _b, s) => {
      expect(s.activeLevel).toBe(a.level);
      if (a.level === 'L3/L4') expect(s.sliceIndex).toBe(4); // jumps to the marked slice
    },
  },
  confirmLevel: {
    prepare: (store) => {
      store.getState().applyMaskImport({ proposedLevels: [{ level: 'L4/L5', sliceIndex: 9, z: 27, source: 'proposed' }], rois: [], problems: [] });
      store.getState().setActiveLevel('L4/L5');
      expect(levelOf(store.getState(), 'L4/L5')?.source).toBe('proposed');
    },
    check: (_a, _b, s) => expect(levelOf(s, 'L4/L5')?.source).toBe('confirmed'),
  },
  setMuscle: {
    prepare: (store, a) => store.getState().setActiveMuscle(a.muscle === 'psoas' ? 'multifidus' : 'psoas'),
    check: (a, _b, s) => expect(s.activeMuscle).toBe(a.muscle),
  },
  setSide: {
    prepare: (store, a) => store.getState().setActiveSide(a.side === 'left' ? 'right' : 'left'),
    check: (a, _b, s) => expect(s.activeSide).toBe(a.side),
  },
  setTool: {
    prepare: (store) => store.getState().setTool('window'),
    check: (a, _b, s) => expect(s.tool).toBe(a.tool),
  },
  toolSize: {
    prepare: (store) => store.getState().setTool('brush'),
    check: (a, b, s) => expect(s.brushRadiusPx).toBe(b.brushRadiusPx + a.delta),
  },
  outlineCommand: {
    prepare: (store, a) => {
      // roi-1 is a triangle on slice START; propagate needs its level's outlines and another marked level.
      if (a.command === 'propagate') store.getState().selectRoi(null);
    },
    check: (a, b, s) => {
      if (a.command === 'mirror' || a.command === 'snap' || a.command === 'propagate') expect(s.toolHint).not.toBeNull();
      if (a.command === 'propagate') expect(s.doc!.rois.filter((r) => r.level === 'L3/L4')).toHaveLength(1);
      if (a.command === 'smooth') expect(s.doc!.rois[0]!.pointsLps.length).toBeGreaterThanOrEqual(b.doc!.rois[0]!.pointsLps.length);
    },
  },
  cyclePreset: { check: (_a, b, s) => expect(s.preset).toBe(nextPreset(b.preset)) },
  resetView: { check: (_a, b, s) => expect(s.resetCounter).toBe(b.resetCounter + 1) },
  toggleOverlay: { check: (_a, b, s) => expect(s.showOverlay).toBe(!b.showOverlay) },
  deleteSelected: {
    check: (_a, b, s) => {
      expect(b.doc?.rois.map((r) => r.id)).toEqual(['roi-1']);
      expect(s.doc?.rois).toEqual([]);
    },
  },
  toggleAbsent: {
    prepare: (store) => {
      store.getState().setActiveMuscle('psoas'); // roi-1 is the L3 psoas left outline
      store.getState().setActiveSide('left');
    },
    check: (_a, b, s) => {
      expect(b.doc?.rois.map((r) => r.id)).toEqual(['roi-1']);
      expect(s.doc?.rois).toEqual([]);
      expect(s.doc?.absent).toEqual([{ level: 'L3', muscle: 'psoas', side: 'left', rater: 'tester', at: expect.any(String) }]);
    },
  },
  undo: {
    check: (_a, b, s) => {
      expect(b.doc?.rois).toHaveLength(1);
      expect(s.doc?.rois).toEqual([]);
    },
  },
  redo: {
    prepare: (store) => store.getState().undo(),
    check: (_a, b, s) => {
      expect(b.doc?.rois).toEqual([]);
      expect(s.doc?.rois.map((r) => r.id)).toEqual(['roi-1']);
    },
  },
  toggleHelp: { check: (_a, b, s) => expect(s.helpOpen).toBe(!b.helpOpen) },
  closeHelp: {
    prepare: (store) => store.getState().setHelpOpen(true),
    check: (_a, _b, s) => expect(s.helpOpen).toBe(false),
  },
  worklistNext: {
    // With a cohort open: the worklist's "Next" (its own test: tests/renderer/worklist.test.ts).
    prepare: (store) => store.setState({ worklist: { cohort: { kind: 'folder', path: '/c' }, lines: [], total: 0, raters: [], next: null, staleMinutes: 30 }, nextWorklistLine: vi.fn(async () => {}) }),
    check: (_a, _b, s) => expect(s.nextWorklistLine).toHaveBeenCalledTimes(1),
  },
  signOff: {
    // Without a rater name the sign-off is refused at once, and says why (the sign-off itself: signOff.test.ts).
    prepare: (store) => store.getState().setRater(''),
    check: (_a, _b, s) => {
      expect(s.toast?.text).toMatch(/^Type your name in Rater/);
      expect(s.doc?.signedOff ?? null).toBeNull();
    },
  },
  openFolder: 'menu',
  exportCsv: 'menu',
};

function walkMenu(items: readonly MenuItemConstructorOptions[]): MenuItemConstructorOptions[] {
  return items.flatMap((i) => [i, ...(Array.isArray(i.submenu) ? walkMenu(i.submenu) : [])]);
}

function template(isMac: boolean, sent: MenuAction[] = []) {
  return walkMenu(menuTemplate({ recentFolders: ['/data/a'], isMac, isPackaged: false }, { send: (a) => sent.push(a), pickFolder: () => sent.push({ type: 'open-folder', folder: '(picker)' }), openFolder: (f) => sent.push({ type: 'open-folder', folder: f }), about: () => {} }));
}

describe('shortcuts table', () => {
  it('has no two bindings that one key press would both trigger', () => {
    expect(findCollisions()).toEqual([]);
    // ...and the check does find one when there is.
    const clash: ShortcutRow[] = [...SHORTCUTS, { id: 'x', group: 'View', description: 'x', bindings: [{ key: '1', action: { type: 'resetView' } }, { key: 'g', shift: true, action: { type: 'cyclePreset' } }] }];
    expect(findCollisions(clash)).toEqual([
      '1 (level-mark) collides with 1 (x)', // '1' with Shift or not overlaps both level rows
      'Shift+1 (level-go) collides with 1 (x)',
      'g (roi-tools) collides with Shift+g (x)', // the tool key works with Shift too
    ]);
  });

  it('every binding does its action through the keyboard handler', async () => {
    let checked = 0;
    for (const { row, binding } of allBindings()) {
      const expected = EXPECT[binding.action.type];
      const store = await openStore();
      const ev = eventFor(binding);
      expect(matchShortcut(ev)?.binding, `${formatBinding(binding)} matches its own binding`).toBe(binding);
      if (expected === 'menu') {
        expect(row.scope).toBe('menu');
        expect(handleKey(store, ev), `${formatBinding(binding)} is left to the menu`).toBe(false);
        continue;
      }
      const e = expected as { prepare?: (s: StoreApi<AppState>, a: ShortcutAction) => void; check: (a: ShortcutAction, b: AppState, s: AppState) => void };
      e.prepare?.(store, binding.action);
      const before = store.getState();
      expect(handleKey(store, ev), `${formatBinding(binding)} (${row.id}) is handled`).toBe(true);
      e.check(binding.action, before, store.getState());
      checked++;
    }
    expect(checked).toBeGreaterThan(30);
  });

  it('keeps the keys as they were: digits, Shift+digits, arrows with Shift, letters, Ctrl combinations', async () => {
    const s = await openStore();
    const press = (e: KeyLike) => handleKey(s, e);
    expect(press({ key: '3', code: 'Digit3' })).toBe(true);
    expect(levelOf(s.getState(), 'L4/L5')?.sliceIndex).toBe(START);
    expect(press({ key: '@', code: 'Digit2', shiftKey: true })).toBe(true);
    expect(s.getState().activeLevel).toBe('L3/L4');
    expect(s.getState().sliceIndex).toBe(4);
    expect(press({ key: 'ArrowUp', code: 'ArrowUp', shiftKey: true })).toBe(true);
    expect(s.getState().sliceIndex).toBe(14);
    expect(press({ key: 'PageDown', code: 'PageDown' })).toBe(true);
    expect(s.getState().sliceIndex).toBe(13);
    expect(press({ key: 'F', code: 'KeyF', shiftKey: true })).toBe(true); // tool keys ignore Shift, as before
    expect(s.getState().tool).toBe('freehand');
    expect(press({ key: 'P', code: 'KeyP', shiftKey: true })).toBe(false); // muscle keys do not
    expect(press({ key: 'g', code: 'KeyG', altKey: true })).toBe(false);
    expect(press({ key: 'g', code: 'KeyG', ctrlKey: true })).toBe(false);
    expect(press({ key: 'Z', code: 'KeyZ', ctrlKey: true, shiftKey: true })).toBe(true);
    expect(press({ key: 'z', code: 'KeyZ', metaKey: true })).toBe(true);
    expect(press({ key: 'y', code: 'KeyY', ctrlKey: true })).toBe(true);
    expect(press({ key: 'Escape', code: 'Escape' })).toBe(false); // help closed: Esc is not consumed
    expect(press({ key: 'y', code: 'KeyY' })).toBe(false); // no binding without Ctrl ('d' records a muscle absent since issue 14)
    expect(press({ key: 'v', code: 'KeyV' })).toBe(true);
    expect(s.getState().tool).toBe('livewire');
  });

  it('ignores keys typed into a field, and needs a series except for undo/redo and help', async () => {
    const s = await openStore();
    expect(handleKey(s, { key: 'g', code: 'KeyG', target: { tagName: 'INPUT' } as unknown as EventTarget })).toBe(false);
    expect(handleKey(s, { key: '1', code: 'Digit1', target: { tagName: 'INPUT' } as unknown as EventTarget })).toBe(false);
    expect(s.getState().tool).toBe('polygon');
    const empty = createAppStore({ api: fakeApi, now: () => 't', newId: () => 'i', rater: () => '' });
    expect(handleKey(empty, { key: 'g', code: 'KeyG' })).toBe(false);
    expect(handleKey(empty, { key: '1', code: 'Digit1' })).toBe(false);
    expect(handleKey(empty, { key: '?', code: 'Slash', shiftKey: true })).toBe(true);
    expect(empty.getState().helpOpen).toBe(true);
    expect(handleKey(empty, { key: 'Escape', code: 'Escape' })).toBe(true);
    expect(empty.getState().helpOpen).toBe(false);
  });

  it('the help overlay shows exactly the table rows', () => {
    const store = getAppStore(fakeApi);
    store.getState().setHelpOpen(false);
    expect(renderToStaticMarkup(createElement(HelpOverlay))).toBe('');
    store.getState().setHelpOpen(true);
    const html = renderToStaticMarkup(createElement(HelpOverlay));
    const shown = [...html.matchAll(/<tr data-testid="shortcut-([^"]+)"><td><kbd>([^<]*)<\/kbd><\/td><td>([^<]*)<\/td><\/tr>/g)].map((m) => ({ id: m[1], keys: m[2], description: m[3] }));
    const unescape = (t: string) => t.replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&#x27;/g, "'").replace(/&quot;/g, '"');
    // every row once (in group order: tests/renderer/review.test.ts checks the grouping)
    const byId = (a: { id?: string }, b: { id?: string }) => a.id!.localeCompare(b.id!);
    expect(shown.map((r) => ({ id: r.id, keys: unescape(r.keys!), description: unescape(r.description!) })).sort(byId)).toEqual(helpRows().map((r) => ({ id: r.id, keys: r.keys, description: r.description })).sort(byId));
    expect(shown).toHaveLength(SHORTCUTS.length);
    for (const group of new Set(SHORTCUTS.map((r) => r.group))) expect(html).toContain(`>${group}</th>`);
    store.getState().setHelpOpen(false);
  });

  it('the help lists every key of the table in its row', () => {
    for (const row of helpRows()) {
      const r = SHORTCUTS.find((x) => x.id === row.id)!;
      if (r.keysLabel) continue;
      for (const b of r.bindings) expect(row.keys).toContain(formatBinding(b));
    }
  });
});

describe('application menu', () => {
  for (const isMac of [false, true]) {
    it(`binds no bare key (digits mark levels); accelerators come from the table (${isMac ? 'macOS' : 'Windows/Linux'})`, () => {
      const items = template(isMac);
      const accelerators = items.flatMap((i) => (i.accelerator ? [String(i.accelerator)] : []));
      expect(accelerators.length).toBeGreaterThan(0);
      for (const a of accelerators) {
        expect(a, `${a} has a modifier`).toMatch(/^(CmdOrCtrl|CommandOrControl|Ctrl|Control|Cmd|Command|Alt|Option)\+/);
        expect(a).not.toMatch(/^\d$/);
      }
      const byLabel = (label: string) => items.find((i) => i.label === label)?.accelerator;
      expect(byLabel('Undo')).toBe('CmdOrCtrl+Z');
      expect(byLabel('Redo')).toBe(isMac ? 'CmdOrCtrl+Shift+Z' : 'CmdOrCtrl+Y');
      expect(byLabel('Open Folder…')).toBe('CmdOrCtrl+O');
      expect(byLabel('Export CSV…')).toBe('CmdOrCtrl+E');
      // Every menu-only shortcut of the table is a menu accelerator.
      for (const { row, binding } of allBindings()) if (row.scope === 'menu') expect(accelerators).toContain(acceleratorFor(binding.action, isMac));
      // Presets: no accelerator at all, and the items still send the preset.
      for (const label of ['Soft tissue (40/400)', 'Muscle', 'Bone', 'Fat']) expect(items.find((i) => i.label === label)).toBeDefined();
      for (const label of ['Soft tissue (40/400)', 'Muscle', 'Bone', 'Fat']) expect(byLabel(label)).toBeUndefined();
    });
  }

  it('menu items send their actions', () => {
    const sent: MenuAction[] = [];
    const items = template(false, sent);
    const click = (label: string) => (items.find((i) => i.label === label)!.click as () => void)();
    click('Bone');
    click('Undo');
    click('Redo');
    click('Export CSV…');
    click('/data/a');
    expect(sent).toEqual([{ type: 'preset', preset: 'bone' }, { type: 'undo' }, { type: 'redo' }, { type: 'export', format: 'csv' }, { type: 'open-folder', folder: '/data/a' }]);
  });
});
