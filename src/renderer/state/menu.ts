/** Electron application-menu actions (src/main sends them) as store actions. */
import type { StoreApi } from 'zustand/vanilla';
import type { MenuAction } from '../../shared/contract';
import { runShortcutAction } from '../keyboard';
import type { AppState } from './types';

export function applyMenuAction(store: StoreApi<AppState>, a: MenuAction): void {
  const s = store.getState();
  switch (a.type) {
    case 'open-folder':
      void s.openFolder(a.folder);
      return;
    case 'export':
      void s.exportMeasurements(a.format);
      return;
    case 'send-to-pacs':
      void s.sendToPacs();
      return;
    case 'undo':
      s.undo();
      return;
    case 'redo':
      s.redo();
      return;
    case 'preset':
      s.setPreset(a.preset);
      return;
    case 'shortcut':
      // Tools and outline commands, as their keys do them: with a series open and no question asked.
      if (!s.volume || s.question) return;
      runShortcutAction(store, a.action);
      return;
    default: {
      const never: never = a;
      return never;
    }
  }
}
