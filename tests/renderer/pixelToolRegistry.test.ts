/**
 * The pixel tool registry (src/renderer/viewer/tools/pixelTools.ts): a tool registered only there (a tiny
 * test tool, in no other file of the app) shows its options in the tool-options bar, keeps their values
 * in the store, takes the size keys, and commits its outline through the generic path (the store's
 * pixelContext: addOutline's guard rails, one undo step). The built-in tools' options come from their
 * modules. Expected pixels come from the phantom's and the test tool's own definitions.
 */
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { afterAll, describe, expect, it } from 'vitest';
import { contourMask } from '../../src/core/roi/contour';
import type { PointIj } from '../../src/core/roi/rasterize';
import type { ToolId } from '../../src/shared/tools';
import { PixelToolOptions } from '../../src/renderer/components/PixelToolOptions';
import { runShortcutAction } from '../../src/renderer/keyboard';
import type { AppState } from '../../src/renderer/state/store';
import { option, pixelTool, PIXEL_TOOLS, registerPixelTool, setOptionValue, type PixelToolModule } from '../../src/renderer/viewer/tools/pixelTools';
import { openPhantomStore, phantomSeries } from './phantomStore';

const C = 40;
const R = 30;
const K = 1;
const series = phantomSeries({ columns: C, rows: R, slices: 3, huOf: () => 40 });

/** Stamp: a click makes a square outline of side 2·half+1 pixels centred on the pressed pixel. */
const stamp: PixelToolModule<'stamp'> = {
  id: 'stamp',
  label: 'Stamp',
  key: null,
  hint: 'stamp (test tool)',
  options: [
    { kind: 'slider', id: 'half', label: 'Half side', min: 1, max: 6, unit: 'px', default: 2, testId: 'stamp-half', valueTestId: 'stamp-half-value' },
    { kind: 'toggle', id: 'hollow', label: 'hollow', default: false, testId: 'stamp-hollow', visible: (s) => s.showOverlay },
  ],
  adjustSize(s, delta) {
    const o = stamp.options[0]!;
    if (o.kind === 'slider') setOptionValue(s, 'stamp', o, Math.max(o.min, Math.min(o.max, (option(s, stamp, 'half') as number) + delta)));
  },
  start: (state, p) => ({
    preview: 'none',
    end: () => {
      const ctx = state().pixelContext;
      const n = option(state(), stamp, 'half') as number;
      const [i, j] = [Math.round(p[0]), Math.round(p[1])];
      // Corners on pixel edges: by the pixel-centre rule the square holds pixels i-n..i+n, j-n..j+n exactly.
      const square: PointIj[] = [
        [i - n - 0.5, j - n - 0.5],
        [i + n + 0.5, j - n - 0.5],
        [i + n + 0.5, j + n + 0.5],
        [i - n - 0.5, j + n + 0.5],
      ];
      ctx.addOutline(square, { key: ctx.nextKey('stamp') });
    },
    cancel: () => {},
  }),
};
const unregister = registerPixelTool(stamp);
afterAll(unregister);

const render = (tool: PixelToolModule, s: AppState, store: Parameters<typeof PixelToolOptions>[0]['store']) => renderToStaticMarkup(createElement(PixelToolOptions, { tool, s, store }));
const squareMask = (ci: number, cj: number, n: number) => {
  const m = new Uint8Array(C * R);
  for (let j = cj - n; j <= cj + n; j++) for (let i = ci - n; i <= ci + n; i++) m[j * C + i] = 1;
  return m;
};

describe('pixel tool registry', () => {
  it('a tool registered only through the registry shows its options, keeps their values and takes the size keys', async () => {
    const store = await openPhantomStore(series, { slice: K, muscle: 'psoas' });
    const s = () => store.getState();
    s().setTool('stamp' as ToolId);
    expect(pixelTool(s().tool)).toBe(stamp);
    let html = render(stamp, s(), store);
    expect(html).toContain('Half side');
    expect(html).toMatch(/type="range" min="1" max="6" data-testid="stamp-half" value="2"/);
    expect(html).toMatch(/data-testid="stamp-half-value">2 px</);
    // Visible only when its module says so.
    expect(s().showOverlay).toBe(true);
    expect(html).toContain('data-testid="stamp-hollow"');
    s().toggleOverlay();
    expect(render(stamp, s(), store)).not.toContain('stamp-hollow');
    // Set as the bar does: the value lives in the store's toolOptions (no named state for it anywhere).
    setOptionValue(s(), 'stamp', stamp.options[0] as Extract<PixelToolModule['options'][number], { kind: 'slider' }>, 4);
    expect(s().toolOptions['stamp.half']).toBe(4);
    html = render(stamp, s(), store);
    expect(html).toMatch(/data-testid="stamp-half-value">4 px</);
    // '[' / ']' (and Ctrl+wheel) go to the module's size step; the built-in tools' sizes are untouched.
    const radius = s().brushRadiusPx;
    const range = s().effectiveToolRange();
    expect(runShortcutAction(store, { type: 'toolSize', delta: -1 })).toBe(true);
    expect(s().toolOptions['stamp.half']).toBe(3);
    s().adjustToolSize(1);
    expect(s().toolOptions['stamp.half']).toBe(4);
    expect(s().brushRadiusPx).toBe(radius);
    expect(s().effectiveToolRange()).toEqual(range);
  });

  it("a registered tool's gesture commits its outline through the generic path: guard rails, active label, one undo step", async () => {
    const store = await openPhantomStore(series, { slice: K, muscle: 'psoas' });
    const s = () => store.getState();
    s().setTool('stamp' as ToolId);
    s().setToolOption('stamp.half', 3);
    const past = s().history.past.length;
    stamp.start(() => s(), [20, 15], false).end([[20, 15]]);
    const rois = s().doc!.rois;
    expect(rois).toHaveLength(1);
    expect(rois[0]).toMatchObject({ level: 'L3', muscle: 'psoas', side: 'left', sliceIndex: K });
    expect(contourMask(series.geometry, K, rois[0]!.pointsLps)).toEqual(squareMask(20, 15, 3));
    expect(s().history.past.length).toBe(past + 1);
    // A second stamp for the same label asks (the guard rails every new outline goes through).
    s().setActiveMuscle('psoas');
    s().setActiveSide('left');
    stamp.start(() => s(), [10, 10], false).end([[10, 10]]);
    expect(s().question?.kind).toBe('duplicate');
    expect(s().doc!.rois).toHaveLength(1);
  });

  it('the built-in tools show the options their modules declare', async () => {
    const store = await openPhantomStore(series, { slice: K, muscle: 'psoas' });
    const s = () => store.getState();
    const grow = render(PIXEL_TOOLS.grow, s(), store);
    for (const id of ['tool-range-lo', 'tool-range-hi', 'grow-envelope', 'grow-4conn', 'grow-bridge-cut']) expect(grow).toContain(`data-testid="${id}"`);
    // The default muscle range (-29..150 HU) and the soft-tissue range (fat's low end -190 to 150 HU).
    expect(grow).toMatch(/data-testid="tool-range">-29\.\.150 HU</);
    expect(grow).toMatch(/Grow(<!-- -->)? range/);
    expect(grow).not.toContain('clear-limit');
    s().addGrowBarrier([
      [5, 5],
      [5, 9],
    ]);
    expect(render(PIXEL_TOOLS.grow, s(), store)).toContain('data-testid="clear-limit"');
    const brush = render(PIXEL_TOOLS.brush, s(), store);
    expect(brush).toMatch(/data-testid="brush-range">-190\.\.150 HU</);
    expect(brush).not.toContain('tool-range-lo');
    expect(brush).toMatch(/data-testid="brush-radius-value">4 px</);
    s().setBrushSoftTissue(false);
    const muscleOnly = render(PIXEL_TOOLS.brush, s(), store);
    expect(muscleOnly).toMatch(/Brush(<!-- -->)? range/);
    expect(muscleOnly).toContain('data-testid="tool-range-lo"');
    expect(muscleOnly).not.toContain('data-testid="brush-range"');
    const eraser = render(PIXEL_TOOLS.eraser, s(), store);
    expect(eraser).toContain('data-testid="brush-radius"');
    expect(eraser).not.toContain('tool-range');
    expect(render(PIXEL_TOOLS.scissors, s(), store)).toBe('');
  });
});
