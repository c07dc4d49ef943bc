/**
 * The desktop menu's Tools and Outline menus (src/main/menu.ts): an item for every tool and outline
 * command of src/shared/tools.ts (read from its lists, so a tool added there is covered), no
 * accelerator on them (single keys stay with the viewer), the key in the label, and each sends the
 * shortcut action its key does; the renderer's menu handler (src/renderer/state/menu.ts) does each one.
 */
import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it, vi } from 'vitest';
import type { StoreApi } from 'zustand/vanilla';
import { makeGeometry } from '../../src/core/geometry/volumeGeometry';
import type { Vec3 } from '../../src/core/geometry/vec3';
import { menuTemplate, OUTLINE_COMMAND_LABELS } from '../../src/main/menu';
import { applyMenuAction } from '../../src/renderer/state/menu';
import { createAppStore, type AppState } from '../../src/renderer/state/store';
import type { LoadedSeriesMeta, MenuAction, MenuShortcutAction, ParaspineApi } from '../../src/shared/contract';
import { keyHint } from '../../src/shared/shortcuts';
import { OUTLINE_COMMANDS, PIXEL_TOOL_IDS, ROI_TOOL_IDS, ROI_TOOL_INFO, type OutlineCommand, type ToolId } from '../../src/shared/tools';
import { slicesFrom } from './sliceApi';

const geometry = makeGeometry({ columns: 8, rows: 6, slices: 3, columnSpacingMm: 2, rowSpacingMm: 2, rowDirection: [1, 0, 0], columnDirection: [0, 1, 0], slicePositions: [[0, 0, 0], [0, 0, 3], [0, 0, 6]] as Vec3[] });
const summary = { patientName: 'P', patientId: 'ID', studyInstanceUid: 'st', studyDate: '20200101', studyDescription: '', seriesInstanceUid: 'se', seriesDescription: 'd', seriesNumber: 1, modality: 'CT', slices: 3, rows: 6, columns: 8, pixelSpacing: [2, 2] as const, sliceSpacingMm: 3, sliceThickness: 3, imageOrientation: [1, 0, 0, 0, 1, 0], transferSyntaxUids: [], files: [], warnings: [] };
const meta: LoadedSeriesMeta = { summary, geometry, huType: 'int16', warnings: [] };

function newStore(): StoreApi<AppState> {
  const api = {
    'app:info': async () => ({ version: '1', workspace: '/ws', recentFolders: [], mode: 'electron' as const }),
    'series:scan': async () => ({ series: [summary], problems: [] }),
    'series:load': async () => meta,
    'series:slices': slicesFrom(() => new Int16Array(8 * 6 * 3).buffer, meta),
    'annotations:load': async () => ({ document: null, problem: null }),
    'annotations:save': async () => ({ path: '/ws/se.json' }),
  } as unknown as ParaspineApi;
  return createAppStore({ api: () => api, now: () => 't', newId: () => 'i', rater: () => 'tester' });
}

async function openStore(): Promise<StoreApi<AppState>> {
  const store = newStore();
  await store.getState().init();
  await store.getState().openFolder('/data');
  await store.getState().selectSeries('se');
  return store;
}

type Item = MenuItemConstructorOptions;
function menu(isMac: boolean, sent: MenuAction[] = []): Item[] {
  return menuTemplate({ recentFolders: [], isMac, isPackaged: true }, { send: (a) => sent.push(a), pickFolder: () => {}, openFolder: () => {}, about: () => {} });
}
const submenu = (items: Item[], label: string) => (items.find((i) => i.label === label)?.submenu ?? []) as Item[];

/** Every Tools / Outline item clicked: the actions sent, by label. */
function clickAll(isMac: boolean): { item: Item; action: MenuAction }[] {
  const out: { item: Item; action: MenuAction }[] = [];
  const sent: MenuAction[] = [];
  const items = menu(isMac, sent);
  for (const item of [...submenu(items, 'Tools'), ...submenu(items, 'Outline')]) {
    if (item.type === 'separator') continue;
    (item.click as () => void)();
    out.push({ item, action: sent.pop()! });
  }
  return out;
}

const toolAction = (tool: ToolId): MenuAction => ({ type: 'shortcut', action: { type: 'setTool', tool } });
const commandAction = (command: OutlineCommand): MenuAction => ({ type: 'shortcut', action: { type: 'outlineCommand', command } });

describe('Tools and Outline menus', () => {
  for (const isMac of [false, true]) {
    it(`have an item for every ROI tool, pixel tool and outline command, sending its key's action, key in the label, no accelerator (${isMac ? 'macOS' : 'Windows/Linux'})`, () => {
      const clicked = clickAll(isMac);
      const expected = [...ROI_TOOL_IDS.map(toolAction), ...PIXEL_TOOL_IDS.map(toolAction), ...OUTLINE_COMMANDS.map(commandAction)];
      expect(clicked.map((c) => c.action)).toEqual(expected);
      for (const { item, action } of clicked) {
        expect(item.accelerator, String(item.label)).toBeUndefined();
        const key = keyHint((action as { action: MenuShortcutAction }).action);
        if (key) expect(String(item.label)).toMatch(new RegExp(`\\(${key.replace(/[[\]]/g, '\\$&')}\\)$`));
      }
      const outline = submenu(menu(isMac), 'Outline').map((i) => String(i.label));
      expect(outline).toEqual(OUTLINE_COMMANDS.map((c) => `${OUTLINE_COMMAND_LABELS[c]} (${keyHint({ type: 'outlineCommand', command: c })})`));
      const tools = submenu(menu(isMac), 'Tools').map((i) => String(i.label ?? i.type));
      ROI_TOOL_IDS.forEach((id, n) => expect(tools[n]!.startsWith(ROI_TOOL_INFO[id].label)).toBe(true));
      expect(tools.slice(ROI_TOOL_IDS.length)).toEqual(['separator', 'Region Grow (t)', 'Brush (b)', 'Eraser (x)', 'Scissors (k)', 'L1 oval']);
      expect(tools.slice(0, 3)).toEqual(['Polygon (g)', 'Spline (s)', 'Freehand (f)']);
    });
  }

  it('the renderer handles every menu action: tools are selected, commands run, as their keys do', async () => {
    const store = await openStore();
    const runOutlineCommand = vi.fn((_c: OutlineCommand) => true);
    store.setState({ runOutlineCommand });
    for (const { action } of clickAll(false)) {
      if (action.type !== 'shortcut') throw new Error(`unexpected ${action.type}`);
      const a = action.action;
      store.getState().setTool('pan');
      runOutlineCommand.mockClear();
      applyMenuAction(store, action);
      if (a.type === 'setTool') {
        expect(store.getState().tool).toBe(a.tool);
        expect(runOutlineCommand).not.toHaveBeenCalled();
      } else {
        expect(runOutlineCommand.mock.calls).toEqual([[a.command]]);
        expect(store.getState().tool).toBe('pan');
      }
    }
  });

  it('the renderer ignores them with no series open or while a question is asked (as the keys are ignored)', async () => {
    const empty = newStore();
    await empty.getState().init();
    const before = empty.getState().tool;
    applyMenuAction(empty, toolAction('brush'));
    expect(empty.getState().tool).toBe(before);
    const store = await openStore();
    const runOutlineCommand = vi.fn(() => true);
    store.setState({ runOutlineCommand, question: { kind: 'duplicate', level: 'L3', muscle: 'psoas', side: 'left', existingIds: [], outline: { id: 'x', pointsLps: [], sliceIndex: 0 } } });
    const tool = store.getState().tool;
    applyMenuAction(store, toolAction('scissors'));
    applyMenuAction(store, commandAction('smooth'));
    expect(store.getState().tool).toBe(tool);
    expect(runOutlineCommand).not.toHaveBeenCalled();
  });
});
