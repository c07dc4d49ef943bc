import { DEFAULT_RANGES, type HuRanges } from '../../core/metrics/ranges';
import { WINDOW_PRESETS, type WindowPreset } from '../../shared/windowPresets';

export type PresetId = WindowPreset['id'];

export function presetById(id: PresetId): WindowPreset {
  return WINDOW_PRESETS.find((p) => p.id === id) ?? WINDOW_PRESETS[0]!;
}

export function nextPreset(id: PresetId): PresetId {
  const i = WINDOW_PRESETS.findIndex((p) => p.id === id);
  return WINDOW_PRESETS[(i + 1) % WINDOW_PRESETS.length]!.id;
}

/** HU range presets for the metrics (muscle range, fat range; inclusive). */
export const RANGE_PRESETS: readonly { id: string; label: string; ranges: HuRanges }[] = [
  { id: 'default', label: `Standard (${DEFAULT_RANGES.muscleHu.join('..')} / ${DEFAULT_RANGES.fatHu.join('..')})`, ranges: DEFAULT_RANGES },
  { id: 'aubrey', label: 'Aubrey (-29..100 / -190..-30)', ranges: { muscleHu: [-29, 100], fatHu: [-190, -30] } },
  { id: 'lean30', label: 'Lean 30..100 / -190..-30', ranges: { muscleHu: [30, 100], fatHu: [-190, -30] } },
  { id: 'wide', label: 'Wide (-50..150 / -200..-51)', ranges: { muscleHu: [-50, 150], fatHu: [-200, -51] } },
];

export function formatRanges(r: HuRanges): string {
  return `muscle ${r.muscleHu[0]}..${r.muscleHu[1]} HU · fat ${r.fatHu[0]}..${r.fatHu[1]} HU`;
}
