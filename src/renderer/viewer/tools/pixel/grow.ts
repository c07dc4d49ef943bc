/**
 * Region grow: a click grows the region of pixels in the HU range connected to the pressed pixel into a
 * new outline (core's regionGrow, bridges cut, the muscle's envelope closed); Shift+drag draws a limit
 * the next grow may not cross.
 */
import { paintStroke as paintMaskStroke } from '../../../../core/roi/brush';
import type { PointIj } from '../../../../core/roi/rasterize';
import { closeEnvelope, cutBridges, ENVELOPE_CLOSE_MM, regionGrow, regionToContour } from '../../../../core/roi/regionGrow';
import { PIXEL_TOOL_INFO } from '../../../../shared/tools';
import type { OutlineResult } from '../../../state/types';
import { adjustRange, huRangeOption } from './shared';
import type { PixelToolContext, PixelToolModule } from './types';

/** The largest region a grow may make (about 60 cm², twice a large psoas): beyond it the grow has leaked. */
export const GROW_MAX_AREA_MM2 = 6000;

/** The envelope closing radius in pixels for a grid: ENVELOPE_CLOSE_MM over the mean pixel spacing, at least 1. */
export function envelopeRadiusPx(columnSpacingMm: number, rowSpacingMm: number): number {
  return Math.max(1, Math.round(ENVELOPE_CLOSE_MM / ((columnSpacingMm + rowSpacingMm) / 2)));
}

/** Region grow from the seed (slice pixel space) on the slice shown, then a new outline through addOutline (the store's growAt). */
export function growAt(ctx: PixelToolContext, seed: PointIj): OutlineResult {
  const { hint } = ctx;
  const s = ctx.state();
  const h = ctx.here();
  if (!h) return 'refused';
  const [loHu, hiHu] = s.effectiveToolRange();
  const g = h.volume.geometry;
  const b = s.growBarrier;
  const maxPixels = Math.ceil(GROW_MAX_AREA_MM2 / (g.columnSpacingMm * g.rowSpacingMm));
  const conn = s.growConnectivity;
  const cut = s.growBridgeCutPx;
  // With a bridge cut the grow may run far beyond the muscle (that is what the cut takes off): the
  // leak guard applies to what is left; the grow itself stops at a quarter of the slice.
  const growCap = cut > 0 ? Math.max(maxPixels, Math.ceil((h.columns * h.rows) / 4)) : maxPixels;
  const r = regionGrow(h.hu, h.columns, h.rows, seed, { loHu, hiHu, connectivity: conn, fillHoles: true, maxPixels: growCap, ...(b && b.sliceIndex === h.k ? { barrier: b.mask } : {}) });
  if (!r.seedAccepted) {
    const [i, j] = [Math.round(seed[0]), Math.round(seed[1])];
    const inside = i >= 0 && j >= 0 && i < h.columns && j < h.rows;
    hint(inside ? `The clicked pixel (${h.hu[j * h.columns + i]} HU) is outside the range ${loHu}..${hiHu} HU or on the limit: nothing grown` : 'Click inside the image', 'error');
    return 'refused';
  }
  const leaked = () => (hint(`Leaked: the region reached ${maxPixels} px (${GROW_MAX_AREA_MM2 / 100} cm²): narrow the range ([), ${cut === 0 ? 'cut bridges, ' : cut === 1 ? 'cut wider bridges, ' : ''}or draw a limit (Shift+drag)`, 'error'), 'refused' as const);
  if (r.hitMaxPixels) return leaked();
  let region = r.mask;
  if (cut > 0) {
    const c = cutBridges(r.mask, h.columns, h.rows, seed, cut);
    if (c.pixels === 0) return hint(`Nothing left after cutting bridges up to ${2 * cut} px wide: the clicked pixel lies in a thinner part (cut less)`, 'error'), 'refused';
    region = c.mask;
  }
  // The muscle's envelope: fat streaks and marbling it encloses are inside (the fascia bounds it, not the range).
  const grownPixels = regionToContour(region, h.columns, h.rows, conn)?.filledPixels ?? 0;
  if (s.growKeepEnclosed) {
    const [sLo, sHi] = s.softTissueRange();
    region = closeEnvelope(region, h.columns, h.rows, envelopeRadiusPx(g.columnSpacingMm, g.rowSpacingMm), { hu: h.hu, loHu: sLo, hiHu: sHi, connectivity: conn, ...(b && b.sliceIndex === h.k ? { barrier: b.mask } : {}) }).mask;
  }
  const traced = regionToContour(region, h.columns, h.rows, conn);
  if (!traced) return 'refused';
  // The outline's own pixels (what the table will measure), whichever way the region was made.
  const pixels = traced.filledPixels;
  const enclosed = pixels - grownPixels;
  if (pixels >= maxPixels) return leaked();
  const res = ctx.addOutline(traced.contour);
  if (res !== 'refused') hint(`Grown: ${pixels} px in ${loHu}..${hiHu} HU (${conn}-connected${cut > 0 ? `; bridges up to ${2 * cut} px cut: ${r.pixels - grownPixels} px off` : ''})${enclosed > 0 ? `; ${enclosed} px the muscle encloses (fat, streaks) taken in` : ''}`);
  return res;
}

/** Add a limit polyline (slice pixels, 1 px wide) to the grow barrier on the slice shown (the store's addGrowBarrier). */
export function addGrowBarrier(ctx: PixelToolContext, path: readonly PointIj[]): void {
  const h = ctx.here();
  if (!h || path.length === 0) return;
  const prev = ctx.state().growBarrier;
  const mask = prev && prev.sliceIndex === h.k ? prev.mask.slice() : new Uint8Array(h.columns * h.rows);
  paintMaskStroke(mask, h.columns, h.rows, path, 0.75);
  let pixels = 0;
  for (let p = 0; p < mask.length; p++) pixels += mask[p]!;
  ctx.set({ growBarrier: { sliceIndex: h.k, mask, pixels } });
}

export const grow: PixelToolModule<'grow'> = {
  ...PIXEL_TOOL_INFO.grow,
  options: [
    huRangeOption('Grow'),
    {
      kind: 'toggle',
      id: 'keepEnclosed',
      label: 'keep enclosed fat',
      title: 'Take in what the grown muscle encloses: fat streaks and marbling inside its outline (a closing of the grown region, then its holes filled); fat outside the muscle, beside a straight or convex edge, stays out',
      default: true,
      get: (s) => s.growKeepEnclosed,
      set: (s, on) => s.setGrowKeepEnclosed(on),
      testId: 'grow-envelope',
    },
    {
      kind: 'toggle',
      id: 'fourConnected',
      label: '4-connected',
      title: '4-connected: the grow does not pass between two pixels that touch only at a corner (stricter where thin fat planes are not resolved)',
      default: false,
      get: (s) => s.growConnectivity === 4,
      set: (s, on) => s.setGrowConnectivity(on ? 4 : 8),
      testId: 'grow-4conn',
    },
    {
      kind: 'select',
      id: 'bridgeCut',
      label: 'cut bridges',
      title: 'Cut off what the grow reached only through a passage this narrow (a thin fat plane the 3 mm pixels blur): an opening of the grown region, kept to the clicked part',
      choices: [
        { value: 0, label: 'off' },
        { value: 1, label: '≤ 2 px' },
        { value: 2, label: '≤ 4 px' },
      ],
      default: 0,
      get: (s) => s.growBridgeCutPx,
      set: (s, px) => s.setGrowBridgeCut(px as 0 | 1 | 2),
      testId: 'grow-bridge-cut',
      ariaLabel: 'cut bridges',
    },
    {
      kind: 'note',
      id: 'limit',
      dim: true,
      text: (s) => `Shift+drag: limit${s.growBarrier && s.growBarrier.sliceIndex === s.sliceIndex ? ` (${s.growBarrier.pixels} px)` : ''}`,
      action: { label: 'clear limit', testId: 'clear-limit', visible: (s) => !!s.growBarrier, run: (s) => s.clearGrowBarrier() },
    },
  ],
  adjustSize: adjustRange,
  // Click: grow from the pressed pixel. Shift+drag: draw a limit the next grow may not cross.
  start: (state, p, shift) =>
    shift
      ? { preview: 'limit', end: (path) => addGrowBarrier(state().pixelContext, path), cancel: () => void state().cancelStroke(null, 'Limit line cancelled') }
      : { preview: 'none', end: () => void growAt(state().pixelContext, p), cancel: () => void state().cancelStroke(null, 'Grow cancelled') },
};
