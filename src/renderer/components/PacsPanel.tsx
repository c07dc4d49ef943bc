/**
 * The PACS panel (beside "Open folder"): saved DICOMweb servers (name and base URL, with optional basic
 * or bearer credentials handed to the services, which keep them apart from the settings: the panel only
 * learns whether a server has some), a study search, the studies found and the series of the one
 * opened, each opened as a folder's series is. The renderer never talks to a server: every call goes
 * through the API channels (pacs:*, series:*). A failure is one line with a Retry button.
 */
import { useState } from 'react';
import { getApi } from '../api/client';
import { getAppStore, useApp } from '../state/store';
import { EMPTY_PACS_QUERY, type PacsQuery } from '../state/slices/pacs';
import type { PacsCredentials } from '../../shared/contract';

type AuthKind = 'none' | 'basic' | 'bearer';

/** The retrieval of a PACS series being opened: instances received of those listed, and Cancel (shown with or without the panel). */
export function PacsDownload() {
  const store = getAppStore(getApi);
  const progress = useApp((s) => s.pacsDownload);
  const opening = useApp((s) => s.loadingSeries && s.series?.kind === 'dicomweb' && s.meta === null);
  if (!opening && !progress) return null;
  return (
    <div className="banner" role="status" data-testid="pacs-download">
      <span data-testid="pacs-download-text">{progress?.total ? `Retrieving from PACS: ${progress.received} / ${progress.total} instances` : 'Retrieving from PACS…'}</span>{' '}
      <progress max={progress?.total || 1} value={progress?.received ?? 0} aria-label="Instances received" />{' '}
      <button type="button" className="small" onClick={() => void store.getState().cancelPacsDownload()} data-testid="pacs-cancel">
        Cancel
      </button>
    </div>
  );
}

const FIELDS: readonly { key: keyof PacsQuery; label: string; type?: string }[] = [
  { key: 'patientName', label: 'Patient name' },
  { key: 'patientId', label: 'Patient ID' },
  { key: 'dateFrom', label: 'Date from', type: 'date' },
  { key: 'dateTo', label: 'Date to', type: 'date' },
  { key: 'accessionNumber', label: 'Accession' },
  { key: 'studyDescription', label: 'Description' },
  { key: 'modality', label: 'Modality' },
];

export function PacsPanel() {
  const store = getAppStore(getApi);
  const servers = useApp((s) => s.pacsServers);
  const serverUrl = useApp((s) => s.pacsServerUrl);
  const studies = useApp((s) => s.pacsStudies);
  const root = useApp((s) => s.pacsRoot);
  const scan = useApp((s) => s.scan);
  const busy = useApp((s) => s.pacsBusy);
  const error = useApp((s) => s.pacsError);
  const sent = useApp((s) => s.pacsSent);
  const selected = useApp((s) => s.selectedSeriesUid);
  const [name, setName] = useState('');
  const [url, setUrl] = useState('');
  const [auth, setAuth] = useState<AuthKind>('none');
  const [user, setUser] = useState('');
  const [password, setPassword] = useState('');
  const [token, setToken] = useState('');
  const current = servers.find((s) => s.url === serverUrl);
  /** The credentials typed (cleared from the form once handed over: the renderer keeps no secret). */
  const credentials = (): PacsCredentials | undefined => {
    if (auth === 'basic' && user.trim()) return { kind: 'basic', user: user.trim(), password };
    if (auth === 'bearer' && token.trim()) return { kind: 'bearer', token: token.trim() };
    return undefined;
  };
  const [query, setQuery] = useState<PacsQuery>(EMPTY_PACS_QUERY);
  const st = () => store.getState();
  return (
    <section className="pacs-panel" data-testid="pacs-panel" aria-label="PACS">
      <div className="row">
        <strong>PACS</strong>
        <select value={serverUrl ?? ''} onChange={(e) => st().selectPacsServer(e.target.value)} aria-label="Server" data-testid="pacs-server">
          {servers.length === 0 && <option value="">no server saved</option>}
          {servers.map((s) => (
            <option key={s.url} value={s.url}>
              {s.name} ({s.url})
            </option>
          ))}
        </select>
        {current && (
          <span className="small-text dim" data-testid="pacs-has-credentials">
            {current.hasCredentials ? 'credentials saved' : 'no credentials'}
          </span>
        )}
        {current?.hasCredentials && (
          <button type="button" className="small ghost" onClick={() => void st().savePacsServer({ name: current.name, url: current.url }, null)} title="Forget this server's credentials">
            Forget credentials
          </button>
        )}
        {serverUrl && (
          <button type="button" className="small ghost" onClick={() => void st().removePacsServer(serverUrl)} title="Remove this server from the settings">
            Remove
          </button>
        )}
        <button type="button" className="small ghost" onClick={() => st().setPacsOpen(false)} aria-label="Close the PACS panel">
          ×
        </button>
      </div>
      <form
        className="row"
        onSubmit={(e) => {
          e.preventDefault();
          if (!url.trim()) return;
          void st().savePacsServer({ name: name.trim() || url.trim(), url: url.trim() }, credentials());
          setPassword('');
          setToken('');
        }}
      >
        <input value={name} onChange={(e) => setName(e.target.value)} placeholder="Name" aria-label="Server name" data-testid="pacs-new-name" />
        <input value={url} onChange={(e) => setUrl(e.target.value)} placeholder="http://host/dicom-web" aria-label="DICOMweb base URL" data-testid="pacs-new-url" />
        <button type="submit" className="small" disabled={!url.trim()} title={url.trim() ? 'Keep this server in the settings (credentials in the OS keychain where offered)' : 'Type the server\'s DICOMweb base URL first'} data-testid="pacs-add">
          Save server
        </button>
        <select value={auth} onChange={(e) => setAuth(e.target.value as AuthKind)} aria-label="Authentication" data-testid="pacs-new-auth">
          <option value="none">no authentication</option>
          <option value="basic">basic (user, password)</option>
          <option value="bearer">bearer token</option>
        </select>
        {auth === 'basic' && (
          <>
            <input value={user} onChange={(e) => setUser(e.target.value)} placeholder="User" aria-label="User" autoComplete="off" data-testid="pacs-new-user" />
            <input type="password" value={password} onChange={(e) => setPassword(e.target.value)} placeholder="Password" aria-label="Password" autoComplete="new-password" data-testid="pacs-new-password" />
          </>
        )}
        {auth === 'bearer' && <input type="password" value={token} onChange={(e) => setToken(e.target.value)} placeholder="Token" aria-label="Token" autoComplete="off" data-testid="pacs-new-token" />}
      </form>
      <form
        className="pacs-search"
        onSubmit={(e) => {
          e.preventDefault();
          void st().searchPacs(query);
        }}
      >
        {FIELDS.map((f) => (
          <label key={f.key} className="small-text">
            {f.label}
            <input type={f.type ?? 'text'} value={query[f.key]} onChange={(e) => setQuery({ ...query, [f.key]: e.target.value })} data-testid={`pacs-q-${f.key}`} />
          </label>
        ))}
        {/* Disabled says why (a first user has no server yet and clicked Search to no effect). */}
        <button type="submit" disabled={busy || !serverUrl} title={serverUrl ? 'Search the server (QIDO-RS); empty fields match everything' : 'Save a server first: its name and DICOMweb URL in the row above'} data-testid="pacs-search">
          {busy ? 'Working…' : 'Search'}
        </button>
      </form>
      {error && (
        <div className="banner error" role="alert" data-testid="pacs-error">
          <span data-testid="pacs-error-text">{error}</span>{' '}
          <button type="button" className="small" onClick={() => void st().retryPacs()} data-testid="pacs-retry">
            Retry
          </button>
        </div>
      )}
      {sent && (
        <div className="small-text" data-testid="pacs-sent">
          {sent}
        </div>
      )}
      {studies && (
        <table className="pacs-studies small-text" data-testid="pacs-studies">
          <thead>
            <tr>
              <th>Patient</th>
              <th>ID</th>
              <th>Date</th>
              <th>Accession</th>
              <th>Description</th>
              <th>Modalities</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {studies.length === 0 && (
              <tr>
                <td colSpan={7}>No study found</td>
              </tr>
            )}
            {studies.map((s) => (
              <tr key={s.studyInstanceUid} className={root?.studyUid === s.studyInstanceUid ? 'selected' : ''} data-testid="pacs-study">
                <td>{s.patientName}</td>
                <td>{s.patientId}</td>
                <td>{s.studyDate}</td>
                <td>{s.accessionNumber}</td>
                <td>{s.studyDescription}</td>
                <td>{s.modalities}</td>
                <td>
                  <button type="button" className="small" disabled={busy} onClick={() => void st().openPacsStudy(s.studyInstanceUid)} data-testid="pacs-open-study">
                    Series
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {root && scan && (
        <ul className="pacs-series small-text" data-testid="pacs-series">
          {scan.series.map((s) => (
            <li key={s.seriesInstanceUid}>
              <button type="button" className={`small ${selected === s.seriesInstanceUid ? '' : 'ghost'}`} onClick={() => void st().selectSeries(s.seriesInstanceUid)} data-testid="pacs-open-series">
                {s.seriesDescription || s.seriesInstanceUid} · {s.slices} slices
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
