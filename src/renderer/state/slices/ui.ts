/** Help overlay and toasts. */
import type { Set, Get, UiSlice } from '../types';

/** At most this many toasts wait behind an error (the oldest waiting one goes first). */
const QUEUE_MAX = 4;

export const createUiSlice = (set: Set, get: Get): UiSlice => ({
  helpOpen: false,
  toast: null,
  toastQueue: [],
  setHelpOpen(open) {
    set({ helpOpen: open });
  },
  showToast(text, kind = 'info') {
    const { toast, toastQueue } = get();
    // An error stays on screen its full time: what comes while it is shown waits its turn (a slower
    // export's "written" would otherwise hide "Type your name in Rater first" at once). An info toast
    // is replaced by the next one, as before.
    if (toast?.kind === 'error') {
      if (toast.text === text || toastQueue.some((t) => t.text === text)) return;
      set({ toastQueue: [...toastQueue, { text, kind }].slice(-QUEUE_MAX) });
      return;
    }
    set({ toast: { text, kind } });
  },
  dismissToast() {
    const [next, ...rest] = get().toastQueue;
    set({ toast: next ?? null, toastQueue: rest });
  },
});
