/** The active level's proposed outlines (the multifidus / erector spinae split): how many, and a Confirm button. */
import type { Level } from '../../core/anatomy/anatomy';
import { keyHint } from '../../shared/shortcuts';
import { getApi } from '../api/client';
import { getAppStore, useApp } from '../state/store';

export function ProposalBar({ level }: { level: Level }) {
  const store = getAppStore(getApi);
  const proposed = useApp((s) => s.doc?.rois.filter((r) => r.level === level && r.source === 'proposed').length ?? 0);
  const confirmed = useApp((s) => s.doc?.rois.filter((r) => r.level === level && r.source === 'confirmed').length ?? 0);
  if (!proposed && !confirmed) return null;
  const key = keyHint({ type: 'confirmLevel' });
  return (
    <div className={`proposal-bar ${proposed ? 'open' : 'done'}`} data-testid="proposal-bar" data-proposed={proposed}>
      {proposed ? (
        <>
          <span>
            <b>{proposed}</b> proposed outline{proposed > 1 ? 's' : ''} at {level} (dashed): check the multifidus / erector spinae cut — drag its handles to move it.
          </span>
          <button className="small accent" onClick={() => store.getState().confirmProposals(level)} title={`Accept the proposed outlines of ${level} as they are, and ${level}'s slice if it is still proposed${key ? ` (key ${key})` : ''}`} data-testid="confirm-proposals">
            Confirm {level} outlines
          </button>
        </>
      ) : (
        <span className="dim">✓ the split proposals at {level} are confirmed</span>
      )}
    </div>
  );
}
