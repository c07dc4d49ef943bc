/** Scissors: drag a line across the outline; on release it is cut along the line, its ends extended (core's cutOutline). */
import type { Muscle } from '../../../../core/anatomy/anatomy';
import type { Roi } from '../../../../core/annotations/document';
import { roiSlice } from '../../../../core/annotations/measureAnnotations';
import { cutOutline } from '../../../../core/roi/cut';
import type { PointIj } from '../../../../core/roi/rasterize';
import { PIXEL_TOOL_INFO } from '../../../../shared/tools';
import { MUSCLE_NAMES } from '../../../state/checklist';
import type { PixelToolContext, PixelToolModule } from './types';

const label = (r: Pick<Roi, 'muscle' | 'side' | 'level'>) => `${MUSCLE_NAMES[r.muscle]} ${r.side}, ${r.level}`;

/** Cut the target outline along the polyline; the larger part stays, the other becomes a new outline for the active muscle/side (the store's cutOutlineAlong). */
export function cutOutlineAlong(ctx: PixelToolContext, polyline: readonly PointIj[]): boolean {
  const { hint } = ctx;
  const h = ctx.here();
  if (!h) return false;
  const roi = ctx.target();
  if (!roi) return ctx.noTarget('cut'), false;
  const { activeMuscle, activeSide } = ctx.state();
  if (activeMuscle === roi.muscle && activeSide === roi.side) {
    hint(`Pick the muscle and side of the cut-off part first (it is ${label(roi)} now)`, 'error');
    return false;
  }
  const taken = ctx.state().doc!.rois.some((r) => r.level === roi.level && r.muscle === activeMuscle && r.side === activeSide);
  if (taken) {
    hint(`${label({ level: roi.level, muscle: activeMuscle, side: activeSide })} already has an outline: delete it or pick another muscle/side for the cut-off part`, 'error');
    return false;
  }
  let r;
  try {
    r = cutOutline(ctx.toIj(h.volume, roi), h.columns, h.rows, polyline, 8);
  } catch (e) {
    hint(e instanceof Error ? e.message : String(e), 'error');
    return false;
  }
  const a = r.leftOutlines[0];
  const b = r.rightOutlines[0];
  if (!a || !b) return hint('The cut line does not divide the outline: draw it across', 'error'), false;
  const [keep, other] = a.pixels >= b.pixels ? [a, b] : [b, a];
  const dropped = [...r.leftOutlines.slice(1), ...r.rightOutlines.slice(1)].reduce((n, c) => n + c.pixels, 0);
  const key = ctx.nextKey('cut');
  const k = roiSlice(h.volume, roi);
  const res = ctx.state().addOutline(ctx.newId(), ctx.toLps(h.volume, k, other.contour), { level: roi.level, muscle: activeMuscle as Muscle, side: activeSide, sliceIndex: k, key });
  if (res === 'refused') return false;
  ctx.edit(roi, keep.contour, key);
  hint(`Cut: ${keep.pixels} px stay ${label(roi)}, ${other.pixels} px became ${label({ level: roi.level, muscle: activeMuscle, side: activeSide })}${dropped ? `; ${dropped} px in smaller pieces dropped` : ''}`);
  return true;
}

export const scissors: PixelToolModule<'scissors'> = {
  ...PIXEL_TOOL_INFO.scissors,
  options: [],
  start: (state) => ({
    preview: 'line',
    end: (path) => void (path.length >= 2 && cutOutlineAlong(state().pixelContext, path)),
    cancel: () => void state().cancelStroke(null, 'Cut line cancelled'),
  }),
};
