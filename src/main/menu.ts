/**
 * The application menu's template, as a pure function (no Electron import at run time, so tests can
 * check it). Accelerators come from the shortcuts table (src/shared/shortcuts.ts); the View presets
 * have none: bare digits mark levels in the viewer (the 'w' key cycles presets). The Tools and Outline
 * menus list every tool and outline command of src/shared/tools.ts (a tool added there appears here)
 * and send the action its key does; they bind no accelerator (single keys stay with the viewer's
 * keyboard handler) and show the key in the label instead.
 */
import type { MenuItemConstructorOptions } from 'electron';
import { EXPORT_MENU, type MenuAction, type MenuShortcutAction, type ViewPreset } from '../shared/contract';
import { WINDOW_PRESETS } from '../shared/windowPresets';
import { acceleratorFor, keyHint, withKeyHint } from '../shared/shortcuts';
import { OUTLINE_COMMANDS, PIXEL_TOOL_IDS, PIXEL_TOOL_INFO, ROI_TOOL_IDS, ROI_TOOL_INFO, type OutlineCommand, type ToolId, type ToolInfo } from '../shared/tools';

export interface MenuEnv {
  recentFolders: readonly string[];
  isMac: boolean;
  /** Packaged builds have no developer tools item. */
  isPackaged: boolean;
}

export interface MenuHandlers {
  /** Send an action to the renderer. */
  send(action: MenuAction): void;
  /** Show the folder picker and open what was picked. */
  pickFolder(): void;
  openFolder(folder: string): void;
  about(): void;
}

/** The View menu's presets: the window presets in order, the default (the first) with its centre/width. */
const PRESETS: { preset: ViewPreset; label: string }[] = WINDOW_PRESETS.map((p, i) => ({
  preset: p.id,
  label: i === 0 ? `${p.label} (${p.center}/${p.width})` : p.label,
}));

/**
 * Outline menu labels: the commands act on the selected outline (propagate: the active level's outlines,
 * to the level picked in the tool options, else the next marked one). Every command of
 * src/shared/tools.ts has one (the type checker sees to it).
 */
export const OUTLINE_COMMAND_LABELS: { readonly [C in OutlineCommand]: string } = {
  smooth: 'Smooth',
  simplify: 'Simplify',
  snap: 'Snap to Edges',
  mirror: 'Mirror to the Other Side',
  propagate: 'Propagate to Another Level',
};

/** Tools menu labels where the toolbar's short label says too little. */
const TOOL_MENU_LABELS: { readonly [Id in ToolId]?: string } = { grow: 'Region Grow' };

/** An Export menu item per registered format (core/export/formats.ts): a format added there appears here. */
function exportItem({ format, label }: (typeof EXPORT_MENU)[number], isMac: boolean, h: MenuHandlers): MenuItemConstructorOptions {
  return { label: `Export ${label}…`, ...(format === 'csv' ? acc(acceleratorFor({ type: 'exportCsv' }, isMac)) : {}), click: () => h.send({ type: 'export', format }) };
}

/** A menu item that does what `action`'s key does, the key shown in its label (never an accelerator). */
function shortcutItem(label: string, action: MenuShortcutAction, h: MenuHandlers): MenuItemConstructorOptions {
  return { label: withKeyHint(label, action), click: () => h.send({ type: 'shortcut', action }) };
}

const toolItem = (t: ToolInfo, h: MenuHandlers) => shortcutItem(TOOL_MENU_LABELS[t.id] ?? t.label, { type: 'setTool', tool: t.id }, h);

/** An `accelerator` property only when the table gives one for this platform. */
function acc(accelerator: string | undefined): { accelerator?: string } {
  return accelerator ? { accelerator } : {};
}

export function menuTemplate(env: MenuEnv, h: MenuHandlers): MenuItemConstructorOptions[] {
  const { isMac } = env;
  const cycleKey = keyHint({ type: 'cyclePreset' });
  return [
    {
      label: 'File',
      submenu: [
        { label: 'Open Folder…', ...acc(acceleratorFor({ type: 'openFolder' }, isMac)), click: () => h.pickFolder() },
        {
          label: 'Open Recent',
          submenu: env.recentFolders.length ? env.recentFolders.map((f) => ({ label: f, click: () => h.openFolder(f) })) : [{ label: 'No recent folders', enabled: false }],
        },
        { type: 'separator' },
        isMac ? { role: 'close' } : { role: 'quit' },
      ],
    },
    {
      label: 'Export',
      submenu: [...EXPORT_MENU.map((f) => exportItem(f, isMac, h)), { type: 'separator' }, { label: 'Send to PACS…', click: () => h.send({ type: 'send-to-pacs' }) }],
    },
    {
      label: 'Edit',
      submenu: [
        { label: 'Undo', ...acc(acceleratorFor({ type: 'undo' }, isMac)), click: () => h.send({ type: 'undo' }) },
        { label: 'Redo', ...acc(acceleratorFor({ type: 'redo' }, isMac)), click: () => h.send({ type: 'redo' }) },
        { type: 'separator' },
        { role: 'cut' },
        { role: 'copy' },
        { role: 'paste' },
      ],
    },
    {
      label: 'View',
      submenu: [
        ...PRESETS.map(({ preset, label }): MenuItemConstructorOptions => ({ label, click: () => h.send({ type: 'preset', preset }) })),
        ...(cycleKey ? [{ label: `Next preset: key ${cycleKey} in the viewer`, enabled: false } as MenuItemConstructorOptions] : []),
        { type: 'separator' },
        { role: 'togglefullscreen' },
        ...(env.isPackaged ? [] : [{ role: 'toggleDevTools' } as MenuItemConstructorOptions]),
      ],
    },
    {
      label: 'Tools',
      submenu: [
        ...ROI_TOOL_IDS.map((id) => toolItem(ROI_TOOL_INFO[id], h)),
        { type: 'separator' },
        ...PIXEL_TOOL_IDS.map((id) => toolItem(PIXEL_TOOL_INFO[id], h)),
      ],
    },
    {
      label: 'Outline',
      submenu: OUTLINE_COMMANDS.map((command) => shortcutItem(OUTLINE_COMMAND_LABELS[command], { type: 'outlineCommand', command }, h)),
    },
    {
      label: 'Help',
      submenu: [{ label: 'About Paraspine', click: () => h.about() }],
    },
  ];
}
