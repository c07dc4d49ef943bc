import type { MeasurementRecord } from '../../core/metrics/records';

export function fmt(v: number | null | undefined, digits: number): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '—' : v.toFixed(digits);
}

/** The numbers the metrics table shows for one core record (CSA/fCSA in cm², fat %, HU). */
export function displayRow(r: Pick<MeasurementRecord, 'areaMm2' | 'leanAreaMm2' | 'fatFraction' | 'meanHu' | 'leanMeanHu'>) {
  return {
    csa: fmt(r.areaMm2 / 100, 2),
    fcsa: fmt(r.leanAreaMm2 / 100, 2),
    fat: fmt(r.fatFraction === null ? null : r.fatFraction * 100, 1),
    mean: fmt(r.meanHu, 1),
    lean: fmt(r.leanMeanHu, 1),
  };
}
