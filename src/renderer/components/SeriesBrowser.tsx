import { Fragment } from 'react';
import type { FileProblem } from '../../core/dicom/types';
import { getAppStore, useApp } from '../state/store';
import { getApi } from '../api/client';

export function SeriesBrowser() {
  const scan = useApp((s) => s.scan);
  const selected = useApp((s) => s.selectedSeriesUid);
  // Until the first slice is on screen (the viewer says how many slices are in after that).
  const loading = useApp((s) => s.loadingSeries && !s.shown);
  const folder = useApp((s) => s.folder);
  const store = getAppStore(getApi);
  if (!scan) return null;
  return (
    <div className="series-browser" data-testid="series-browser">
      <div className="panel-title">Series ({scan.series.length})</div>
      <table className="series-table">
        <thead>
          <tr>
            <th>Patient</th>
            <th className="col-date">Study date</th>
            <th>Description</th>
            <th className="col-slices">Slices</th>
            <th className="col-mm" title="column × row × slice spacing, mm">mm</th>
          </tr>
        </thead>
        <tbody>
          {scan.series.map((s) => (
            <Fragment key={s.seriesInstanceUid}>
            <tr
              className={s.seriesInstanceUid === selected ? 'selected' : ''}
              onClick={() => void store.getState().selectSeries(s.seriesInstanceUid)}
              data-testid="series-row"
              title={s.seriesInstanceUid}
            >
              {/* A long name or description is cut with an ellipsis (styles.css); the full text on hover. */}
              <td className="ellipsis" title={`${s.patientName || '—'} ${s.patientId}`.trim()} data-testid="series-patient">
                {s.patientName || '—'} <span className="dim">{s.patientId}</span>
              </td>
              <td>{formatDate(s.studyDate)}</td>
              <td className="ellipsis" title={s.seriesDescription || '(no description)'}>
                {s.seriesDescription || <span className="dim">(no description)</span>}
              </td>
              <td>{s.slices}</td>
              <td>
                {s.pixelSpacing[1].toFixed(1)}×{s.pixelSpacing[0].toFixed(1)}×{s.sliceSpacingMm?.toFixed(1) ?? '—'}
              </td>
            </tr>
            {/* Notes on a line of their own under the series (a derived UID is long): the table keeps the panel's width. */}
            {s.warnings.length > 0 && (
              <tr className={`series-notes ${s.seriesInstanceUid === selected ? 'selected' : ''}`} onClick={() => void store.getState().selectSeries(s.seriesInstanceUid)} data-testid="series-notes">
                <td colSpan={5} className="warn">
                  {s.warnings.join('; ')}
                </td>
              </tr>
            )}
            </Fragment>
          ))}
        </tbody>
      </table>
      {loading && <div className="dim pad">Loading series…</div>}
      {scan.problems.length > 0 && <ScanProblems problems={scan.problems} folder={scan.root ?? folder} open={scan.series.length === 0} />}
    </div>
  );
}

const SHOWN_PROBLEMS = 500;

/**
 * The files the scan could not use, each with its one-line reason (path relative to the opened folder).
 * Collapsed under a warning line; open from the start when nothing in the folder was usable.
 */
function ScanProblems({ problems, folder, open }: { problems: readonly FileProblem[]; folder: string | null; open: boolean }) {
  return (
    <details className="problems" data-testid="scan-problems" open={open}>
      <summary data-testid="scan-problems-summary">
        ⚠ {problems.length} file{problems.length === 1 ? '' : 's'} not used
      </summary>
      <ul>
        {problems.slice(0, SHOWN_PROBLEMS).map((p) => (
          <li key={p.path} data-testid="scan-problem" data-path={p.path} title={p.path}>
            <code>{relativePath(p.path, folder)}</code>
            <span className="reason" data-testid="scan-problem-reason">
              {p.reason}
            </span>
          </li>
        ))}
        {problems.length > SHOWN_PROBLEMS && <li className="dim">… and {problems.length - SHOWN_PROBLEMS} more (the command line `paraspine scan` lists all)</li>}
      </ul>
    </details>
  );
}

/** `path` shown relative to the opened folder when it lies inside it. */
export function relativePath(path: string, folder: string | null): string {
  if (!folder) return path;
  const base = folder.replace(/[\\/]+$/, '');
  if (path.length > base.length + 1 && path.startsWith(base) && /[\\/]/.test(path[base.length]!)) return path.slice(base.length + 1);
  return path;
}

export function formatDate(d: string): string {
  return /^\d{8}$/.test(d) ? `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}` : d || '—';
}
