/**
 * The application menu's template, as a pure function (no Electron import at run time, so tests can
 * check it). Accelerators come from the shortcuts table (src/shared/shortcuts.ts); the View presets
 * have none: bare digits mark levels in the viewer (the 'w' key cycles presets).
 */
import type { MenuItemConstructorOptions } from 'electron';
import type { MenuAction, ViewPreset } from '../shared/contract';
import { acceleratorFor, keyHint } from '../shared/shortcuts';

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

const PRESETS: { preset: ViewPreset; label: string }[] = [
  { preset: 'soft', label: 'Soft tissue (40/400)' },
  { preset: 'muscle', label: 'Muscle' },
  { preset: 'bone', label: 'Bone' },
  { preset: 'fat', label: 'Fat' },
];

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
        { label: 'Export CSV…', ...acc(acceleratorFor({ type: 'exportCsv' }, isMac)), click: () => h.send({ type: 'export', format: 'csv' }) },
        { label: 'Export JSON…', click: () => h.send({ type: 'export', format: 'json' }) },
        { type: 'separator' },
        isMac ? { role: 'close' } : { role: 'quit' },
      ],
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
      label: 'Help',
      submenu: [{ label: 'About Paraspine', click: () => h.about() }],
    },
  ];
}
