/**
 * Beyond the muscle table (issue 16): the trabecular bone ROIs of the document (confirm a proposal, go to
 * it, delete it), the height and sex the muscle indices need (prefilled from the DICOM's PatientSize /
 * PatientSex, else typed and kept in the document), and the three panels core draws for every report
 * (core/indices reportPanels: bone density against the Pickhardt 2013 bands, PMI and the paraspinal
 * index, the adjacent-segment-disease factors). The numbers and the words are core's; this only lays them out.
 */
import { useEffect, useState } from 'react';
import type { AnnotationDocument } from '../../core/annotations/document';
import { trabecularStructure } from '../../core/bone/measureBone';
import type { DicomPatient } from '../../core/indices/anthropometry';
import { reportPanels } from '../../core/indices/panels';
import type { MeasurementRecord } from '../../core/metrics/records';
import type { ReportPanel } from '../../core/report/panel';
import { sliceLabel } from '../../core/geometry/sliceNumber';
import type { LoadedSeriesMeta } from '../../shared/contract';
import { getApi } from '../api/client';
import { getAppStore, useApp } from '../state/store';

/** The DICOM's height and sex as core's anthropometry takes them (null / '' when the headers have none). */
export function dicomPatient(meta: LoadedSeriesMeta | null): DicomPatient | null {
  const p = meta?.patient;
  if (!p) return null;
  return { sizeM: typeof p.sizeM === 'number' ? p.sizeM : null, sex: p.sex ?? '' };
}

/** The panels for the records of a document, with its typed height and sex and the DICOM's. */
export function panelsFor(records: readonly MeasurementRecord[], doc: AnnotationDocument, meta: LoadedSeriesMeta | null): ReportPanel[] {
  return reportPanels({ measurements: records }, { dicom: dicomPatient(meta), heightM: doc.patient?.heightM ?? null, sex: doc.patient?.sex ?? null });
}

export function BonePanels({ records }: { records: readonly MeasurementRecord[] }) {
  const doc = useApp((s) => s.doc);
  const meta = useApp((s) => s.meta);
  if (!doc) return null;
  const panels = panelsFor(records, doc, meta);
  return (
    <div className="bone-panels" data-testid="bone-panels">
      <BoneRoiList />
      <PatientForm />
      {panels.map((p) => (
        <section key={p.id} className="report-panel" data-testid={`panel-${p.id}`}>
          <div className="report-panel-title">{p.title}</div>
          {p.subtitle && <div className="dim small-text">{p.subtitle}</div>}
          <table className="report-panel-rows">
            <tbody>
              {p.rows.map((r, n) => (
                <tr key={`${r.label}-${n}`} data-testid={`panel-row-${p.id}-${n}`}>
                  <th>{r.label}</th>
                  <td>
                    <b data-testid={`panel-value-${p.id}-${n}`}>{r.value}</b>
                    {r.note && <div className="dim small-text">{r.note}</div>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <div className="report-panel-caveat" data-testid={`caveat-${p.id}`}>
            {p.caveat}
            {p.citations.length > 0 && <span className="dim"> · {p.citations.join('; ')}</span>}
          </div>
        </section>
      ))}
    </div>
  );
}

/** The document's bone ROIs: where, how made; confirm a proposal, go to its slice, delete. */
function BoneRoiList() {
  const doc = useApp((s) => s.doc);
  const volume = useApp((s) => s.volume);
  const store = getAppStore(getApi);
  const rois = doc?.boneRois ?? [];
  if (rois.length === 0) {
    return (
      <div className="dim small-text pad" data-testid="bone-roi-none">
        No trabecular ROI: pick the L1 oval tool and drag it in the L1 body on its mid slice, clear of the cortex (or import masks with a vertebrae_L1 mask).
      </div>
    );
  }
  return (
    <ul className="bone-roi-list" data-testid="bone-roi-list">
      {rois.map((b) => (
        <li key={b.id} data-testid={`bone-roi-item-${b.vertebra}`} data-source={b.source}>
          <span>
            {trabecularStructure(b.vertebra)} · slice {volume ? sliceLabel(volume.geometry, b.sliceIndex) : b.sliceIndex + 1} · {b.source}
          </span>
          <button className="small" onClick={() => store.getState().setSlice(b.sliceIndex)}>
            Go
          </button>
          {b.source === 'proposed' && (
            <button className="small" data-testid={`bone-confirm-${b.vertebra}`} onClick={() => store.getState().confirmBoneRoi(b.vertebra)}>
              Confirm
            </button>
          )}
          <button className="small" data-testid={`bone-delete-${b.vertebra}`} onClick={() => store.getState().deleteBoneRoi(b.vertebra)}>
            Delete
          </button>
        </li>
      ))}
    </ul>
  );
}

/** Height (m) and sex for the indices: the DICOM's when present (said so), else typed into the document. */
function PatientForm() {
  const doc = useApp((s) => s.doc);
  const meta = useApp((s) => s.meta);
  const store = getAppStore(getApi);
  const dicom = dicomPatient(meta);
  const typedH = doc?.patient?.heightM;
  const shownH = typedH ?? dicom?.sizeM ?? null;
  const [height, setHeight] = useState(shownH === null ? '' : String(shownH));
  const [err, setErr] = useState<string | null>(null);
  useEffect(() => setHeight(shownH === null ? '' : String(shownH)), [shownH]);
  const dicomSex = dicom?.sex === 'M' || dicom?.sex === 'F' ? dicom.sex : null;
  const sex = doc?.patient?.sex ?? dicomSex ?? '';
  const commitHeight = () => {
    const t = height.trim().replace(',', '.');
    if (t === '' ? typedH === undefined : Number(t) === typedH) return;
    const why = store.getState().setPatientInfo({ heightM: t === '' ? null : Number(t) });
    setErr(why);
  };
  return (
    <div className="patient-form" data-testid="patient-form">
      <label title="Patient height for the muscle indices (area / height²)">
        Height (m)
        <input
          type="text"
          inputMode="decimal"
          size={5}
          aria-label="height in metres"
          data-testid="patient-height"
          value={height}
          placeholder="unknown"
          onChange={(e) => setHeight(e.target.value)}
          onBlur={commitHeight}
          onKeyDown={(e) => {
            if (e.key === 'Enter') commitHeight();
          }}
        />
      </label>
      <label>
        Sex
        <select aria-label="sex" data-testid="patient-sex" value={sex} onChange={(e) => store.getState().setPatientInfo({ sex: e.target.value === 'M' || e.target.value === 'F' ? e.target.value : null })}>
          <option value="">unknown</option>
          <option value="M">M</option>
          <option value="F">F</option>
        </select>
      </label>
      {(dicom?.sizeM != null || dicomSex) && (
        <span className="dim small-text" data-testid="patient-dicom">
          DICOM: {dicom?.sizeM != null ? `PatientSize ${dicom.sizeM} m` : 'no PatientSize'}, {dicomSex ? `PatientSex ${dicomSex}` : 'no PatientSex'} (used first)
        </span>
      )}
      {err && (
        <div className="error" data-testid="patient-error">
          {err}
        </div>
      )}
    </div>
  );
}
