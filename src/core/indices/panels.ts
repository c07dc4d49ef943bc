import { SIDES, type Level, type Side } from '../anatomy/anatomy';
import { GONG_2022, PMI_CUTOFFS } from '../anatomy/cutoffs';
import { boneDensityPanel, l1Band, trabecularRecords, trabecularRow } from '../bone/panel';
import { DEFAULT_REGISTRY, formatMetric, type MetricInfo } from '../metrics/definitions';
import type { MeasurementRecord } from '../metrics/records';
import type { ReportPanel, ReportPanelRow } from '../report/panel';
import { resolveAnthropometry, type Anthropometry, type DicomPatient } from './anthropometry';
import { INDEX_UNIT, paraspinalIndex, psoasMuscleIndex, type MuscleIndex, type PsoasIndex } from './muscleIndex';

/**
 * The report panels beyond the muscle table (bone density, muscle indices, the adjacent-segment factors)
 * and the same as plain data for the JSON: one function each, from the measurement records and the
 * patient's height and sex. What the app, the CLI and every report format draw.
 */

const metric = (key: string): MetricInfo => DEFAULT_REGISTRY.get('slice', key)!;

export interface PanelOptions {
  /** PatientSize and PatientSex of the series (SeriesReferences.patient): used first. */
  dicom?: DicomPatient | null;
  /** Typed height (m) and sex, used where the DICOM has none. */
  heightM?: number | null;
  sex?: string | null;
  /** A trabecular record made outside the records (boneRoiFromMasks); else the records' own. */
  bone?: MeasurementRecord | null;
}

export interface PanelResult {
  measurements: readonly MeasurementRecord[];
}

function recordsWithBone(result: PanelResult, opts: PanelOptions): readonly MeasurementRecord[] {
  return opts.bone ? [...result.measurements, opts.bone] : result.measurements;
}

const fmtIndex = (v: number) => v.toFixed(2);

function indexRow(label: string, ix: MuscleIndex, note?: string): ReportPanelRow {
  const value = ix.value !== null ? `${fmtIndex(ix.value)} ${INDEX_UNIT}` : ix.missing.join('; ');
  const notes = [note, ...ix.notes].filter((x): x is string => !!x);
  return { label, value, number: ix.value, unit: INDEX_UNIT, ...(notes.length ? { note: notes.join('; ') } : {}) };
}

function pmiNote(ix: PsoasIndex): string {
  const src = PMI_CUTOFFS.citation.short;
  if (ix.cutoff === null) return `cut-offs (${src}): men ${PMI_CUTOFFS.men}, women ${PMI_CUTOFFS.women} ${INDEX_UNIT}; sex unknown`;
  const who = ix.sex === 'M' ? 'men' : 'women';
  const where = ix.belowCutoff === null ? '' : ix.belowCutoff ? ': below it' : ': not below it';
  return `cut-off for ${who} ${ix.cutoff} ${INDEX_UNIT} (${src})${where}`;
}

/** The muscle index panel: PMI beside the Hamaguchi 2016 cut-off, the paraspinal index (no cut-off), height and sex with their source. */
export function muscleIndexPanel(result: PanelResult, opts: PanelOptions = {}): ReportPanel {
  const who = resolveAnthropometry(opts.dicom, { heightM: opts.heightM ?? null, sex: opts.sex ?? null });
  const pmi = psoasMuscleIndex(result.measurements, who);
  const para = paraspinalIndex(result.measurements, who);
  const src = (s: Anthropometry['heightSource']) => (s === 'dicom' ? 'from the DICOM' : s === 'given' ? 'as given' : undefined);
  const heightNote = src(who.heightSource);
  const sexNote = src(who.sexSource);
  const rows: ReportPanelRow[] = [
    indexRow('Psoas muscle index (L3)', pmi, pmiNote(pmi)),
    indexRow('Paraspinal index (L3: erector spinae + multifidus + quadratus lumborum)', para, 'no published cut-off'),
    { label: 'Height', value: who.heightM !== null ? `${who.heightM.toFixed(2)} m` : 'height unknown', number: who.heightM, unit: 'm', ...(heightNote ? { note: heightNote } : {}) },
    { label: 'Sex', value: who.sex ?? 'unknown', number: null, unit: '', ...(sexNote ? { note: sexNote } : {}) },
    ...who.notes.map((n) => ({ label: 'Note', value: n, number: null, unit: '' })),
  ];
  return {
    id: 'muscleIndex',
    title: 'Muscle indices at L3 (area / height²)',
    subtitle: 'Psoas: left + right. Paraspinal: erector spinae + multifidus + quadratus lumborum, both sides. Not a skeletal muscle index (SMI needs every muscle of the L3 slice).',
    rows,
    citations: [PMI_CUTOFFS.citation.short],
    caveat: 'research aid, not a diagnosis',
  };
}

export const ASD_TITLE = `Factors associated with adjacent segment disease in the literature (${GONG_2022.short})`;

/** One multifidus value at a level and side for the ASD panel. */
function multifidusRow(records: readonly MeasurementRecord[], level: Level, side: Side, what: 'areaMm2' | 'fatFraction'): ReportPanelRow {
  const d = metric(what);
  const label = `Multifidus ${what === 'areaMm2' ? 'CSA' : 'fat infiltration'} at ${level}, ${side}`;
  const unit = d.displayUnit;
  let r: MeasurementRecord | undefined;
  for (const x of records) if (x.level === level && x.muscle === 'multifidus' && x.side === side) r = x;
  if (!r) {
    const auto = records.some((x) => x.level === level && x.muscle === 'autochthon' && x.side === side);
    return { label, value: 'not measured', number: null, unit, ...(auto ? { note: 'only the unsplit autochthon is measured here (split it into multifidus and erector spinae)' } : {}) };
  }
  if (r.status === 'absent') return { label, value: 'recorded absent', number: null, unit };
  const v = r[what];
  if (typeof v !== 'number') return { label, value: formatMetric(d, null), number: null, unit };
  return { label, value: `${formatMetric(d, v)} ${unit}`, number: v * d.displayFactor, unit };
}

/**
 * The adjacent-segment-disease factor panel (Gong et al. 2022): multifidus CSA at L3/L4, multifidus fat
 * infiltration at L4/L5 and L5/S1 (left and right), and L1 trabecular attenuation, side by side. No
 * threshold and no score: the paper published none.
 */
export function asdFactorsPanel(result: PanelResult, opts: PanelOptions = {}): ReportPanel {
  const records = recordsWithBone(result, opts);
  const rows: ReportPanelRow[] = [
    ...SIDES.map((s) => multifidusRow(records, 'L3/L4', s, 'areaMm2')),
    ...SIDES.map((s) => multifidusRow(records, 'L4/L5', s, 'fatFraction')),
    ...SIDES.map((s) => multifidusRow(records, 'L5/S1', s, 'fatFraction')),
    (({ note: _n, ...row }) => row)(trabecularRow('L1', trabecularRecords(records).get('L1'))),
  ];
  return {
    id: 'asdFactors',
    title: ASD_TITLE,
    subtitle: 'Each value as measured, side by side.',
    rows,
    citations: [GONG_2022.short],
    caveat: 'no threshold and no risk score: the paper published none',
  };
}

/** Every panel a report draws, in order: bone density, muscle indices, ASD factors. */
export function reportPanels(result: PanelResult, opts: PanelOptions = {}): ReportPanel[] {
  return [boneDensityPanel(recordsWithBone(result, opts)), muscleIndexPanel(result, opts), asdFactorsPanel(result, opts)];
}

/** The panels' numbers as plain data, for the JSON (keys only ever added to). */
export interface IndicesData {
  height: { m: number | null; source: 'dicom' | 'given' | null };
  sex: { value: 'M' | 'F' | null; source: 'dicom' | 'given' | null };
  psoasMuscleIndex: { level: 'L3'; unit: string; value: number | null; areaCm2: number | null; missing: string[]; notes: string[]; cutoff: number | null; belowCutoff: boolean | null; cutoffSource: string };
  paraspinalIndex: { level: 'L3'; unit: string; value: number | null; areaCm2: number | null; missing: string[]; notes: string[] };
  boneDensity: { vertebra: string; meanHu: number | null; sdHu: number | null; pixels: number | null; areaMm2: number | null; sliceIndex: number | null; band: string | null }[];
  asdFactors: { source: string; rows: { label: string; value: number | null; unit: string }[] };
  notes: string[];
}

export function reportIndices(result: PanelResult, opts: PanelOptions = {}): IndicesData {
  const who = resolveAnthropometry(opts.dicom, { heightM: opts.heightM ?? null, sex: opts.sex ?? null });
  const pmi = psoasMuscleIndex(result.measurements, who);
  const para = paraspinalIndex(result.measurements, who);
  const bones = trabecularRecords(recordsWithBone(result, opts));
  const asd = asdFactorsPanel(result, opts);
  return {
    height: { m: who.heightM, source: who.heightSource },
    sex: { value: who.sex, source: who.sexSource },
    psoasMuscleIndex: { level: 'L3', unit: INDEX_UNIT, value: pmi.value, areaCm2: pmi.areaCm2, missing: pmi.missing, notes: pmi.notes, cutoff: pmi.cutoff, belowCutoff: pmi.belowCutoff, cutoffSource: PMI_CUTOFFS.citation.full },
    paraspinalIndex: { level: 'L3', unit: INDEX_UNIT, value: para.value, areaCm2: para.areaCm2, missing: para.missing, notes: para.notes },
    boneDensity: [...bones].map(([v, r]) => ({
      vertebra: v,
      meanHu: r.meanHu ?? null,
      sdHu: r.sdHu ?? null,
      pixels: r.pixels ?? null,
      areaMm2: r.areaMm2 ?? null,
      sliceIndex: r.sliceIndex,
      band: v === 'L1' && typeof r.meanHu === 'number' ? l1Band(r.meanHu) : null,
    })),
    asdFactors: { source: GONG_2022.full, rows: asd.rows.map((r) => ({ label: r.label, value: r.number, unit: r.unit })) },
    notes: who.notes,
  };
}
