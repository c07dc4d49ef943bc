import type { AnnotationDocument, Roi, RoiMuscle } from '../../core/annotations/document';
import type { Level, Muscle, Side } from '../../core/anatomy/anatomy';
import { outlineFlagger, roiSlice } from '../../core/annotations/outlineFlags';
import { isPlausibilityFlag } from '../../core/annotations/plausibility';
import type { HuVolume } from '../../core/volume';

/** The eight ROIs of a level, in the order the checklist walks them. */
export const CHECKLIST: readonly { muscle: Muscle; side: Side }[] = [
  { muscle: 'psoas', side: 'left' },
  { muscle: 'psoas', side: 'right' },
  { muscle: 'quadratusLumborum', side: 'left' },
  { muscle: 'quadratusLumborum', side: 'right' },
  { muscle: 'erectorSpinae', side: 'left' },
  { muscle: 'erectorSpinae', side: 'right' },
  { muscle: 'multifidus', side: 'left' },
  { muscle: 'multifidus', side: 'right' },
];

export function isDone(doc: AnnotationDocument | null, level: Level, muscle: RoiMuscle, side: Side): boolean {
  return !!doc?.rois.some((r) => r.level === level && r.muscle === muscle && r.side === side);
}

/** The next target after the current one that has no outline yet on this level (wrapping), or null when all are done. */
export function nextTarget(doc: AnnotationDocument | null, level: Level, current: { muscle: Muscle; side: Side }): { muscle: Muscle; side: Side } | null {
  const start = CHECKLIST.findIndex((t) => t.muscle === current.muscle && t.side === current.side);
  for (let n = 1; n <= CHECKLIST.length; n++) {
    const t = CHECKLIST[(start + n) % CHECKLIST.length]!;
    if (!isDone(doc, level, t.muscle, t.side)) return t;
  }
  return null;
}

/** The first target of the checklist that has no outline yet on this level, or null when all eight are done. */
export function firstOpenTarget(doc: AnnotationDocument | null, level: Level): { muscle: Muscle; side: Side } | null {
  return CHECKLIST.find((t) => !isDone(doc, level, t.muscle, t.side)) ?? null;
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

export const MUSCLE_COLORS: Record<RoiMuscle, string> = {
  psoas: '#ff6b6b',
  quadratusLumborum: '#ffd43b',
  erectorSpinae: '#4dabf7',
  multifidus: '#69db7c',
  autochthon: '#da77f2',
};

export const MUSCLE_SHORT: Record<RoiMuscle, string> = {
  psoas: 'PS',
  quadratusLumborum: 'QL',
  erectorSpinae: 'ES',
  multifidus: 'MF',
  autochthon: 'AU',
};

export const MUSCLE_NAMES: Record<RoiMuscle, string> = {
  psoas: 'Psoas',
  quadratusLumborum: 'Quadratus lumborum',
  erectorSpinae: 'Erector spinae',
  multifidus: 'Multifidus',
  autochthon: 'Autochthon (ES+MF)',
};

export function roiLabel(muscle: RoiMuscle, side: Side): string {
  return `${MUSCLE_SHORT[muscle]} ${side === 'left' ? 'L' : 'R'}`;
}
