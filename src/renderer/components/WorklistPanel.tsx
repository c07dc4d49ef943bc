/**
 * The worklist panel (beside "Open folder", as the PACS panel): a cohort (a root folder, one line per
 * series found, or a manifest CSV) listed with each line's state, rater, last change and lock; filters by
 * state and rater; "Next" (key `.`) opens the first line not done and not locked by someone else. A line
 * opens as a folder's series does, under its editing lock; one locked by someone else asks (read-only,
 * or take over when stale). With "Second read (blinded)" chosen every line is the rater's own read (its
 * state, rater, last change and lock) and says only where the first read stands. In the desktop app a
 * manifest can be chosen in the open dialog (its series folders are then opened with it). Everything
 * goes through the worklist:* channels.
 */
import { useState } from 'react';
import { getApi } from '../api/client';
import { getAppStore, useApp } from '../state/store';
import { WORKLIST_STATES, type WorklistLine, type WorklistState } from '../../shared/contract';
import { keyHint } from '../../shared/shortcuts';
import { lockHolderText } from '../state/slices/worklist';

/** An ISO time as a short local-independent line: `2025-01-02 03:04 UTC`. */
function when(iso: string): string {
  const m = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d)/.exec(iso);
  return m ? `${m[1]} ${m[2]} UTC` : iso;
}

function lockText(l: WorklistLine): string {
  if (!l.lock) return '';
  if (l.lock.mine) return 'open here';
  return `${l.lock.stale ? 'stale lock: ' : 'locked: '}${lockHolderText(l.lock)}`;
}

export function WorklistPanel() {
  const store = getAppStore(getApi);
  const result = useApp((s) => s.worklist);
  const cohort = useApp((s) => s.worklistCohort);
  const filter = useApp((s) => s.worklistFilter);
  const busy = useApp((s) => s.worklistBusy);
  const error = useApp((s) => s.worklistError);
  const selected = useApp((s) => s.selectedSeriesUid);
  const desktop = useApp((s) => s.appInfo?.mode === 'electron');
  const secondRead = useApp((s) => s.readMode === 'second');
  const [kind, setKind] = useState<'folder' | 'manifest'>(cohort?.kind ?? 'folder');
  const [path, setPath] = useState(cohort?.path ?? '');
  const st = () => store.getState();
  const nextKey = keyHint({ type: 'worklistNext' });
  return (
    <section
      className="pacs-panel worklist-panel"
      data-testid="worklist-panel"
      aria-label="Worklist"
      onKeyDown={(e) => {
        // Escape anywhere in the panel (its path field included) closes it; focus goes back to its toggle.
        if (e.key !== 'Escape') return;
        e.preventDefault();
        e.stopPropagation();
        st().setWorklistOpen(false);
        document.querySelector<HTMLElement>('[data-testid="worklist-toggle"]')?.focus();
      }}
    >
      <form
        className="row"
        onSubmit={(e) => {
          e.preventDefault();
          if (path.trim()) void st().openCohort({ kind, path: path.trim() });
        }}
      >
        <strong>Worklist</strong>
        <select value={kind} onChange={(e) => setKind(e.target.value as 'folder' | 'manifest')} aria-label="Cohort kind" data-testid="worklist-kind">
          <option value="folder">root folder (one line per series)</option>
          <option value="manifest">manifest CSV</option>
        </select>
        <input className="path" value={path} onChange={(e) => setPath(e.target.value)} placeholder={kind === 'folder' ? 'Cohort folder (type a path)' : 'Manifest CSV (type a path)'} aria-label="Cohort path" data-testid="worklist-path" />
        {desktop && kind === 'manifest' && (
          <button
            type="button"
            className="small ghost"
            disabled={busy}
            title="Choose the manifest in the open dialog: its series folders are opened with it"
            onClick={() =>
              void getApi()
                ['worklist:pickManifest']()
                .then((file) => {
                  if (!file) return;
                  setPath(file);
                  return st().openCohort({ kind: 'manifest', path: file });
                })
                .catch((e: unknown) => st().showToast(e instanceof Error ? e.message : String(e), 'error'))
            }
            data-testid="worklist-pick-manifest"
          >
            Choose…
          </button>
        )}
        <button type="submit" className="small" disabled={busy || !path.trim()} title={path.trim() ? `Read the ${kind === 'folder' ? 'folder' : 'manifest'} and list its series` : `Type the cohort's ${kind === 'folder' ? 'root folder' : 'manifest CSV'} path first`} data-testid="worklist-open">
          {busy ? 'Reading…' : 'Open cohort'}
        </button>
        <button type="button" className="small ghost" onClick={() => st().setWorklistOpen(false)} aria-label="Close the worklist" title="Close the worklist (Esc)">
          ×
        </button>
      </form>
      {error && (
        <div className="banner error small-text" data-testid="worklist-error">
          {error}
        </div>
      )}
      {result && (
        <>
          <div className="row">
            <label className="small-text">
              State{' '}
              <select value={filter.state ?? ''} onChange={(e) => void st().setWorklistFilter({ ...filter, state: (e.target.value || undefined) as WorklistState | undefined })} aria-label="Filter by state" data-testid="worklist-filter-state">
                <option value="">all</option>
                {WORKLIST_STATES.map((s) => (
                  <option key={s} value={s}>
                    {s}
                  </option>
                ))}
              </select>
            </label>
            <label className="small-text">
              Rater{' '}
              <select value={filter.rater ?? ''} onChange={(e) => void st().setWorklistFilter({ ...filter, rater: e.target.value || undefined })} aria-label="Filter by rater" data-testid="worklist-filter-rater">
                <option value="">all</option>
                {result.raters.map((r) => (
                  <option key={r} value={r}>
                    {r}
                  </option>
                ))}
              </select>
            </label>
            <span className="small-text dim" data-testid="worklist-count">
              {result.lines.length} of {result.total} line(s)
            </span>
            <button type="button" className="small" disabled={busy || !result.next} onClick={() => void st().nextWorklistLine()} title={`Open the next line not done and not locked by someone else${nextKey ? ` (${nextKey})` : ''}`} data-testid="worklist-next">
              Next{nextKey ? ` (${nextKey})` : ''}
            </button>
            <button type="button" className="small ghost" disabled={busy} onClick={() => void st().refreshWorklist()} data-testid="worklist-refresh">
              Refresh
            </button>
          </div>
          <div className="worklist-table-wrap">
            <table className="worklist-table small-text" data-testid="worklist-table">
              <thead>
                <tr>
                  <th>Id</th>
                  <th>Series</th>
                  <th>State</th>
                  <th>Rater</th>
                  <th>Last change</th>
                  <th>Lock</th>
                  {secondRead && <th>First read</th>}
                </tr>
              </thead>
              <tbody>
                {result.lines.map((l) => (
                  <tr key={l.id} className={l.seriesUid !== null && l.seriesUid === selected ? 'selected' : ''} data-testid="worklist-line" data-id={l.id} data-state={l.state} data-locked={l.lock ? (l.lock.mine ? 'mine' : l.lock.stale ? 'stale' : 'other') : ''}>
                    <td>
                      <button type="button" className="small ghost" disabled={!l.seriesUid || busy} onClick={() => void st().openWorklistLine(l.id)} title={l.problem ?? 'Open this series'} data-testid="worklist-line-open">
                        {l.id}
                      </button>
                    </td>
                    <td className="dim">{l.problem ?? l.description}</td>
                    <td className={`state ${l.state.replace(' ', '-')}`} title={l.flag ?? ''} data-testid="worklist-line-state">
                      {l.state}
                      {l.flag ? ` (${l.flag})` : ''}
                    </td>
                    <td>{l.rater}</td>
                    <td>{l.lastChange ? `${when(l.lastChange.at)} · ${l.lastChange.rater || '—'} · ${l.lastChange.action}` : ''}</td>
                    <td data-testid="worklist-line-lock">{lockText(l)}</td>
                    {secondRead && <td data-testid="worklist-line-first-read">{l.firstRead ? `first read: ${l.firstRead}` : ''}</td>}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}

/** Over the viewer while the open series is read-only (locked by someone else): who holds it; nothing is saved. */
export function ReadOnlyBanner() {
  const ro = useApp((s) => s.worklistReadOnly);
  const selected = useApp((s) => s.selectedSeriesUid);
  if (!ro || ro.seriesUid !== selected) return null;
  return (
    <div className="banner warn" data-testid="read-only-banner">
      Read-only: this series is locked by {ro.holder}. You can look, but nothing you change is saved.
    </div>
  );
}
