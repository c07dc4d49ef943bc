/**
 * The pixel outline tools' registry: region grow, brush, eraser, scissors (ids, labels and keys in
 * src/shared/tools.ts). No Cornerstone: PixelToolOverlay.tsx turns a primary-button gesture on the axial
 * viewport into slice pixel points (i column, j row) and drives the module's gesture; the work is done
 * by the store (src/renderer/state/slices/outlineTools.ts) with core's src/core/roi functions.
 */
import type { PointIj } from '../../../core/roi/rasterize';
import { PIXEL_TOOL_IDS, PIXEL_TOOL_INFO, type PixelToolId, type ToolInfo } from '../../../shared/tools';
import type { AppState } from '../../state/types';

/** One primary-button gesture (press, moves, release), in slice pixels. */
export interface PixelGesture {
  /** What the overlay draws along the path while the button is held. */
  preview: 'disk' | 'line' | 'limit' | 'none';
  /** The pointer moved from `from` to `to` with the button held (live tools apply each segment). */
  move?(from: PointIj, to: PointIj): void;
  /** The button was released; path = every point of the gesture (at least the press point). */
  end(path: readonly PointIj[]): void;
  /** Esc while the button is held: the gesture ends without effect (a live stroke is reverted); its release then does nothing. */
  cancel(): void;
}

export interface PixelToolModule<Id extends PixelToolId = PixelToolId> extends ToolInfo<Id> {
  /** The brush disk follows the pointer. */
  showsRadius: boolean;
  /** A press of the primary button at p (shift: Shift held) starts a gesture. */
  start(state: () => AppState, p: PointIj, shift: boolean): PixelGesture;
}

let strokes = 0;

/**
 * Brush and eraser: the first disk at the press, then each mouse segment, all under one history key (one
 * undo step per stroke). Esc during the stroke puts the document back as it was before it (no undo step).
 */
const paintTool = <Id extends 'brush' | 'eraser'>(id: Id, mode: 'add' | 'erase'): PixelToolModule<Id> => ({
  ...PIXEL_TOOL_INFO[id],
  showsRadius: true,
  start(state, p) {
    const key = `${id}-stroke-${++strokes}`;
    state().paintStroke([p], mode, key);
    return {
      preview: 'disk',
      move: (from, to) => void state().paintStroke([from, to], mode, key),
      end: () => {},
      cancel: () => void state().cancelStroke(key),
    };
  },
});

export const PIXEL_TOOLS: { readonly [Id in PixelToolId]: PixelToolModule<Id> } = {
  grow: {
    ...PIXEL_TOOL_INFO.grow,
    showsRadius: false,
    // Click: grow from the pressed pixel. Shift+drag: draw a limit the next grow may not cross.
    start: (state, p, shift) =>
      shift
        ? { preview: 'limit', end: (path) => state().addGrowBarrier(path), cancel: () => void state().cancelStroke(null, 'Limit line cancelled') }
        : { preview: 'none', end: () => void state().growAt(p), cancel: () => void state().cancelStroke(null, 'Grow cancelled') },
  },
  brush: paintTool('brush', 'add'),
  eraser: paintTool('eraser', 'erase'),
  scissors: {
    ...PIXEL_TOOL_INFO.scissors,
    showsRadius: false,
    // Drag a line across the outline; on release it is cut along the line (its ends extended).
    start: (state) => ({
      preview: 'line',
      end: (path) => void (path.length >= 2 && state().cutOutlineAlong(path)),
      cancel: () => void state().cancelStroke(null, 'Cut line cancelled'),
    }),
  },
};
