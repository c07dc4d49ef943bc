/** Global keyboard shortcuts: the bindings come from the one table, src/shared/shortcuts.ts. */
import type { StoreApi } from 'zustand/vanilla';
import { matchShortcut, type KeyLike, type ShortcutAction } from '../shared/shortcuts';
import type { AppState } from './state/store';
import { geometryOf } from './state/slices/view';
import { pixelTool } from './viewer/tools/pixelTools';

const NON_TEXT_INPUTS = new Set(['checkbox', 'radio', 'range', 'button', 'submit', 'reset', 'color']);

function isTyping(t: EventTarget | null | undefined): boolean {
  const el = t as HTMLElement | null | undefined;
  if (!el || !el.tagName) return false;
  const tag = el.tagName.toLowerCase();
  // A checkbox, slider or button keeps the shortcuts (the tool-options bar has them); text fields do not.
  if (tag === 'input') return !NON_TEXT_INPUTS.has(((el as HTMLInputElement).type ?? 'text').toLowerCase());
  return tag === 'textarea' || tag === 'select' || el.isContentEditable;
}

/** Do one action of the shortcuts table; false when it does not apply now (the key is then not consumed). */
export function runShortcutAction(store: StoreApi<AppState>, action: ShortcutAction): boolean {
  const s = store.getState();
  switch (action.type) {
    case 'undo':
      s.undo();
      return true;
    case 'redo':
      s.redo();
      return true;
    case 'toggleHelp':
      s.setHelpOpen(!s.helpOpen);
      return true;
    case 'closeHelp':
      // Esc closes the help; otherwise it cancels an outline being drawn (and is not consumed).
      if (s.helpOpen) {
        s.setHelpOpen(false);
        return true;
      }
      if (s.shown) s.cancelDrawing();
      return false;
    case 'stepSlice':
      s.stepSlice(action.delta);
      return true;
    case 'firstSlice':
      s.setSlice(0);
      return true;
    case 'lastSlice': {
      const g = geometryOf(s);
      if (!g) return false;
      s.setSlice(g.slices - 1);
      return true;
    }
    case 'markLevel':
      s.markLevel(action.level);
      return true;
    case 'goToLevel':
      s.setActiveLevel(action.level);
      return true;
    case 'confirmLevel': {
      // The active level's proposed mark and its proposed outlines (multifidus / erector spinae split): one
      // undo step; when that level's slice is not on screen, the first press shows it (the store says so).
      s.confirmProposals(s.activeLevel);
      return true;
    }
    case 'setMuscle':
      s.setActiveMuscle(action.muscle);
      return true;
    case 'setSide':
      s.setActiveSide(action.side);
      return true;
    case 'setTool':
      s.setTool(action.tool);
      return true;
    case 'toolSize':
      // Only while a tool with a size (region grow range, brush radius: its module's adjustSize) is active.
      if (!pixelTool(s.tool)?.adjustSize) return false;
      s.adjustToolSize(action.delta);
      return true;
    case 'outlineCommand':
      s.runOutlineCommand(action.command);
      return true;
    case 'cyclePreset':
      s.cyclePreset();
      return true;
    case 'resetView':
      s.resetView();
      return true;
    case 'toggleOverlay':
      s.toggleOverlay();
      return true;
    case 'deleteSelected':
      s.deleteSelectedRoi();
      return true;
    case 'toggleAbsent':
      s.toggleAbsent();
      return true;
    case 'worklistNext':
      if (!s.worklist) return false; // no cohort open
      void s.nextWorklistLine();
      return true;
    case 'signOff':
      void s.signOff();
      return true;
    case 'openFolder':
    case 'exportCsv':
      return false; // application-menu accelerators: main handles them
    default: {
      const never: never = action;
      return never;
    }
  }
}

export function handleKey(store: StoreApi<AppState>, e: KeyLike & { target?: EventTarget | null }): boolean {
  if (isTyping(e.target)) return false;
  // While the app asks a question its dialog has the keyboard (no shortcut may change what it asks about).
  if (store.getState().question || store.getState().saveConflict) return false;
  const hit = matchShortcut(e);
  if (!hit || hit.row.scope === 'menu') return false;
  if (!hit.row.global && !store.getState().shown) return false; // no series shown (while its slices load: scrolling works, edits are refused)
  return runShortcutAction(store, hit.binding.action);
}
