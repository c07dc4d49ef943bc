/**
 * Pixel index (i, j) on the current slice <-> page coordinates (the pixel tools' overlay uses it), and
 * the test/automation hook window.__paraspineViewer built on it.
 */
import { cache, type Types } from '@cornerstonejs/core';
import { annotation as csAnnotation } from '@cornerstonejs/tools';
import { useEffect } from 'react';
import type { Vec3 } from '../../../core/geometry/vec3';
import { indexToLps } from '../../../core/geometry/volumeGeometry';
import { lpsToSliceIj } from '../../../core/roi/contour';
import { isContourTool, type ContourAnnotationLike } from '../adapters';
import { drawingInProgress, drawingVertexCount } from '../annotationSync';
import type { PixelConversion } from '../PixelToolOverlay';
import type { ViewerHandles } from './viewerHandles';

export function pixelConversion(h: ViewerHandles): PixelConversion {
  return {
    ijToClient(i, j) {
      const vp = h.viewport();
      const g = h.store.getState().shown?.volume.geometry;
      if (!vp || !g || !h.elRef.current) return null;
      const c = vp.worldToCanvas(indexToLps(g, i, j, vp.getCurrentImageIdIndex()) as Types.Point3);
      const r = h.elRef.current.getBoundingClientRect();
      return [r.left + c[0], r.top + c[1]];
    },
    clientToIj(x, y) {
      const vp = h.viewport();
      const g = h.store.getState().shown?.volume.geometry;
      if (!vp || !g || !h.elRef.current) return null;
      const r = h.elRef.current.getBoundingClientRect();
      const world = vp.canvasToWorld([x - r.left, y - r.top]) as unknown as Vec3;
      const [ij] = lpsToSliceIj(g, vp.getCurrentImageIdIndex(), [world]);
      return [ij![0], ij![1]];
    },
  };
}

/** Test/automation hook: pixel index (i, j) on the current slice <-> page coordinates, and what Cornerstone holds. */
export function useViewerTestHook(h: ViewerHandles, conv: PixelConversion): void {
  useEffect(() => {
    const w = window as unknown as { __paraspineViewer?: unknown };
    w.__paraspineViewer = {
      ...conv,
      currentImageIndex: () => h.viewport()?.getCurrentImageIdIndex() ?? null,
      /** Whether an outline is being drawn (an unfinished polygon), and the contour annotations Cornerstone holds. */
      drawingInProgress,
      drawingVertexCount,
      contourAnnotationCount: () => (csAnnotation.state.getAllAnnotations() as unknown as ContourAnnotationLike[]).filter((a) => isContourTool(a.metadata?.toolName)).length,
      /** The line dash Cornerstone draws an outline (document id) with: '' solid, e.g. '6,4' dashed (a proposal); null when it has no style. */
      lineDashOf: (id: string): string | null => ((csAnnotation.config.style.getAnnotationToolStyles(id) as { lineDash?: string } | undefined)?.lineDash ?? null),
      /** Whether the shown image's pixels are a view on the store's HU array (no copy in Cornerstone's cache). */
      imageSharesVolume(): boolean | null {
        const vp = h.viewport();
        const s = h.store.getState();
        if (!vp || !s.shown) return null;
        const px = cache.getImage(vp.getCurrentImageId())?.voxelManager?.getScalarData() as ArrayLike<number> & { buffer?: ArrayBufferLike };
        return px?.buffer ? px.buffer === s.shown.volume.hu.buffer : null;
      },
    };
    return () => {
      delete w.__paraspineViewer;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
}
