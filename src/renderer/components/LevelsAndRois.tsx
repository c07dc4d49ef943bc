/** Level bar (mark / jump / confirm proposals) and the per-level ROI checklist with muscle/side pickers. */
import { useMemo } from 'react';
import { DEFAULT_LEVELS, MUSCLES } from '../../core/anatomy/anatomy';
import { roiSlice } from '../../core/annotations/measureAnnotations';
import { isProposal, type Roi } from '../../core/annotations/document';
import { levelSlice, roiOrigin } from '../../core/annotations/outlineFlags';
import { keyHint } from '../../shared/shortcuts';
import { CHECKLIST, MUSCLE_COLORS, MUSCLE_NAMES, MUSCLE_SHORT, checklistFlags, completeCount, documentFlags, flagWord, isDone, roiLabel, targetState } from '../state/checklist';
import { absentRecord, acceptedNow, openFlags } from '../../core/annotations/recordedStates';
import { isPlausibilityFlag } from '../../core/annotations/plausibility';
import { getAppStore, useApp } from '../state/store';
import { getApi } from '../api/client';
import { ProposalBar } from './ProposalBar';
import { sliceShort } from '../../core/geometry/sliceNumber';

export function LevelBar() {
  const doc = useApp((s) => s.doc);
  const sliceIndex = useApp((s) => s.sliceIndex);
  const activeLevel = useApp((s) => s.activeLevel);
  const volume = useApp((s) => s.volume);
  const store = getAppStore(getApi);
  const extra = (doc?.levels ?? []).map((l) => l.level).filter((l) => !DEFAULT_LEVELS.includes(l));
  // Each outline's flags once per document (the same rule as the checklist: a level is complete at 8/8).
  const flagsOf = useMemo(() => (doc && volume ? documentFlags(doc, volume) : null), [doc, volume]);
  return (
    <div className="levelbar" data-testid="levelbar">
      <div className="panel-title">Levels</div>
      {[...DEFAULT_LEVELS, ...extra].map((level) => {
        const mark = doc?.levels.find((l) => l.level === level);
        const key = keyHint({ type: 'markLevel', level });
        const here = mark?.sliceIndex === sliceIndex;
        // Outlines of this level on another slice than its mark (the level was moved and they were kept).
        const at = mark && volume ? levelSlice(volume, mark) : null;
        const num = (k: number) => (volume ? sliceShort(volume.geometry, k) : String(k + 1));
        const unmarked = !mark && volume ? (doc?.rois ?? []).filter((r) => r.level === level).map((r) => roiSlice(volume, r)) : [];
        const away = volume && at !== null ? [...new Set((doc?.rois ?? []).filter((r) => r.level === level && roiSlice(volume, r) !== at).map((r) => roiSlice(volume, r)))] : [];
        // Flags are looked at (lazily, per outline) only where all eight are outlined or absent.
        const present = mark ? completeCount(doc, level, null) : 0;
        const complete = present === 8 ? completeCount(doc, level, flagsOf) : present;
        return (
          <div key={level} className={`level-row ${activeLevel === level ? 'active' : ''}`} data-testid={`level-${level}`} data-source={mark?.source ?? 'unset'} data-slice={mark?.sliceIndex ?? ''} data-inconsistent={away.length > 0 ? 'yes' : 'no'} data-complete={complete === 8 ? 'yes' : 'no'}>
            <button className={`level-name ${mark ? (mark.source === 'proposed' ? 'proposed' : 'set') : ''}`} onClick={() => store.getState().setActiveLevel(level)} title={mark ? `Go to ${level} (slice ${num(mark.sliceIndex)}${volume ? ` / ${volume.geometry.slices}` : ''})` : `Make ${level} active`}>
              {level}
            </button>
            <span className="level-info">
              {mark ? (
                <>
                  <span data-testid={`level-slice-${level}`}>slice {num(mark.sliceIndex)}</span> {mark.source === 'proposed' ? <em className="proposed-tag">proposed</em> : here ? <span className="dim">here</span> : null}
                  {complete === 8 && (
                    <span className="level-complete" title={`${level} is complete: 8 of 8 outlined with every flag resolved or accepted, or recorded absent`}>
                      {' '}✓
                    </span>
                  )}
                  {away.length > 0 && (
                    <span className="level-warn" title={`Outlines of ${level} lie on slice ${away.map(num).join(', ')}, not on its marked slice ${num(mark.sliceIndex)}: re-mark ${level} there, or move them`} data-testid={`level-inconsistent-${level}`}>
                      {' '}⚠ outlines on slice {away.map(num).join(', ')}
                    </span>
                  )}
                </>
              ) : (
                <>
                  <span className="dim">not set</span>
                  {unmarked.length > 0 && (
                    <span className="level-warn" title={`${level} is not marked, but ${unmarked.length} outline(s) of ${level} were kept on slice ${[...new Set(unmarked)].map(num).join(', ')}: mark ${level} there, or delete them`} data-testid={`level-unmarked-${level}`}>
                      {' '}⚠ {unmarked.length} outline(s) kept
                    </span>
                  )}
                </>
              )}
            </span>
            <button className="small" onClick={() => store.getState().markLevel(level)} title={`Mark the current slice as ${level}${key ? ` (key ${key})` : ''}`} data-testid={`mark-${level}`}>
              Mark here{key ? ` [${key}]` : ''}
            </button>
            {mark?.source === 'proposed' && (
              <button className="small accent" onClick={() => store.getState().confirmLevel(level)} title="Accept the proposed slice">
                Confirm
              </button>
            )}
            {mark && (
              <button className="small ghost" onClick={() => store.getState().removeLevel(level)} title={`Remove the ${level} mark (asks what to do with its outlines)`} data-testid={`remove-${level}`}>
                ×
              </button>
            )}
          </div>
        );
      })}
    </div>
  );
}

const PROPOSAL_TITLE = {
  proposed: 'Made from the autochthon mask by the fat-plane rule: check the cut (drag it on the image) and confirm',
  propagated: 'Copied from another level and snapped to this slice: check it on the image (drag its points) and confirm (c); not done until confirmed',
  mirrored: 'Mirrored from the other side across the midline: check it on the image (drag its points) and confirm (c); not done until confirmed',
} as const;

/** At most this many flag lines under the checklist (the rest counted). */
const FLAG_LINES = 6;

export function RoiPanel() {
  const doc = useApp((s) => s.doc);
  const activeLevel = useApp((s) => s.activeLevel);
  const activeMuscle = useApp((s) => s.activeMuscle);
  const activeSide = useApp((s) => s.activeSide);
  const selectedRoiId = useApp((s) => s.selectedRoiId);
  const volume = useApp((s) => s.volume);
  const store = getAppStore(getApi);
  // Each outline's trust flags (shape, level slice, side check, overlap), from core.
  const flags = useMemo(() => (doc && volume ? checklistFlags(doc, volume, activeLevel) : new Map<Roi, string[]>()), [doc, volume, activeLevel]);
  const flagsOf = (r: Roi) => flags.get(r) ?? [];
  const done = completeCount(doc, activeLevel, volume ? flagsOf : null);
  const absentKey = keyHint({ type: 'toggleAbsent' });
  const levelRois = doc?.rois.filter((r) => r.level === activeLevel) ?? [];
  const selected = doc?.rois.find((r) => r.id === selectedRoiId);
  // The open flags (not resolved, not accepted) of this level's outlines, in words, each with its label
  // (the anatomy checks name it themselves); the active muscle and side first.
  const activeFirst = [...levelRois].sort((a, b) => Number(b.muscle === activeMuscle && b.side === activeSide) - Number(a.muscle === activeMuscle && a.side === activeSide));
  const levelFlags = [...new Set(activeFirst.flatMap((r) => openFlags(r, flagsOf(r)).map((f) => (isPlausibilityFlag(f) ? f : `${roiLabel(r.muscle, r.side)}: ${f}`))))];
  const activeFlags = levelFlags.length > FLAG_LINES ? [...levelFlags.slice(0, FLAG_LINES - 1), `and ${levelFlags.length - FLAG_LINES + 1} more (the tooltips of the rows marked ⚠)`] : levelFlags;
  return (
    <div className="roipanel" data-testid="roipanel">
      <div className="panel-title">
        Outlines for <b>{activeLevel}</b>{' '}
        <span className={done === 8 ? 'level-complete' : 'dim'} data-testid="checklist-count" title="Complete: outlined with every flag resolved or accepted, or recorded absent">
          {done}/8{done === 8 ? ' ✓' : ''}
        </span>
      </div>
      <div className="picker">
        {MUSCLES.map((m) => (
          <button key={m} className={`chip ${activeMuscle === m ? 'on' : ''}`} style={{ borderColor: MUSCLE_COLORS[m] }} onClick={() => store.getState().setActiveMuscle(m)} title={`${MUSCLE_NAMES[m]} (key ${keyHint({ type: 'setMuscle', muscle: m })})`} data-testid={`muscle-${m}`}>
            {MUSCLE_SHORT[m]}
          </button>
        ))}
        <span className="sep" />
        {(['left', 'right'] as const).map((s) => (
          <button key={s} className={`chip ${activeSide === s ? 'on' : ''}`} onClick={() => store.getState().setActiveSide(s)} title={`${s} side (key ${keyHint({ type: 'setSide', side: s })})`} data-testid={`side-${s}`}>
            {s === 'left' ? 'Left' : 'Right'}
          </button>
        ))}
      </div>
      <div className="now-drawing" data-testid="now-drawing">
        {/* "Next outline" on a complete level read as if one were missing. */}
        {done === 8 ? `${activeLevel} complete · selected: ` : 'Next outline: '}
        <span style={{ color: MUSCLE_COLORS[activeMuscle] }}>{MUSCLE_NAMES[activeMuscle]}</span> {activeSide}
      </div>
      <ul className="checklist">
        {CHECKLIST.map((t) => {
          const same = levelRois.filter((r) => r.muscle === t.muscle && r.side === t.side);
          const roi = same[0];
          const proposal = same.find((r) => isProposal(r.source));
          const labelDone = isDone(doc, activeLevel, t.muscle, t.side);
          const roiFlags = [...new Set(same.flatMap((r) => flags.get(r) ?? []))];
          const open = [...new Set(same.flatMap((r) => openFlags(r, flags.get(r) ?? [])))];
          const accepted = same.map((r) => acceptedNow(r, flags.get(r) ?? [])).filter((a) => a !== null);
          const absent = absentRecord(doc, activeLevel, t.muscle, t.side);
          const state = targetState(doc, activeLevel, t.muscle, t.side, volume ? flagsOf : null);
          const current = t.muscle === activeMuscle && t.side === activeSide;
          const label = `${roiLabel(t.muscle, t.side)} at ${activeLevel}`;
          return (
            <li
              key={`${t.muscle}-${t.side}`}
              className={`${current ? 'current' : ''} ${labelDone ? 'done' : ''} state-${state}`}
              data-testid={`check-${t.muscle}-${t.side}`}
              data-done={labelDone ? 'yes' : 'no'}
              data-state={state}
              data-flags={roiFlags.length ? 'yes' : 'no'}
              data-origin={same.map((r) => roiOrigin(r)).join(' ')}
            >
              <button
                className="check-btn"
                onClick={() => {
                  store.getState().setActiveMuscle(t.muscle);
                  store.getState().setActiveSide(t.side);
                  if (roi) {
                    store.getState().selectRoi(roi.id);
                    store.getState().setSlice(roi.sliceIndex);
                  }
                }}
              >
                <span className={`tick${proposal ? ' proposed-tag' : ''}`}>{state === 'absent' ? '∅' : roi ? (proposal ? '?' : state === 'flagged' ? '!' : '✓') : '○'}</span>
                <span className="swatch" style={{ background: MUSCLE_COLORS[t.muscle] }} />
                {MUSCLE_NAMES[t.muscle]} {t.side === 'left' ? 'L' : 'R'}
                {same.length > 1 && <em className="union-tag"> {same.length} outlines (union)</em>}
                {proposal && (
                  <em className="proposed-tag" title={PROPOSAL_TITLE[proposal.source as 'proposed' | 'propagated' | 'mirrored']} data-testid={`check-proposed-${t.muscle}-${t.side}`}>
                    {' '}
                    {proposal.source}
                  </em>
                )}
                {roi && !proposal && roi.source !== 'drawn' && <em className="dim"> {roi.source}</em>}
                {roi && roiOrigin(roi) === 'edited' && <em className="dim"> edited</em>}
                {state === 'absent' && absent && (
                  <em className="absent-tag" title={`Recorded absent at ${activeLevel}${absent.rater ? ` by ${absent.rater}` : ''} (${absent.at})${absent.note ? `: ${absent.note}` : ''}. Counted as done; exported as status "absent" with empty numbers. Drawing an outline for it clears this.`} data-testid={`check-absent-${t.muscle}-${t.side}`}>
                    {' '}absent
                  </em>
                )}
                {open.length > 0 && (
                  <span className="roi-warn" title={open.join('\n')} data-testid={`check-flag-${t.muscle}-${t.side}`}>
                    {' '}⚠ {flagWord(open)}
                  </span>
                )}
                {open.length === 0 && accepted.length > 0 && (
                  <span className="roi-accepted" title={accepted.map((a) => `Accepted by ${a.rater || 'no rater'} (${a.at}): ${a.reason}\n${a.flags.join('\n')}`).join('\n\n')} data-testid={`check-accepted-${t.muscle}-${t.side}`}>
                    {' '}⚠ accepted
                  </span>
                )}
              </button>
              {open.length > 0 && (
                <button className="small row-btn" onClick={() => store.getState().requestAccept({ level: activeLevel, muscle: t.muscle, side: t.side })} title={`Accept the flags of ${label} with a reason (kept in the document and the exports)`} data-testid={`accept-${t.muscle}-${t.side}`}>
                  Accept…
                </button>
              )}
              {state === 'absent' ? (
                <button className="small ghost row-btn" onClick={() => store.getState().toggleAbsent({ level: activeLevel, muscle: t.muscle, side: t.side })} title={`${label} is recorded absent: clear that record${absentKey ? ` (key ${absentKey} on the active row)` : ''}`} data-testid={`absent-${t.muscle}-${t.side}`}>
                  ×
                </button>
              ) : (
                current && (
                  <button className="small ghost row-btn" onClick={() => store.getState().toggleAbsent({ level: activeLevel, muscle: t.muscle, side: t.side })} title={`Record ${label} as absent at this level${roi ? ' (its outline is deleted)' : ''}${absentKey ? ` (key ${absentKey})` : ''}`} data-testid={`absent-${t.muscle}-${t.side}`}>
                    absent{absentKey ? ` [${absentKey}]` : ''}
                  </button>
                )
              )}
            </li>
          );
        })}
        {levelRois
          .filter((r) => r.muscle === 'autochthon')
          .map((r) => (
            <li key={r.id} className="done">
              <button className="check-btn" onClick={() => store.getState().selectRoi(r.id)}>
                <span className="tick">!</span>
                <span className="swatch" style={{ background: MUSCLE_COLORS.autochthon }} />
                Autochthon {r.side === 'left' ? 'L' : 'R'} <em className="dim">select, then “Assign” to split</em>
              </button>
            </li>
          ))}
      </ul>
      <ProposalBar level={activeLevel} />
      {activeFlags.length > 0 && (
        // The reasons in words where the user looks (the checklist row shows only a word, the tooltip the rest).
        <ul className="flag-list roi-warn" data-testid="active-flags" title="Change the outline so the flag goes, or accept it with a reason (Accept… on the row)">
          {activeFlags.map((f) => (
            <li key={f}>⚠ {f}</li>
          ))}
        </ul>
      )}
      <div className="roi-actions">
        <button className="small" disabled={!selected} onClick={() => store.getState().assignSelectedRoi(activeMuscle, activeSide)} title="Give the selected outline the chosen muscle and side">
          Assign selected → {MUSCLE_SHORT[activeMuscle]} {activeSide === 'left' ? 'L' : 'R'}
        </button>
        <button className="small danger" disabled={!selected} onClick={() => store.getState().deleteSelectedRoi()} title="Delete the selected outline (Delete)" data-testid="delete-roi">
          Delete selected
        </button>
      </div>
      {selected && (
        <div className="dim small-text" data-testid="selected-roi">
          Selected: {MUSCLE_NAMES[selected.muscle]} {selected.side} · {selected.level} · {selected.pointsLps.length} vertices
        </div>
      )}
    </div>
  );
}
