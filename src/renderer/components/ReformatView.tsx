/**
 * Sagittal and coronal reformats drawn straight from the HuVolume (no Cornerstone), head at the top,
 * with a line at the current slice and at each level, and a faint vertical line where the other plane
 * cuts. A slider picks the column (sagittal) or row (coronal); clicking jumps to the slice under the
 * pointer, dragging scrubs.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import { presetById } from '../state/presets';
import { reformatCount, reformatImage, reformatWidth, zoomBasis, zoomWindow, type ReformatPlane } from '../state/reformat';
import { useApp, getAppStore } from '../state/store';
import { getApi } from '../api/client';
import { VertebraLabels } from './VertebraLabels';
import { levelLabelX, orientationLetterRight } from '../viewer/reformatLabels';

const LABELS: Record<ReformatPlane, { title: string; index: string; left: string; right: string }> = {
  sagittal: { title: 'Sagittal', index: 'column', left: 'A', right: 'P' },
  coronal: { title: 'Coronal', index: 'row', left: 'R', right: 'L' },
};

export function ReformatView({ plane }: { plane: ReformatPlane }) {
  const volume = useApp((s) => s.volume);
  const sliceIndex = useApp((s) => s.sliceIndex);
  const preset = useApp((s) => s.preset);
  const levels = useApp((s) => s.doc?.levels);
  const index = useApp((s) => (plane === 'sagittal' ? s.sagittalColumn : s.coronalRow));
  // Where the other plane cuts this one (a column of this image): the coronal row on a sagittal, the sagittal column on a coronal.
  const cross = useApp((s) => (plane === 'sagittal' ? s.coronalRow : s.sagittalColumn));
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const boxRef = useRef<HTMLDivElement>(null);
  const [box, setBox] = useState({ w: 200, h: 400 });
  const store = getAppStore(getApi);
  const L = LABELS[plane];

  useEffect(() => {
    const el = boxRef.current!;
    const ro = new ResizeObserver(() => setBox({ w: el.clientWidth, h: el.clientHeight }));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  const bitmap = useMemo(() => {
    if (!volume) return null;
    const g = volume.geometry;
    const p = presetById(preset);
    const w = reformatWidth(volume, plane);
    const off = document.createElement('canvas');
    off.width = w;
    off.height = g.slices;
    off.getContext('2d')!.putImageData(new ImageData(reformatImage(volume, plane, index, p.center, p.width) as unknown as Uint8ClampedArray<ArrayBuffer>, w, g.slices), 0, 0);
    return off;
  }, [volume, plane, index, preset]);

  // The patient's extent and the spine across (the view zooms onto them: a 20-slice series is not a thin strip).
  const basis = useMemo(() => (volume ? zoomBasis(volume, plane) : null), [volume, plane]);

  // Display rectangle of the whole image, keeping the physical aspect (pixel spacing across, slice
  // spacing down), scaled so that the zoom window (zoomWindow) fills the box; the rest is clipped.
  const layout = useMemo(() => {
    if (!volume || !basis) return null;
    const bw = box.w - 32; // room for the side letters
    const bh = box.h - 8;
    const win = zoomWindow(basis, bw, bh);
    const wPx = reformatWidth(volume, plane);
    const scale = Math.min(bw / ((win.to - win.from) * basis.pixelMm), bh / basis.heightMm);
    const w = Math.max(1, wPx * basis.pixelMm * scale);
    const h = Math.max(1, basis.heightMm * scale);
    const winMid = ((win.from + win.to) / 2 / wPx) * w;
    return { x: box.w / 2 - winMid, y: (box.h - h) / 2, w, h };
  }, [volume, plane, box, basis]);

  useEffect(() => {
    const c = canvasRef.current;
    if (!c || !volume || !bitmap || !layout) return;
    const dpr = window.devicePixelRatio || 1;
    c.width = Math.round(box.w * dpr);
    c.height = Math.round(box.h * dpr);
    const ctx = c.getContext('2d')!;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.fillStyle = '#000';
    ctx.fillRect(0, 0, box.w, box.h);
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(bitmap, layout.x, layout.y, layout.w, layout.h);
    const n = volume.geometry.slices;
    const yOf = (k: number) => layout.y + ((n - 1 - k + 0.5) / n) * layout.h;
    const hline = (y: number) => {
      ctx.beginPath();
      ctx.moveTo(layout.x, y);
      ctx.lineTo(layout.x + layout.w, y);
      ctx.stroke();
    };
    // The other plane's position, faint and dashed.
    const wPx = reformatWidth(volume, plane);
    const xc = layout.x + ((cross + 0.5) / wPx) * layout.w;
    ctx.strokeStyle = 'rgba(255,255,255,0.55)';
    ctx.setLineDash([3, 4]);
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.moveTo(xc, layout.y);
    ctx.lineTo(xc, layout.y + layout.h);
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.font = '11px system-ui, sans-serif';
    // Every level gets its line; labels only where they do not overlap one already written
    // (set levels first, then proposals, head to feet), so many proposals stay readable.
    const written: number[] = [];
    const ordered = [...(levels ?? [])].sort((a, b) => Number(a.source === 'proposed') - Number(b.source === 'proposed') || b.sliceIndex - a.sliceIndex);
    for (const l of ordered) {
      const y = yOf(l.sliceIndex);
      ctx.strokeStyle = l.source === 'proposed' ? 'rgba(255,170,0,0.8)' : 'rgba(80,200,255,0.8)';
      ctx.setLineDash(l.source === 'proposed' ? [4, 3] : []);
      ctx.lineWidth = 1;
      hline(y);
      ctx.setLineDash([]);
      if (written.some((w) => Math.abs(w - y) < 11)) continue;
      written.push(y);
      ctx.lineWidth = 3;
      ctx.strokeStyle = 'rgba(0,0,0,0.8)';
      const lx = levelLabelX(layout.x, y - 3, layout.y + layout.h / 2); // clear of the orientation letter
      ctx.strokeText(l.level, lx, y - 3);
      ctx.fillStyle = l.source === 'proposed' ? 'rgba(255,170,0,0.95)' : 'rgba(80,200,255,0.95)';
      ctx.fillText(l.level, lx, y - 3);
    }
    ctx.strokeStyle = '#39ff14';
    ctx.lineWidth = 1.5;
    hline(yOf(sliceIndex));
    // Orientation letters at the sides.
    ctx.fillStyle = 'rgba(232,232,232,0.8)';
    ctx.font = '600 11px system-ui, sans-serif';
    ctx.textBaseline = 'middle';
    ctx.textAlign = 'right';
    ctx.fillText(L.left, orientationLetterRight(layout.x), layout.y + layout.h / 2);
    ctx.textAlign = 'left';
    ctx.fillText(L.right, Math.min(box.w - 14, layout.x + layout.w + 4), layout.y + layout.h / 2);
    ctx.textAlign = 'left';
    ctx.textBaseline = 'alphabetic';
  }, [bitmap, layout, sliceIndex, levels, box, volume, cross, plane, L]);

  const sliceAt = (clientY: number) => {
    if (!volume || !layout) return;
    const rect = canvasRef.current!.getBoundingClientRect();
    const n = volume.geometry.slices;
    const t = (clientY - rect.top - layout.y) / layout.h;
    store.getState().setSlice(n - 1 - Math.floor(t * n));
  };

  const setIndex = (v: number) => (plane === 'sagittal' ? store.getState().setSagittalColumn(v) : store.getState().setCoronalRow(v));

  return (
    <div className="reformat" data-testid={`${plane}-view`}>
      <div className="panel-title">
        {L.title}
        {volume && (
          <input
            type="range"
            min={0}
            max={reformatCount(volume, plane) - 1}
            value={index}
            onChange={(e) => setIndex(Number(e.target.value))}
            title={`${L.title} ${L.index} (${plane === 'sagittal' ? 'i' : 'j'})`}
            aria-label={`${L.title} ${L.index}`}
            data-testid={`${plane}-index`}
          />
        )}
        <span className="dim" title={`${L.index} index`}>
          {volume ? `${L.index} ${index}` : ''}
        </span>
      </div>
      <div className="reformat-box" ref={boxRef} style={{ overflow: 'hidden' }}>
        {volume && volume.geometry.slices < 2 && (
          <div className="reformat-note dim" data-testid={`${plane}-note`}>
            One slice: no {plane} reformat
          </div>
        )}
        {plane === 'sagittal' && volume && layout && <VertebraLabels volume={volume} layout={layout} />}
        <canvas
          ref={canvasRef}
          data-testid={plane}
          style={{ width: box.w, height: box.h }}
          onMouseDown={(e) => {
            sliceAt(e.clientY);
            const move = (ev: MouseEvent) => sliceAt(ev.clientY);
            const up = () => {
              window.removeEventListener('mousemove', move);
              window.removeEventListener('mouseup', up);
            };
            window.addEventListener('mousemove', move);
            window.addEventListener('mouseup', up);
          }}
        />
      </div>
    </div>
  );
}
