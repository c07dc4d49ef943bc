/** The anatomy model: muscles, sides and levels Paraspine measures. */
import { UserError } from '../errors';

export const MUSCLES = ['psoas', 'erectorSpinae', 'multifidus', 'quadratusLumborum'] as const;
export type Muscle = (typeof MUSCLES)[number];

/**
 * The order muscles are listed in everywhere (sorted records and exports, the metrics table, the
 * checklist): psoas, quadratus lumborum, erector spinae, multifidus, then the unsplit autochthon.
 */
export const MUSCLE_ORDER = ['psoas', 'quadratusLumborum', 'erectorSpinae', 'multifidus', 'autochthon'] as const satisfies readonly (Muscle | 'autochthon')[];

export const SIDES = ['left', 'right'] as const;
export type Side = (typeof SIDES)[number];

export const VERTEBRAE = ['L1', 'L2', 'L3', 'L4', 'L5', 'S1'] as const;
export type Vertebra = (typeof VERTEBRAE)[number];

/** Vertebral levels (mid-body) and disc levels (mid-disc), head to foot: the order levels are listed and sorted in. */
export const ALL_LEVELS = ['L1', 'L1/L2', 'L2', 'L2/L3', 'L3', 'L3/L4', 'L4', 'L4/L5', 'L5', 'L5/S1'] as const;
export type Level = (typeof ALL_LEVELS)[number];

/** The levels measured by default. */
export const DEFAULT_LEVELS: readonly Level[] = ['L3', 'L3/L4', 'L4/L5', 'L5/S1'];

export function isLevel(s: string): s is Level {
  return (ALL_LEVELS as readonly string[]).includes(s);
}

export function parseLevels(csv: string): Level[] {
  const out: Level[] = [];
  for (const raw of csv.split(',')) {
    const s = raw.trim().toUpperCase();
    if (!isLevel(s)) throw new UserError('usage', `unknown level '${raw.trim()}' (known: ${ALL_LEVELS.join(', ')})`);
    if (!out.includes(s)) out.push(s);
  }
  return out;
}

/** The two vertebrae around a disc level, or the vertebra of a body level. */
export function levelVertebrae(level: Level): readonly Vertebra[] {
  return level.split('/') as Vertebra[];
}

export function isDiscLevel(level: Level): boolean {
  return level.includes('/');
}
