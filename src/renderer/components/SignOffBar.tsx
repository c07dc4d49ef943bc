/**
 * The sign-off bar of the open read (slices/reads.ts): which read it is, "Sign off" (and its key), the
 * "Signed off by X at T" state with "Reopen…" (a reason, kept in the history), the other reads as far
 * as this read may see them, and the Compare toggle once both reads are signed off. The read-mode
 * choice in the header (SignOffReadMode): first read, or a blinded second read.
 */
import { useEffect, useRef, useState } from 'react';
import { getApi } from '../api/client';
import { shownTime, type ReadMode } from '../state/slices/reads';
import { getAppStore, useApp } from '../state/store';
import { withKeyHint } from '../../shared/shortcuts';
import { reasonDialogKeys } from './dialogFocus';

/** Colour of the other read's outlines when compared (apart from every muscle's colour and the bone cyan). */
export const COMPARE_COLOUR = '#ff9f1a';

export function SignOffReadMode() {
  const store = getAppStore(getApi);
  const mode = useApp((s) => s.readMode);
  return (
    <label className="rater" title="First read: the series' document (one rater). Second read (blinded): your own document, saved under your rater name; other reads stay hidden until both are signed off">
      <span className="dim">Read</span>
      <select value={mode} onChange={(e) => void store.getState().setReadMode(e.target.value as ReadMode)} aria-label="Read" data-testid="read-mode">
        <option value="first">First read</option>
        <option value="second">Second read (blinded)</option>
      </select>
    </label>
  );
}

export function SignOffBar() {
  const store = getAppStore(getApi);
  const doc = useApp((s) => s.doc);
  const openRead = useApp((s) => s.openRead);
  const reads = useApp((s) => s.reads);
  const compareOn = useApp((s) => s.compareOn);
  const hasDoc = !!doc;
  // Another rater may sign off meanwhile: the reads are asked again whenever this window comes back.
  useEffect(() => {
    if (!hasDoc) return;
    const again = () => {
      if (document.visibilityState === 'visible') void store.getState().refreshReads();
    };
    window.addEventListener('focus', again);
    document.addEventListener('visibilitychange', again);
    return () => {
      window.removeEventListener('focus', again);
      document.removeEventListener('visibilitychange', again);
    };
  }, [hasDoc, store]);
  if (!doc) return null;
  const signed = doc.signedOff;
  const which = openRead ? `Second read (blinded) of ${openRead.rater}` : 'First read';
  return (
    <div className={`signoff-bar${signed ? ' signed' : ''}`} data-testid="signoff-bar" data-read={openRead ? 'second' : 'first'}>
      <span className="dim" data-testid="signoff-read">
        {which}
      </span>
      {signed ? (
        <>
          <span className="signoff-state" data-testid="signoff-state">
            ✓ Signed off by {signed.by} at {shownTime(signed.at)}
          </span>
          <button className="small" onClick={() => store.getState().setReopenOpen(true)} data-testid="reopen" title="Reopen this read to edit it (asks for a reason, kept in its history)">
            Reopen…
          </button>
        </>
      ) : (
        <button className="small" onClick={() => void store.getState().signOff()} data-testid="sign-off" title={withKeyHint('Mark this read done (it is not changed until reopened)', { type: 'signOff' })}>
          Sign off
        </button>
      )}
      {reads && reads.others.length > 0 && (
        <span className="dim small-text" data-testid="other-reads" title={reads.hidden ?? ''}>
          Other reads: {reads.others.map((o) => `${o.rater || '(no rater)'} (${o.signedOff ? 'signed off' : 'open'})`).join(', ')}
          {reads.hidden ? ' — hidden' : ''}
        </span>
      )}
      {reads?.compare && (
        <label className="signoff-compare" title={`Overlay ${reads.compare.info.rater}'s outlines (dashed, orange)`}>
          <input type="checkbox" checked={compareOn} onChange={(e) => store.getState().setCompare(e.target.checked)} data-testid="compare-toggle" />
          <span style={{ color: COMPARE_COLOUR }}>Compare with {reads.compare.info.rater}</span>
        </label>
      )}
      <ReopenDialog />
    </div>
  );
}

/** "Reopen…": a reason (required), Enter reopens, Esc cancels; keyboard as the other dialogs. */
function ReopenDialog() {
  const store = getAppStore(getApi);
  const open = useApp((s) => s.reopenOpen);
  const signed = useApp((s) => s.doc?.signedOff ?? null);
  const [reason, setReason] = useState('');
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (open) {
      setReason('');
      ref.current?.querySelector<HTMLTextAreaElement>('textarea')?.focus();
    }
  }, [open]);
  if (!open || !signed) return null;
  const reopen = () => void store.getState().reopen(reason);
  const cancel = () => store.getState().setReopenOpen(false);
  const onKeyDown = (e: React.KeyboardEvent) => reasonDialogKeys(e, ref.current, reopen, cancel);
  return (
    <div className="dialog-backdrop">
      <div ref={ref} className="dialog" role="dialog" aria-modal="true" aria-labelledby="reopen-title" data-testid="reopen-dialog" onKeyDown={onKeyDown}>
        <h2 id="reopen-title">Reopen this read?</h2>
        <p>
          It was signed off by {signed.by} at {shownTime(signed.at)}. Why is it reopened? The reason is kept in the read&apos;s history; the other reads are hidden again until it is signed off.
        </p>
        <textarea value={reason} onChange={(e) => setReason(e.target.value)} aria-label="Reason for reopening" data-testid="reopen-reason" maxLength={2000} />
        <div className="dialog-buttons">
          <button onClick={reopen} disabled={!reason.trim()} data-testid="reopen-confirm">
            Reopen
          </button>
          <button className="ghost" onClick={cancel} data-testid="reopen-cancel">
            Cancel
          </button>
        </div>
      </div>
    </div>
  );
}
