/**
 * The options of `paraspine measure` and what they make of a measuring input (node/measureSeries.ts),
 * shared by `measure` (one series) and `batch` (every row of a manifest, per-row values from the manifest).
 */
import { parseLevels } from '../core/anatomy/anatomy';
import { BONE_VERTEBRAE } from '../core/bone/trabecular';
import { heightProblem } from '../core/indices/anthropometry';
import { validMaskThreshold } from '../core/masks/maskValues';
import type { HuRanges } from '../core/metrics/ranges';
import type { MeasureSeriesInput } from '../node/measureSeries';
import { oneOf, parseNumberList, parseRange, UsageError } from './args';

/** Every option of `measure` that shapes the measuring (not --format or --out). */
export const MEASURE_OPTIONS = {
  masks: { type: 'string' },
  labels: { type: 'string' },
  annotations: { type: 'string' },
  levels: { type: 'string' },
  z: { type: 'string' },
  structures: { type: 'string' },
  'split-autochthon': { type: 'boolean' },
  'mask-threshold': { type: 'string' },
  'muscle-hu': { type: 'string' },
  'fat-hu': { type: 'string' },
  series: { type: 'string' },
  'height-m': { type: 'string' },
  sex: { type: 'string' },
  bone: { type: 'string' },
} as const;

/** The parsed values of MEASURE_OPTIONS. */
export type MeasureOptionValues = { [K in keyof typeof MEASURE_OPTIONS]?: (typeof MEASURE_OPTIONS)[K]['type'] extends 'boolean' ? boolean : string };

/** The measuring input, all but the series, from measure's option values (usage errors as UsageError). */
export function measureInput(values: MeasureOptionValues): Omit<MeasureSeriesInput, 'series'> {
  const labels = values.labels === undefined ? undefined : oneOf(values.labels, ['totalsegmentator'] as const, '--labels', 'totalsegmentator');
  let levels: MeasureSeriesInput['levels'];
  if (values.levels !== undefined) {
    try {
      levels = values.levels.trim().toLowerCase() === 'auto' ? 'auto' : parseLevels(values.levels);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
  }
  const ranges: Partial<HuRanges> = {};
  if (values['muscle-hu'] !== undefined) (ranges as { muscleHu?: [number, number] }).muscleHu = parseRange(values['muscle-hu'], '--muscle-hu');
  if (values['fat-hu'] !== undefined) (ranges as { fatHu?: [number, number] }).fatHu = parseRange(values['fat-hu'], '--fat-hu');
  let maskThreshold: number | undefined;
  if (values['mask-threshold'] !== undefined) {
    const t = values['mask-threshold'].trim();
    maskThreshold = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t) ? Number(t) : NaN;
    if (!validMaskThreshold(maskThreshold)) throw new UsageError(`--mask-threshold must be a number greater than 0 and at most 1 (got '${values['mask-threshold']}')`);
  }
  const boneSpec = values.bone === undefined ? 'none' : oneOf(values.bone.toUpperCase() === 'NONE' ? 'none' : values.bone.toUpperCase(), [...BONE_VERTEBRAE, 'none'] as const, '--bone', 'none');
  person(values); // checked with the rest (used by the reports)
  return {
    masks: values.masks,
    labels,
    annotations: values.annotations,
    levels,
    z: values.z !== undefined ? parseNumberList(values.z, '--z') : undefined,
    structures: values.structures,
    ranges,
    splitAutochthon: values['split-autochthon'] === true,
    ...(maskThreshold !== undefined ? { maskThreshold } : {}),
    ...(boneSpec !== 'none' ? { bone: boneSpec } : {}),
  };
}

/** Height (m) and sex given on the command line (the reports' indices; DICOM PatientSize / PatientSex come first). */
export function person(values: MeasureOptionValues): { heightM?: number; sex?: 'M' | 'F' } {
  const sex = values.sex === undefined ? undefined : oneOf(values.sex.toUpperCase(), ['M', 'F'] as const, '--sex', 'M');
  let heightM: number | undefined;
  if (values['height-m'] !== undefined) {
    const t = values['height-m'].trim();
    heightM = /^(\d+\.?\d*|\.\d+)$/.test(t) ? Number(t) : NaN;
    const why = heightProblem(heightM);
    if (why) throw new UsageError(`--height-m: ${Number.isNaN(heightM) ? `'${values['height-m']}' is not a height in metres` : why}`);
  }
  return { ...(heightM !== undefined ? { heightM } : {}), ...(sex ? { sex } : {}) };
}
