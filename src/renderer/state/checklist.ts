import type { AnnotationDocument, Roi, RoiMuscle } from '../../core/annotations/document';
import { MUSCLE_ORDER, SIDES, type Level, type Muscle, type Side } from '../../core/anatomy/anatomy';
import { outlineFlagger, roiSlice } from '../../core/annotations/outlineFlags';
import { absentRecord, openFlags } from '../../core/annotations/recordedStates';
import { isPlausibilityFlag } from '../../core/annotations/plausibility';
import type { HuVolume } from '../../core/volume';
import { MUSCLE_SHORT } from '../../core/anatomy/muscleStyle';

/** The eight ROIs of a level, in the order the checklist walks them. */
export const CHECKLIST: readonly { muscle: Muscle; side: Side }[] = MUSCLE_ORDER.flatMap((muscle) =>
  muscle === 'autochthon' ? [] : SIDES.map((side) => ({ muscle, side })),
);

export function isDone(doc: AnnotationDocument | null, level: Level, muscle: RoiMuscle, side: Side): boolean {
  return !!doc?.rois.some((r) => r.level === level && r.muscle === muscle && r.side === side && !awaitsConfirmation(r));
}

/**
 * Propagated and mirrored outlines are proposals made by a tool: they never tick the checklist by
 * themselves (the label is not done until they are confirmed; the checklist shows them with the orange ?).
 */
export function awaitsConfirmation(r: Pick<Roi, 'source'>): boolean {
  return r.source === 'propagated' || r.source === 'mirrored';
}

/** An outline's trust flags (checklistFlags, outlineFlagger); null where they are not known (no volume yet). */
export type FlagsOf = ((roi: Roi) => readonly string[]) | null;

/** Where a checklist target stands: recorded absent, done (complete), outlined with a flag not resolved nor accepted, or open. */
export type TargetState = 'absent' | 'done' | 'flagged' | 'open';

/**
 * COMPLETENESS, the one rule (the level's n/8, the next-target walk, the level's "complete" tick): a
 * target (level x muscle x side) is complete when it has an outline that counts (isDone) and none of its
 * outlines has a trust flag that is neither resolved nor accepted with a reason (openFlags), or when it
 * has no outline and is recorded absent. An outline wins over an absent record.
 */
export function targetState(doc: AnnotationDocument | null, level: Level, muscle: Muscle, side: Side, flagsOf: FlagsOf = null): TargetState {
  const rois = doc?.rois.filter((r) => r.level === level && r.muscle === muscle && r.side === side) ?? [];
  if (rois.length === 0) return absentRecord(doc, level, muscle, side) ? 'absent' : 'open';
  if (!isDone(doc, level, muscle, side)) return 'open';
  return flagsOf && rois.some((r) => openFlags(r, flagsOf(r)).length > 0) ? 'flagged' : 'done';
}

export function isComplete(doc: AnnotationDocument | null, level: Level, muscle: Muscle, side: Side, flagsOf: FlagsOf = null): boolean {
  const s = targetState(doc, level, muscle, side, flagsOf);
  return s === 'done' || s === 'absent';
}

/** How many of the level's eight targets are complete. */
export function completeCount(doc: AnnotationDocument | null, level: Level, flagsOf: FlagsOf = null): number {
  return CHECKLIST.filter((t) => isComplete(doc, level, t.muscle, t.side, flagsOf)).length;
}

/** The flags of every outline of a document on this volume (outlineFlagger, computed once per outline). */
export function documentFlags(doc: AnnotationDocument, volume: HuVolume): (roi: Roi) => readonly string[] {
  const flag = outlineFlagger(volume, doc);
  const memo = new Map<Roi, string[]>();
  return (r) => {
    let f = memo.get(r);
    if (!f) memo.set(r, (f = flag(r, roiSlice(volume, r))));
    return f;
  };
}

/** The next target after the current one that is not complete on this level (wrapping), or null when all are complete. */
export function nextTarget(doc: AnnotationDocument | null, level: Level, current: { muscle: Muscle; side: Side }, flagsOf: FlagsOf = null): { muscle: Muscle; side: Side } | null {
  const start = CHECKLIST.findIndex((t) => t.muscle === current.muscle && t.side === current.side);
  for (let n = 1; n <= CHECKLIST.length; n++) {
    const t = CHECKLIST[(start + n) % CHECKLIST.length]!;
    if (!isComplete(doc, level, t.muscle, t.side, flagsOf)) return t;
  }
  return null;
}

/** The first target of the checklist that is not complete on this level, or null when all eight are. */
export function firstOpenTarget(doc: AnnotationDocument | null, level: Level, flagsOf: FlagsOf = null): { muscle: Muscle; side: Side } | null {
  return CHECKLIST.find((t) => !isComplete(doc, level, t.muscle, t.side, flagsOf)) ?? null;
}

/**
 * Each outline of a level with its trust flags from core (shape, level slice, side check, overlap, anatomy),
 * keyed by the outline itself (not its id: ids are made unique on load, but a check never depends on it).
 */
export function checklistFlags(doc: AnnotationDocument, volume: HuVolume, level: Level): Map<Roi, string[]> {
  const out = new Map<Roi, string[]>();
  const flag = outlineFlagger(volume, doc);
  for (const r of doc.rois) if (r.level === level) out.set(r, flag(r, roiSlice(volume, r)));
  return out;
}

/**
 * The checklist's short word for a label's flags: the side check first, then the anatomy (plausibility:
 * bone inside, mean HU, area, position for the muscle and level), then the outline's shape, else
 * "check" (the tooltip lists them all).
 */
export function flagWord(flags: readonly string[]): string {
  if (flags.some((f) => f.startsWith('side check'))) return 'side?';
  if (flags.some(isPlausibilityFlag)) return 'anatomy?';
  if (flags.some((f) => f.startsWith('the outline '))) return 'shape?';
  return 'check';
}

// The muscles' colours, tags and names live in core (the reports draw them too).
export { MUSCLE_COLORS, MUSCLE_NAMES, MUSCLE_SHORT } from '../../core/anatomy/muscleStyle';

export function roiLabel(muscle: RoiMuscle, side: Side): string {
  return `${MUSCLE_SHORT[muscle]} ${side === 'left' ? 'L' : 'R'}`;
}
