/** Options and size steps more than one pixel tool has (the HU range of the grow and the brush, the brush radius). */
import { withKeyHint } from '../../../../shared/shortcuts';
import type { AppState } from '../../../state/types';
import type { PixelToolOption } from './types';

const RANGE_STEP_HU = 10;
/** The brush and eraser radius's smallest and largest values (pixels). */
export const BRUSH_RADIUS_LIMITS: readonly [number, number] = [1, 30];

/** The grow / brush HU range ('Grow range', 'Brush range'): the store's toolRange, else the document's muscle range. */
export const huRangeOption = (of: string, visible?: (s: AppState) => boolean): PixelToolOption => ({
  kind: 'huRange',
  id: 'range',
  of,
  title: withKeyHint('HU range of the region grow and the brush', { type: 'toolSize', delta: 1 }) + ', Ctrl+wheel',
  ...(visible ? { visible } : {}),
});

/** The brush and eraser radius (pixels), the store's brushRadiusPx. */
export const radiusOption: PixelToolOption = {
  kind: 'slider',
  id: 'radius',
  label: 'Radius',
  title: withKeyHint('Brush radius in pixels', { type: 'toolSize', delta: 1 }),
  min: BRUSH_RADIUS_LIMITS[0],
  max: BRUSH_RADIUS_LIMITS[1],
  unit: 'px',
  default: 4,
  get: (s) => s.brushRadiusPx,
  set: (s, px) => s.setBrushRadius(px),
  testId: 'brush-radius',
  valueTestId: 'brush-radius-value',
  ariaLabel: 'brush radius',
};

/** '[' / ']': narrow / widen the HU range by 10 HU at each end (never past empty). */
export function adjustRange(s: AppState, delta: 1 | -1): void {
  const [lo, hi] = s.effectiveToolRange();
  const step = RANGE_STEP_HU * delta;
  if (lo - step > hi + step) return;
  s.setToolRange([lo - step, hi + step]);
}

/** '[' / ']': the brush radius one pixel smaller / larger. */
export function adjustRadius(s: AppState, delta: 1 | -1): void {
  s.setBrushRadius(s.brushRadiusPx + delta);
}
