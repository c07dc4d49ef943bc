/**
 * The workspace (folder where annotations are saved) in the header: shown with a "Change…" button once
 * set. In the browser the new folder is typed (like the DICOM folder field), in Electron it is picked
 * with the system dialog; the services check it either way (workspace:set).
 */
import { useState } from 'react';
import { getApi, isWebMode } from '../api/client';
import { getAppStore, useApp } from '../state/store';

export function WorkspaceControl() {
  const store = getAppStore(getApi);
  const info = useApp((s) => s.appInfo);
  const [editing, setEditing] = useState(false);
  const [ws, setWs] = useState('');
  const web = isWebMode();
  if (!info) return null;
  const submit = async () => {
    const typed = ws.trim();
    if (!typed) return;
    await store.getState().setWorkspace(typed);
    if (store.getState().error === null) setEditing(false); // a refused folder stays in the field, the reason shown

  };
  const change = async () => {
    if (web) {
      setWs(info.workspace ?? '');
      setEditing(true);
      return;
    }
    const picked = await getApi()['folder:pick']();
    if (picked) await store.getState().setWorkspace(picked);
  };
  return (
    <div className="workspace" title="Folder where annotations are saved">
      {info.workspace && !editing ? (
        <span className="dim">
          Workspace: <code data-testid="workspace">{info.workspace}</code>{' '}
          <button type="button" className="small ghost" onClick={() => void change()} data-testid="workspace-change">
            Change…
          </button>
        </span>
      ) : (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void submit();
          }}
        >
          <input value={ws} onChange={(e) => setWs(e.target.value)} placeholder="Workspace folder for annotations (type a path)" aria-label="Workspace folder" data-testid="workspace-input" autoFocus={editing} />
          <button type="submit">Set</button>
          {editing && (
            <button type="button" className="small ghost" onClick={() => setEditing(false)}>
              Cancel
            </button>
          )}
        </form>
      )}
    </div>
  );
}
