/** The axial stack viewport (Cornerstone3D) with the lean/fat overlay, ROI labels and the cursor readout. */
import { fitAndClearCanvas } from './fitCanvas';
import { cache, Enums as CoreEnums, eventTarget, type Types } from '@cornerstonejs/core';
import { annotation as csAnnotation, Enums as ToolEnums } from '@cornerstonejs/tools';
import { useEffect, useRef, useState } from 'react';
import type { Vec3 } from '../../core/geometry/vec3';
import { indexToLps, sliceZ } from '../../core/geometry/volumeGeometry';
import { lpsToSliceIj } from '../../core/roi/contour';
import { roiSlice } from '../../core/annotations/measureAnnotations';
import { FAT_RGBA, LEAN_RGBA, leanFatOverlay } from '../overlay/leanFat';
import { MUSCLE_COLORS, roiLabel } from '../state/checklist';
import { huAt } from '../state/huVolume';
import { presetById } from '../state/presets';
import { WINDOW_PRESETS } from '../../shared/windowPresets';
import { getAppStore, useApp } from '../state/store';
import { getApi } from '../api/client';
import { annotationToPointsLps, isContourTool, type ContourAnnotationLike } from './adapters';
import { cancelDrawing, clearAllContours, closableDrawing, drawingInProgress, drawingVertexCount, markFinished, reconcile, setGestureActive } from './annotationSync';
import { applyTool, applyViewOnly, AXIAL_VIEWPORT_ID, createToolGroup, getEngine, initCornerstone } from './cornerstone';
import { SliceLoadStopped } from '../state/progressiveVolume';
import { registerVolume, unregisterVolume } from './imageLoader';
import { isPixelToolId } from '../../shared/tools';
import { PixelToolOverlay, type PixelConversion } from './PixelToolOverlay';
import { CutOverlay } from './CutOverlay';

/**
 * A press this close (CSS px) to the first vertex of a polygon or livewire being drawn closes it:
 * Cornerstone's own distance (a press this near the first vertex, and nearer to it than to any other,
 * closes), more than the handle drawn there (radius 6 px plus the line). The press is handed on exactly
 * on the vertex and at once: Cornerstone holds a press 400 ms to see whether a second one makes a double
 * click, so the outline stayed open for that long, a second press meanwhile (it looked as if nothing had
 * happened) was dropped and only a double-click seemed to close it, and keys typed meanwhile changed
 * the label the outline got.
 */
export const CLOSE_TOLERANCE_PX = 10;

interface Cursor {
  i: number;
  j: number;
  hu: number | null;
  lps: Vec3;
}

export interface AxialViewerProps {
  onStrokeEnd(): void;
}

export function AxialViewer({ onStrokeEnd }: AxialViewerProps) {
  const elRef = useRef<HTMLDivElement>(null);
  const overlayRef = useRef<HTMLCanvasElement>(null);
  const stackRef = useRef<{ imageIds: string[]; volumeKey: string; frameOfReferenceUid: string } | null>(null);
  const [ready, setReady] = useState(0);
  const [cursor, setCursor] = useState<Cursor | null>(null);
  /** The viewer could not show the series (Cornerstone failed): the image is hidden, never left stale under a message. */
  const [viewerError, setViewerError] = useState<string | null>(null);
  const fail = (e: unknown) => setViewerError(e instanceof Error ? e.message : String(e));
  /** A failure of an image of the stack that is shown (a wait for a slice of a load that stopped, or of a stack gone, is no failure). */
  const failFor = (stack: typeof stackRef.current) => (e: unknown) => {
    if (e instanceof SliceLoadStopped || stackRef.current !== stack) return;
    fail(e);
  };
  /**
   * The slice asked for is not on screen yet because it is not loaded: the image is hidden (never the
   * last slice's image under this slice's number) until Cornerstone shows the slice asked for.
   */
  const [pending, setPending] = useState<number | null>(null);
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
  const voi = useApp((s) => s.voi);
  const ranges = useApp((s) => s.doc?.ranges);
  const store = getAppStore(getApi);

  const viewport = (): Types.IStackViewport | null => {
    try {
      return (getEngine().getViewport(AXIAL_VIEWPORT_ID) as Types.IStackViewport | undefined) ?? null;
    } catch {
      return null;
    }
  };

  // Enable the viewport once and wire the annotation events to the store.
  useEffect(() => {
    const element = elRef.current!;
    initCornerstone();
    const engine = getEngine();
    engine.enableElement({ viewportId: AXIAL_VIEWPORT_ID, type: CoreEnums.ViewportType.STACK, element, defaultOptions: { background: [0, 0, 0] } });
    const tg = createToolGroup();
    tg.addViewport(AXIAL_VIEWPORT_ID, engine.id);
    applyTool(tg, store.getState().tool);
    let gesture = 0;
    const onDown = (e: MouseEvent) => {
      gesture++;
      setGestureActive(true);
      closeOnFirstPoint(e);
    };
    // A press near the first vertex of a polygon / livewire being drawn (at least 3 vertices) is handed
    // to Cornerstone exactly on that vertex, so it closes the outline every time.
    const closeOnFirstPoint = (e: MouseEvent) => {
      if (!e.isTrusted || e.button !== 0 || e.shiftKey || e.ctrlKey || e.altKey || e.metaKey) return;
      const d = closableDrawing();
      const vp = viewport();
      if (!d || d.vertices < 3 || !vp) return;
      const c = vp.worldToCanvas(d.first as Types.Point3);
      const r = element.getBoundingClientRect();
      const x = r.left + c[0];
      const y = r.top + c[1];
      const dist = Math.hypot(e.clientX - x, e.clientY - y);
      if (dist > CLOSE_TOLERANCE_PX) return;
      e.stopImmediatePropagation();
      e.preventDefault();
      const init = { bubbles: true, cancelable: true, clientX: x, clientY: y, screenX: e.screenX + (x - e.clientX), screenY: e.screenY + (y - e.clientY), button: 0, buttons: 1, view: window };
      const target = e.target instanceof Element ? e.target : element;
      target.dispatchEvent(new MouseEvent('mousedown', init));
      // The release goes where Cornerstone waits for it (the document), at the same point.
      const up = (ev: MouseEvent) => {
        if (!ev.isTrusted || ev.button !== 0) return;
        window.removeEventListener('mouseup', up, true);
        ev.stopImmediatePropagation();
        target.dispatchEvent(new MouseEvent('mouseup', { ...init, buttons: 0 }));
        // A move of more than 3 px ends Cornerstone's double-click wait: the outline closes now, not 400 ms later.
        element.dispatchEvent(new MouseEvent('mousemove', { ...init, buttons: 0, clientX: x + 4, clientY: y, screenX: init.screenX + 4 }));
        element.dispatchEvent(new MouseEvent('mousemove', { ...init, buttons: 0, clientX: ev.clientX, clientY: ev.clientY, screenX: ev.screenX, screenY: ev.screenY }));
      };
      window.addEventListener('mouseup', up, true);
    };
    const onUp = () => {
      setGestureActive(false);
      setTimeout(onStrokeEnd, 0);
    };
    const onCompleted = (evt: Event) => {
      const a = (evt as CustomEvent<{ annotation: ContourAnnotationLike }>).detail.annotation;
      if (!a || !isContourTool(a.metadata?.toolName)) return;
      const pts = annotationToPointsLps(a);
      const s = store.getState();
      if (!pts || s.doc?.rois.some((r) => r.id === a.annotationUID)) {
        if (!pts) csAnnotation.state.removeAnnotation(a.annotationUID!);
        return;
      }
      markFinished(a.annotationUID!);
      // Refused (drawn off its level's slice): the outline is not kept on screen either.
      if (s.addOutline(a.annotationUID!, pts) === 'refused') {
        csAnnotation.state.removeAnnotation(a.annotationUID!);
        // Gone from the screen at once, not at the next render (a scroll or a mouse move).
        viewport()?.render();
      }
      // The livewire leaves its finished outline highlighted (drawn white with its handles, as if
      // selected): it is an outline like the others now, in its muscle's colour.
      else if (a.highlighted === true) {
        a.highlighted = false;
        viewport()?.render();
      }
      onStrokeEnd();
    };
    const onModified = (evt: Event) => {
      const d = (evt as CustomEvent<{ annotation: ContourAnnotationLike; changeType?: string }>).detail;
      const a = d.annotation;
      if (!a || !isContourTool(a.metadata?.toolName) || d.changeType === ToolEnums.ChangeTypes.StatsUpdated) return;
      const s = store.getState();
      if (!s.doc?.rois.some((r) => r.id === a.annotationUID)) return;
      const pts = annotationToPointsLps(a);
      if (pts) s.editOutline(a.annotationUID!, pts, `g${gesture}:${a.annotationUID}`);
    };
    const onSelection = (evt: Event) => {
      const sel = (evt as CustomEvent<{ selection?: string[] }>).detail.selection ?? [];
      const ids = new Set(store.getState().doc?.rois.map((r) => r.id) ?? []);
      const last = [...sel].reverse().find((u) => ids.has(u)) ?? null;
      store.getState().selectRoi(last);
    };
    // The window shown follows a mouse W/L drag as well as the presets (readout and preset buttons read it).
    const onVoi = (evt: Event) => {
      const r = (evt as CustomEvent<{ range?: { lower: number; upper: number } }>).detail.range;
      if (r && Number.isFinite(r.lower) && Number.isFinite(r.upper)) store.getState().setVoi({ center: (r.lower + r.upper) / 2, width: r.upper - r.lower });
    };
    element.addEventListener(CoreEnums.Events.VOI_MODIFIED, onVoi);
    element.addEventListener('mousedown', onDown, true);
    window.addEventListener('mouseup', onUp);
    eventTarget.addEventListener(ToolEnums.Events.ANNOTATION_COMPLETED, onCompleted);
    eventTarget.addEventListener(ToolEnums.Events.ANNOTATION_MODIFIED, onModified);
    eventTarget.addEventListener(ToolEnums.Events.ANNOTATION_SELECTION_CHANGE, onSelection);
    const ro = new ResizeObserver(() => {
      engine.resize(true, false);
      setReady((r) => r + 1);
    });
    ro.observe(element);
    setReady((r) => r + 1);
    return () => {
      ro.disconnect();
      element.removeEventListener(CoreEnums.Events.VOI_MODIFIED, onVoi);
      element.removeEventListener('mousedown', onDown, true);
      window.removeEventListener('mouseup', onUp);
      eventTarget.removeEventListener(ToolEnums.Events.ANNOTATION_COMPLETED, onCompleted);
      eventTarget.removeEventListener(ToolEnums.Events.ANNOTATION_MODIFIED, onModified);
      eventTarget.removeEventListener(ToolEnums.Events.ANNOTATION_SELECTION_CHANGE, onSelection);
      tg.removeViewports(engine.id, AXIAL_VIEWPORT_ID);
      engine.disableElement(AXIAL_VIEWPORT_ID);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  // An unfinished outline never survives a slice change, a tool or level switch, Esc or a question
  // (this runs before the slice effect below, while the viewport still shows the slice it was drawn on).
  useEffect(() => {
    const s = store.getState();
    if (!elRef.current) return;
    cancelDrawing(elRef.current, new Set(s.doc?.rois.map((r) => r.id) ?? []), s.question?.kind === 'duplicate' ? s.question.outline.id : null);
    viewport()?.render();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [sliceIndex, tool, activeLevel, cancelCounter, question]);

  /** Pixel index (i, j) on the current slice <-> page coordinates (the pixel tools' overlay and the test hook use them). */
  const conv: PixelConversion = {
    ijToClient(i, j) {
      const vp = viewport();
      const g = store.getState().shown?.volume.geometry;
      if (!vp || !g || !elRef.current) return null;
      const c = vp.worldToCanvas(indexToLps(g, i, j, vp.getCurrentImageIdIndex()) as Types.Point3);
      const r = elRef.current.getBoundingClientRect();
      return [r.left + c[0], r.top + c[1]];
    },
    clientToIj(x, y) {
      const vp = viewport();
      const g = store.getState().shown?.volume.geometry;
      if (!vp || !g || !elRef.current) return null;
      const r = elRef.current.getBoundingClientRect();
      const world = vp.canvasToWorld([x - r.left, y - r.top]) as unknown as Vec3;
      const [ij] = lpsToSliceIj(g, vp.getCurrentImageIdIndex(), [world]);
      return [ij![0], ij![1]];
    },
  };

  // Test/automation hook: pixel index (i, j) on the current slice <-> page coordinates.
  useEffect(() => {
    const w = window as unknown as { __paraspineViewer?: unknown };
    w.__paraspineViewer = {
      ...conv,
      currentImageIndex: () => viewport()?.getCurrentImageIdIndex() ?? null,
      /** Whether an outline is being drawn (an unfinished polygon), and the contour annotations Cornerstone holds. */
      drawingInProgress,
      drawingVertexCount,
      contourAnnotationCount: () => (csAnnotation.state.getAllAnnotations() as unknown as ContourAnnotationLike[]).filter((a) => isContourTool(a.metadata?.toolName)).length,
      /** The line dash Cornerstone draws an outline (document id) with: '' solid, e.g. '6,4' dashed (a proposal); null when it has no style. */
      lineDashOf: (id: string): string | null => ((csAnnotation.config.style.getAnnotationToolStyles(id) as { lineDash?: string } | undefined)?.lineDash ?? null),
      /** Whether the shown image's pixels are a view on the store's HU array (no copy in Cornerstone's cache). */
      imageSharesVolume(): boolean | null {
        const vp = viewport();
        const s = store.getState();
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

  // A new volume (shown as soon as its first slice is in): register its slices as images and show them.
  useEffect(() => {
    const vp = viewport();
    if (!vp || !shown || !meta) return;
    clearAllContours();
    cache.purgeCache();
    const ids = { seriesUid: meta.summary.seriesInstanceUid, studyUid: meta.summary.studyInstanceUid };
    const { volumeKey, imageIds } = registerVolume(shown.volume, ids, shown.slices);
    stackRef.current = { imageIds, volumeKey, frameOfReferenceUid: `paraspine-for-${ids.seriesUid}` };
    setViewerError(null);
    setPending(null);
    let cancelled = false;
    vp.setStack(imageIds, store.getState().sliceIndex)
      .then(() => {
        if (cancelled) return;
        const p = presetById(store.getState().preset);
        vp.setProperties({ voiRange: { lower: p.center - p.width / 2, upper: p.center + p.width / 2 } });
        vp.render();
        setReady((r) => r + 1);
      })
      .catch((e: unknown) => {
        if (!cancelled && !(e instanceof SliceLoadStopped)) fail(e);
      });
    return () => {
      cancelled = true;
      unregisterVolume(volumeKey);
      stackRef.current = null;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [shown, meta]);

  useEffect(() => {
    const vp = viewport();
    if (!vp || !stackRef.current || vp.getCurrentImageIdIndex() === sliceIndex) return;
    vp.setImageIdIndex(sliceIndex).catch(failFor(stackRef.current));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [sliceIndex, ready]);

  // A slice not loaded yet: its image is hidden until Cornerstone shows that slice (STACK_NEW_IMAGE).
  useEffect(() => {
    if (shown && !shown.slices.has(sliceIndex)) setPending(sliceIndex);
  }, [shown, sliceIndex, sliceLoad]);
  useEffect(() => {
    const element = elRef.current!;
    const onNewImage = (evt: Event) => {
      const d = (evt as CustomEvent<{ imageIdIndex?: number; imageId?: string }>).detail;
      const st = stackRef.current;
      if (!st || d.imageId !== st.imageIds[d.imageIdIndex ?? -1]) return;
      if (d.imageIdIndex === store.getState().sliceIndex) setPending(null);
    };
    element.addEventListener(CoreEnums.Events.STACK_NEW_IMAGE, onNewImage);
    return () => element.removeEventListener(CoreEnums.Events.STACK_NEW_IMAGE, onNewImage);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  useEffect(() => {
    const vp = viewport();
    if (!vp || !stackRef.current) return;
    const p = presetById(preset);
    vp.setProperties({ voiRange: { lower: p.center - p.width / 2, upper: p.center + p.width / 2 } });
    vp.render();
  }, [preset, ready]);

  useEffect(() => {
    const vp = viewport();
    if (!vp || !stackRef.current || resetCounter === 0) return;
    vp.resetCamera();
    const p = presetById(store.getState().preset);
    vp.setProperties({ voiRange: { lower: p.center - p.width / 2, upper: p.center + p.width / 2 } });
    vp.render();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [resetCounter]);

  useEffect(() => {
    const tg = createToolGroup();
    // While the slices load nothing may be drawn or edited: outlines are only shown.
    if (loading) applyViewOnly(tg);
    else applyTool(tg, tool);
  }, [tool, loading]);

  // Document -> Cornerstone annotations.
  useEffect(() => {
    const vp = viewport();
    const st = stackRef.current;
    if (!vp || !st || !elRef.current) return;
    const cam = vp.getCamera();
    // The CPU path has no camera before its first image (setStack resolving bumps `ready`: this runs again then).
    if (!cam.viewPlaneNormal || !cam.viewUp) return;
    const pendingId = question?.kind === 'duplicate' ? question.outline.id : null;
    // The outlines' slices need the geometry only: they are shown while the slices load too.
    reconcile(elRef.current, doc, shown?.volume ?? null, st.imageIds, st.frameOfReferenceUid, { viewPlaneNormal: cam.viewPlaneNormal as Vec3, viewUp: cam.viewUp as Vec3 }, selectedRoiId, pendingId);
    vp.render();
  }, [doc, shown, ready, selectedRoiId, question]);

  // No series (closed, or its loading failed): nothing of the last one stays on screen.
  useEffect(() => {
    if (shown) return;
    clearAllContours();
    setPending(null);
    store.getState().setVoi(null);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [shown]);

  // Overlay (lean/fat pixels + labels), redrawn after every Cornerstone render.
  useEffect(() => {
    const element = elRef.current;
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
      const vp = viewport();
      const ctx = canvas.getContext('2d');
      if (!ctx) return;
      const dpr = fitAndClearCanvas(canvas, ctx, element.clientWidth, element.clientHeight);
      const s = store.getState();
      const v = s.shown?.volume;
      // No image shown yet (the CPU rendering path has no canvas <-> world transform before one).
      if (!vp || !v || !s.doc || !stackRef.current || !vp.getImageData()) return mark('none');
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
      for (const roi of rois) {
        const ij = lpsToSliceIj(g, k, roi.pointsLps);
        let top = ij[0]!;
        let ci = 0;
        let cj = 0;
        for (const p of ij) {
          ci += p[0];
          cj += p[1];
          if (p[1] < top[1]) top = p;
        }
        ci /= ij.length;
        const cx = (c00[0] + ci * a[0]! + top[1] * b[0]!) * dpr;
        const cy = (c00[1] + ci * a[1]! + top[1] * b[1]!) * dpr - 8 * dpr;
        const label = roiLabel(roi.muscle, roi.side);
        ctx.lineWidth = 3 * dpr;
        ctx.strokeStyle = 'rgba(0,0,0,0.85)';
        ctx.strokeText(label, cx, cy);
        ctx.fillStyle = MUSCLE_COLORS[roi.muscle];
        ctx.fillText(label, cx, cy);
        void cj;
      }
    };
    const onRendered = () => draw();
    element.addEventListener(CoreEnums.Events.IMAGE_RENDERED, onRendered);
    draw();
    return () => element.removeEventListener(CoreEnums.Events.IMAGE_RENDERED, onRendered);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [doc, showOverlay, sliceIndex, ready, shown]);

  // Wheel scrolls slices (the store is the truth for the current slice).
  useEffect(() => {
    const element = elRef.current!;
    // One wheel notch (deltaY about 100) = one slice; wheel up goes towards the head.
    const onWheel = (e: WheelEvent) => {
      e.preventDefault();
      e.stopPropagation();
      // Shift: 10 slices a notch (browsers may turn a Shift+wheel into a horizontal scroll: deltaX).
      const d = e.deltaY !== 0 ? e.deltaY : e.shiftKey ? e.deltaX : 0;
      if (d === 0) return;
      const steps = Math.sign(d) * Math.max(1, Math.round(Math.abs(d) / 100)) * (e.shiftKey ? 10 : 1);
      store.getState().stepSlice(-steps);
    };
    element.addEventListener('wheel', onWheel, { capture: true, passive: false });
    return () => element.removeEventListener('wheel', onWheel, { capture: true });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const onMouseMove = (e: React.MouseEvent) => {
    const vp = viewport();
    const sh = store.getState().shown;
    if (!vp || !sh || !stackRef.current) return;
    const rect = elRef.current!.getBoundingClientRect();
    const world = vp.canvasToWorld([e.clientX - rect.left, e.clientY - rect.top]) as unknown as Vec3;
    const k = vp.getCurrentImageIdIndex();
    const [ij] = lpsToSliceIj(sh.volume.geometry, k, [world]);
    const i = Math.round(ij![0]);
    const j = Math.round(ij![1]);
    // No HU of a slice not loaded yet.
    setCursor({ i, j, hu: sh.slices.has(k) ? huAt(sh.volume, i, j, k) : null, lps: world });
  };

  const g = shown?.volume.geometry;
  const waiting = pending !== null || (!!shown && !shown.slices.has(sliceIndex));
  const win = voi ?? { center: presetById(preset).center, width: presetById(preset).width };
  const winPreset = WINDOW_PRESETS.find((p) => Math.abs(p.center - win.center) < 0.5 && Math.abs(p.width - win.width) < 0.5);
  const rgba = (c: readonly number[]) => `rgba(${c[0]},${c[1]},${c[2]},${(c[3]! / 255).toFixed(2)})`;
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
        onMouseLeave={() => setCursor(null)}
        onContextMenu={(e) => e.preventDefault()}
      />
      <canvas ref={overlayRef} className={`axial-overlay${viewerError ? ' no-series' : ''}`} data-testid="axial-overlay" />
      {volume && !viewerError && isPixelToolId(tool) && <PixelToolOverlay tool={tool} conv={conv} />}
      {volume && !viewerError && <CutOverlay />}
      {shown && viewerError && (
        <div className="empty-state" data-testid="viewer-error">
          The viewer could not show this series: {viewerError}
        </div>
      )}
      {g && (
        <>
          <div className="vp-corner vp-tl" data-testid="slice-readout">
            <div>
              Slice <b data-testid="slice-number">{sliceIndex + 1}</b> / {g.slices}
              {g.instanceNumbers?.[sliceIndex] != null && (
                <span className="dim" data-testid="slice-instance" title="InstanceNumber (0020,0013) of this slice's file">
                  {' '}
                  (IN {g.instanceNumbers[sliceIndex]})
                </span>
              )}
            </div>
            <div>z = {sliceZ(g, sliceIndex).toFixed(1)} mm</div>
            {sliceLoad && (
              <div className="slice-load-line" data-testid="viewer-slice-load">
                Loading slices {sliceLoad.loaded} / {sliceLoad.total}
                {waiting && <span data-testid="slice-pending"> · this slice is loading…</span>}
              </div>
            )}
          </div>
          <div className="vp-corner vp-tr" data-testid="window-readout" data-center={Math.round(win.center)} data-width={Math.round(win.width)}>
            {winPreset ? winPreset.label : 'Custom'} · W {Math.round(win.width)} / L {Math.round(win.center)}
            {showOverlay && ranges && (
              <div className="overlay-legend" data-testid="overlay-legend">
                <span className="legend-swatch" style={{ background: rgba(LEAN_RGBA) }} data-testid="legend-lean" /> lean {ranges.muscleHu[0]}..{ranges.muscleHu[1]} HU{' '}
                <span className="legend-swatch" style={{ background: rgba(FAT_RGBA) }} data-testid="legend-fat" /> fat {ranges.fatHu[0]}..{ranges.fatHu[1]} HU
              </div>
            )}
          </div>
          <div className="vp-corner vp-bl" data-testid="cursor-readout">
            {cursor ? (
              <>
                <div>
                  ({cursor.i}, {cursor.j}) · <b data-testid="cursor-hu">{cursor.hu === null ? '—' : `${cursor.hu} HU`}</b>
                </div>
                <div className="dim">
                  LPS {cursor.lps[0].toFixed(1)}, {cursor.lps[1].toFixed(1)}, {cursor.lps[2].toFixed(1)} mm
                </div>
              </>
            ) : (
              <span className="dim">move over the image for HU</span>
            )}
          </div>
          <div className="vp-side vp-side-l" title="Patient right is on the image left (radiological view)">R</div>
          <div className="vp-side vp-side-r">L</div>
        </>
      )}
    </div>
  );
}
