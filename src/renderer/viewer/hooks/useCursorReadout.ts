/** The pixel, HU and LPS position under the mouse (the bottom-left readout). */
import { useState, type MouseEvent } from 'react';
import type { Vec3 } from '../../../core/geometry/vec3';
import { lpsToSliceIj } from '../../../core/roi/contour';
import { huAt } from '../../state/huVolume';
import type { ViewerHandles } from './viewerHandles';

export interface Cursor {
  i: number;
  j: number;
  hu: number | null;
  lps: Vec3;
}

export function useCursorReadout(h: ViewerHandles): { cursor: Cursor | null; onMouseMove(e: MouseEvent): void; onMouseLeave(): void } {
  const [cursor, setCursor] = useState<Cursor | null>(null);
  const onMouseMove = (e: MouseEvent) => {
    const vp = h.viewport();
    const sh = h.store.getState().shown;
    if (!vp || !sh || !h.stackRef.current) return;
    const rect = h.elRef.current!.getBoundingClientRect();
    const world = vp.canvasToWorld([e.clientX - rect.left, e.clientY - rect.top]) as unknown as Vec3;
    const k = vp.getCurrentImageIdIndex();
    const [ij] = lpsToSliceIj(sh.volume.geometry, k, [world]);
    const i = Math.round(ij![0]);
    const j = Math.round(ij![1]);
    // No HU of a slice not loaded yet.
    setCursor({ i, j, hu: sh.slices.has(k) ? huAt(sh.volume, i, j, k) : null, lps: world });
  };
  return { cursor, onMouseMove, onMouseLeave: () => setCursor(null) };
}
