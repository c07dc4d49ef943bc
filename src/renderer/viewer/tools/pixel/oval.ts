/**
 * The trabecular bone oval (bone density, core/bone): the ROI of the vertebra picked in the options
 * (default L1) on the slice shown. A drag from outside the vertebra's oval draws a new one, centred on
 * the press, its semi-axes to the pointer (it replaces the vertebra's ROI: a redraw); a drag that starts
 * inside the oval moves it (live, one undo step); '[' / ']' or Ctrl+wheel resize it about its centre.
 * The store's bone slice (src/renderer/state/slices/bone.ts) changes the document.
 */
import { BONE_VERTEBRAE, DEFAULT_BONE_VERTEBRA } from '../../../../core/bone/trabecular';
import { lpsToSliceIj } from '../../../../core/roi/contour';
import type { PointIj } from '../../../../core/roi/rasterize';
import { PIXEL_TOOL_INFO } from '../../../../shared/tools';
import { boneRoiOf, OVAL_RESIZE_STEP } from '../../../state/slices/bone';
import type { AppState } from '../../../state/types';
import type { PixelToolModule } from './types';

/** Even-odd ray test of a point in a closed polygon (a few lines: no geometry dependency in the renderer). */
export function insidePolygon(p: PointIj, poly: readonly PointIj[]): boolean {
  let inside = false;
  for (let a = 0, b = poly.length - 1; a < poly.length; b = a++) {
    const [xa, ya] = poly[a]!;
    const [xb, yb] = poly[b]!;
    if (ya > p[1] !== yb > p[1] && p[0] < ((xb - xa) * (p[1] - ya)) / (yb - ya) + xa) inside = !inside;
  }
  return inside;
}

/** The picked vertebra's oval on the slice shown, as slice pixels; null when it has none here. */
export function ovalHere(s: AppState): PointIj[] | null {
  const roi = boneRoiOf(s.doc, s.boneVertebra);
  if (!roi || !s.volume || roi.sliceIndex !== s.sliceIndex) return null;
  return lpsToSliceIj(s.volume.geometry, roi.sliceIndex, roi.pointsLps);
}

/** Semi-axes (mm) of an oval centred at c reaching p: along the rows and along the columns. */
export function semiAxesTo(s: AppState, c: PointIj, p: PointIj): [number, number] {
  const g = s.volume!.geometry;
  return [Math.abs(p[0] - c[0]) * g.columnSpacingMm, Math.abs(p[1] - c[1]) * g.rowSpacingMm];
}

let gestures = 0;

export const oval: PixelToolModule<'oval'> = {
  ...PIXEL_TOOL_INFO.oval,
  options: [
    {
      kind: 'select',
      id: 'vertebra',
      label: 'Vertebra',
      ariaLabel: 'vertebra of the bone oval',
      testId: 'oval-vertebra',
      choices: BONE_VERTEBRAE.map((v, n) => ({ value: n, label: v })),
      default: BONE_VERTEBRAE.indexOf(DEFAULT_BONE_VERTEBRA),
      get: (s) => BONE_VERTEBRAE.indexOf(s.boneVertebra),
      set: (s, n) => s.setBoneVertebra(BONE_VERTEBRAE[n] ?? DEFAULT_BONE_VERTEBRA),
    },
    {
      kind: 'note',
      id: 'how',
      dim: true,
      text: (s) => `${s.boneVertebra} trabecular: drag from the body's centre (clear of the cortex); drag inside to move; [ / ] size`,
    },
  ],
  adjustSize(s, delta) {
    s.resizeBoneRoi(s.boneVertebra, 1 + delta * OVAL_RESIZE_STEP, `oval-size-${s.boneVertebra}`);
  },
  start(state, p) {
    const s0 = state();
    const vertebra = s0.boneVertebra;
    const here = ovalHere(s0);
    const key = `oval-${++gestures}`;
    if (here && insidePolygon(p, here)) {
      // Move: each segment of the drag shifts the oval (one undo step for the gesture).
      let moved: PointIj = [0, 0];
      return {
        preview: 'none',
        move: (from, to) => {
          const d: PointIj = [to[0] - from[0], to[1] - from[1]];
          if (state().moveBoneRoi(vertebra, d, key)) moved = [moved[0] + d[0], moved[1] + d[1]];
        },
        end: () => undefined,
        cancel: () => {
          if (moved[0] !== 0 || moved[1] !== 0) state().moveBoneRoi(vertebra, [-moved[0], -moved[1]], key);
          state().setToolHint('Move cancelled');
        },
      };
    }
    return {
      preview: 'oval',
      end: (path) => {
        const last = path[path.length - 1] ?? p;
        state().placeBoneOval(p, semiAxesTo(state(), p, last), { vertebra, key });
      },
      cancel: () => state().setToolHint('Oval cancelled'),
    };
  },
};
