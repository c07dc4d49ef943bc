/**
 * The app's questions (state.question) as an in-app modal dialog: moving or removing a level that has
 * outlines, a second outline of one level x muscle x side. Keyboard: focus starts on the first answer, Tab /
 * Shift+Tab cycle the answers, Enter or Space picks one, Esc cancels.
 */
import { useEffect, useRef } from 'react';
import type { Question, QuestionChoice } from '../state/store';
import { MUSCLE_NAMES } from '../state/checklist';
import { getAppStore, useApp } from '../state/store';
import { getApi } from '../api/client';
import { sliceShort } from '../../core/geometry/sliceNumber';
import { cycleFocus } from './dialogFocus';
import { lockHolderText } from '../state/slices/worklist';

const readableAt = (iso: string) => iso.replace(/^(\d{4}-\d\d-\d\d)T(\d\d:\d\d).*$/, '$1 $2 UTC');

/** Slice k as people see it everywhere: position from the feet (1-based), with its InstanceNumber where the file has one. */
type Num = (k: number) => string;

function content(q: Question, n: Num): { title: string; text: string; answers: { choice: QuestionChoice; label: string }[] } {
  if (q.kind === 'worklistLock') {
    // Who holds the lock and since when; take over only when it is stale (not refreshed for the set time).
    const who = lockHolderText(q.holder);
    return {
      title: q.holder.stale ? `${q.lineId} is locked by ${who}: take over?` : `${q.lineId} is being annotated by ${who}`,
      text: q.holder.stale
        ? `The lock was last refreshed ${readableAt(q.holder.refreshed)}: ${q.holder.rater || 'its holder'} has probably left. Taking it over lets you edit; if they are still working, their later changes will not be saved.`
        : `Two people never edit one series at once. You can open it read-only (nothing you change is saved).`,
      answers: [
        { choice: 'readOnly', label: 'Open read-only' },
        ...(q.holder.stale ? [{ choice: 'takeOver' as const, label: `Take over from ${q.holder.rater || 'them'}` }] : []),
        { choice: 'cancel', label: 'Cancel' },
      ],
    };
  }
  if (q.kind === 'moveLevel') {
    const where = q.roiSlices.map(n).join(', ');
    const count = q.roiIds.length;
    return {
      title: `${q.level} moved to slice ${n(q.toSlice)}: its outlines?`,
      text: `${q.level} ${q.fromSlice === null ? 'was not marked' : `was marked on slice ${n(q.fromSlice)}`} and has ${count} outline(s) on slice ${where}. Now that it is marked on slice ${n(q.toSlice)}:`,
      answers: [
        { choice: 'move', label: `Move the ${count} outline(s) to slice ${n(q.toSlice)}` },
        { choice: 'keep', label: `Keep them on slice ${where} (${q.level} flagged as inconsistent)` },
        { choice: 'cancel', label: q.fromSlice === null ? `Cancel (${q.level} unmarked again)` : `Cancel (${q.level} back on slice ${n(q.fromSlice)})` },
      ],
    };
  }
  if (q.kind === 'removeLevel') {
    const where = q.roiSlices.map(n).join(', ');
    const count = q.roiIds.length;
    return {
      title: `Remove the ${q.level} mark: its ${count} outline(s)?`,
      text: `${q.level} has ${count} outline(s) on slice ${where}. Without the mark:`,
      answers: [
        { choice: 'deleteOutlines', label: `Delete the mark and its ${count} outline(s)` },
        { choice: 'keep', label: `Delete the mark, keep the outlines (flagged: ${q.level} not marked)` },
        { choice: 'cancel', label: `Cancel (${q.level} stays marked)` },
      ],
    };
  }
  const what = `${MUSCLE_NAMES[q.muscle]} ${q.side}`;
  const earlier = q.existingIds.length === 1 ? 'earlier one' : `${q.existingIds.length} earlier ones`;
  if (q.assign) {
    const from = `${MUSCLE_NAMES[q.assign.from.muscle]} ${q.assign.from.side}`;
    return {
      title: `${q.level} already has a ${what} outline`,
      text: `The selected outline (${from}) would be a second ${what} outline at ${q.level}. Replace the ${earlier} with it, or keep both (the table then measures their union: the pixels inside either)?`,
      answers: [
        { choice: 'replace', label: 'Replace the earlier outline' },
        { choice: 'keepBoth', label: 'Keep both (union)' },
        { choice: 'cancel', label: `Cancel (it stays ${from})` },
      ],
    };
  }
  return {
    title: `${q.level} already has a ${what} outline`,
    text: `You finished a second ${what} outline at ${q.level}. Replace the ${earlier}, or keep both (the table then measures their union: the pixels inside either)?`,
    answers: [
      { choice: 'replace', label: 'Replace the earlier outline' },
      { choice: 'keepBoth', label: 'Keep both (union)' },
      { choice: 'cancel', label: 'Discard the new outline' },
    ],
  };
}

export function QuestionDialog() {
  const q = useApp((s) => s.question);
  const store = getAppStore(getApi);
  const g = useApp((s) => s.shown?.volume.geometry ?? s.volume?.geometry ?? null);
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (q) ref.current?.querySelector<HTMLButtonElement>('button')?.focus();
  }, [q]);
  if (!q) return null;
  const c = content(q, (k) => (g ? sliceShort(g, k) : String(k + 1)));
  const answer = (choice: QuestionChoice) => store.getState().answerQuestion(choice);
  const onKeyDown = (e: React.KeyboardEvent) => {
    if (e.key === 'Escape') {
      e.preventDefault();
      answer('cancel');
    } else cycleFocus(e, ref.current);
    e.stopPropagation();
  };
  return (
    <div className="dialog-backdrop">
      <div ref={ref} className="dialog" role="dialog" aria-modal="true" aria-labelledby="question-title" data-testid="question" data-kind={q.kind} onKeyDown={onKeyDown}>
        <h2 id="question-title">{c.title}</h2>
        <p>{c.text}</p>
        <div className="dialog-buttons">
          {c.answers.map((a) => (
            <button key={a.choice} className="small" onClick={() => answer(a.choice)} data-testid={`answer-${a.choice}`}>
              {a.label}
            </button>
          ))}
        </div>
      </div>
    </div>
  );
}
