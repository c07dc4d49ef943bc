import { Fragment, useEffect, useRef } from 'react';
import { cycleFocus } from './dialogFocus';
import { helpRows, type HelpRow } from '../../shared/shortcuts';
import { getAppStore, useApp } from '../state/store';
import { getApi } from '../api/client';
import { MetricsList } from './MetricsLegend';

/** The shortcuts table as the help shows it: one row per table row, a heading per group. */
export function ShortcutsTable({ rows: given }: { rows: readonly HelpRow[] }) {
  // The table's rows in group order (groups as they first appear): a group that comes back later in the
  // table (Outlines, Tools) is listed once, with all its rows, not under a second heading.
  const groups = [...new Set(given.map((r) => r.group))];
  const rows = groups.flatMap((g) => given.filter((r) => r.group === g));
  return (
    <table className="shortcuts">
      <tbody>
        {rows.map((r, n) => (
          <Fragment key={r.id}>
            {r.group !== rows[n - 1]?.group && (
              <tr className="shortcut-group">
                <th colSpan={2}>{r.group}</th>
              </tr>
            )}
            <tr data-testid={`shortcut-${r.id}`}>
              <td>
                <kbd>{r.keys}</kbd>
              </td>
              <td>{r.description}</td>
            </tr>
          </Fragment>
        ))}
      </tbody>
    </table>
  );
}

export function HelpOverlay() {
  const open = useApp((s) => s.helpOpen);
  const store = getAppStore(getApi);
  const ref = useRef<HTMLDivElement>(null);
  // A modal: focus moves into it when it opens (its Close button: Enter or Space closes it), Tab stays in
  // it, and focus goes back where it was (the ? button) when it closes.
  useEffect(() => {
    if (!open) return;
    const before = document.activeElement as HTMLElement | null;
    ref.current?.querySelector<HTMLButtonElement>('button')?.focus({ preventScroll: true }); // the help opens at its top, not scrolled to Close
    return () => before?.focus?.();
  }, [open]);
  if (!open) return null;
  return (
    <div className="modal-backdrop" onClick={() => store.getState().setHelpOpen(false)}>
      <div className="modal" role="dialog" aria-modal="true" aria-label="Keyboard shortcuts" data-testid="help" ref={ref} onClick={(e) => e.stopPropagation()} onKeyDown={(e) => cycleFocus(e, ref.current)}>
        <h2>Keyboard shortcuts</h2>
        <ShortcutsTable rows={helpRows()} />
        <p className="dim">
          Workflow: open a folder, pick the series, scroll to the level (the sagittal and coronal views show the spine; click them to jump), press 1–4 to mark it, then outline the eight muscles; the
          checklist moves on after each outline. Numbers are computed by the measurement engine from the HU pixels inside each outline (pixel-centre rule).
          Everything is saved automatically to the workspace.
        </p>
        <h2>Metrics</h2>
        <MetricsList />
        <button onClick={() => store.getState().setHelpOpen(false)}>Close</button>
      </div>
    </div>
  );
}
