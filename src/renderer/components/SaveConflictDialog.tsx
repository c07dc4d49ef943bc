/**
 * A save refused as stale (state.saveConflict): another window or tab saved this series' document
 * after this copy was opened. Autosave has stopped; the user picks what becomes of this tab's copy.
 * Nothing is lost either way: "Reload" keeps the newer document on disk, "Keep both" first writes this
 * tab's copy as a separate file in the workspace. Keyboard: focus on the first answer, Tab cycles.
 */
import { useEffect, useRef, useState } from 'react';
import { getAppStore, useApp } from '../state/store';
import { getApi } from '../api/client';
import { cycleFocus } from './dialogFocus';

export function SaveConflictDialog() {
  const conflict = useApp((s) => s.saveConflict);
  const store = getAppStore(getApi);
  const ref = useRef<HTMLDivElement>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (conflict) ref.current?.querySelector<HTMLButtonElement>('button')?.focus();
  }, [conflict]);
  if (!conflict) return null;
  const answer = (choice: 'reload' | 'keepBoth') => {
    setBusy(true);
    void store
      .getState()
      .resolveSaveConflict(choice)
      .finally(() => setBusy(false));
  };
  const onKeyDown = (e: React.KeyboardEvent) => {
    cycleFocus(e, ref.current);
    e.stopPropagation();
  };
  return (
    <div className="dialog-backdrop">
      <div ref={ref} className="dialog" role="alertdialog" aria-modal="true" aria-labelledby="conflict-title" aria-describedby="conflict-text" data-testid="save-conflict" onKeyDown={onKeyDown}>
        <h2 id="conflict-title">Not saved: a newer version of this series' annotations is on disk</h2>
        <p id="conflict-text" data-testid="save-conflict-reason">
          {conflict.reason}
        </p>
        <p className="dim">Autosave is paused for this tab until you choose. Nothing on disk has been changed.</p>
        <div className="dialog-buttons">
          <button className="small" disabled={busy} onClick={() => answer('reload')} data-testid="conflict-reload">
            Reload (lose this tab's changes)
          </button>
          <button className="small" disabled={busy} onClick={() => answer('keepBoth')} data-testid="conflict-keep-both">
            Keep both (save this tab's copy as a separate file)
          </button>
        </div>
      </div>
    </div>
  );
}
