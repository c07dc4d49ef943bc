/**
 * The line along which the slices of a stack advance, in the image plane.
 *
 * Each slice has an in-plane position (u, v): its ImagePositionPatient projected on the row and column
 * directions, mm, and an offset s along the slice normal, mm. Without gantry tilt (u, v) is the same on
 * every slice; with a tilt every slice is sheared by the same in-plane step per mm along the normal. Either
 * way the positions lie on one line:
 *
 *   u(s) = u0 + du * s,   v(s) = v0 + dv * s
 *
 * A slice whose header puts it sideways off that line (a jump) is not part of the volume its neighbours
 * make. The fit is robust, so that such slices do not move it: the slope is Siegel's repeated median (for
 * each slice the median slope to the others, then the median of those; it stands while fewer than half the
 * slices are off), the intercept the median of what is left. Pure; no units beyond mm.
 */

/** One slice's in-plane position (mm along the row and column directions) and offset along the normal (mm). */
export interface SlicePoint {
  readonly u: number;
  readonly v: number;
  readonly s: number;
}

export interface SliceLine {
  /** In-plane position at offset 0 along the normal, mm. */
  readonly u0: number;
  readonly v0: number;
  /** In-plane shift per mm along the normal (the shear of a gantry tilt; 0 without tilt). */
  readonly du: number;
  readonly dv: number;
}

/** Partners each slice is compared with when there are many slices (spread over the whole stack). */
const MAX_PARTNERS = 64;

function median(values: number[]): number {
  values.sort((a, b) => a - b);
  const n = values.length;
  return n % 2 === 1 ? values[(n - 1) / 2]! : (values[n / 2 - 1]! + values[n / 2]!) / 2;
}

/**
 * The robust line through the points (see the module comment). Points need distinct offsets s; with one
 * point the line has slope 0 through it. Throws for no points.
 */
export function fitSliceLine(points: readonly SlicePoint[]): SliceLine {
  const n = points.length;
  if (n === 0) throw new Error('fitSliceLine: no points');
  let du = 0;
  let dv = 0;
  if (n > 1) {
    // Partners: all others for a small stack, else MAX_PARTNERS spread evenly from end to end (long
    // baselines keep the slope precise where positions are rounded; a few jumps stay a minority).
    const sorted = [...points].sort((a, b) => a.s - b.s);
    const partners = n <= MAX_PARTNERS * 2 ? sorted.map((_, j) => j) : Array.from({ length: MAX_PARTNERS }, (_, t) => Math.round((t * (n - 1)) / (MAX_PARTNERS - 1)));
    const perU: number[] = [];
    const perV: number[] = [];
    sorted.forEach((p, i) => {
      const su: number[] = [];
      const sv: number[] = [];
      for (const j of partners) {
        if (j === i) continue;
        const q = sorted[j]!;
        const ds = q.s - p.s;
        if (ds === 0) continue;
        su.push((q.u - p.u) / ds);
        sv.push((q.v - p.v) / ds);
      }
      if (su.length > 0) {
        perU.push(median(su));
        perV.push(median(sv));
      }
    });
    if (perU.length > 0) {
      du = median(perU);
      dv = median(perV);
    }
  }
  const u0 = median(points.map((p) => p.u - du * p.s));
  const v0 = median(points.map((p) => p.v - dv * p.s));
  return { u0, v0, du, dv };
}

/** How far a slice lies to the side of the line, in the image plane, mm. */
export function offLineMm(line: SliceLine, p: SlicePoint): number {
  return Math.hypot(p.u - line.u0 - line.du * p.s, p.v - line.v0 - line.dv * p.s);
}

/** The gantry tilt the line's shear stands for, degrees (0 without shear). */
export function tiltDeg(line: SliceLine): number {
  return (Math.atan(Math.hypot(line.du, line.dv)) * 180) / Math.PI;
}
