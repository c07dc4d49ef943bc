import { useEffect, useState } from 'react';
import { getApi, isWebMode } from './api/client';
import { HelpOverlay } from './components/HelpOverlay';
import { LevelBar, RoiPanel } from './components/LevelsAndRois';
import { MetricsPanel } from './components/MetricsPanel';
import { ReformatView } from './components/ReformatView';
import { QuestionDialog } from './components/QuestionDialog';
import { AcceptFlagsDialog } from './components/AcceptFlagsDialog';
import { SaveConflictDialog } from './components/SaveConflictDialog';
import { SeriesBrowser } from './components/SeriesBrowser';
import { PacsDownload, PacsPanel } from './components/PacsPanel';
import { ReadOnlyBanner, WorklistPanel } from './components/WorklistPanel';
import { ToolOptionsBar } from './components/ToolOptionsBar';
import { WorkspaceControl } from './components/WorkspaceControl';
import { SignOffBar, SignOffReadMode } from './components/SignOffBar';
import { AgreementPanel } from './components/AgreementPanel';
import { handleKey } from './keyboard';
import { WINDOW_PRESETS } from '../shared/windowPresets';
import { getAppStore, useApp } from './state/store';
import { keyHint, withKeyHint } from '../shared/shortcuts';
import { TOOLS } from '../shared/tools';
import { EXPORT_FORMATS, exportFormat } from '../core/export/formats';
import { AxialViewer } from './viewer/AxialViewer';
import { proposalsLeft } from './state/slices/importExport';

export interface AppProps {
  flushSave(): Promise<void>;
}

export function App({ flushSave }: AppProps) {
  const store = getAppStore(getApi);
  const volume = useApp((s) => s.volume);
  const shown = useApp((s) => s.shown);
  const error = useApp((s) => s.error);
  const helpOpen = useApp((s) => s.helpOpen);
  const pacsOpen = useApp((s) => s.pacsOpen);
  const worklistOpen = useApp((s) => s.worklistOpen);
  void helpOpen;

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (handleKey(store, e)) {
        e.preventDefault();
        e.stopPropagation();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [store]);

  return (
    <div className="app">
      <Header />
      {pacsOpen && <PacsPanel />}
      {worklistOpen && <WorklistPanel />}
      <ReadOnlyBanner />
      <PacsDownload />
      {error && (
        <div className="banner error" data-testid="error">
          {error}
          <button className="small ghost" onClick={() => store.setState({ error: null })}>
            ×
          </button>
        </div>
      )}
      <LoadProblem />
      <div className="main">
        <aside className="left">
          <SeriesBrowser />
          {volume && <LevelBar />}
          {volume && <RoiPanel />}
          <LoadingSlices waiting="Levels and outlines" />
        </aside>
        <section className="center">
          {volume && <SignOffBar />}
          {volume && <ViewerToolbar />}
          {volume && <ToolOptionsBar />}
          <div className="viewer-area">
            <AxialViewer onStrokeEnd={() => void flushSave()} />
            {!shown && <EmptyState />}
          </div>
          {volume && <SliceSlider />}
          <LoadingBar />
        </section>
        <aside className="right">
          {volume && (
            <div className="reformats">
              <ReformatView plane="sagittal" />
              <ReformatView plane="coronal" />
            </div>
          )}
          {volume && <AgreementPanel />}
          {volume && <MetricsPanel />}
          {volume && <ImportExport />}
          <LoadingSlices waiting="The sagittal and coronal views, the measurements, mask import and export" />
        </aside>
      </div>
      <HelpOverlay />
      <QuestionDialog />
      <AcceptFlagsDialog />
      <SaveConflictDialog />
      <Toast />
    </div>
  );
}

function EmptyState() {
  const scanning = useApp((s) => s.scanning);
  const loading = useApp((s) => s.loadingSeries);
  const failed = useApp((s) => !!s.error && !!s.selectedSeriesUid);
  return (
    <div className="empty-state" data-testid="empty-state">
      {scanning
        ? 'Scanning folder…'
        : loading
          ? 'Loading series…'
          : failed
            ? 'The series could not be opened (the message above says why). Pick it again or open another folder.'
            : 'Open a folder with a lumbar CT series, then pick the series. Press ? for shortcuts.'}
    </div>
  );
}

/**
 * While a series' slices load (the axial view shows those already in): what needs every slice waits,
 * and says so, in the place it will take.
 */
function LoadingSlices({ waiting }: { waiting: string }) {
  const load = useApp((s) => s.sliceLoad);
  if (!load) return null;
  return (
    <div className="slice-load-panel" data-testid="slice-load-panel">
      <div className="panel-title">
        Loading slices {load.loaded} / {load.total}
      </div>
      <div className="dim small-text">{waiting}: when every slice is in.</div>
    </div>
  );
}

/** In place of the slice slider while the slices load (the wheel and the arrow keys scroll meanwhile). */
function LoadingBar() {
  const load = useApp((s) => s.sliceLoad);
  if (!load) return null;
  return (
    <div className="slider-row slice-load" data-testid="slice-load" data-loaded={load.loaded} data-total={load.total}>
      <span>
        Loading slices {load.loaded} / {load.total}
      </span>
      <progress max={load.total} value={load.loaded} aria-label="Slices loaded" />
      <span className="dim">scroll with the wheel or the arrow keys meanwhile</span>
    </div>
  );
}

function Header() {
  const store = getAppStore(getApi);
  const info = useApp((s) => s.appInfo);
  const folder = useApp((s) => s.folder);
  const scanning = useApp((s) => s.scanning);
  const save = useApp((s) => s.save);
  const doc = useApp((s) => s.doc);
  const [path, setPath] = useState(folder ?? '');
  const web = isWebMode();
  useEffect(() => {
    if (folder) setPath(folder);
  }, [folder]);
  return (
    <header className="header">
      <div className="brand">
        Paraspine <span className="dim">{info?.version}</span>
      </div>
      <form
        className="open-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (path.trim()) void store.getState().openFolder(path.trim());
        }}
      >
        <input className="path" value={path} onChange={(e) => setPath(e.target.value)} placeholder="Folder with DICOM files (type a path)" aria-label="DICOM folder" data-testid="folder-input" list="recent-folders" />
        <datalist id="recent-folders">
          {info?.recentFolders.map((f) => <option key={f} value={f} />)}
        </datalist>
        <button type="submit" disabled={scanning} data-testid="open-folder">
          {scanning ? 'Scanning…' : 'Open'}
        </button>
        {!web && (
          <button type="button" onClick={() => void store.getState().pickFolder()}>
            Browse…
          </button>
        )}
        <button type="button" onClick={() => store.getState().setPacsOpen(!store.getState().pacsOpen)} data-testid="pacs-toggle" title="Search and open studies on a DICOMweb server">
          PACS…
        </button>
        <button type="button" onClick={() => store.getState().setWorklistOpen(!store.getState().worklistOpen)} data-testid="worklist-toggle" title="A cohort's series with their state, rater and lock">
          Worklist…
        </button>
      </form>
      <WorkspaceControl />
      <RaterField />
      <SignOffReadMode />
      <div className={`save-status ${save.state}`} data-testid="save-status" data-state={save.state} title={save.path ?? ''}>
        {doc ? (save.state === 'saved' ? '✓ Saved' : save.state === 'saving' ? 'Saving…' : save.state === 'pending' ? 'Unsaved changes…' : save.state === 'error' ? `Save failed: ${save.error}` : save.state === 'conflict' ? 'Not saved: a newer copy is on disk' : 'No changes') : ''}
      </div>
      <button className="small ghost" onClick={() => store.getState().setHelpOpen(true)} title={withKeyHint('Keyboard shortcuts', { type: 'toggleHelp' })} data-testid="help-button">
        ?
      </button>
    </header>
  );
}

/** Who is annotating: remembered on this machine, written into the open document (and so into exports). */
function RaterField() {
  const store = getAppStore(getApi);
  const rater = useApp((s) => s.rater);
  const docRater = useApp((s) => s.doc?.rater);
  return (
    <label className="rater" title={docRater !== undefined ? `Rater saved with this series: ${docRater || '(none)'}` : 'Your name or initials, saved with the annotations and exports'}>
      <span className="dim">Rater</span>
      <input value={rater} onChange={(e) => store.getState().setRater(e.target.value)} placeholder="name / initials" aria-label="Rater" data-testid="rater-input" maxLength={80} spellCheck={false} />
    </label>
  );
}

function LoadProblem() {
  const problem = useApp((s) => s.loadProblem);
  const opened = useApp((s) => s.loadProblemOpened === true);
  const store = getAppStore(getApi);
  if (!problem) return null;
  return (
    <div className="banner warn" data-testid="load-problem">
      {opened ? (
        <>The saved annotations for this series were opened with a change: {problem}.</>
      ) : (
        <>The saved annotations for this series could not be used and were kept aside (not overwritten): {problem}. You are starting a new document.</>
      )}
      <button className="small ghost" onClick={() => store.setState({ loadProblem: null })}>
        ×
      </button>
    </div>
  );
}

function ViewerToolbar() {
  const store = getAppStore(getApi);
  const tool = useApp((s) => s.tool);
  const preset = useApp((s) => s.preset);
  const voi = useApp((s) => s.voi);
  const overlay = useApp((s) => s.showOverlay);
  const canUndo = useApp((s) => s.history.past.length > 0);
  const canRedo = useApp((s) => s.history.future.length > 0);
  const cycleKey = keyHint({ type: 'cyclePreset' });
  return (
    <div className="toolbar" data-testid="toolbar">
      <div className="group">
        {TOOLS.map((t) => (
          <button key={t.id} className={`small ${tool === t.id ? 'on' : ''}`} onClick={() => store.getState().setTool(t.id)} title={withKeyHint(t.label, { type: 'setTool', tool: t.id })} data-testid={`tool-${t.id}`}>
            {t.label}
          </button>
        ))}
      </div>
      <div className="group">
        {WINDOW_PRESETS.map((p) => (
          <button key={p.id} className={`small ${(voi ? Math.abs(voi.center - p.center) < 0.5 && Math.abs(voi.width - p.width) < 0.5 : preset === p.id) ? 'on' : ''}`} onClick={() => store.getState().setPreset(p.id)} title={`W ${p.width} / L ${p.center}${cycleKey ? ` (${cycleKey} cycles)` : ''}`} data-testid={`preset-${p.id}`}>
            {p.label}
          </button>
        ))}
        <button className="small" onClick={() => store.getState().resetView()} title={withKeyHint('Reset zoom/pan/window', { type: 'resetView' })}>
          Reset
        </button>
      </div>
      <div className="group">
        <button className={`small ${overlay ? 'on' : ''}`} onClick={() => store.getState().toggleOverlay()} title={withKeyHint('Lean (cyan) / fat (magenta) pixels inside the outlines', { type: 'toggleOverlay' })}>
          Lean/fat overlay
        </button>
        <button className="small" disabled={!canUndo} onClick={() => store.getState().undo()} title={withKeyHint('Undo', { type: 'undo' })} data-testid="undo">
          Undo
        </button>
        <button className="small" disabled={!canRedo} onClick={() => store.getState().redo()} title={withKeyHint('Redo', { type: 'redo' })} data-testid="redo">
          Redo
        </button>
      </div>
    </div>
  );
}

function SliceSlider() {
  const store = getAppStore(getApi);
  const k = useApp((s) => s.sliceIndex);
  const n = useApp((s) => s.volume?.geometry.slices ?? 1);
  return (
    <div className="slider-row">
      <span className="dim">feet</span>
      <input type="range" min={0} max={n - 1} value={k} onChange={(e) => store.getState().setSlice(Number(e.target.value))} aria-label="Slice" data-testid="slice-slider" />
      <span className="dim">head</span>
      <input
        type="number"
        className="slice-input"
        min={1}
        max={n}
        value={k + 1}
        onChange={(e) => store.getState().setSlice(Number(e.target.value) - 1)}
        aria-label="Slice (1 = feet end)"
        data-testid="slice-input"
        title={`Slice position 1..${n}, counted from the feet (as the viewer shows it)`}
      />
    </div>
  );
}

function ImportExport() {
  const store = getAppStore(getApi);
  const lastExport = useApp((s) => s.lastExport);
  const exporting = useApp((s) => s.exporting);
  const maskImport = useApp((s) => s.maskImport);
  const doc = useApp((s) => s.doc);
  const splitAutochthon = useApp((s) => s.splitAutochthon);
  const series = useApp((s) => s.series);
  const [masksPath, setMasksPath] = useState('');
  const [labels, setLabels] = useState<'totalsegmentator' | 'auto'>('totalsegmentator');
  const web = isWebMode();
  // One object URL per export made (browser mode only), revoked when the next export replaces it or the panel goes.
  const downloadHref = useObjectUrl(web && lastExport && !exportFormat(lastExport.format).binary ? lastExport.content : null, lastExport ? exportFormat(lastExport.format).mediaType : '');

  const doImport = () => void store.getState().importMasks({ masksPath, ...(labels === 'totalsegmentator' ? { labels } : {}) });

  return (
    <div className="import-export">
      <div className="panel-title">Masks &amp; export</div>
      <div className="row">
        <input value={masksPath} onChange={(e) => setMasksPath(e.target.value)} placeholder="TotalSegmentator folder or multilabel NIfTI" aria-label="Masks path" data-testid="masks-path" />
        <select value={labels} onChange={(e) => setLabels(e.target.value as 'totalsegmentator' | 'auto')} aria-label="Label set">
          <option value="totalsegmentator">TotalSegmentator labels</option>
          <option value="auto">file names / auto</option>
        </select>
        <button className="small" disabled={maskImport.busy || !masksPath.trim()} onClick={doImport} data-testid="import-masks">
          {maskImport.busy ? 'Importing…' : 'Import masks'}
        </button>
      </div>
      <label className="split-option small-text" title="Psoas: the iliopsoas component nearest the spine. Autochthon: split at the fat plane into multifidus (medial) and erector spinae (lateral), as proposals to check and confirm">
        <input type="checkbox" checked={splitAutochthon} onChange={(e) => store.getState().setSplitAutochthon(e.target.checked)} data-testid="split-autochthon" />
        Split autochthon into multifidus / erector spinae
      </label>
      {maskImport.message && (
        <div className="small-text" data-testid="import-result">
          {maskImport.message}
        </div>
      )}
      {maskImport.message && !maskImport.busy && !maskImport.message.startsWith('Import failed') && (
        <div className="small-text" data-testid="import-left">
          {proposalsLeft(doc)}
        </div>
      )}
      <div className="row">
        {/* One button per registered format (core/export/formats.ts), as the Export menu. */}
        {EXPORT_FORMATS.map((f) => (
          <button key={f} className="small" disabled={exporting !== null} aria-busy={exporting === f} onClick={() => void store.getState().exportMeasurements(f)} data-testid={`export-${f}`}>
            {exporting === f ? `Exporting ${exportFormat(f).label}…` : `Export ${exportFormat(f).label}`}
          </button>
        ))}
        {series?.kind === 'dicomweb' && (
          <button className="small" onClick={() => void store.getState().sendToPacs()} data-testid="send-to-pacs" title="The DICOM SR and SEG of this document, stored into the series' study on its server">
            Send to PACS
          </button>
        )}
      </div>
      {lastExport && (
        <div className="small-text" data-testid="export-result">
          Written: <code data-testid="export-path">{lastExport.path}</code>{' '}
          {downloadHref && (
            <a href={downloadHref} download={lastExport.path.split(/[\\/]/).pop()} data-testid="export-download">
              download
            </a>
          )}
        </div>
      )}
    </div>
  );
}

/** An object URL for a text while it is shown: made once per text, revoked when the text changes or on unmount. */
function useObjectUrl(text: string | null, type: string): string | null {
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    if (text === null) {
      setUrl(null);
      return;
    }
    const u = URL.createObjectURL(new Blob([text], { type }));
    setUrl(u);
    return () => URL.revokeObjectURL(u);
  }, [text, type]);
  return url;
}

function Toast() {
  const toast = useApp((s) => s.toast);
  const store = getAppStore(getApi);
  useEffect(() => {
    if (!toast) return;
    const t = setTimeout(() => store.getState().dismissToast(), 5000);
    return () => clearTimeout(t);
  }, [toast, store]);
  if (!toast) return null;
  return (
    <div className={`toast ${toast.kind}`} role={toast.kind === 'error' ? 'alert' : 'status'} data-testid="toast">
      {toast.text}
    </div>
  );
}
