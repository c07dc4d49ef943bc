/**
 * Pointer handling of the pixel outline tools (region grow, brush, eraser, scissors). While one is
 * active the Cornerstone tools are passive (cornerstone.ts applyTool); this overlay listens on the
 * viewer's wrapper in the capture phase and takes only the primary button (and Ctrl+wheel), so the
 * middle-drag pan, right-drag zoom and wheel slice stepping keep working underneath. Page coordinates
 * become slice pixels through the viewer's conversion (AxialViewer's `conv`). It draws the gesture's
 * preview (brush disk, cut line, grow limit) on its own canvas. Esc while the button is held cancels
 * the gesture (PixelGesture.cancel: a live brush / eraser stroke is reverted).
 */
import { fitAndClearCanvas } from './fitCanvas';
import { useEffect, useRef } from 'react';
import type { PointIj } from '../../core/roi/rasterize';
import { getApi } from '../api/client';
import { getAppStore, useApp } from '../state/store';
import { BONE_ROI_COLOUR } from './BoneRoiOverlay';
import type { PixelGesture, PixelToolModule } from './tools/pixelTools';

export interface PixelConversion {
  ijToClient(i: number, j: number): [number, number] | null;
  clientToIj(x: number, y: number): [number, number] | null;
}

export function PixelToolOverlay({ tool, conv }: { tool: PixelToolModule; conv: PixelConversion }) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const store = getAppStore(getApi);
  const radius = useApp((s) => s.brushRadiusPx);
  const barrier = useApp((s) => s.growBarrier);
  const sliceIndex = useApp((s) => s.sliceIndex);
  const convRef = useRef(conv);
  convRef.current = conv;
  const limitsRef = useRef<{ slice: number; paths: PointIj[][] }>({ slice: -1, paths: [] });
  const stateRef = useRef<{ hover: PointIj | null; path: PointIj[]; preview: PixelGesture['preview'] | null }>({ hover: null, path: [], preview: null });

  const draw = () => {
    const canvas = canvasRef.current;
    const wrap = canvas?.parentElement;
    const ctx = canvas?.getContext('2d');
    if (!canvas || !wrap || !ctx) return;
    const dpr = fitAndClearCanvas(canvas, ctx, wrap.clientWidth, wrap.clientHeight);
    const r = wrap.getBoundingClientRect();
    const at = (p: PointIj): [number, number] | null => {
      const c = convRef.current.ijToClient(p[0], p[1]);
      return c ? [(c[0] - r.left) * dpr, (c[1] - r.top) * dpr] : null;
    };
    const line = (path: readonly PointIj[], colour: string, width: number) => {
      const pts = path.map(at).filter((p): p is [number, number] => !!p);
      if (pts.length < 2) return;
      ctx.strokeStyle = colour;
      ctx.lineWidth = width * dpr;
      ctx.setLineDash([]);
      ctx.beginPath();
      pts.forEach(([x, y], n) => (n ? ctx.lineTo(x, y) : ctx.moveTo(x, y)));
      ctx.stroke();
    };
    const s = store.getState();
    // The grow limit of this slice (cleared with the store's barrier).
    if (s.growBarrier && limitsRef.current.slice === s.sliceIndex) for (const p of limitsRef.current.paths) line(p, '#ff5050', 2);
    const { hover, path, preview } = stateRef.current;
    if (preview === 'line') line(path, '#ffd400', 2);
    if (preview === 'limit') line(path, '#ff5050', 2);
    if (preview === 'oval' && path.length > 1) {
      // The oval being drawn: centred on the press, through the pointer (the bone ROI's colour).
      const c = path[0]!;
      const q = path[path.length - 1]!;
      const ri = Math.abs(q[0] - c[0]);
      const rj = Math.abs(q[1] - c[1]);
      line(Array.from({ length: 49 }, (_, t) => [c[0] + ri * Math.cos((t * Math.PI) / 24), c[1] + rj * Math.sin((t * Math.PI) / 24)] as const), BONE_ROI_COLOUR, 2);
    }
    const p = preview === 'disk' ? (path[path.length - 1] ?? hover) : hover;
    if (tool.diskColour && p) {
      const c = at(p);
      const e = at([p[0] + s.brushRadiusPx, p[1]]);
      if (c && e) {
        ctx.strokeStyle = tool.diskColour;
        ctx.lineWidth = 1.5 * dpr;
        ctx.setLineDash([4 * dpr, 3 * dpr]);
        ctx.beginPath();
        ctx.arc(c[0], c[1], Math.hypot(e[0] - c[0], e[1] - c[1]), 0, 2 * Math.PI);
        ctx.stroke();
      }
    }
  };

  useEffect(() => {
    const wrap = canvasRef.current?.parentElement;
    if (!wrap) return;
    const toIj = (e: MouseEvent): PointIj | null => convRef.current.clientToIj(e.clientX, e.clientY);
    let gesture: PixelGesture | null = null;
    const onMove = (e: MouseEvent) => {
      const p = toIj(e);
      const st = stateRef.current;
      st.hover = p;
      if (gesture && p) {
        const prev = st.path[st.path.length - 1];
        if (prev && Math.hypot(p[0] - prev[0], p[1] - prev[1]) < 0.25) return;
        if (prev) gesture.move?.(prev, p);
        st.path.push(p);
      }
      draw();
    };
    /** The gesture is over (released or cancelled): stop following the pointer and the keyboard. */
    const finish = () => {
      gesture = null;
      stateRef.current = { ...stateRef.current, path: [], preview: null };
      window.removeEventListener('mousemove', onMove, true);
      window.removeEventListener('mouseup', onUp, true);
      window.removeEventListener('keydown', onKey, true);
    };
    const onUp = (e: MouseEvent) => {
      if (e.button !== 0 || !gesture) return;
      const g = gesture;
      const path = stateRef.current.path;
      finish();
      if (g.preview === 'limit' && path.length > 1) {
        const k = store.getState().sliceIndex;
        if (limitsRef.current.slice !== k) limitsRef.current = { slice: k, paths: [] };
        limitsRef.current.paths.push(path);
      }
      g.end(path);
      draw();
    };
    // Esc with the button held ends the gesture without effect (a brush / eraser stroke is reverted); the
    // release that follows finds no gesture and does nothing. Captured before the app's keyboard handler.
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape' || !gesture) return;
      e.preventDefault();
      e.stopPropagation();
      const g = gesture;
      finish();
      g.cancel();
      draw();
    };
    const onDown = (e: MouseEvent) => {
      if (e.button !== 0) return; // middle and right buttons stay with Cornerstone (pan, zoom)
      e.preventDefault();
      e.stopPropagation();
      const p = toIj(e);
      if (!p || gesture) return;
      stateRef.current = { hover: p, path: [p], preview: null };
      gesture = tool.start(() => store.getState(), p, e.shiftKey);
      stateRef.current.preview = gesture.preview;
      window.addEventListener('mousemove', onMove, true);
      window.addEventListener('mouseup', onUp, true);
      window.addEventListener('keydown', onKey, true);
      draw();
    };
    const stopPointer = (e: PointerEvent) => {
      if (e.button === 0) e.stopPropagation();
    };
    // Ctrl+wheel (or the trackpad pinch, which browsers send as Ctrl+wheel) sizes the tool instead of stepping slices.
    const onWheel = (e: WheelEvent) => {
      if (!e.ctrlKey || e.deltaY === 0) return;
      e.preventDefault();
      e.stopPropagation();
      store.getState().adjustToolSize(e.deltaY < 0 ? 1 : -1);
      draw();
    };
    const onHover = (e: MouseEvent) => {
      if (gesture) return;
      stateRef.current.hover = toIj(e);
      draw();
    };
    const onLeave = () => {
      stateRef.current.hover = null;
      draw();
    };
    wrap.addEventListener('mousedown', onDown, true);
    wrap.addEventListener('pointerdown', stopPointer, true);
    wrap.addEventListener('wheel', onWheel, { capture: true, passive: false });
    wrap.addEventListener('mousemove', onHover);
    wrap.addEventListener('mouseleave', onLeave);
    return () => {
      wrap.removeEventListener('mousedown', onDown, true);
      wrap.removeEventListener('pointerdown', stopPointer, true);
      wrap.removeEventListener('wheel', onWheel, { capture: true });
      wrap.removeEventListener('mousemove', onHover);
      wrap.removeEventListener('mouseleave', onLeave);
      window.removeEventListener('mousemove', onMove, true);
      window.removeEventListener('mouseup', onUp, true);
      window.removeEventListener('keydown', onKey, true);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [tool]);

  useEffect(() => {
    if (!barrier) limitsRef.current = { slice: -1, paths: [] };
    draw();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [radius, barrier, sliceIndex, tool]);

  return <canvas ref={canvasRef} className="pixel-tool-overlay" data-testid="pixel-tool-overlay" data-tool={tool.id} />;
}
