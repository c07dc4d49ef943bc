/** Wheel scrolls slices (the store is the truth for the current slice). */
import { useEffect } from 'react';
import type { ViewerHandles } from './viewerHandles';

export function useWheelSlices(h: ViewerHandles): void {
  useEffect(() => {
    const element = h.elRef.current!;
    // One wheel notch (deltaY about 100) = one slice; wheel up goes towards the head.
    const onWheel = (e: WheelEvent) => {
      e.preventDefault();
      e.stopPropagation();
      // Shift: 10 slices a notch (browsers may turn a Shift+wheel into a horizontal scroll: deltaX).
      const d = e.deltaY !== 0 ? e.deltaY : e.shiftKey ? e.deltaX : 0;
      if (d === 0) return;
      const steps = Math.sign(d) * Math.max(1, Math.round(Math.abs(d) / 100)) * (e.shiftKey ? 10 : 1);
      h.store.getState().stepSlice(-steps);
    };
    element.addEventListener('wheel', onWheel, { capture: true, passive: false });
    return () => element.removeEventListener('wheel', onWheel, { capture: true });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
}
