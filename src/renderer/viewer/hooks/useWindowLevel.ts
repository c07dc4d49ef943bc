/** The window shown: the preset's, a mouse W/L drag's (the store's voi follows it), and the reset view. */
import { Enums as CoreEnums } from '@cornerstonejs/core';
import { useEffect } from 'react';
import { presetById, type PresetId } from '../../state/presets';
import type { ViewerHandles } from './viewerHandles';

export function useWindowLevel(h: ViewerHandles, preset: PresetId, resetCounter: number, ready: number): void {
  // The window shown follows a mouse W/L drag as well as the presets (readout and preset buttons read it).
  useEffect(() => {
    const element = h.elRef.current!;
    const onVoi = (evt: Event) => {
      const r = (evt as CustomEvent<{ range?: { lower: number; upper: number } }>).detail.range;
      if (r && Number.isFinite(r.lower) && Number.isFinite(r.upper)) h.store.getState().setVoi({ center: (r.lower + r.upper) / 2, width: r.upper - r.lower });
    };
    element.addEventListener(CoreEnums.Events.VOI_MODIFIED, onVoi);
    return () => element.removeEventListener(CoreEnums.Events.VOI_MODIFIED, onVoi);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  useEffect(() => {
    const vp = h.viewport();
    if (!vp || !h.stackRef.current) return;
    applyPreset(vp, preset);
    vp.render();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [preset, ready]);

  useEffect(() => {
    const vp = h.viewport();
    if (!vp || !h.stackRef.current || resetCounter === 0) return;
    vp.resetCamera();
    applyPreset(vp, h.store.getState().preset);
    vp.render();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [resetCounter]);
}

/** Set the viewport's VOI range to a window preset's. */
export function applyPreset(vp: { setProperties(p: { voiRange: { lower: number; upper: number } }): void }, preset: PresetId): void {
  const p = presetById(preset);
  vp.setProperties({ voiRange: { lower: p.center - p.width / 2, upper: p.center + p.width / 2 } });
}
