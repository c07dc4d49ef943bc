/** The overlay canvas (lean/fat pixels of the outlines on this slice, and their labels), redrawn after every Cornerstone render. */
import { Enums as CoreEnums, type Types } from '@cornerstonejs/core';
import { useEffect, type RefObject } from 'react';
import { roiSlice } from '../../../core/annotations/measureAnnotations';
import { indexToLps } from '../../../core/geometry/volumeGeometry';
import { lpsToSliceIj } from '../../../core/roi/contour';
import { leanFatOverlay } from '../../overlay/leanFat';
import { MUSCLE_COLORS, roiLabel } from '../../state/checklist';
import { spreadLabels } from '../roiLabels';
import type { AppState } from '../../state/store';
import { fitAndClearCanvas } from '../fitCanvas';
import type { ViewerHandles } from './viewerHandles';

export interface OverlayInputs {
  doc: AppState['doc'];
  showOverlay: boolean;
  sliceIndex: number;
  shown: AppState['shown'];
  ready: number;
}

export function useLeanFatOverlay(h: ViewerHandles, overlayRef: RefObject<HTMLCanvasElement | null>, { doc, showOverlay, sliceIndex, shown, ready }: OverlayInputs): void {
  useEffect(() => {
    const element = h.elRef.current;
    const canvas = overlayRef.current;
    if (!element || !canvas) return;
    let overlayCache: { key: string; bitmap: HTMLCanvasElement; lean: number; fat: number } | null = null;
    // What the overlay shows, for tests and tools: on/off and core's lean/fat pixel counts on this slice.
    const mark = (state: 'off' | 'on' | 'none', lean = 0, fat = 0) => {
      canvas.dataset.overlay = state;
      canvas.dataset.leanPixels = String(lean);
      canvas.dataset.fatPixels = String(fat);
    };
    const draw = () => {
      const vp = h.viewport();
      const ctx = canvas.getContext('2d');
      if (!ctx) return;
      const dpr = fitAndClearCanvas(canvas, ctx, element.clientWidth, element.clientHeight);
      const s = h.store.getState();
      const v = s.shown?.volume;
      // No image shown yet (the CPU rendering path has no canvas <-> world transform before one).
      if (!vp || !v || !s.doc || !h.stackRef.current || !vp.getImageData()) return mark('none');
      const k = vp.getCurrentImageIdIndex();
      // The lean/fat pixels come from this slice's HU: only once it is in.
      if (!s.shown!.slices.has(k)) return mark('none');
      const g = v.geometry;
      const rois = s.doc.rois.filter((r) => roiSlice(v, r) === k);
      if (rois.length === 0) return mark(s.showOverlay ? 'on' : 'off');
      const c00 = vp.worldToCanvas(indexToLps(g, 0, 0, k) as Types.Point3);
      const c10 = vp.worldToCanvas(indexToLps(g, 1, 0, k) as Types.Point3);
      const c01 = vp.worldToCanvas(indexToLps(g, 0, 1, k) as Types.Point3);
      const a = [c10[0] - c00[0], c10[1] - c00[1]];
      const b = [c01[0] - c00[0], c01[1] - c00[1]];
      if (s.showOverlay) {
        const key = `${k}|${JSON.stringify(s.doc.ranges)}|${rois.map((r) => `${r.id}:${r.modifiedAt}:${r.pointsLps.length}`).join(',')}`;
        if (!overlayCache || overlayCache.key !== key) {
          const { rgba, counts } = leanFatOverlay(v, rois, k, s.doc.ranges);
          const off = document.createElement('canvas');
          off.width = g.columns;
          off.height = g.rows;
          off.getContext('2d')!.putImageData(new ImageData(rgba as unknown as Uint8ClampedArray<ArrayBuffer>, g.columns, g.rows), 0, 0);
          overlayCache = { key, bitmap: off, lean: counts.lean, fat: counts.fat };
        }
        mark('on', overlayCache.lean, overlayCache.fat);
        ctx.imageSmoothingEnabled = false;
        ctx.setTransform(a[0]! * dpr, a[1]! * dpr, b[0]! * dpr, b[1]! * dpr, (c00[0] - 0.5 * (a[0]! + b[0]!)) * dpr, (c00[1] - 0.5 * (a[1]! + b[1]!)) * dpr);
        ctx.drawImage(overlayCache.bitmap, 0, 0);
        ctx.setTransform(1, 0, 0, 1, 0, 0);
      } else mark('off');
      ctx.font = `${12 * dpr}px system-ui, sans-serif`;
      ctx.textAlign = 'center';
      const labels = rois.map((roi) => {
        const ij = lpsToSliceIj(g, k, roi.pointsLps);
        let top = ij[0]!;
        let ci = 0;
        for (const p of ij) {
          ci += p[0];
          if (p[1] < top[1]) top = p;
        }
        ci /= ij.length;
        const text = roiLabel(roi.muscle, roi.side);
        return {
          roi,
          text,
          x: (c00[0] + ci * a[0]! + top[1] * b[0]!) * dpr,
          y: (c00[1] + ci * a[1]! + top[1] * b[1]!) * dpr - 8 * dpr,
          w: ctx.measureText(text).width,
          h: 12 * dpr,
        };
      });
      // Spread apart where two would overlap (multifidus left and right, a spinous process apart).
      const xs = spreadLabels(labels, 4 * dpr);
      labels.forEach(({ roi, text, y }, n) => {
        ctx.lineWidth = 3 * dpr;
        ctx.strokeStyle = 'rgba(0,0,0,0.85)';
        ctx.strokeText(text, xs[n]!, y);
        ctx.fillStyle = MUSCLE_COLORS[roi.muscle];
        ctx.fillText(text, xs[n]!, y);
      });
    };
    const onRendered = () => draw();
    element.addEventListener(CoreEnums.Events.IMAGE_RENDERED, onRendered);
    draw();
    return () => element.removeEventListener(CoreEnums.Events.IMAGE_RENDERED, onRendered);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [doc, showOverlay, sliceIndex, ready, shown]);
}
