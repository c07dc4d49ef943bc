import { isLevel } from '../anatomy/anatomy';
import type { Vec3 } from '../geometry/vec3';
import { DEFAULT_REGISTRY } from '../metrics/definitions';
import { DEFAULT_RANGES, type HuRanges } from '../metrics/ranges';
import { measureSliceMask, type MeasurementRecord } from '../metrics/records';
import { contourMask } from '../roi/contour';
import { sliceView, type HuVolume } from '../volume';
import { proposeTrabecularRoi, type BoneVertebra, type TrabecularOptions, type TrabecularProposal } from './trabecular';

/** The `muscle` value of a trabecular bone record (CSV column `muscle`, JSON key `muscle`). */
export const TRABECULAR_MUSCLE = 'trabecularBone' as const;

/** The record's `structure`: "L1 trabecular". */
export function trabecularStructure(vertebra: BoneVertebra): string {
  return `${vertebra} trabecular`;
}

/**
 * The slice metrics a bone ROI keeps: pixels, area, mean and SD HU. The lean and fat metrics are defined
 * by the muscle and fat HU ranges and mean nothing in bone: null on a bone record (empty CSV cells), never 0.
 */
export const TRABECULAR_METRICS = ['pixels', 'areaMm2', 'meanHu', 'sdHu'] as const;

/**
 * Measure a trabecular ROI (closed outline in LPS on slice k) through the same path as the muscles
 * (pixel-centre rule, measureSliceMask): a record with muscle 'trabecularBone', no side, level the
 * vertebra when it is one of the measured levels (L1..L5; null for T12, which the structure names).
 */
export function measureTrabecular(volume: HuVolume, k: number, pointsLps: readonly Vec3[], vertebra: BoneVertebra, ranges: HuRanges = DEFAULT_RANGES): MeasurementRecord {
  const mask = contourMask(volume.geometry, k, pointsLps);
  const record = measureSliceMask(volume, k, mask, { structure: trabecularStructure(vertebra), muscle: null, side: null }, isLevel(vertebra) ? vertebra : null, ranges);
  record.muscle = TRABECULAR_MUSCLE;
  const cells = record as unknown as Record<string, unknown>;
  for (const key of DEFAULT_REGISTRY.keys('slice')) if (!(TRABECULAR_METRICS as readonly string[]).includes(key)) cells[key] = null;
  record.warnings = [...record.warnings, ...trabecularChecks(sliceView(volume, k), mask, vertebra)];
  return record;
}

/**
 * Where a trabecular ROI cannot be what it is saved as, said in the record's flags (CSV flags, JSON
 * warnings, the bone panel's row): its mean below TRABECULAR_CHECK.minMeanHu (fat or soft tissue: not in
 * the vertebral body), or more than TRABECULAR_CHECK.maxCortexShare of its pixels at or above
 * TRABECULAR_CHECK.cortexHu (it takes in the cortex or an endplate, which raises the mean). Trabecular bone
 * of the lumbar bodies lies at about 50..300 HU even in osteoporosis; cortex is several hundred HU above.
 */
export const TRABECULAR_CHECK = { minMeanHu: 0, cortexHu: 500, maxCortexShare: 0.1 } as const;

export function trabecularChecks(hu: ArrayLike<number>, mask: Uint8Array, vertebra: BoneVertebra): string[] {
  let n = 0;
  let sum = 0;
  let cortex = 0;
  for (let p = 0; p < mask.length; p++) {
    if (!mask[p]) continue;
    const v = hu[p]!;
    n++;
    sum += v;
    if (v >= TRABECULAR_CHECK.cortexHu) cortex++;
  }
  if (n === 0) return [`anatomy check: ${vertebra} trabecular ROI holds no pixel`];
  const out: string[] = [];
  const mean = sum / n;
  if (mean < TRABECULAR_CHECK.minMeanHu) out.push(`anatomy check: ${vertebra} trabecular ROI mean ${mean.toFixed(1)} HU is below ${TRABECULAR_CHECK.minMeanHu} HU: is it inside the vertebral body?`);
  const share = cortex / n;
  if (share > TRABECULAR_CHECK.maxCortexShare) {
    out.push(`anatomy check: ${Math.round(share * 100)}% of the ${vertebra} trabecular ROI's pixels are >= ${TRABECULAR_CHECK.cortexHu} HU: it takes in cortex; keep it clear of the cortex and endplates`);
  }
  return out;
}

export type BoneFromMasks = { ok: true; proposal: TrabecularProposal; record: MeasurementRecord } | { ok: false; reason: string };

/**
 * For the command line (`measure --masks` with a vertebra mask): propose the trabecular ROI of a vertebra
 * from its mask and measure it. The reason when no ROI fits; the proposal's method travels on the
 * record's warnings so a reader knows it was not placed by hand.
 */
export function boneRoiFromMasks(volume: HuVolume, vertebraMask: Uint8Array, vertebra: BoneVertebra, opts: TrabecularOptions & { ranges?: HuRanges } = {}): BoneFromMasks {
  const r = proposeTrabecularRoi(volume.geometry, vertebraMask, vertebra, opts);
  if (!r.ok) return r;
  const record = measureTrabecular(volume, r.proposal.sliceIndex, r.proposal.pointsLps, vertebra, opts.ranges);
  record.warnings = [r.proposal.method, ...record.warnings];
  return { ok: true, proposal: r.proposal, record };
}

/** The TotalSegmentator mask name of a vertebra ('vertebrae_L1'). */
export function vertebraMaskName(vertebra: BoneVertebra): string {
  return `vertebrae_${vertebra}`;
}

/**
 * boneRoiFromMasks on a set of loaded masks (the CLI's --masks): the vertebra's mask found by its
 * TotalSegmentator name; a one-line reason when it is not among them.
 */
export function boneRoiFromMaskSet(volume: HuVolume, masks: readonly { name: string; data: Uint8Array }[], vertebra: BoneVertebra, opts: TrabecularOptions & { ranges?: HuRanges } = {}): BoneFromMasks {
  const name = vertebraMaskName(vertebra);
  const m = masks.find((x) => x.name === name);
  if (!m) return { ok: false, reason: `no ${name} mask among the masks: the ${vertebra} trabecular ROI needs it` };
  return boneRoiFromMasks(volume, m.data, vertebra, opts);
}
