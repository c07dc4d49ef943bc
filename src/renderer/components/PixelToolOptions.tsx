/**
 * The active pixel tool's options, drawn from what its module declares (src/renderer/viewer/tools/pixel/):
 * no branch per tool here. Values are read and set through the module's get/set, else the store's
 * toolOptions (optionValue / setOptionValue).
 */
import type { StoreApi } from 'zustand/vanilla';
import { optionValue, setOptionValue, type PixelToolModule, type PixelToolOption } from '../viewer/tools/pixelTools';
import type { AppState } from '../state/store';

const HU_SLIDER: readonly [number, number] = [-200, 400];

const titleOf = (o: PixelToolOption, s: AppState) => (typeof o.title === 'function' ? o.title(s) : o.title);

/** What the options show now, as one string: the bar re-renders when it changes. */
export function pixelOptionsSignature(tool: PixelToolModule, s: AppState): string {
  return JSON.stringify(
    tool.options.map((o) => {
      if (o.visible && !o.visible(s)) return null;
      if (o.kind === 'huRange') return [s.effectiveToolRange(), s.toolRange !== null];
      if (o.kind === 'note') return [o.text(s), o.action?.visible(s) ?? false];
      return optionValue(s, tool.id, o);
    }),
  );
}

export function PixelToolOptions({ tool, s, store }: { tool: PixelToolModule; s: AppState; store: StoreApi<AppState> }) {
  const now = () => store.getState();
  return (
    <>
      {tool.options.map((o) => {
        if (o.visible && !o.visible(s)) return null;
        const title = titleOf(o, s);
        switch (o.kind) {
          case 'toggle':
            return (
              <label key={o.id} className="group" title={title}>
                <input type="checkbox" checked={optionValue(s, tool.id, o)} onChange={(e) => setOptionValue(now(), tool.id, o, e.target.checked)} data-testid={o.testId} />
                {/* One text node, space included, as the bar had before the modules: the same layout to the pixel. */}
                {' ' + o.label}
              </label>
            );
          case 'slider': {
            const v = optionValue(s, tool.id, o);
            return (
              <span key={o.id} className="group" title={title}>
                {o.label}
                <input type="range" min={o.min} max={o.max} value={v} onChange={(e) => setOptionValue(now(), tool.id, o, Number(e.target.value))} data-testid={o.testId} aria-label={o.ariaLabel} />
                <b data-testid={o.valueTestId}>
                  {v}
                  {' ' + o.unit}
                </b>
              </span>
            );
          }
          case 'select':
            return (
              <label key={o.id} className="group" title={title}>
                {o.label}
                <select value={optionValue(s, tool.id, o)} onChange={(e) => setOptionValue(now(), tool.id, o, Number(e.target.value))} data-testid={o.testId} aria-label={o.ariaLabel}>
                  {o.choices.map((c) => (
                    <option key={c.value} value={c.value}>
                      {c.label}
                    </option>
                  ))}
                </select>
              </label>
            );
          case 'huRange': {
            const [lo, hi] = s.effectiveToolRange();
            const setRange = (a: number, b: number) => now().setToolRange([Math.min(a, b), Math.max(a, b)]);
            return (
              <span key={o.id} className="group" title={title}>
                {o.of} range
                <input type="range" min={HU_SLIDER[0]} max={HU_SLIDER[1]} value={lo} onChange={(e) => setRange(Number(e.target.value), hi)} data-testid="tool-range-lo" aria-label="lowest HU" />
                <input type="range" min={HU_SLIDER[0]} max={HU_SLIDER[1]} value={hi} onChange={(e) => setRange(lo, Number(e.target.value))} data-testid="tool-range-hi" aria-label="highest HU" />
                <b data-testid="tool-range">
                  {lo}..{hi} HU
                </b>
                {s.toolRange && (
                  <button className="small ghost" onClick={() => now().setToolRange(null)} title="Back to the document's muscle range">
                    reset
                  </button>
                )}
              </span>
            );
          }
          case 'note':
            return (
              <span key={o.id} className={o.dim ? 'group dim' : 'group'} title={title}>
                {o.label ? (
                  <>
                    {o.label}
                    <b data-testid={o.testId}>{o.text(s)}</b>
                    {o.suffix}
                  </>
                ) : (
                  o.text(s)
                )}
                {o.action?.visible(s) && (
                  <button className="small ghost" onClick={() => o.action!.run(now())} data-testid={o.action.testId}>
                    {o.action.label}
                  </button>
                )}
              </span>
            );
          default: {
            const never: never = o;
            return never;
          }
        }
      })}
    </>
  );
}
