/**
 * The agreement of the open read and the other signed-off read (agreement:reads: `paraspine agreement`'s
 * code in the services, never computed here): per ROI Dice and Hausdorff (mm), per metric ICC(2,1) with
 * its 95% CI and Bland-Altman bias and limits of agreement, and a Bland-Altman plot (SVG) of the chosen
 * metric. Shown once both reads are signed off. Each number also carries its exact value (data-value).
 * "Export PDF" writes `paraspine agreement --pdf`'s PDF of the same two reads (agreement:pdf) into the
 * workspace's exports folder.
 */
import { useState } from 'react';
import { getApi } from '../api/client';
import { getAppStore, useApp } from '../state/store';
import type { AgreementView } from '../../shared/contract';

type Metric = AgreementView['metrics'][number];

/** Decimals shown per unit: mm² to 0.1, a fraction to 0.0001, HU to 0.01; Dice and ICC to 0.001, mm to 0.01. */
const DIGITS: Record<string, number> = { mm2: 1, '1': 4, HU: 2 };
/** A unit as shown: mm², a fraction, HU. */
const unitText = (u: string) => (u === 'mm2' ? 'mm²' : u === '1' ? 'fraction' : u);

function Num({ value, digits, id }: { value: number | null | undefined; digits: number; id: string }) {
  if (value === null || value === undefined || !Number.isFinite(value)) {
    return (
      <span className="dim" data-testid={id} data-value="">
        –
      </span>
    );
  }
  return (
    <span data-testid={id} data-value={String(value)}>
      {value.toFixed(digits)}
    </span>
  );
}

export function AgreementPanel() {
  const store = getAppStore(getApi);
  const compare = useApp((s) => s.reads?.compare ?? null);
  const agreement = useApp((s) => s.agreement);
  const pdf = useApp((s) => s.agreementPdf);
  const [metricKey, setMetricKey] = useState<Metric['key']>('areaMm2');
  if (!compare) return null;
  const view = agreement.view;
  const pair = view?.metrics[0]?.blandAltman[0];
  return (
    <div className="agreement-panel" data-testid="agreement-panel" data-state={agreement.state}>
      <div className="panel-title">
        Agreement <b>{view ? view.raters.join(' vs ') : `with ${compare.info.rater}`}</b>
        <button className="small ghost" onClick={() => void store.getState().loadAgreement()} title="Compute again from the saved documents" data-testid="agreement-refresh">
          ↻
        </button>
        <button
          className="small"
          disabled={pdf.state === 'writing'}
          onClick={() => void store.getState().exportAgreementPdf()}
          title="Write the agreement as a PDF (the same as paraspine agreement --pdf) into the workspace's exports folder"
          data-testid="agreement-export-pdf"
        >
          {pdf.state === 'writing' ? 'Writing PDF…' : 'Export PDF'}
        </button>
      </div>
      {pdf.state === 'done' && (
        <div className="small-text dim agreement-pad" data-testid="agreement-pdf-path">
          PDF: {pdf.path}
        </div>
      )}
      {agreement.state === 'loading' && <div className="small-text dim agreement-pad">Measuring both reads…</div>}
      {agreement.state === 'error' && (
        <div className="small-text agreement-pad error-text" data-testid="agreement-error">
          {agreement.error}
        </div>
      )}
      {view && (
        <>
          <table className="metrics-table" data-testid="agreement-rois">
            <caption>Per ROI</caption>
            <thead>
              <tr>
                <th>ROI</th>
                <th>Dice</th>
                <th>Hausdorff (mm)</th>
              </tr>
            </thead>
            <tbody>
              {view.rois.map((r) => {
                const p = r.pairs[0];
                const id = `${r.level}-${r.muscle}-${r.side}`;
                return (
                  <tr key={id} data-testid={`agreement-roi-${id}`} title={p?.note ?? (r.missing.length ? `not outlined by ${r.missing.join(', ')}` : '')}>
                    <td>
                      {r.level} {r.muscle} {r.side}
                    </td>
                    <td>
                      <Num value={p?.dice} digits={3} id={`dice-${id}`} />
                    </td>
                    <td>
                      <Num value={p?.hausdorffMm} digits={2} id={`hausdorff-${id}`} />
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          <table className="metrics-table" data-testid="agreement-metrics">
            <caption>Per metric (ICC(2,1), 95% CI; Bland-Altman {pair ? `${pair.raterB} − ${pair.raterA}` : ''})</caption>
            <thead>
              <tr>
                <th>Metric</th>
                <th>n</th>
                <th>ICC</th>
                <th>95% CI</th>
                <th>Bias</th>
                <th>Limits of agreement</th>
              </tr>
            </thead>
            <tbody>
              {view.metrics.map((m) => {
                const d = DIGITS[m.unit] ?? 3;
                const b = m.blandAltman[0];
                return (
                  <tr key={m.key} data-testid={`agreement-metric-${m.key}`} className={m.key === metricKey ? 'on' : ''} onClick={() => setMetricKey(m.key)} title={[m.icc.ok ? '' : `ICC: ${m.icc.reason}`, b && !b.ok ? `Bland-Altman: ${b.reason}` : ''].filter(Boolean).join('\n')}>
                    <td>
                      {m.label} <span className="dim">({unitText(m.unit)})</span>
                    </td>
                    <td>{m.targets}</td>
                    <td>
                      <Num value={m.icc.ok ? m.icc.icc : null} digits={3} id={`icc-${m.key}`} />
                    </td>
                    <td>
                      <Num value={m.icc.ok ? m.icc.lower : null} digits={3} id={`icc-lower-${m.key}`} /> … <Num value={m.icc.ok ? m.icc.upper : null} digits={3} id={`icc-upper-${m.key}`} />
                    </td>
                    <td>
                      <Num value={b?.ok ? b.bias : null} digits={d} id={`bias-${m.key}`} />
                    </td>
                    <td>
                      <Num value={b?.ok ? b.lower : null} digits={d} id={`loa-lower-${m.key}`} /> … <Num value={b?.ok ? b.upper : null} digits={d} id={`loa-upper-${m.key}`} />
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          <BlandAltmanPlot metric={view.metrics.find((m) => m.key === metricKey) ?? view.metrics[0]!} />
        </>
      )}
    </div>
  );
}

/** Difference against mean, one dot per ROI, the bias (solid) and the limits of agreement (dashed). */
function BlandAltmanPlot({ metric }: { metric: Metric }) {
  const b = metric.blandAltman[0];
  const W = 300;
  const H = 170;
  const L = 44;
  const B = 28;
  const T = 10;
  const R = 10;
  if (!b || !b.ok) {
    return (
      <div className="small-text dim agreement-pad" data-testid="ba-plot-none">
        Bland-Altman plot of {metric.label}: {b && !b.ok ? b.reason : 'no pair of raters'}
      </div>
    );
  }
  const xs = b.points.map((p) => p.mean);
  const ys = [...b.points.map((p) => p.difference), b.lower, b.upper, 0];
  const range = (v: number[]) => {
    const lo = Math.min(...v);
    const hi = Math.max(...v);
    const pad = (hi - lo) * 0.08 || Math.abs(hi) * 0.1 || 1;
    return [lo - pad, hi + pad] as const;
  };
  const [x0, x1] = range(xs);
  const [y0, y1] = range(ys);
  const px = (x: number) => L + ((x - x0) / (x1 - x0)) * (W - L - R);
  const py = (y: number) => T + (1 - (y - y0) / (y1 - y0)) * (H - T - B);
  const d = DIGITS[metric.unit] ?? 3;
  const line = (y: number, cls: string, label: string | null, testid: string) => (
    <g data-testid={testid}>
      <line x1={L} x2={W - R} y1={py(y)} y2={py(y)} className={cls} />
      {label !== null && (
        <text x={W - R - 2} y={py(y) - 3} textAnchor="end" className="ba-label">
          {label} {y.toFixed(d)}
        </text>
      )}
    </g>
  );
  return (
    <figure className="ba-figure">
      <svg viewBox={`0 0 ${W} ${H}`} className="ba-plot" data-testid="ba-plot" data-metric={metric.key} data-points={b.points.length} role="img" aria-label={`Bland-Altman plot of ${metric.label}`}>
        <rect x={L} y={T} width={W - L - R} height={H - T - B} className="ba-frame" />
        {line(0, 'ba-zero', null, 'ba-zero')}
        {line(b.bias, 'ba-bias', 'bias', 'ba-bias')}
        {line(b.upper, 'ba-loa', '+1.96 SD', 'ba-upper')}
        {line(b.lower, 'ba-loa', '−1.96 SD', 'ba-lower')}
        {b.points.map((p, i) => (
          <circle key={i} cx={px(p.mean)} cy={py(p.difference)} r={3} className="ba-point" data-testid="ba-point" />
        ))}
        <text x={L} y={H - 8} className="ba-axis">
          {x0.toFixed(d)}
        </text>
        <text x={W - R} y={H - 8} textAnchor="end" className="ba-axis">
          {x1.toFixed(d)}
        </text>
        <text x={(L + W - R) / 2} y={H - 8} textAnchor="middle" className="ba-axis">
          mean ({unitText(metric.unit)})
        </text>
        <text x={4} y={T + 8} className="ba-axis">
          {y1.toFixed(d)}
        </text>
        <text x={4} y={H - B} className="ba-axis">
          {y0.toFixed(d)}
        </text>
      </svg>
      <figcaption className="small-text dim">
        {metric.label}: {b.raterB} − {b.raterA} against their mean, {b.n} ROIs. Click a metric row to plot it.
      </figcaption>
    </figure>
  );
}
