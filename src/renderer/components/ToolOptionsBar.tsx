/**
 * Options of the active pixel outline tool (what its module declares: PixelToolOptions) and the outline
 * commands (smooth, simplify, snap, mirror, propagate), with the last tool message. Keys come from the
 * one shortcuts table.
 */
import { DEFAULT_LEVELS, type Level } from '../../core/anatomy/anatomy';
import { withKeyHint } from '../../shared/shortcuts';
import type { OutlineCommand } from '../../shared/tools';
import { getApi } from '../api/client';
import { nextMarked, SMOOTH_AREA_TOLERANCE, SNAP_RADIUS_PX } from '../state/slices/outlineTools';
import { getAppStore, useApp } from '../state/store';
import { pixelTool } from '../viewer/tools/pixelTools';
import { PixelToolOptions, pixelOptionsSignature } from './PixelToolOptions';

const COMMANDS: { id: OutlineCommand; label: string; title: string }[] = [
  { id: 'smooth', label: 'Smooth', title: `Smooth the selected outline (area within ${SMOOTH_AREA_TOLERANCE * 100}%)` },
  { id: 'simplify', label: 'Simplify', title: `Remove vertices of the selected outline (area within ${SMOOTH_AREA_TOLERANCE * 100}%)` },
  { id: 'snap', label: 'Snap', title: `Snap the selected outline's vertices to the strongest edge within ${SNAP_RADIUS_PX} px` },
  { id: 'mirror', label: 'Mirror', title: 'Mirror the selected outline to the other side across the midline (a new outline: a dashed proposal to check and confirm)' },
];

export function ToolOptionsBar() {
  const store = getAppStore(getApi);
  const tool = useApp((s) => s.tool);
  const pixel = pixelTool(tool);
  // Re-render when what the tool's options show changes (the options read the store themselves).
  useApp((s) => (pixel ? pixelOptionsSignature(pixel, s) : ''));
  const hint = useApp((s) => s.toolHint);
  const activeLevel = useApp((s) => s.activeLevel);
  const levels = useApp((s) => s.doc?.levels);
  const marked = (levels ?? []).map((l) => l.level);
  const target = useApp((s) => s.propagateTarget);
  const others = DEFAULT_LEVELS.filter((l) => l !== activeLevel && marked.includes(l));
  const to = target && others.includes(target) ? target : nextMarked(marked, activeLevel);
  return (
    <div className="toolbar tool-options" data-testid="tool-options">
      {/* One row of fixed height for every tool (scrolls sideways when too narrow): switching tools never moves the image. */}
      <div className="tool-options-row" data-testid="tool-options-row">
        {pixel && <PixelToolOptions tool={pixel} s={store.getState()} store={store} />}
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
