/**
 * Sagittal reformat drawn straight from the HuVolume (no Cornerstone): the column through the middle
 * of the image (or a chosen column), head at the top, with a line at the current slice. Clicking jumps
 * to the slice under the pointer; dragging scrubs.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import { sliceSpacingMm } from '../../core/geometry/volumeGeometry';
import type { HuVolume } from '../../core/volume';
import { presetById } from '../state/presets';
import { useApp, getAppStore } from '../state/store';
import { getApi } from '../api/client';

/** Grey levels (rows x slices, head at the top) of the sagittal plane at column i. */
export function sagittalImage(v: HuVolume, column: number, center: number, width: number): Uint8ClampedArray {
  const g = v.geometry;
  const out = new Uint8ClampedArray(g.rows * g.slices * 4);
  const lo = center - width / 2;
  const n = g.rows * g.columns;
  for (let k = 0; k < g.slices; k++) {
    const y = g.slices - 1 - k;
    for (let j = 0; j < g.rows; j++) {
      const hu = v.hu[k * n + j * g.columns + column]!;
      const grey = Math.max(0, Math.min(255, ((hu - lo) / width) * 255));
      const o = (y * g.rows + j) * 4;
      out[o] = out[o + 1] = out[o + 2] = grey;
      out[o + 3] = 255;
    }
  }
  return out;
}

export function SagittalView() {
  const volume = useApp((s) => s.volume);
  const sliceIndex = useApp((s) => s.sliceIndex);
  const preset = useApp((s) => s.preset);
  const levels = useApp((s) => s.doc?.levels);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const boxRef = useRef<HTMLDivElement>(null);
  const [column, setColumn] = useState<number | null>(null);
  const [box, setBox] = useState({ w: 200, h: 400 });
  const store = getAppStore(getApi);

  useEffect(() => {
    const el = boxRef.current!;
    const ro = new ResizeObserver(() => setBox({ w: el.clientWidth, h: el.clientHeight }));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  const col = volume ? (column ?? Math.floor(volume.geometry.columns / 2)) : 0;
  const bitmap = useMemo(() => {
    if (!volume) return null;
    const g = volume.geometry;
    const p = presetById(preset);
    const off = document.createElement('canvas');
    off.width = g.rows;
    off.height = g.slices;
    off.getContext('2d')!.putImageData(new ImageData(sagittalImage(volume, col, p.center, p.width) as unknown as Uint8ClampedArray<ArrayBuffer>, g.rows, g.slices), 0, 0);
    return off;
  }, [volume, col, preset]);

  // Display rectangle keeping the physical aspect (row spacing across, slice spacing down).
  const layout = useMemo(() => {
    if (!volume) return null;
    const g = volume.geometry;
    const physW = g.rows * g.rowSpacingMm;
    const physH = g.slices * (sliceSpacingMm(g) || 1);
    const scale = Math.min(box.w / physW, box.h / physH);
    const w = physW * scale;
    const h = physH * scale;
    return { x: (box.w - w) / 2, y: (box.h - h) / 2, w, h };
  }, [volume, box]);

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
    ctx.font = '11px system-ui, sans-serif';
    for (const l of levels ?? []) {
      const y = yOf(l.sliceIndex);
      ctx.strokeStyle = l.source === 'proposed' ? 'rgba(255,170,0,0.8)' : 'rgba(80,200,255,0.8)';
      ctx.setLineDash(l.source === 'proposed' ? [4, 3] : []);
      ctx.lineWidth = 1;
      ctx.beginPath();
      ctx.moveTo(layout.x, y);
      ctx.lineTo(layout.x + layout.w, y);
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.fillStyle = ctx.strokeStyle;
      ctx.fillText(l.level, layout.x + 3, y - 3);
    }
    const y = yOf(sliceIndex);
    ctx.strokeStyle = '#39ff14';
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    ctx.moveTo(layout.x, y);
    ctx.lineTo(layout.x + layout.w, y);
    ctx.stroke();
  }, [bitmap, layout, sliceIndex, levels, box, volume]);

  const sliceAt = (clientY: number) => {
    if (!volume || !layout) return;
    const rect = canvasRef.current!.getBoundingClientRect();
    const n = volume.geometry.slices;
    const t = (clientY - rect.top - layout.y) / layout.h;
    store.getState().setSlice(n - 1 - Math.floor(t * n));
  };

  return (
    <div className="sagittal">
      <div className="panel-title">
        Sagittal · column{' '}
        {volume && (
          <input
            type="range"
            min={0}
            max={volume.geometry.columns - 1}
            value={col}
            onChange={(e) => setColumn(Number(e.target.value))}
            title="Sagittal column"
            aria-label="Sagittal column"
          />
        )}
        <span className="dim"> {volume ? col : ''}</span>
      </div>
      <div className="sagittal-box" ref={boxRef}>
        <canvas
          ref={canvasRef}
          data-testid="sagittal"
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
