/**
 * "Accept…" on a flagged checklist row: the flags its outlines raise now, and a reason (required; kept
 * in the document and the exports). Keyboard as the other dialogs (QuestionDialog): focus starts in the
 * reason, Tab / Shift+Tab cycle the reason and the buttons, Enter accepts (Shift+Enter: a new line), Esc
 * cancels. An acceptance covers exactly the flags listed: a new or changed flag opens the row again.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import { documentFlags, roiLabel } from '../state/checklist';
import { getAppStore, useApp } from '../state/store';
import { getApi } from '../api/client';
import { reasonDialogKeys } from './dialogFocus';

export function AcceptFlagsDialog() {
  const req = useApp((s) => s.acceptRequest);
  const doc = useApp((s) => s.doc);
  const volume = useApp((s) => s.volume);
  const rater = useApp((s) => s.rater);
  const store = getAppStore(getApi);
  const ref = useRef<HTMLDivElement>(null);
  const [reason, setReason] = useState('');
  useEffect(() => {
    if (req) {
      setReason('');
      ref.current?.querySelector<HTMLTextAreaElement>('textarea')?.focus();
    }
  }, [req]);
  const flags = useMemo(() => {
    if (!req || !doc || !volume) return [];
    const of = documentFlags(doc, volume);
    return [...new Set(doc.rois.filter((r) => r.level === req.level && r.muscle === req.muscle && r.side === req.side).flatMap((r) => of(r)))];
  }, [req, doc, volume]);
  if (!req) return null;
  const accept = () => store.getState().acceptFlags(reason);
  const cancel = () => store.getState().cancelAccept();
  const onKeyDown = (e: React.KeyboardEvent) => reasonDialogKeys(e, ref.current, accept, cancel);
  const what = `${roiLabel(req.muscle, req.side)} at ${req.level}`;
  return (
    <div className="dialog-backdrop">
      <div ref={ref} className="dialog" role="dialog" aria-modal="true" aria-labelledby="accept-title" data-testid="accept-dialog" onKeyDown={onKeyDown}>
        <h2 id="accept-title">Accept the flag{flags.length === 1 ? '' : 's'} of {what}?</h2>
        <ul className="accept-flags">
          {flags.map((f) => (
            <li key={f}>{f}</li>
          ))}
        </ul>
        <p>
          The outline is kept as it is and counts as complete. The reason, your name and the time are kept in the document and written to the exports (
          <code>accepted</code>). A new or changed flag opens the row again.
        </p>
        <p className="dim" data-testid="accept-rater">
          {rater.trim() ? `Accepted as ${rater.trim()}.` : 'No rater name is set (Rater, in the header): the acceptance is kept without a name.'}
        </p>
        <textarea aria-label="Reason" placeholder="Reason (required), e.g. checked on the adjacent slices: the QL is thin here" value={reason} onChange={(e) => setReason(e.target.value)} data-testid="accept-reason" />
        <div className="dialog-buttons">
          <button className="small accent" disabled={reason.trim() === ''} onClick={accept} data-testid="accept-ok">
            Accept with this reason (Enter)
          </button>
          <button className="small" onClick={cancel} data-testid="accept-cancel">
            Cancel
          </button>
        </div>
      </div>
    </div>
  );
}
