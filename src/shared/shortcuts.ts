/**
 * The one table of keyboard shortcuts. The renderer's keyboard handler (src/renderer/keyboard.ts)
 * dispatches from it, the help overlay lists it, the toolbar and panels take their tooltips' keys from
 * it, and the Electron menu (src/main/menu.ts) takes its accelerators from it.
 *
 * Pure data + small helpers: imports only src/core (and src/shared data), no DOM, no Electron.
 */
import { DEFAULT_LEVELS, MUSCLES, type Level, type Muscle, type Side } from '../core/anatomy/anatomy';
import { PIXEL_TOOL_IDS, PIXEL_TOOL_INFO, ROI_TOOL_IDS, ROI_TOOL_INFO, VIEW_TOOL_INFO, type OutlineCommand, type ToolId } from './tools';

/** What a shortcut does. `type` is the action id; the keyboard handler has one case per id. */
export type ShortcutAction =
  | { type: 'stepSlice'; delta: number }
  | { type: 'firstSlice' }
  | { type: 'lastSlice' }
  | { type: 'markLevel'; level: Level }
  | { type: 'goToLevel'; level: Level }
  | { type: 'confirmLevel' }
  | { type: 'setMuscle'; muscle: Muscle }
  | { type: 'setSide'; side: Side }
  | { type: 'setTool'; tool: ToolId }
  /** Grow: widen (+1) / narrow (-1) the HU range; brush and eraser: radius +1 / -1 pixel. */
  | { type: 'toolSize'; delta: 1 | -1 }
  | { type: 'outlineCommand'; command: OutlineCommand }
  | { type: 'cyclePreset' }
  | { type: 'resetView' }
  | { type: 'toggleOverlay' }
  | { type: 'deleteSelected' }
  | { type: 'toggleAbsent' }
  /** Sign the open read off as done (slices/reads.ts); Reopen… asks for a reason. */
  | { type: 'signOff' }
  | { type: 'undo' }
  | { type: 'redo' }
  | { type: 'toggleHelp' }
  /** The worklist's next line not done and not locked by someone else. */
  | { type: 'worklistNext' }
  | { type: 'closeHelp' }
  // Application menu only (Electron): handled in main, which has the dialog and the export request.
  | { type: 'openFolder' }
  | { type: 'exportCsv' };

export type ActionId = ShortcutAction['type'];

export interface KeyBinding {
  /**
   * KeyboardEvent.key, letters in lower case. For the digit row the physical key counts
   * (KeyboardEvent.code DigitN), so Shift+1 is key '1' with Shift whatever the layout prints.
   */
  key: string;
  /** true: Shift must be held; false: it must not; absent: either. */
  shift?: boolean;
  /** Ctrl (Cmd on macOS). Bindings without it never fire while Ctrl, Cmd or Alt is held. */
  mod?: boolean;
  action: ShortcutAction;
  /** This binding is the Electron menu accelerator of its action on these platforms. */
  menu?: 'all' | 'mac' | 'other';
}

export type ShortcutGroup = 'Slices' | 'Levels' | 'Outlines' | 'Tools' | 'View' | 'Edit' | 'Worklist' | 'Help' | 'Desktop app menu';

/** One row of the help: a description and the bindings it covers. */
export interface ShortcutRow {
  id: string;
  group: ShortcutGroup;
  description: string;
  bindings: readonly KeyBinding[];
  /** How the help shows the keys when listing every binding would be long (default: the bindings, ' / '). */
  keysLabel?: string;
  /** 'menu': an Electron menu accelerator only (the renderer does not handle it). Default 'app'. */
  scope?: 'app' | 'menu';
  /** Works with no series open (default: only with a series). */
  global?: boolean;
}

const LEVEL_DIGITS = ['1', '2', '3', '4'] as const;
const MUSCLE_KEY: Record<Muscle, string> = { psoas: 'p', erectorSpinae: 'e', multifidus: 'm', quadratusLumborum: 'q' };

const slice = (key: string, delta: number, shift: boolean): KeyBinding => ({ key, shift, action: { type: 'stepSlice', delta } });
const toolBinding = (tool: ToolId, key: string | null): KeyBinding[] => (key ? [{ key, action: { type: 'setTool', tool } }] : []);

export const SHORTCUTS: readonly ShortcutRow[] = [
  {
    id: 'slice-step',
    group: 'Slices',
    description: 'previous / next slice (Shift: 10 slices)',
    keysLabel: '↑ / ↓, PageUp / PageDown, mouse wheel',
    bindings: [
      slice('ArrowUp', 1, false),
      slice('PageUp', 1, false),
      slice('ArrowDown', -1, false),
      slice('PageDown', -1, false),
      slice('ArrowUp', 10, true),
      slice('PageUp', 10, true),
      slice('ArrowDown', -10, true),
      slice('PageDown', -10, true),
    ],
  },
  {
    id: 'slice-ends',
    group: 'Slices',
    description: 'first / last slice',
    bindings: [
      { key: 'Home', action: { type: 'firstSlice' } },
      { key: 'End', action: { type: 'lastSlice' } },
    ],
  },
  {
    id: 'level-mark',
    group: 'Levels',
    description: `mark the current slice as ${DEFAULT_LEVELS.slice(0, 4).join(', ')}`,
    keysLabel: LEVEL_DIGITS.join(' '),
    bindings: LEVEL_DIGITS.map((key, n) => ({ key, shift: false, action: { type: 'markLevel', level: DEFAULT_LEVELS[n]! } })),
  },
  {
    id: 'level-go',
    group: 'Levels',
    description: 'go to that level',
    keysLabel: `Shift+${LEVEL_DIGITS[0]}..${LEVEL_DIGITS[LEVEL_DIGITS.length - 1]}`,
    bindings: LEVEL_DIGITS.map((key, n) => ({ key, shift: true, action: { type: 'goToLevel', level: DEFAULT_LEVELS[n]! } })),
  },
  { id: 'level-confirm', group: 'Levels', description: 'confirm the active level: its proposed slice and proposed outlines', bindings: [{ key: 'c', action: { type: 'confirmLevel' } }] },
  {
    id: 'muscle',
    group: 'Outlines',
    description: 'muscle: psoas, erector spinae, multifidus, quadratus lumborum',
    bindings: MUSCLES.map((muscle) => ({ key: MUSCLE_KEY[muscle], shift: false, action: { type: 'setMuscle', muscle } })),
  },
  {
    id: 'side',
    group: 'Outlines',
    description: 'side: left / right',
    bindings: [
      { key: 'l', action: { type: 'setSide', side: 'left' } },
      { key: 'r', action: { type: 'setSide', side: 'right' } },
    ],
  },
  { id: 'delete', group: 'Outlines', description: 'delete the selected outline', bindings: [{ key: 'Delete', action: { type: 'deleteSelected' } }] },
  { id: 'absent', group: 'Outlines', description: 'record the active muscle and side as absent at this level (deletes its outline), or clear that record', bindings: [{ key: 'd', action: { type: 'toggleAbsent' } }] },
  {
    id: 'roi-tools',
    group: 'Tools',
    description: `draw tool: ${ROI_TOOL_IDS.map((id) => ROI_TOOL_INFO[id].hint).join(' / ')}`,
    bindings: ROI_TOOL_IDS.flatMap((id) => toolBinding(id, ROI_TOOL_INFO[id].key)),
  },
  {
    id: 'pixel-tools',
    group: 'Tools',
    description: `outline tool: ${PIXEL_TOOL_IDS.map((id) => PIXEL_TOOL_INFO[id].hint).join(' / ')}`,
    bindings: PIXEL_TOOL_IDS.flatMap((id) => toolBinding(id, PIXEL_TOOL_INFO[id].key)),
  },
  {
    id: 'tool-size',
    group: 'Tools',
    description: 'region grow: narrow / widen the HU range (also Ctrl+wheel); brush, eraser: smaller / larger radius',
    bindings: [
      { key: '[', action: { type: 'toolSize', delta: -1 } },
      { key: ']', action: { type: 'toolSize', delta: 1 } },
    ],
  },
  {
    id: 'outline-commands',
    group: 'Outlines',
    description: 'selected outline: smooth / simplify / snap vertices to edges / mirror to the other side; propagate the level\'s outlines to the next marked level',
    bindings: [
      { key: 'u', action: { type: 'outlineCommand', command: 'smooth' } },
      { key: 'i', action: { type: 'outlineCommand', command: 'simplify' } },
      { key: 'n', action: { type: 'outlineCommand', command: 'snap' } },
      { key: 'h', action: { type: 'outlineCommand', command: 'mirror' } },
      { key: 'j', action: { type: 'outlineCommand', command: 'propagate' } },
    ],
  },
  {
    id: 'view-tools',
    group: 'Tools',
    description: 'pan / zoom with the left button (middle drag pans, right drag zooms always)',
    bindings: [...toolBinding('pan', VIEW_TOOL_INFO.pan.key), ...toolBinding('zoom', VIEW_TOOL_INFO.zoom.key)],
  },
  { id: 'preset-cycle', group: 'View', description: 'cycle window presets (soft tissue, muscle, bone, fat)', bindings: [{ key: 'w', action: { type: 'cyclePreset' } }] },
  { id: 'view-reset', group: 'View', description: 'reset zoom, pan and window', bindings: [{ key: '0', action: { type: 'resetView' } }] },
  { id: 'overlay', group: 'View', description: 'lean / fat overlay on or off', bindings: [{ key: 'o', action: { type: 'toggleOverlay' } }] },
  { id: 'sign-off', group: 'Edit', description: 'sign off the open read as done (Reopen… asks for a reason)', bindings: [{ key: 's', mod: true, shift: true, action: { type: 'signOff' } }] },
  { id: 'undo', group: 'Edit', description: 'undo', global: true, bindings: [{ key: 'z', mod: true, shift: false, action: { type: 'undo' }, menu: 'all' }] },
  {
    id: 'redo',
    group: 'Edit',
    description: 'redo',
    global: true,
    bindings: [
      { key: 'z', mod: true, shift: true, action: { type: 'redo' }, menu: 'mac' },
      { key: 'y', mod: true, action: { type: 'redo' }, menu: 'other' },
    ],
  },
  { id: 'worklist-next', group: 'Worklist', description: 'open the next line of the worklist not done and not locked by someone else', global: true, bindings: [{ key: '.', action: { type: 'worklistNext' } }] },
  { id: 'help', group: 'Help', description: 'this help', global: true, bindings: [{ key: '?', action: { type: 'toggleHelp' } }] },
  {
    id: 'help-close',
    group: 'Help',
    description: 'close this help; cancel the outline being drawn; with the button held, cancel a pixel-tool drag (a brush or eraser stroke is taken back, a scissors or limit line dropped)',
    global: true,
    bindings: [{ key: 'Escape', action: { type: 'closeHelp' } }],
  },
  { id: 'open-folder', group: 'Desktop app menu', description: 'open a folder', scope: 'menu', global: true, bindings: [{ key: 'o', mod: true, action: { type: 'openFolder' }, menu: 'all' }] },
  { id: 'export-csv', group: 'Desktop app menu', description: 'export CSV', scope: 'menu', global: true, bindings: [{ key: 'e', mod: true, action: { type: 'exportCsv' }, menu: 'all' }] },
];

export interface BoundShortcut {
  row: ShortcutRow;
  binding: KeyBinding;
}

export function allBindings(rows: readonly ShortcutRow[] = SHORTCUTS): BoundShortcut[] {
  return rows.flatMap((row) => row.bindings.map((binding) => ({ row, binding })));
}

/** The parts of a KeyboardEvent the table needs (no DOM types here). */
export interface KeyLike {
  key: string;
  code?: string;
  shiftKey?: boolean;
  ctrlKey?: boolean;
  metaKey?: boolean;
  altKey?: boolean;
}

/** The table's key for an event: the digit of a DigitN key, else KeyboardEvent.key with letters in lower case. */
export function normalizedKey(e: KeyLike): string {
  if (e.code?.startsWith('Digit')) return e.code.slice(5);
  return e.key.length === 1 ? e.key.toLowerCase() : e.key;
}

function sameAction(a: ShortcutAction, b: ShortcutAction): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The binding an event triggers, or null. */
export function matchShortcut(e: KeyLike, rows: readonly ShortcutRow[] = SHORTCUTS): BoundShortcut | null {
  const mod = !!(e.ctrlKey || e.metaKey);
  if (!mod && e.altKey) return null;
  const key = normalizedKey(e);
  const shift = !!e.shiftKey;
  for (const b of allBindings(rows)) {
    if (b.binding.key !== key || !!b.binding.mod !== mod) continue;
    if (b.binding.shift !== undefined && b.binding.shift !== shift) continue;
    return b;
  }
  return null;
}

/** Pairs of bindings that the same key press would both trigger (same key and Ctrl, overlapping Shift). */
export function findCollisions(rows: readonly ShortcutRow[] = SHORTCUTS): string[] {
  const all = allBindings(rows);
  const out: string[] = [];
  for (let x = 0; x < all.length; x++) {
    for (let y = x + 1; y < all.length; y++) {
      const a = all[x]!.binding;
      const b = all[y]!.binding;
      if (a.key !== b.key || !!a.mod !== !!b.mod) continue;
      if (a.shift !== undefined && b.shift !== undefined && a.shift !== b.shift) continue;
      out.push(`${formatBinding(a)} (${all[x]!.row.id}) collides with ${formatBinding(b)} (${all[y]!.row.id})`);
    }
  }
  return out;
}

const KEY_NAMES: Record<string, string> = { ArrowUp: '↑', ArrowDown: '↓', ArrowLeft: '←', ArrowRight: '→', Escape: 'Esc' };

/** How a binding is shown to the user: 'g', 'Shift+1', 'Ctrl+Shift+Z'. */
export function formatBinding(b: Pick<KeyBinding, 'key' | 'shift' | 'mod'>): string {
  const name = KEY_NAMES[b.key] ?? (b.key.length === 1 && b.mod ? b.key.toUpperCase() : b.key);
  return `${b.mod ? 'Ctrl+' : ''}${b.shift ? 'Shift+' : ''}${name}`;
}

/** The bindings of an action (the key(s) that do it). */
export function bindingsFor(action: ShortcutAction, rows: readonly ShortcutRow[] = SHORTCUTS): KeyBinding[] {
  return allBindings(rows)
    .filter((b) => sameAction(b.binding.action, action))
    .map((b) => b.binding);
}

/** The key shown in tooltips for an action ('g', 'Ctrl+Z'), or null when it has none. */
export function keyHint(action: ShortcutAction): string | null {
  const b = bindingsFor(action)[0];
  return b ? formatBinding(b) : null;
}

/** `label (key)` when the action has a key, else the label. */
export function withKeyHint(label: string, action: ShortcutAction): string {
  const k = keyHint(action);
  return k ? `${label} (${k})` : label;
}

/** Electron accelerator of an action's menu binding on this platform, or undefined. */
export function acceleratorFor(action: ShortcutAction, isMac: boolean, rows: readonly ShortcutRow[] = SHORTCUTS): string | undefined {
  const b = bindingsFor(action, rows).find((x) => x.menu === 'all' || x.menu === (isMac ? 'mac' : 'other'));
  if (!b) return undefined;
  const key = b.key.length === 1 ? b.key.toUpperCase() : b.key;
  return `${b.mod ? 'CmdOrCtrl+' : ''}${b.shift ? 'Shift+' : ''}${key}`;
}

export interface HelpRow {
  id: string;
  group: ShortcutGroup;
  keys: string;
  description: string;
}

/** The rows of the help overlay, in table order. */
export function helpRows(rows: readonly ShortcutRow[] = SHORTCUTS): HelpRow[] {
  return rows.map((r) => ({
    id: r.id,
    group: r.group,
    keys: r.keysLabel ?? [...new Set(r.bindings.map(formatBinding))].join(' / '),
    description: r.description,
  }));
}
