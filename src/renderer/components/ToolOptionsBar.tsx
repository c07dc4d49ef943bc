/**
 * Options of the pixel outline tools (region grow range, brush radius, grow limit) and the outline
 * commands (smooth, simplify, snap, mirror, propagate), with the last tool message. Keys come from the
 * one shortcuts table.
 */
import { DEFAULT_LEVELS, type Level } from '../../core/anatomy/anatomy';
import { withKeyHint } from '../../shared/shortcuts';
import type { OutlineCommand } from '../../shared/tools';
import { SOFT_TISSUE_HU } from '../../core/roi/regionGrow';
import { DEFAULT_RANGES } from '../../core/metrics/ranges';
import { getApi } from '../api/client';
import { BRUSH_RADIUS_LIMITS, nextMarked, SMOOTH_AREA_TOLERANCE, SNAP_RADIUS_PX } from '../state/slices/outlineTools';
import { getAppStore, useApp } from '../state/store';

const HU_SLIDER: readonly [number, number] = [-200, 400];

const COMMANDS: { id: OutlineCommand; label: string; title: string }[] = [
  { id: 'smooth', label: 'Smooth', title: `Smooth the selected outline (area within ${SMOOTH_AREA_TOLERANCE * 100}%)` },
  { id: 'simplify', label: 'Simplify', title: `Remove vertices of the selected outline (area within ${SMOOTH_AREA_TOLERANCE * 100}%)` },
  { id: 'snap', label: 'Snap', title: `Snap the selected outline's vertices to the strongest edge within ${SNAP_RADIUS_PX} px` },
  { id: 'mirror', label: 'Mirror', title: 'Mirror the selected outline to the other side across the midline (a new outline: a dashed proposal to check and confirm)' },
];

export function ToolOptionsBar() {
  const store = getAppStore(getApi);
  const tool = useApp((s) => s.tool);
  const range = useApp((s) => s.toolRange);
  const radius = useApp((s) => s.brushRadiusPx);
  const conn = useApp((s) => s.growConnectivity);
  const bridgeCut = useApp((s) => s.growBridgeCutPx);
  const barrier = useApp((s) => s.growBarrier);
  const keepEnclosed = useApp((s) => s.growKeepEnclosed);
  const softBrush = useApp((s) => s.brushSoftTissue);
  const docRanges = useApp((s) => s.doc?.ranges);
  const soft: [number, number] = docRanges ? [docRanges.fatHu[0], docRanges.muscleHu[1]] : [SOFT_TISSUE_HU[0], SOFT_TISSUE_HU[1]];
  const sliceIndex = useApp((s) => s.sliceIndex);
  const hint = useApp((s) => s.toolHint);
  const activeLevel = useApp((s) => s.activeLevel);
  const levels = useApp((s) => s.doc?.levels);
  const marked = (levels ?? []).map((l) => l.level);
  const target = useApp((s) => s.propagateTarget);
  const [lo, hi] = range ?? docRanges?.muscleHu ?? DEFAULT_RANGES.muscleHu;
  const setRange = (a: number, b: number) => store.getState().setToolRange([Math.min(a, b), Math.max(a, b)]);
  const others = DEFAULT_LEVELS.filter((l) => l !== activeLevel && marked.includes(l));
  const to = target && others.includes(target) ? target : nextMarked(marked, activeLevel);
  return (
    <div className="toolbar tool-options" data-testid="tool-options">
      {/* One row of fixed height for every tool (scrolls sideways when too narrow): switching tools never moves the image. */}
      <div className="tool-options-row" data-testid="tool-options-row">
        {tool === 'brush' && (
          <label className="group" title="Off: the brush paints every soft-tissue pixel, fat included (the fat inside a muscle belongs to it). On: only pixels in the muscle range, as the region grow">
            <input type="checkbox" checked={!softBrush} onChange={(e) => store.getState().setBrushSoftTissue(!e.target.checked)} data-testid="brush-muscle-only" /> muscle range only
          </label>
        )}
        {tool === 'brush' && softBrush && (
          <span className="group" title="The brush paints every pixel from the fat range's low end to the muscle range's high end: intramuscular fat can be painted in; bone and air stay out">
            Brush range
            <b data-testid="brush-range">
              {soft[0]}..{soft[1]} HU
            </b>
            (soft tissue)
          </span>
        )}
        {(tool === 'grow' || (tool === 'brush' && !softBrush)) && (
          <span className="group" title={withKeyHint('HU range of the region grow and the brush', { type: 'toolSize', delta: 1 }) + ', Ctrl+wheel'}>
            {tool === 'grow' ? 'Grow' : 'Brush'} range
            <input type="range" min={HU_SLIDER[0]} max={HU_SLIDER[1]} value={lo} onChange={(e) => setRange(Number(e.target.value), hi)} data-testid="tool-range-lo" aria-label="lowest HU" />
            <input type="range" min={HU_SLIDER[0]} max={HU_SLIDER[1]} value={hi} onChange={(e) => setRange(lo, Number(e.target.value))} data-testid="tool-range-hi" aria-label="highest HU" />
            <b data-testid="tool-range">
              {lo}..{hi} HU
            </b>
            {range && (
              <button className="small ghost" onClick={() => store.getState().setToolRange(null)} title="Back to the document's muscle range">
                reset
              </button>
            )}
          </span>
        )}
        {(tool === 'brush' || tool === 'eraser') && (
          <span className="group" title={withKeyHint('Brush radius in pixels', { type: 'toolSize', delta: 1 })}>
            Radius
            <input type="range" min={BRUSH_RADIUS_LIMITS[0]} max={BRUSH_RADIUS_LIMITS[1]} value={radius} onChange={(e) => store.getState().setBrushRadius(Number(e.target.value))} data-testid="brush-radius" aria-label="brush radius" />
            <b data-testid="brush-radius-value">{radius} px</b>
          </span>
        )}
        {tool === 'grow' && (
          <label className="group" title="Take in what the grown muscle encloses: fat streaks and marbling inside its outline (a closing of the grown region, then its holes filled); fat outside the muscle, beside a straight or convex edge, stays out">
            <input type="checkbox" checked={keepEnclosed} onChange={(e) => store.getState().setGrowKeepEnclosed(e.target.checked)} data-testid="grow-envelope" /> keep enclosed fat
          </label>
        )}
        {tool === 'grow' && (
          <label className="group" title="4-connected: the grow does not pass between two pixels that touch only at a corner (stricter where thin fat planes are not resolved)">
            <input type="checkbox" checked={conn === 4} onChange={(e) => store.getState().setGrowConnectivity(e.target.checked ? 4 : 8)} data-testid="grow-4conn" /> 4-connected
          </label>
        )}
        {tool === 'grow' && (
          <label className="group" title="Cut off what the grow reached only through a passage this narrow (a thin fat plane the 3 mm pixels blur): an opening of the grown region, kept to the clicked part">
            cut bridges
            <select value={bridgeCut} onChange={(e) => store.getState().setGrowBridgeCut(Number(e.target.value) as 0 | 1 | 2)} data-testid="grow-bridge-cut" aria-label="cut bridges">
              <option value={0}>off</option>
              <option value={1}>≤ 2 px</option>
              <option value={2}>≤ 4 px</option>
            </select>
          </label>
        )}
        {tool === 'grow' && (
          <span className="group dim">
            Shift+drag: limit{barrier && barrier.sliceIndex === sliceIndex ? ` (${barrier.pixels} px)` : ''}
            {barrier && (
              <button className="small ghost" onClick={() => store.getState().clearGrowBarrier()} data-testid="clear-limit">
                clear limit
              </button>
            )}
          </span>
        )}
        <span className="group">
          {COMMANDS.map((c) => (
            <button key={c.id} className="small" onClick={() => store.getState().runOutlineCommand(c.id)} title={withKeyHint(c.title, { type: 'outlineCommand', command: c.id })} data-testid={`cmd-${c.id}`}>
              {c.label}
            </button>
          ))}
          <button className="small" disabled={!to} onClick={() => store.getState().runOutlineCommand('propagate')} title={withKeyHint(`Copy ${activeLevel}'s outlines to another level's slice, snapped to its edges (dashed proposals to check and confirm there)`, { type: 'outlineCommand', command: 'propagate' })} data-testid="cmd-propagate">
            Propagate to
          </button>
          <select value={to ?? ''} onChange={(e) => store.getState().setPropagateTarget((e.target.value || null) as Level | null)} data-testid="propagate-target" aria-label="propagate to level">
            {!to && <option value="">(mark another level)</option>}
            {others.map((l) => (
              <option key={l} value={l}>
                {l}
              </option>
            ))}
          </select>
        </span>
      </div>
      {/* Always there, one line high (the full text in its tooltip): the image below never shifts when a message comes, goes or grows. */}
      <span className="tool-hint" data-testid="tool-hint" title={hint ?? ''}>
        {hint ?? ' '}
      </span>
    </div>
  );
}
