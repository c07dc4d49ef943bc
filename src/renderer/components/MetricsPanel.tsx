/** Per-level metrics from core (HU pixels + outlines), live while editing; HU ranges setting. */
import { useMemo, useState } from 'react';
import { asymmetryRowFor, asymmetryTable, measureAnnotationsChecked, type CheckedMeasurements } from '../../core/annotations/measureAnnotations';
import { errorMessage } from '../../core/errors';
import { levelSlice, originHasProposal } from '../../core/annotations/outlineFlags';
import { DEFAULT_REGISTRY, formatMetric, metricHeader, metricValue } from '../../core/metrics/definitions';
import { BonePanels } from './BonePanels';
import { MetricsLegend } from './MetricsLegend';
import { RANGE_PRESETS, formatRanges } from '../state/presets';
import { MUSCLE_COLORS, MUSCLE_NAMES } from '../state/checklist';
import { getAppStore, useApp } from '../state/store';
import { getApi } from '../api/client';
import type { RoiMuscle } from '../../core/annotations/document';
import type { MeasurementRecord } from '../../core/metrics/records';
import { roiSlice } from '../../core/annotations/measureAnnotations';
import { sliceLabel } from '../../core/geometry/sliceNumber';
import { MUSCLE_ORDER } from '../../core/anatomy/anatomy';

const MUSCLE_ROWS: readonly RoiMuscle[] = MUSCLE_ORDER;
/** The table's columns: the metric definitions marked for it (the export and the legend have them all). */
const SLICE_COLUMNS = DEFAULT_REGISTRY.slice.filter((d) => d.inTable);
const PAIR_COLUMNS = DEFAULT_REGISTRY.asymmetry.filter((d) => d.inTable);

export function MetricsPanel() {
  const doc = useApp((s) => s.doc);
  const volume = useApp((s) => s.volume);
  const activeLevel = useApp((s) => s.activeLevel);
  const selectedRoiId = useApp((s) => s.selectedRoiId);
  const store = getAppStore(getApi);
  const [editRanges, setEditRanges] = useState(false);
  const checked = useMemo((): CheckedMeasurements & { error: string | null } => {
    if (!doc || !volume) return { records: [], warnings: [], error: null };
    try {
      return { ...measureAnnotationsChecked(volume, doc), error: null };
    } catch (e) {
      return { records: [], warnings: [], error: errorMessage(e) };
    }
  }, [doc, volume]);
  // Bone ROIs (document version 2) are measured into 'trabecularBone' records: shown in the bone panel
  // below the muscle tables (BonePanels), not as a level table of their own.
  const records = useMemo(() => checked.records.filter((r) => r.muscle !== 'trabecularBone'), [checked.records]);
  const asym = useMemo(() => asymmetryTable(records), [records]);
  if (!doc) return null;
  const at = (k: number) => (volume ? sliceLabel(volume.geometry, k) : String(k + 1));
  /** A row goes to its slice and selects its outline (the first one of a union), and makes its label the active one. */
  const goToRow = (r: MeasurementRecord) => {
    const roi = doc.rois.find((x) => x.id === r.roiIds?.[0]) ?? doc.rois.find((x) => x.level === r.level && x.muscle === r.muscle && x.side === r.side);
    if (!roi || !volume) return;
    const s = store.getState();
    if (s.question) return;
    if (s.activeLevel !== roi.level) s.setActiveLevel(roi.level);
    if (roi.muscle !== 'autochthon') s.setActiveMuscle(roi.muscle);
    s.setActiveSide(roi.side);
    s.setSlice(roiSlice(volume, roi));
    s.selectRoi(roi.id);
  };
  const levels = [...new Set(records.map((r) => r.level))];
  const shown = levels.includes(activeLevel) ? [activeLevel, ...levels.filter((l) => l !== activeLevel)] : levels;
  return (
    <div className="metrics" data-testid="metrics">
      <div className="panel-title">
        Metrics <span className="dim">(core, from HU pixels)</span>
      </div>
      <div className="ranges" data-testid="ranges">
        <span title="HU ranges used for lean (fCSA) and fat pixels, inclusive">{formatRanges(doc.ranges)}</span>
        <select
          aria-label="HU range preset"
          value={RANGE_PRESETS.find((p) => JSON.stringify(p.ranges) === JSON.stringify(doc.ranges))?.id ?? 'custom'}
          onChange={(e) => {
            const p = RANGE_PRESETS.find((x) => x.id === e.target.value);
            if (p) store.getState().setRanges(p.ranges);
          }}
        >
          {RANGE_PRESETS.map((p) => (
            <option key={p.id} value={p.id}>
              {p.label}
            </option>
          ))}
          <option value="custom" disabled>
            custom
          </option>
        </select>
        <button className="small" onClick={() => setEditRanges(!editRanges)}>
          {editRanges ? 'Done' : 'Edit'}
        </button>
      </div>
      {editRanges && <RangeEditor />}
      {(checked.error || checked.warnings.length > 0) && (
        <ul className="metrics-warnings" data-testid="metrics-warnings">
          {checked.error && <li className="error">{checked.error}</li>}
          {checked.warnings.map((w) => (
            <li key={w}>⚠ {w}</li>
          ))}
        </ul>
      )}
      {shown.length === 0 && <div className="dim pad">No outlines yet. Mark a level, pick a muscle and side, and draw.</div>}
      {shown.map((level) => {
        const rows = records.filter((r) => r.level === level);
        const slices = [...new Set(rows.map((r) => r.sliceIndex))].sort((a, b) => a - b);
        const mark = doc.levels.find((l) => l.level === level);
        const markAt = mark && volume ? levelSlice(volume, mark) : null;
        const off = markAt !== null && slices.some((k) => k !== markAt);
        return (
          <table key={level ?? 'none'} className="metrics-table" data-testid={`metrics-${level}`} data-slices={slices.join(' ')} data-inconsistent={off ? 'yes' : 'no'}>
            <caption>
              {level}{' '}
              <span className="dim" data-testid={`caption-slices-${level}`}>
                · measured on slice {slices.map(at).join(', ')}
              </span>
              {off && (
                <span className="level-warn" data-testid={`caption-inconsistent-${level}`}>
                  {' '}⚠ {level} is marked on slice {at(markAt)}
                </span>
              )}
              <span className="dim">
                {' '}· muscle {doc.ranges.muscleHu[0]}..{doc.ranges.muscleHu[1]} HU, fat {doc.ranges.fatHu[0]}..{doc.ranges.fatHu[1]} HU
              </span>
            </caption>
            <thead>
              <tr>
                <th>Muscle</th>
                <th>Side</th>
                {[...SLICE_COLUMNS, ...PAIR_COLUMNS].map((d) => (
                  <th key={d.key} title={`${d.name}: ${d.description}`} data-col={d.key}>
                    {metricHeader(d)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {MUSCLE_ROWS.flatMap((m) =>
                rows
                  .filter((r) => r.muscle === m)
                  .sort((a, b) => (a.side === b.side ? 0 : a.side === 'left' ? -1 : 1))
                  .map((r, idx, arr) => {
                    const a = asymmetryRowFor(asym, level, m);
                    const parts = doc.rois.filter((x) => x.level === level && x.muscle === m && x.side === r.side).length;
                    // Every flag of the row accepted with a reason (the acceptances name exactly the flags they cover).
                    const allAccepted = r.warnings.length > 0 && r.warnings.every((w) => (r.accepted ?? []).some((a) => a.flags.includes(w)));
                    return (
                      <tr
                        key={`${m}-${r.side}`}
                        data-testid={`row-${level}-${m}-${r.side}`}
                        data-origin={r.origin ?? ''}
                        className={`clickable-row${originHasProposal(r.origin) ? ' proposed-row' : ''}${r.roiIds?.includes(selectedRoiId ?? '') ? ' selected-row' : ''}`}
                        title={`Go to slice ${at(r.sliceIndex)} and select this outline`}
                        onClick={() => goToRow(r)}
                      >
                        <td>
                          <span className="swatch" style={{ background: MUSCLE_COLORS[m] }} />
                          {MUSCLE_NAMES[m]}
                        </td>
                        <td>
                          {r.side === 'left' ? 'L' : 'R'}
                          {parts > 1 && (
                            <span className="union-tag" title={`${parts} outlines of this muscle and side: the row measures their union (pixels inside either)`} data-testid={`union-${level}-${m}-${r.side}`}>
                              {' '}∪{parts}
                            </span>
                          )}
                          {originHasProposal(r.origin) && (
                            <span className="proposed-tag" title={`A proposal (${r.origin}: the multifidus / erector spinae split of the autochthon mask, or an outline propagated from another level or mirrored from the other side): check it and confirm it (Confirm in the outline list, or c)`} data-testid={`proposed-${level}-${m}-${r.side}`}>
                              {' '}◌
                            </span>
                          )}
                          {r.warnings.length > 0 && (
                            <span className={allAccepted ? 'flag accepted' : 'flag'} title={[...r.warnings, ...(r.accepted ?? []).map((a) => `accepted by ${a.rater || 'no rater'}: ${a.reason} (${a.flags.length} flag${a.flags.length === 1 ? '' : 's'})`)].join('\n')} data-testid={`flag-${level}-${m}-${r.side}`}>
                              {' '}⚠{allAccepted ? ' accepted' : ''}
                            </span>
                          )}
                        </td>
                        {r.status === 'absent' ? (
                          <td colSpan={SLICE_COLUMNS.length} className="absent-cell" data-col="status" data-testid={`absent-${level}-${m}-${r.side}`} title={`Recorded absent at ${level}${r.absent?.rater ? ` by ${r.absent.rater}` : ''}: no numbers (exported with status "absent" and empty cells, never 0)`}>
                            absent
                          </td>
                        ) : (
                          SLICE_COLUMNS.map((d) => (
                            <td key={d.key} data-col={d.key}>
                              {formatMetric(d, metricValue(r, d))}
                            </td>
                          ))
                        )}
                        {idx === 0 &&
                          PAIR_COLUMNS.map((d) => (
                            <td key={d.key} rowSpan={arr.length} data-col={d.key} data-testid={`${d.key}-${level}-${m}`}>
                              {formatMetric(d, metricValue(a, d))}
                            </td>
                          ))}
                      </tr>
                    );
                  }),
              )}
            </tbody>
          </table>
        );
      })}
      <BonePanels records={checked.records} />
      <MetricsLegend />
    </div>
  );
}

function RangeEditor() {
  const doc = useApp((s) => s.doc)!;
  const store = getAppStore(getApi);
  const [v, setV] = useState({ m0: doc.ranges.muscleHu[0], m1: doc.ranges.muscleHu[1], f0: doc.ranges.fatHu[0], f1: doc.ranges.fatHu[1] });
  const [err, setErr] = useState<string | null>(null);
  const field = (k: keyof typeof v, label: string) => (
    <label>
      {label}
      <input type="number" value={v[k]} onChange={(e) => setV({ ...v, [k]: Number(e.target.value) })} />
    </label>
  );
  return (
    <div className="range-editor">
      {field('m0', 'muscle from')}
      {field('m1', 'to')}
      {field('f0', 'fat from')}
      {field('f1', 'to')}
      <button
        className="small"
        onClick={() => {
          try {
            store.getState().setRanges({ muscleHu: [v.m0, v.m1], fatHu: [v.f0, v.f1] });
            setErr(null);
          } catch (e) {
            setErr(e instanceof Error ? e.message : String(e));
          }
        }}
      >
        Apply
      </button>
      {err && <div className="error">{err}</div>}
    </div>
  );
}
