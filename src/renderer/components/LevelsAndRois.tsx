/** Level bar (mark / jump / confirm proposals) and the per-level ROI checklist with muscle/side pickers. */
import { useMemo } from 'react';
import { DEFAULT_LEVELS, MUSCLES } from '../../core/anatomy/anatomy';
import { roiSlice } from '../../core/annotations/measureAnnotations';
import type { Roi } from '../../core/annotations/document';
import { levelSlice, roiOrigin } from '../../core/annotations/outlineFlags';
import { keyHint } from '../../shared/shortcuts';
import { CHECKLIST, MUSCLE_COLORS, MUSCLE_NAMES, MUSCLE_SHORT, checklistFlags, flagWord, isDone } from '../state/checklist';
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
        return (
          <div key={level} className={`level-row ${activeLevel === level ? 'active' : ''}`} data-testid={`level-${level}`} data-source={mark?.source ?? 'unset'} data-slice={mark?.sliceIndex ?? ''} data-inconsistent={away.length > 0 ? 'yes' : 'no'}>
            <button className={`level-name ${mark ? (mark.source === 'proposed' ? 'proposed' : 'set') : ''}`} onClick={() => store.getState().setActiveLevel(level)} title={mark ? `Go to ${level} (slice ${num(mark.sliceIndex)}${volume ? ` / ${volume.geometry.slices}` : ''})` : `Make ${level} active`}>
              {level}
            </button>
            <span className="level-info">
              {mark ? (
                <>
                  <span data-testid={`level-slice-${level}`}>slice {num(mark.sliceIndex)}</span> {mark.source === 'proposed' ? <em className="proposed-tag">proposed</em> : here ? <span className="dim">here</span> : null}
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
  const done = CHECKLIST.filter((t) => isDone(doc, activeLevel, t.muscle, t.side)).length;
  const levelRois = doc?.rois.filter((r) => r.level === activeLevel) ?? [];
  const selected = doc?.rois.find((r) => r.id === selectedRoiId);
  return (
    <div className="roipanel" data-testid="roipanel">
      <div className="panel-title">
        Outlines for <b>{activeLevel}</b> <span className="dim">{done}/8</span>
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
        Next outline: <span style={{ color: MUSCLE_COLORS[activeMuscle] }}>{MUSCLE_NAMES[activeMuscle]}</span> {activeSide}
      </div>
      <ul className="checklist">
        {CHECKLIST.map((t) => {
          const same = levelRois.filter((r) => r.muscle === t.muscle && r.side === t.side);
          const roi = same[0];
          const roiFlags = [...new Set(same.flatMap((r) => flags.get(r) ?? []))];
          const current = t.muscle === activeMuscle && t.side === activeSide;
          return (
            <li
              key={`${t.muscle}-${t.side}`}
              className={`${current ? 'current' : ''} ${roi ? 'done' : ''}`}
              data-testid={`check-${t.muscle}-${t.side}`}
              data-done={roi ? 'yes' : 'no'}
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
                <span className={`tick${same.some((r) => r.source === 'proposed') ? ' proposed-tag' : ''}`}>{roi ? (same.some((r) => r.source === 'proposed') ? '?' : '✓') : '○'}</span>
                <span className="swatch" style={{ background: MUSCLE_COLORS[t.muscle] }} />
                {MUSCLE_NAMES[t.muscle]} {t.side === 'left' ? 'L' : 'R'}
                {same.length > 1 && <em className="union-tag"> {same.length} outlines (union)</em>}
                {roi && roi.source === 'proposed' && (
                  <em className="proposed-tag" title="Made from the autochthon mask by the fat-plane rule: check the cut (drag it on the image) and confirm" data-testid={`check-proposed-${t.muscle}-${t.side}`}>
                    {' '}proposed
                  </em>
                )}
                {roi && roi.source !== 'drawn' && roi.source !== 'proposed' && <em className="dim"> {roi.source}</em>}
                {roi && roiOrigin(roi) === 'edited' && <em className="dim"> edited</em>}
                {roiFlags.length > 0 && (
                  <span className="roi-warn" title={roiFlags.join('\n')} data-testid={`check-flag-${t.muscle}-${t.side}`}>
                    {' '}⚠ {flagWord(roiFlags)}
                  </span>
                )}
              </button>
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
