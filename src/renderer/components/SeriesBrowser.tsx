import { getAppStore, useApp } from '../state/store';
import { getApi } from '../api/client';

export function SeriesBrowser() {
  const scan = useApp((s) => s.scan);
  const selected = useApp((s) => s.selectedSeriesUid);
  const loading = useApp((s) => s.loadingSeries);
  const store = getAppStore(getApi);
  if (!scan) return null;
  return (
    <div className="series-browser" data-testid="series-browser">
      <div className="panel-title">Series ({scan.series.length})</div>
      <table className="series-table">
        <thead>
          <tr>
            <th>Patient</th>
            <th>Study date</th>
            <th>Description</th>
            <th>Slices</th>
            <th title="column × row × slice spacing, mm">mm</th>
            <th>Notes</th>
          </tr>
        </thead>
        <tbody>
          {scan.series.map((s) => (
            <tr
              key={s.seriesInstanceUid}
              className={s.seriesInstanceUid === selected ? 'selected' : ''}
              onClick={() => void store.getState().selectSeries(s.seriesInstanceUid)}
              data-testid="series-row"
              title={s.seriesInstanceUid}
            >
              <td>
                {s.patientName || '—'} <span className="dim">{s.patientId}</span>
              </td>
              <td>{formatDate(s.studyDate)}</td>
              <td>{s.seriesDescription || <span className="dim">(no description)</span>}</td>
              <td>{s.slices}</td>
              <td>
                {s.pixelSpacing[1].toFixed(1)}×{s.pixelSpacing[0].toFixed(1)}×{s.sliceSpacingMm?.toFixed(1) ?? '—'}
              </td>
              <td className="warn">{s.warnings.join('; ')}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {loading && <div className="dim pad">Loading series…</div>}
      {scan.problems.length > 0 && (
        <details className="problems" data-testid="scan-problems">
          <summary>{scan.problems.length} file(s) not used</summary>
          <ul>
            {scan.problems.slice(0, 200).map((p) => (
              <li key={p.path}>
                <code>{p.path}</code>: {p.reason}
              </li>
            ))}
          </ul>
        </details>
      )}
    </div>
  );
}

export function formatDate(d: string): string {
  return /^\d{8}$/.test(d) ? `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}` : d || '—';
}
