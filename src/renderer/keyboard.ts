/** Global keyboard shortcuts (documented in components/HelpOverlay.tsx SHORTCUTS). */
import type { StoreApi } from 'zustand/vanilla';
import { DEFAULT_LEVELS } from '../core/anatomy/anatomy';
import { LEVEL_KEYS, MUSCLE_KEYS } from './components/LevelsAndRois';
import type { AppState } from './state/store';

function isTyping(t: EventTarget | null): boolean {
  const el = t as HTMLElement | null;
  if (!el || !el.tagName) return false;
  const tag = el.tagName.toLowerCase();
  return tag === 'input' || tag === 'textarea' || tag === 'select' || el.isContentEditable;
}

export function handleKey(store: StoreApi<AppState>, e: KeyboardEvent): boolean {
  if (isTyping(e.target)) return false;
  const s = store.getState();
  const ctrl = e.ctrlKey || e.metaKey;
  if (ctrl && (e.key === 'z' || e.key === 'Z')) {
    if (e.shiftKey) s.redo();
    else s.undo();
    return true;
  }
  if (ctrl && (e.key === 'y' || e.key === 'Y')) {
    s.redo();
    return true;
  }
  if (ctrl || e.altKey) return false;
  if (e.key === '?') {
    s.setHelpOpen(!s.helpOpen);
    return true;
  }
  if (e.key === 'Escape' && s.helpOpen) {
    s.setHelpOpen(false);
    return true;
  }
  if (!s.volume) return false;
  const step = e.shiftKey ? 10 : 1;
  switch (e.key) {
    case 'ArrowUp':
    case 'PageUp':
      s.stepSlice(step);
      return true;
    case 'ArrowDown':
    case 'PageDown':
      s.stepSlice(-step);
      return true;
    case 'Home':
      s.setSlice(0);
      return true;
    case 'End':
      s.setSlice(s.volume.geometry.slices - 1);
      return true;
    case 'Delete':
      s.deleteSelectedRoi();
      return true;
  }
  const digit = e.code.startsWith('Digit') ? e.code.slice(5) : e.key;
  const level = LEVEL_KEYS[digit];
  if (level) {
    if (e.shiftKey) s.setActiveLevel(level);
    else s.markLevel(level);
    return true;
  }
  const key = e.key.toLowerCase();
  const muscle = MUSCLE_KEYS[key];
  if (muscle && !e.shiftKey) {
    s.setActiveMuscle(muscle);
    return true;
  }
  switch (key) {
    case 'l':
      s.setActiveSide('left');
      return true;
    case 'r':
      s.setActiveSide('right');
      return true;
    case 'w':
      s.cyclePreset();
      return true;
    case '0':
      s.resetView();
      return true;
    case 'o':
      s.toggleOverlay();
      return true;
    case 'g':
      s.setTool('polygon');
      return true;
    case 's':
      s.setTool('spline');
      return true;
    case 'f':
      s.setTool('freehand');
      return true;
    case 'a':
      s.setTool('pan');
      return true;
    case 'z':
      s.setTool('zoom');
      return true;
    case 'c':
      s.confirmLevel(s.activeLevel);
      return true;
  }
  void DEFAULT_LEVELS;
  return false;
}
