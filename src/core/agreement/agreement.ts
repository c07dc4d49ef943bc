/**
 * Inter-rater agreement of two or more raters' reads of one series: the raters' outlines are paired by
 * level, muscle and side; per ROI the Dice coefficient and Hausdorff distance of each pair of raters
 * (overlap.ts); per metric (CSA, fCSA, fat fraction, mean HU) the ICC(2,1) with its 95% CI over every
 * ROI that all raters outlined (icc.ts), and Bland-Altman bias and limits of agreement per pair of
 * raters (blandAltman.ts). The metrics are the measurement records of each rater's document on the
 * series HU (the same numbers as `measure`), given here; this module only pairs and compares.
 */
import type { Roi } from '../annotations/document';
import { nearestSliceToZ, type VolumeGeometry } from '../geometry/volumeGeometry';
import type { MeasurementRecord } from '../metrics/records';
import { blandAltman, type BlandAltmanResult } from './blandAltman';
import { icc21, type IccResult } from './icc';
import { compareOutlines, type OutlineOverlap } from './overlap';

/** The metrics compared, as the records' keys: CSA, functional CSA, fat infiltration (a fraction), mean HU. */
export const AGREEMENT_METRICS = [
  { key: 'areaMm2', label: 'CSA', unit: 'mm2' },
  { key: 'leanAreaMm2', label: 'fCSA', unit: 'mm2' },
  { key: 'fatFraction', label: 'fat fraction', unit: '1' },
  { key: 'meanHu', label: 'mean HU', unit: 'HU' },
] as const;
export type AgreementMetricKey = (typeof AGREEMENT_METRICS)[number]['key'];

/** One rater's read: the outlines of the document and their measurement records (one per level x muscle x side). */
export interface RaterRead {
  rater: string;
  rois: readonly Pick<Roi, 'level' | 'muscle' | 'side' | 'sliceIndex' | 'z' | 'pointsLps'>[];
  records: readonly MeasurementRecord[];
}

export interface RoiPairAgreement extends OutlineOverlap {
  raterA: string;
  raterB: string;
}

export interface RoiAgreement {
  level: string;
  muscle: string;
  side: string;
  /** Raters that outlined this ROI (in the order the reads were given). */
  raters: string[];
  /** Raters without an outline of it. */
  missing: string[];
  pairs: RoiPairAgreement[];
  /** Each rater's measured values of the compared metrics for this ROI (null: not measured, absent or empty), in the order of `raters`. */
  values: { rater: string; metrics: Record<AgreementMetricKey, number | null> }[];
}

export interface MetricAgreement {
  key: AgreementMetricKey;
  label: string;
  unit: string;
  /** ROIs that every rater outlined and measured (the ICC's targets). */
  targets: number;
  icc: IccResult;
  blandAltman: ({ raterA: string; raterB: string } & BlandAltmanResult)[];
}

export interface AgreementReport {
  raters: string[];
  rois: RoiAgreement[];
  metrics: MetricAgreement[];
}

const roiKey = (r: { level: string | null; muscle: string | null; side: string | null }) => `${r.level}|${r.muscle}|${r.side}`;

/**
 * Agreement of the reads (at least two, by different raters) on the grid `g` they were outlined on.
 * ROIs are listed in the order of the first read that has them.
 */
export function agreement(g: VolumeGeometry, reads: readonly RaterRead[], confidence = 0.95): AgreementReport {
  if (reads.length < 2) throw new RangeError('agreement needs the reads of at least 2 raters');
  const raters = reads.map((r) => r.rater);
  const order: string[] = [];
  const outlines = reads.map((read) => {
    const m = new Map<string, RaterRead['rois'][number][]>();
    for (const o of read.rois) {
      const k = roiKey(o);
      if (!order.includes(k)) order.push(k);
      m.set(k, [...(m.get(k) ?? []), o]);
    }
    return m;
  });
  const records = reads.map((read) => new Map(read.records.filter((r) => r.status !== 'absent').map((r) => [roiKey(r), r] as const)));
  const valueOf = (i: number, k: string, key: AgreementMetricKey): number | null => {
    const v = (records[i]!.get(k) as unknown as Record<string, unknown> | undefined)?.[key];
    return typeof v === 'number' && Number.isFinite(v) ? v : null;
  };
  const rois: RoiAgreement[] = order.map((k) => {
    const [level, muscle, side] = k.split('|') as [string, string, string];
    const has = reads.map((_, i) => outlines[i]!.has(k));
    const pairs: RoiPairAgreement[] = [];
    for (let a = 0; a < reads.length; a++) {
      for (let b = a + 1; b < reads.length; b++) {
        if (!has[a] || !has[b]) continue;
        pairs.push({ raterA: raters[a]!, raterB: raters[b]!, ...safeCompare(g, outlines[a]!.get(k)!, outlines[b]!.get(k)!) });
      }
    }
    const values = reads
      .map((read, i) => ({ i, rater: read.rater }))
      .filter(({ i }) => has[i])
      .map(({ i, rater }) => ({ rater, metrics: Object.fromEntries(AGREEMENT_METRICS.map((m) => [m.key, valueOf(i, k, m.key)])) as Record<AgreementMetricKey, number | null> }));
    return { level, muscle, side, raters: raters.filter((_, i) => has[i]), missing: raters.filter((_, i) => !has[i]), pairs, values };
  });
  const metrics: MetricAgreement[] = AGREEMENT_METRICS.map((m) => {
    const value = (i: number, k: string): number | null => valueOf(i, k, m.key);
    const table: number[][] = [];
    for (const k of order) {
      const row = reads.map((_, i) => value(i, k));
      if (row.every((v) => v !== null)) table.push(row as number[]);
    }
    const pairs: MetricAgreement['blandAltman'] = [];
    for (let a = 0; a < reads.length; a++) {
      for (let b = a + 1; b < reads.length; b++) {
        const xs: number[] = [];
        const ys: number[] = [];
        for (const k of order) {
          const x = value(a, k);
          const y = value(b, k);
          if (x !== null && y !== null) {
            xs.push(x);
            ys.push(y);
          }
        }
        pairs.push({ raterA: raters[a]!, raterB: raters[b]!, ...blandAltman(xs, ys) });
      }
    }
    return { key: m.key, label: m.label, unit: m.unit, targets: table.length, icc: icc21(table, confidence), blandAltman: pairs };
  });
  return { raters, rois, metrics };
}

/**
 * The slice an outline is measured on, found as the measurement finds it (annotations/outlineFlags.ts
 * roiSlice): its sliceIndex when that slice lies at its z, else the slice nearest its z.
 */
function measuredSlice(g: VolumeGeometry, o: { sliceIndex: number; z: number }): number {
  const pos = g.slicePositions[o.sliceIndex];
  return pos && Math.abs(pos[2] - o.z) < 1e-3 ? o.sliceIndex : nearestSliceToZ(g, o.z);
}

/** compareOutlines on the measured slices; an outline that cannot be put on the grid gives no numbers and a note, never a crash. */
function safeCompare(g: VolumeGeometry, a: readonly RaterRead['rois'][number][], b: readonly RaterRead['rois'][number][]): OutlineOverlap {
  const onGrid = (os: readonly RaterRead['rois'][number][]) => os.map((o) => ({ sliceIndex: measuredSlice(g, o), pointsLps: o.pointsLps }));
  try {
    return compareOutlines(g, onGrid(a), onGrid(b));
  } catch (e) {
    return { dice: null, hausdorffMm: null, pixelsA: 0, pixelsB: 0, note: `not compared: ${(e as Error).message}` };
  }
}
