/**
 * Brush and eraser: the first disk at the press, then each mouse segment, all under one history key (one
 * undo step per stroke; core's paintOutline). Esc during the stroke puts the
 * document back as it was before it (no undo step).
 */
import { paintOutline, paintStroke as paintMaskStroke } from '../../../../core/roi/brush';
import type { PointIj } from '../../../../core/roi/rasterize';
import { regionToContour } from '../../../../core/roi/regionGrow';
import { PIXEL_TOOL_INFO } from '../../../../shared/tools';
import { MUSCLE_NAMES } from '../../../state/checklist';
import * as ops from '../../../state/documentOps';
import { adjustRadius, huRangeOption, radiusOption } from './shared';
import type { PixelToolContext, PixelToolModule } from './types';

/**
 * Brush ('add') or eraser ('erase') along path on the target outline; a brush stroke with no target
 * makes a new outline. One undo step per gestureKey; false when nothing changed (the store's paintStroke).
 */
export function paintStroke(ctx: PixelToolContext, path: readonly PointIj[], mode: 'add' | 'erase', gestureKey: string): boolean {
  ctx.beginGesture(gestureKey);
  const h = ctx.here();
  if (!h || path.length === 0) return false;
  const s = ctx.state();
  // The brush paints soft tissue (fat and muscle: intramuscular fat can be added) unless set to the muscle range.
  const [loHu, hiHu] = s.brushSoftTissue ? s.softTissueRange() : s.effectiveToolRange();
  const brush = mode === 'add' ? { mode, hu: h.hu, loHu, hiHu } : { mode };
  const roi = ctx.target();
  const radius = s.brushRadiusPx;
  if (!roi) {
    if (mode === 'erase') return ctx.noTarget('erase'), false;
    // A brush stroke with nothing to add to starts a new outline (through the guard rails).
    const mask = new Uint8Array(h.columns * h.rows);
    if (paintMaskStroke(mask, h.columns, h.rows, path, radius, brush) === 0) return false;
    const traced = regionToContour(mask, h.columns, h.rows, 8);
    return !!traced && ctx.addOutline(traced.contour, { key: gestureKey }) !== 'refused';
  }
  const r = paintOutline(ctx.toIj(h.volume, roi), h.columns, h.rows, path, radius, brush);
  if (r.changed === 0) return false;
  const [first, ...rest] = r.components;
  if (!first) {
    s.change((d, now) => ops.deleteRoi(d, roi.id, now), gestureKey);
    if (ctx.state().selectedRoiId === roi.id) ctx.set({ selectedRoiId: null });
    ctx.hint(`Erased the whole outline (${MUSCLE_NAMES[roi.muscle]} ${roi.side}, ${roi.level})`);
    return true;
  }
  ctx.edit(roi, first.contour, gestureKey);
  if (rest.length > 0) ctx.hint(`Kept the largest piece (${first.pixels} px); ${rest.length} piece(s) of ${rest.reduce((n, c) => n + c.pixels, 0)} px dropped`);
  else ctx.set({ toolHint: null });
  return true;
}

let strokes = 0;

const paintStart =
  (id: string, mode: 'add' | 'erase'): PixelToolModule['start'] =>
  (state, p) => {
    const key = `${id}-stroke-${++strokes}`;
    paintStroke(state().pixelContext, [p], mode, key);
    return {
      preview: 'disk',
      move: (from, to) => void paintStroke(state().pixelContext, [from, to], mode, key),
      end: () => {},
      cancel: () => void state().cancelStroke(key),
    };
  };

export const brush: PixelToolModule<'brush'> = {
  ...PIXEL_TOOL_INFO.brush,
  options: [
    {
      kind: 'toggle',
      id: 'muscleOnly',
      label: 'muscle range only',
      title: 'Off: the brush paints every soft-tissue pixel, fat included (the fat inside a muscle belongs to it). On: only pixels in the muscle range, as the region grow',
      default: false,
      get: (s) => !s.brushSoftTissue,
      set: (s, on) => s.setBrushSoftTissue(!on),
      testId: 'brush-muscle-only',
    },
    {
      kind: 'note',
      id: 'softRange',
      label: 'Brush range',
      title: "The brush paints every pixel from the fat range's low end to the muscle range's high end: intramuscular fat can be painted in; bone and air stay out",
      text: (s) => `${s.softTissueRange()[0]}..${s.softTissueRange()[1]} HU`,
      suffix: '(soft tissue)',
      testId: 'brush-range',
      visible: (s) => s.brushSoftTissue,
    },
    huRangeOption('Brush', (s) => !s.brushSoftTissue),
    radiusOption,
  ],
  adjustSize: adjustRadius,
  diskColour: '#80ff80',
  start: paintStart('brush', 'add'),
};

export const eraser: PixelToolModule<'eraser'> = {
  ...PIXEL_TOOL_INFO.eraser,
  options: [radiusOption],
  adjustSize: adjustRadius,
  diskColour: '#ff8080',
  start: paintStart('eraser', 'erase'),
};
