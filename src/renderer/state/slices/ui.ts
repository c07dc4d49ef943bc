/** Help overlay and toasts. */
import type { Set, UiSlice } from '../types';

export const createUiSlice = (set: Set): UiSlice => ({
  helpOpen: false,
  toast: null,
  setHelpOpen(open) {
    set({ helpOpen: open });
  },
  showToast(text, kind = 'info') {
    set({ toast: { text, kind } });
  },
});
