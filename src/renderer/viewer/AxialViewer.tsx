/**
 * The axial stack viewport (Cornerstone3D) with the lean/fat overlay, ROI labels and the cursor readout.
 * The work is in hooks/ (one per seam: viewport set-up, annotation events, tool binding, the series'
 * stack, window/level, document outlines, overlay, wheel, cursor); this component composes them.
 */
import { useRef, useState } from 'react';
import { getApi } from '../api/client';
import { getAppStore, useApp } from '../state/store';
import { BoneRoiOverlay } from './BoneRoiOverlay';
import { CompareOverlay } from './CompareOverlay';
import { CutOverlay } from './CutOverlay';
import { useAnnotationEvents } from './hooks/useAnnotationEvents';
import { useCursorReadout } from './hooks/useCursorReadout';
import { useDocumentOutlines } from './hooks/useDocumentOutlines';
import { useLeanFatOverlay } from './hooks/useLeanFatOverlay';
import { pixelConversion, useViewerTestHook } from './hooks/usePixelConversion';
import { useSliceStack } from './hooks/useSliceStack';
import { useCancelDrawing, useToolBinding } from './hooks/useToolBinding';
import { axialViewport } from './cornerstone';
import { failureFilter, type ShownStack, type ViewerHandles } from './hooks/viewerHandles';
import { useViewportSetup } from './hooks/useViewportSetup';
import { useWheelSlices } from './hooks/useWheelSlices';
import { useWindowLevel } from './hooks/useWindowLevel';
import { PixelToolOverlay } from './PixelToolOverlay';
import { pixelTool } from './tools/pixelTools';
import { ViewerCorners } from './ViewerCorners';

export { CLOSE_TOLERANCE_PX } from './hooks/useAnnotationEvents';

export interface AxialViewerProps {
  onStrokeEnd(): void;
}

export function AxialViewer({ onStrokeEnd }: AxialViewerProps) {
  const elRef = useRef<HTMLDivElement>(null);
  const overlayRef = useRef<HTMLCanvasElement>(null);
  const stackRef = useRef<ShownStack | null>(null);
  const [ready, setReady] = useState(0);
  /** The viewer could not show the series (Cornerstone failed): the image is hidden, never left stale under a message. */
  const [viewerError, setViewerError] = useState<string | null>(null);
  const fail = (e: unknown) => setViewerError(e instanceof Error ? e.message : String(e));
  const store = getAppStore(getApi);
  const h: ViewerHandles = { elRef, stackRef, store, viewport: axialViewport, fail, failFor: failureFilter(stackRef, fail), bumpReady: () => setReady((r) => r + 1) };
  /** The whole volume (every slice in): what the pixel tools and the cut overlay need. */
  const volume = useApp((s) => s.volume);
  /** What is shown: the volume being filled while its slices load (the loader waits for a slice not in yet). */
  const shown = useApp((s) => s.shown);
  const sliceLoad = useApp((s) => s.sliceLoad);
  const loading = !!shown && !volume;
  const meta = useApp((s) => s.meta);
  const sliceIndex = useApp((s) => s.sliceIndex);
  const preset = useApp((s) => s.preset);
  const tool = useApp((s) => s.tool);
  const doc = useApp((s) => s.doc);
  const selectedRoiId = useApp((s) => s.selectedRoiId);
  const showOverlay = useApp((s) => s.showOverlay);
  const resetCounter = useApp((s) => s.resetCounter);
  const activeLevel = useApp((s) => s.activeLevel);
  const cancelCounter = useApp((s) => s.cancelDrawingCounter);
  const question = useApp((s) => s.question);

  // Effect order matters: the set-up first; an unfinished outline is cancelled before the slice changes on screen.
  useViewportSetup(h);
  useAnnotationEvents(h, onStrokeEnd);
  useCancelDrawing(h, { sliceIndex, tool, activeLevel, cancelCounter, question, loading });
  const conv = pixelConversion(h);
  useViewerTestHook(h, conv);
  const pending = useSliceStack(h, { shown, meta, sliceIndex, sliceLoad, ready }, () => setViewerError(null));
  useWindowLevel(h, preset, resetCounter, ready);
  useToolBinding(tool, loading);
  useDocumentOutlines(h, { doc, shown, selectedRoiId, question, ready });
  useLeanFatOverlay(h, overlayRef, { doc, showOverlay, sliceIndex, ready, shown });
  useWheelSlices(h);
  const { cursor, onMouseMove, onMouseLeave } = useCursorReadout(h);

  const g = shown?.volume.geometry;
  const waiting = pending !== null || (!!shown && !shown.slices.has(sliceIndex));
  const pixel = pixelTool(tool);
  return (
    <div
      className="axial-wrap"
      data-testid="axial-wrap"
      tabIndex={-1}
      // A press on the image (viewport, pixel-tool or cut overlay) takes the keyboard back from a form
      // control clicked before (a slider, the cut-bridges select): the shortcuts work again at once.
      onMouseDownCapture={(e) => {
        const a = document.activeElement as HTMLElement | null;
        if (a && a !== e.currentTarget && a !== document.body && !e.currentTarget.contains(a)) e.currentTarget.focus({ preventScroll: true });
      }}
    >
      <div
        ref={elRef}
        className={`axial-viewport${shown && !viewerError ? '' : ' no-series'}${waiting ? ' slice-pending' : ''}`}
        data-testid="axial-viewport"
        data-series={!shown ? 'none' : viewerError ? 'failed' : volume ? 'shown' : 'loading'}
        onMouseMove={onMouseMove}
        onMouseLeave={onMouseLeave}
        onContextMenu={(e) => e.preventDefault()}
      />
      <canvas ref={overlayRef} className={`axial-overlay${viewerError ? ' no-series' : ''}`} data-testid="axial-overlay" />
      {volume && !viewerError && pixel && <PixelToolOverlay tool={pixel} conv={conv} />}
      {volume && !viewerError && <CutOverlay />}
      {volume && !viewerError && <BoneRoiOverlay />}
      {volume && !viewerError && <CompareOverlay />}
      {shown && viewerError && (
        <div className="empty-state" data-testid="viewer-error">
          The viewer could not show this series: {viewerError}
        </div>
      )}
      {g && <ViewerCorners g={g} waiting={waiting} cursor={cursor} />}
    </div>
  );
}
