/** Help text for every metric, rendered from the metric definitions (mountable in the metrics panel or the help overlay). */
import { DEFAULT_REGISTRY, type MetricInfo, type MetricRegistry, type MetricScope } from '../../core/metrics/definitions';

const SCOPES: [MetricScope, string][] = [
  ['slice', 'Per muscle and side, on the level’s slice'],
  ['asymmetry', 'Per muscle and level, left vs right'],
  ['volume', 'Per mask, whole volume (paraspine stats)'],
];

/**
 * A UCUM unit as people read it ("[hnsf'U]" -> HU, "mm2" -> mm², "1" -> fractions (0–1)); the codes stay
 * in the SR and the exports, where machines read them. Written here: a handful of codes, no library needed.
 */
export function humanUnit(ucum: string): string {
  const known: Record<string, string> = { "[hnsf'U]": 'HU', mm2: 'mm²', mm3: 'mm³', cm2: 'cm²', cm3: 'cm³', '%': '%', '1': 'fractions (0–1)', '{count}': 'pixels' };
  return known[ucum] ?? ucum;
}

/** Definition list of the metrics: name, display unit, JSON/CSV key and stored unit, description. */
export function MetricsList({ registry = DEFAULT_REGISTRY }: { registry?: MetricRegistry }) {
  return (
    <div className="metrics-list" data-testid="metrics-list">
      {SCOPES.map(([scope, title]) => (
        <section key={scope}>
          <div className="dim">{title}</div>
          <dl>
            {(registry[scope] as readonly MetricInfo[]).map((d) => (
              <div key={d.key} data-testid={`metric-help-${scope}-${d.key}`}>
                <dt>
                  {d.name} <span className="dim">({d.displayUnit})</span> <code>{d.key}</code>{' '}
                  <span className="dim" title={`unit of the exported value (UCUM code ${d.unit}, as in the SR and the exports)`}>
                    exported in {humanUnit(d.unit)}
                  </span>
                </dt>
                <dd>{d.description}</dd>
              </div>
            ))}
          </dl>
        </section>
      ))}
    </div>
  );
}

/** Collapsible legend under the metrics table. */
export function MetricsLegend({ registry = DEFAULT_REGISTRY }: { registry?: MetricRegistry }) {
  return (
    <details className="metrics-legend" data-testid="metrics-legend">
      <summary>About these metrics</summary>
      <MetricsList registry={registry} />
    </details>
  );
}
