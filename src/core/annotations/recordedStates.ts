/**
 * States a rater records besides outlines: a muscle absent at a level, and an outline's trust flags
 * accepted with a reason. Pure functions over the document; the checklist (src/renderer/state/checklist.ts)
 * and the exports (measureAnnotations.ts) both read them from here.
 */
import type { Level, Muscle, Side } from '../anatomy/anatomy';
import type { AbsentRecord, AnnotationDocument, FlagAcceptance, Roi, RoiMuscle } from './document';

/** The absent record of a level, muscle and side, or null. */
export function absentRecord(doc: Pick<AnnotationDocument, 'absent'> | null | undefined, level: Level, muscle: RoiMuscle, side: Side): AbsentRecord | null {
  return doc?.absent?.find((a) => a.level === level && a.muscle === muscle && a.side === side) ?? null;
}

/**
 * ACCEPTANCE RULE: an acceptance covers exactly the flag texts it names. The flags of an outline that it
 * does not name are open (a new flag, or the same check with another value: an overlap of 12 px
 * accepted does not accept one of 40 px); a named flag that is no longer raised is resolved.
 */
export function openFlags(roi: Pick<Roi, 'accepted'>, flags: readonly string[]): string[] {
  const ok = roi.accepted?.flags;
  return ok ? flags.filter((f) => !ok.includes(f)) : [...flags];
}

/** The outline's acceptance reduced to the flags still raised, or null when it covers none of them. */
export function acceptedNow(roi: Pick<Roi, 'accepted'>, flags: readonly string[]): FlagAcceptance | null {
  const a = roi.accepted;
  if (!a) return null;
  const still = a.flags.filter((f) => flags.includes(f));
  return still.length ? { ...a, flags: still } : null;
}

/** Set (or clear, with no flags) the acceptance of an outline; the outline's own modifiedAt is kept (accepting is not editing). */
export function withAcceptance(roi: Roi, acceptance: FlagAcceptance | null): Roi {
  const { accepted: _old, ...rest } = roi;
  void _old;
  return acceptance && acceptance.flags.length ? { ...rest, accepted: acceptance } : rest;
}

/** Muscle x side x level key of an absent record (same shape as an outline's). */
export const absentKey = (a: { level: Level; muscle: Muscle | RoiMuscle; side: Side }): string => `${a.level}|${a.muscle}|${a.side}`;
