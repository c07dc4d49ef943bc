import { L1_TRABECULAR_BANDS } from '../anatomy/cutoffs';
import { DEFAULT_REGISTRY, formatMetric, type MetricInfo } from '../metrics/definitions';
import type { MeasurementRecord } from '../metrics/records';
import type { ReportPanel, ReportPanelRow } from '../report/panel';
import { TRABECULAR_MUSCLE } from './measureBone';
import { BONE_VERTEBRAE, type BoneVertebra } from './trabecular';

const metric = (key: string): MetricInfo => DEFAULT_REGISTRY.get('slice', key)!;

/** The trabecular records of a set of records, by vertebra (the last one of a vertebra wins, as the asymmetry table). */
export function trabecularRecords(records: readonly MeasurementRecord[]): Map<BoneVertebra, MeasurementRecord> {
  const out = new Map<BoneVertebra, MeasurementRecord>();
  for (const v of BONE_VERTEBRAE) {
    for (const r of records) if (r.muscle === TRABECULAR_MUSCLE && r.structure === `${v} trabecular`) out.set(v, r);
  }
  return out;
}

/** The band an L1 mean falls in, as a line (compared at the shown precision, so the words match the number printed). */
export function l1Band(meanHu: number): string {
  const shown = Number(formatMetric(metric('meanHu'), meanHu));
  const { osteoporosisLikely, normalLikely } = L1_TRABECULAR_BANDS;
  if (shown <= osteoporosisLikely.atMost) return osteoporosisLikely.meaning;
  if (shown >= normalLikely.atLeast) return normalLikely.meaning;
  return `between ${osteoporosisLikely.atMost} and ${normalLikely.atLeast} HU: in neither band`;
}

/** The row of one vertebra's trabecular attenuation ('L1 trabecular' → '101.4 HU', SD and pixels in the note). */
export function trabecularRow(vertebra: BoneVertebra, r: MeasurementRecord | undefined): ReportPanelRow {
  const label = `${vertebra} trabecular attenuation`;
  if (!r || typeof r.meanHu !== 'number') return { label, value: 'not measured', number: null, unit: 'HU' };
  const mean = metric('meanHu');
  const detail = `SD ${formatMetric(metric('sdHu'), r.sdHu)} HU, ${r.pixels} px, ${formatMetric(metric('areaMm2'), r.areaMm2)} cm², slice ${r.sliceIndex + 1}`;
  const band = vertebra === L1_TRABECULAR_BANDS.vertebra ? `; ${l1Band(r.meanHu)}` : '; the published bands are for L1';
  // An anatomy check on the ROI (core/bone/measureBone.ts) is said beside the value it puts in doubt.
  const checks = r.warnings.filter((w) => w.startsWith('anatomy check: ')).map((w) => `; ${w}`).join('');
  return { label, value: `${formatMetric(mean, r.meanHu)} HU`, number: r.meanHu, unit: 'HU', note: detail + band + checks };
}

/**
 * The bone density panel: L1 trabecular attenuation (and any other vertebra measured) beside the
 * Pickhardt 2013 bands, labelled an opportunistic screening aid, not a diagnosis.
 */
export function boneDensityPanel(records: readonly MeasurementRecord[]): ReportPanel {
  const found = trabecularRecords(records);
  const rows: ReportPanelRow[] = [trabecularRow('L1', found.get('L1'))];
  for (const [v, r] of found) if (v !== 'L1') rows.push(trabecularRow(v, r));
  const { osteoporosisLikely, normalLikely, caveat } = L1_TRABECULAR_BANDS;
  return {
    id: 'boneDensity',
    title: 'Bone density: L1 trabecular attenuation',
    subtitle: `Oval ROI in the trabecular bone of the vertebral body on its mid slice, clear of the cortex. Bands at L1: ${osteoporosisLikely.meaning}; ${normalLikely.meaning}.`,
    rows,
    citations: [osteoporosisLikely.citation.short],
    caveat,
  };
}
