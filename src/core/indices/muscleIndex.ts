import { SIDES, type Level, type Muscle, type Side } from '../anatomy/anatomy';
import { PMI_CUTOFFS } from '../anatomy/cutoffs';
import type { MeasurementRecord } from '../metrics/records';
import type { Anthropometry, Sex } from './anthropometry';

/**
 * Muscle indices at L3: area over height squared (cm²/m²).
 * - Psoas muscle index (PMI): psoas left + right. Shown beside the Hamaguchi 2016 cut-off (anatomy/cutoffs.ts).
 * - Paraspinal index: erector spinae + multifidus + quadratus lumborum, both sides; no cut-off (none is
 *   published). Where erector spinae and multifidus were not split, the autochthon (the two together) of
 *   that side stands for them.
 * Neither is an "SMI" (skeletal muscle index): that needs every skeletal muscle of the L3 slice.
 * A missing height gives "height unknown"; a missing side or muscle is named; nothing is invented.
 */

export const INDEX_LEVEL: Level = 'L3';
export const INDEX_UNIT = 'cm²/m²';

export interface MuscleIndex {
  /** cm²/m², or null with `missing` saying why. */
  value: number | null;
  /** Sum of the areas used, cm² (null when a part is missing). */
  areaCm2: number | null;
  heightM: number | null;
  /** What is missing ('height unknown', 'psoas right at L3 not measured', ...); empty when the value is known. */
  missing: string[];
  /** How the parts were found (an autochthon standing for erector spinae + multifidus, a muscle recorded absent). */
  notes: string[];
}

export interface PsoasIndex extends MuscleIndex {
  sex: Sex | null;
  /** The cut-off for this sex (null when sex is unknown). */
  cutoff: number | null;
  /** value < cutoff (null when either is unknown). */
  belowCutoff: boolean | null;
}

/** The record of one muscle and side at a level: the last measured one (as the asymmetry table), or an absent record. */
function recordOf(records: readonly MeasurementRecord[], level: Level, muscle: Muscle | 'autochthon', side: Side): MeasurementRecord | undefined {
  let found: MeasurementRecord | undefined;
  for (const r of records) if (r.level === level && r.muscle === muscle && r.side === side) found = r;
  return found;
}

const NAMES: Record<Muscle | 'autochthon', string> = {
  psoas: 'psoas',
  erectorSpinae: 'erector spinae',
  multifidus: 'multifidus',
  quadratusLumborum: 'quadratus lumborum',
  autochthon: 'autochthon',
};

/** Area (mm²) of a muscle and side at a level: 0 for a muscle recorded absent; undefined when not measured. */
function areaOf(records: readonly MeasurementRecord[], level: Level, muscle: Muscle | 'autochthon', side: Side, notes: string[]): number | undefined {
  const r = recordOf(records, level, muscle, side);
  if (!r) return undefined;
  if (r.status === 'absent') {
    notes.push(`${NAMES[muscle]} ${side} recorded absent at ${level}: counted as 0`);
    return 0;
  }
  return typeof r.areaMm2 === 'number' ? r.areaMm2 : undefined;
}

function finish(areaMm2: number | null, missing: string[], notes: string[], heightM: number | null): MuscleIndex {
  if (heightM === null) missing.push('height unknown');
  const areaCm2 = missing.some((m) => m !== 'height unknown') || areaMm2 === null ? null : areaMm2 / 100;
  const value = areaCm2 !== null && heightM !== null ? areaCm2 / (heightM * heightM) : null;
  return { value, areaCm2, heightM, missing, notes };
}

/** PMI = (psoas left + right CSA at L3, cm²) / height² (m²). */
export function psoasMuscleIndex(records: readonly MeasurementRecord[], who: Pick<Anthropometry, 'heightM' | 'sex'>): PsoasIndex {
  const missing: string[] = [];
  const notes: string[] = [];
  let sum = 0;
  for (const side of SIDES) {
    const a = areaOf(records, INDEX_LEVEL, 'psoas', side, notes);
    if (a === undefined) missing.push(`psoas ${side} at ${INDEX_LEVEL} not measured`);
    else sum += a;
  }
  const base = finish(sum, missing, notes, who.heightM);
  const cutoff = who.sex === 'M' ? PMI_CUTOFFS.men : who.sex === 'F' ? PMI_CUTOFFS.women : null;
  return { ...base, sex: who.sex, cutoff, belowCutoff: base.value !== null && cutoff !== null ? base.value < cutoff : null };
}

/** Paraspinal index = (erector spinae + multifidus + quadratus lumborum, both sides, at L3, cm²) / height² (m²); no cut-off. */
export function paraspinalIndex(records: readonly MeasurementRecord[], who: Pick<Anthropometry, 'heightM'>): MuscleIndex {
  const missing: string[] = [];
  const notes: string[] = [];
  let sum = 0;
  for (const side of SIDES) {
    const es = areaOf(records, INDEX_LEVEL, 'erectorSpinae', side, notes);
    const mf = areaOf(records, INDEX_LEVEL, 'multifidus', side, notes);
    if (es !== undefined && mf !== undefined) {
      sum += es + mf;
    } else if (es === undefined && mf === undefined && areaOf(records, INDEX_LEVEL, 'autochthon', side, notes) !== undefined) {
      sum += areaOf(records, INDEX_LEVEL, 'autochthon', side, [])!;
      notes.push(`erector spinae + multifidus ${side}: the unsplit autochthon`);
    } else {
      if (es === undefined) missing.push(`erector spinae ${side} at ${INDEX_LEVEL} not measured`);
      if (mf === undefined) missing.push(`multifidus ${side} at ${INDEX_LEVEL} not measured`);
    }
    const ql = areaOf(records, INDEX_LEVEL, 'quadratusLumborum', side, notes);
    if (ql === undefined) missing.push(`quadratus lumborum ${side} at ${INDEX_LEVEL} not measured`);
    else sum += ql;
  }
  return finish(sum, missing, notes, who.heightM);
}
