/** The active level's proposals (the multifidus / erector spinae split, propagated and mirrored outlines): how many, and a Confirm button. */
import type { Roi } from '../../core/annotations/document';
import type { Level } from '../../core/anatomy/anatomy';
import { keyHint } from '../../shared/shortcuts';
import { getApi } from '../api/client';
import { getAppStore, useApp } from '../state/store';

export function ProposalBar({ level }: { level: Level }) {
  const store = getAppStore(getApi);
  const count = (source: Roi['source']) => (s: { doc: { rois: Roi[] } | null }) => s.doc?.rois.filter((r) => r.level === level && r.source === source).length ?? 0;
  const split = useApp(count('proposed'));
  const propagated = useApp(count('propagated'));
  const mirrored = useApp(count('mirrored'));
  const confirmed = useApp(count('confirmed'));
  const proposed = split + propagated + mirrored;
  if (!proposed && !confirmed) return null;
  const key = keyHint({ type: 'confirmLevel' });
  const what = [
    split ? `${split} from the autochthon split (check the multifidus / erector spinae cut — drag its handles to move it)` : '',
    propagated ? `${propagated} propagated from another level` : '',
    mirrored ? `${mirrored} mirrored from the other side` : '',
    // Split proposals count in the checklist as they are; a tool's copies do not until they are confirmed.
    propagated || mirrored ? `check ${propagated + mirrored > 1 ? 'them' : 'it'} on the image: not done until confirmed` : '',
  ].filter(Boolean);
  return (
    <div className={`proposal-bar ${proposed ? 'open' : 'done'}`} data-testid="proposal-bar" data-proposed={proposed}>
      {proposed ? (
        <>
          <span>
            <b>{proposed}</b> proposed outline{proposed > 1 ? 's' : ''} at {level} (dashed): {what.join('; ')}.
          </span>
          <button className="small accent" onClick={() => store.getState().confirmProposals(level)} title={`Accept the proposed outlines of ${level} as they are, and ${level}'s slice if it is still proposed${key ? ` (key ${key})` : ''}`} data-testid="confirm-proposals">
            Confirm {level} outlines
          </button>
        </>
      ) : (
        <span className="dim">✓ the proposals at {level} are confirmed</span>
      )}
    </div>
  );
}
