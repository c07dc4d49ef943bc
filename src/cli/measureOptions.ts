/**
 * The options of `paraspine measure` and what they make of a measuring input (node/measureSeries.ts),
 * shared by `measure` (one series) and `batch` (every row of a manifest, per-row values from the manifest).
 */
import { DEFAULT_LEVELS, parseLevels } from '../core/anatomy/anatomy';
import { BONE_VERTEBRAE } from '../core/bone/trabecular';
import { heightProblem } from '../core/indices/anthropometry';
import { validMaskThreshold } from '../core/masks/maskValues';
import { DEFAULT_RANGES, type HuRanges } from '../core/metrics/ranges';
import type { MeasureSeriesInput } from '../node/measureSeries';
import { oneOf, parseNumberList, parseRange, UsageError, type OptionTable } from './args';

/** Every option of `measure` that shapes the measuring (not --format or --out), with its help (`paraspine measure --help`). */
export const MEASURE_OPTIONS = {
  masks: { type: 'string', help: { value: 'FOLDER|FILE', text: 'Muscle and vertebra masks: a folder of NIfTI masks (one per structure), a multilabel NIfTI or a DICOM SEG.', default: 'none' } },
  labels: { type: 'string', help: { value: 'totalsegmentator', text: "The label table of a multilabel file (TotalSegmentator v2 'total' class numbers).", default: 'label_N names' } },
  annotations: { type: 'string', help: { value: 'FILE', text: "An annotation document (the app's JSON): its level marks choose the slices, its outlines are measured.", default: 'none' } },
  levels: { type: 'string', help: { value: 'auto|L3,L4/L5,...', text: `Levels found from the vertebra masks ('auto' = ${DEFAULT_LEVELS.join(', ')}).`, default: "auto with --masks, unless --annotations gives the levels" } },
  z: { type: 'string', help: { value: 'MM,MM,...', text: 'Measure the slices nearest these patient z positions (mm) instead of levels.', default: 'none' } },
  structures: { type: 'string', help: { value: 'muscles|all|NAME,NAME', text: "Which masks to measure: the recognised muscles, every mask but the vertebrae, or the named ones (raw).", default: 'muscles' } },
  'split-autochthon': {
    type: 'boolean',
    help: { text: "Map TotalSegmentator classes to Paraspine muscles as the app's mask import does: iliopsoas -> the psoas component (iliacus left out), autochthon -> multifidus + erector spinae. The default; accepted for scripts that give it.", default: 'on' },
  },
  'no-split': { type: 'boolean', help: { text: 'Measure the masks raw: iliopsoas as psoas (with the iliacus), autochthon as one autochthon record (JSON mapping: raw).', default: 'off' } },
  'mask-threshold': { type: 'string', help: { value: 'T', text: 'Accept a probability-map mask: a voxel is set where its value >= T (0 < T <= 1).', default: 'none: such a mask is refused' } },
  'muscle-hu': { type: 'string', help: { value: 'LO,HI', text: 'The HU range of lean muscle (functional CSA), inclusive.', default: `${DEFAULT_RANGES.muscleHu[0]},${DEFAULT_RANGES.muscleHu[1]}` } },
  'fat-hu': { type: 'string', help: { value: 'LO,HI', text: 'The HU range of fat (fat infiltration), inclusive.', default: `${DEFAULT_RANGES.fatHu[0]},${DEFAULT_RANGES.fatHu[1]}` } },
  series: { type: 'string', help: { value: 'UID', text: 'The series to measure when the folder holds more than one.', default: 'the only series' } },
  'height-m': { type: 'string', help: { value: 'M', text: "Patient height in metres for the muscle indices (DICOM PatientSize comes first).", default: 'from the DICOM' } },
  sex: { type: 'string', help: { value: 'M|F', text: 'Patient sex for the indices (DICOM PatientSex comes first).', default: 'from the DICOM' } },
  bone: { type: 'string', help: { value: `${BONE_VERTEBRAE[0]}..${BONE_VERTEBRAE[BONE_VERTEBRAE.length - 1]}|none`, text: 'Propose and measure the trabecular bone ROI of this vertebra (needs vertebra masks).', default: 'none' } },
} as const satisfies OptionTable;

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
  if (values['split-autochthon'] === true && values['no-split'] === true) throw new UsageError('use either --split-autochthon or --no-split, not both');
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
    // undefined: the default (split)
    ...(values['no-split'] === true ? { splitAutochthon: false } : values['split-autochthon'] === true ? { splitAutochthon: true } : {}),
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
