/**
 * The multifidus / erector spinae cut of each proposed autochthon split on the slice shown: an SVG
 * line over the axial viewport where the two proposed outlines meet, with handles (the vertices a
 * simplified cut keeps) that can be dragged: the line bends between the neighbouring handles, the rest
 * stays. Releasing a moved handle re-splits that side's autochthon (the union of its two outlines)
 * along the new line: one undo step, both outlines stay proposals.
 * The line comes from the outlines themselves (state/autochthonSplit.ts), so it is what they are.
 */
import type { Types } from '@cornerstonejs/core';
import { useMemo, useRef, useState } from 'react';
import type { Side } from '../../core/anatomy/anatomy';
import type { Vec3 } from '../../core/geometry/vec3';
import { indexToLps } from '../../core/geometry/volumeGeometry';
import { lpsToSliceIj } from '../../core/roi/contour';
import type { PointIj } from '../../core/roi/rasterize';
import { getApi } from '../api/client';
import { dragCut, simplifyIndices, splitPairs } from '../state/autochthonSplit';
import { getAppStore, useApp } from '../state/store';
import { axialViewport } from './cornerstone';
import { useAxialRenders } from './hooks/useAxialRenders';

/** Handles: the cut kept within this many pixels (a staircase along pixel edges becomes a few vertices). */
const HANDLE_TOLERANCE_PX = 1;

interface Drag {
  side: Side;
  /** The dragged handle: a vertex index of the cut. */
  vertex: number;
  /** Where the pointer took it (pixel indices), and how far it has moved since. */
  start: PointIj;
  delta: PointIj;
  moved: boolean;
}

export function CutOverlay() {
  const store = getAppStore(getApi);
  const doc = useApp((s) => s.doc);
  const volume = useApp((s) => s.volume);
  const sliceIndex = useApp((s) => s.sliceIndex);
  const [drag, setDrag] = useState<Drag | null>(null);
  const svgRef = useRef<SVGSVGElement>(null);

  // Follow the viewport's renders (zoom, pan, resize, slice) so the line stays on the image.
  useAxialRenders(volume);

  const pairs = useMemo(
    () => (doc && volume ? splitPairs(doc, volume).filter((p) => p.proposed && p.sliceIndex === sliceIndex && p.cutIj.length >= 2) : []),
    [doc, volume, sliceIndex],
  );
  const vp = axialViewport();
  if (!vp || !volume || pairs.length === 0 || vp.getCurrentImageIdIndex() !== sliceIndex) return null;
  const g = volume.geometry;
  const toCanvas = (p: PointIj): [number, number] => {
    const c = vp.worldToCanvas(indexToLps(g, p[0], p[1], sliceIndex) as Types.Point3);
    return [c[0], c[1]];
  };
  const toIj = (clientX: number, clientY: number): PointIj | null => {
    const r = svgRef.current?.getBoundingClientRect();
    if (!r) return null;
    const world = vp.canvasToWorld([clientX - r.left, clientY - r.top]) as unknown as Vec3;
    return lpsToSliceIj(g, sliceIndex, [world])[0] ?? null;
  };
  const path = (pts: readonly PointIj[]) => pts.map((p) => toCanvas(p).map((v) => v.toFixed(1)).join(',')).join(' ');

  return (
    <svg ref={svgRef} className="cut-overlay" data-testid="cut-overlay">
      {pairs.map((p) => {
        const handles = simplifyIndices(p.cutIj, HANDLE_TOLERANCE_PX);
        const mine = drag?.side === p.side ? drag : null;
        const line = mine?.moved ? dragCut(p.cutIj, handles, mine.vertex, mine.delta) : p.cutIj;
        const label = `${p.level} ${p.side} multifidus / erector spinae cut`;
        return (
          <g key={`${p.level}-${p.side}`} data-testid={`cut-${p.side}`} data-level={p.level} data-handles={handles.length}>
            <polyline points={path(line)} fill="none" stroke="#000" strokeOpacity={0.7} strokeWidth={3} />
            <polyline points={path(line)} fill="none" stroke="#ffd400" strokeWidth={1.5} strokeDasharray="5,3" data-testid={`cut-line-${p.side}`} />
            {handles.map((v, n) => {
              const [x, y] = toCanvas(line[v]!);
              return (
                <circle
                  key={v}
                  className="cut-handle"
                  cx={x}
                  cy={y}
                  r={5}
                  fill="#ffd400"
                  stroke="#000"
                  strokeWidth={1.5}
                  data-testid={`cut-handle-${p.side}-${n}`}
                  onPointerDown={(e) => {
                    if (e.button !== 0) return;
                    const ij = toIj(e.clientX, e.clientY);
                    if (!ij) return;
                    e.preventDefault();
                    e.stopPropagation();
                    e.currentTarget.setPointerCapture(e.pointerId);
                    setDrag({ side: p.side, vertex: v, start: ij, delta: [0, 0], moved: false });
                  }}
                  onPointerMove={(e) => {
                    if (!mine || mine.vertex !== v) return;
                    const ij = toIj(e.clientX, e.clientY);
                    if (!ij) return;
                    setDrag({ ...mine, delta: [ij[0] - mine.start[0], ij[1] - mine.start[1]], moved: true });
                  }}
                  onPointerUp={(e) => {
                    if (!mine) return;
                    e.currentTarget.releasePointerCapture(e.pointerId);
                    setDrag(null);
                    if (mine.moved) store.getState().resplit(p.level, p.side, dragCut(p.cutIj, handles, mine.vertex, mine.delta));
                  }}
                  onPointerCancel={() => setDrag(null)}
                >
                  <title>{`${label}: drag to move the cut (the autochthon is split again along it; Ctrl+Z undoes)`}</title>
                </circle>
              );
            })}
          </g>
        );
      })}
    </svg>
  );
}
