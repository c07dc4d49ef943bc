/** Help overlay and toasts. */
import type { Set, Get, UiSlice } from '../types';

/** At most this many info toasts wait behind an error (the oldest waiting one goes first). */
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
    // An error wins over a later info toast: the info waits its turn until the error's time is up (a
    // slower export's "written" would otherwise hide "Type your name in Rater first" at once). A new
    // error shows at once (the latest refusal is the one to read); an info toast is replaced by the next.
    if (toast?.kind === 'error' && kind === 'info') {
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
