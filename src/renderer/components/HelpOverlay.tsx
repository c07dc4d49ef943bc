import { getAppStore, useApp } from '../state/store';
import { getApi } from '../api/client';

export const SHORTCUTS: [string, string][] = [
  ['↑ / ↓, PageUp / PageDown, mouse wheel', 'previous / next slice (Shift: 10 slices)'],
  ['Home / End', 'first / last slice'],
  ['1 2 3 4', 'mark the current slice as L3, L3/L4, L4/L5, L5/S1'],
  ['Shift + 1..4', 'go to that level'],
  ['c', 'confirm the proposed active level'],
  ['p e m q', 'muscle: psoas, erector spinae, multifidus, quadratus lumborum'],
  ['l / r', 'side: left / right'],
  ['g / s / f', 'draw tool: polygon (click points, click the first to close) / spline / freehand'],
  ['a / z', 'pan / zoom with the left button (middle drag pans, right drag zooms always)'],
  ['w', 'cycle window presets (soft tissue, muscle, bone, fat)'],
  ['0', 'reset zoom, pan and window'],
  ['o', 'lean / fat overlay on or off'],
  ['Delete', 'delete the selected outline'],
  ['Ctrl+Z / Ctrl+Shift+Z (Ctrl+Y)', 'undo / redo'],
  ['?', 'this help; Esc closes it'],
];

export function HelpOverlay() {
  const open = useApp((s) => s.helpOpen);
  const store = getAppStore(getApi);
  if (!open) return null;
  return (
    <div className="modal-backdrop" onClick={() => store.getState().setHelpOpen(false)}>
      <div className="modal" role="dialog" aria-label="Keyboard shortcuts" data-testid="help" onClick={(e) => e.stopPropagation()}>
        <h2>Keyboard shortcuts</h2>
        <table className="shortcuts">
          <tbody>
            {SHORTCUTS.map(([k, v]) => (
              <tr key={k}>
                <td>
                  <kbd>{k}</kbd>
                </td>
                <td>{v}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <p className="dim">
          Workflow: open a folder, pick the series, scroll to the level (the sagittal and coronal views show the spine; click them to jump), press 1–4 to mark it, then outline the eight muscles; the
          checklist moves on after each outline. Numbers are computed by the measurement engine from the HU pixels inside each outline (pixel-centre rule).
          Everything is saved automatically to the workspace.
        </p>
        <button onClick={() => store.getState().setHelpOpen(false)}>Close</button>
      </div>
    </div>
  );
}
