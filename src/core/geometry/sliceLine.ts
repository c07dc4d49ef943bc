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
 * slices are off; a large stack is sampled, see MAX_SAMPLED), the intercept the median of what is left.
 * Pure; no units beyond mm.
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

/**
 * A large stack is fitted from this many slices (spread evenly from end to end), each compared with as
 * many: long baselines keep the slope precise where positions are rounded, a few jumps stay a minority,
 * and the work stays bounded (every slice still counts for the intercept).
 */
const MAX_SAMPLED = 128;

/** Median of the first n values (sorted in place). */
function median(values: Float64Array, n = values.length): number {
  const v = values.subarray(0, n).sort();
  return n % 2 === 1 ? v[(n - 1) / 2]! : (v[n / 2 - 1]! + v[n / 2]!) / 2;
}

/** `count` indices spread evenly over 0..n-1 (all of them when n <= count). */
function spread(n: number, count: number): number[] {
  if (n <= count) return Array.from({ length: n }, (_, i) => i);
  return [...new Set(Array.from({ length: count }, (_, t) => Math.round((t * (n - 1)) / (count - 1))))];
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
    const sorted = [...points].sort((a, b) => a.s - b.s);
    const sample = spread(n, MAX_SAMPLED);
    const su = new Float64Array(sample.length);
    const sv = new Float64Array(sample.length);
    const perU = new Float64Array(sample.length);
    const perV = new Float64Array(sample.length);
    let rows = 0;
    for (const i of sample) {
      const p = sorted[i]!;
      let m = 0;
      for (const j of sample) {
        const q = sorted[j]!;
        const ds = q.s - p.s;
        if (j === i || ds === 0) continue;
        su[m] = (q.u - p.u) / ds;
        sv[m] = (q.v - p.v) / ds;
        m++;
      }
      if (m > 0) {
        perU[rows] = median(su, m);
        perV[rows] = median(sv, m);
        rows++;
      }
    }
    if (rows > 0) {
      du = median(perU, rows);
      dv = median(perV, rows);
    }
  }
  const restU = new Float64Array(n);
  const restV = new Float64Array(n);
  points.forEach((p, k) => {
    restU[k] = p.u - du * p.s;
    restV[k] = p.v - dv * p.s;
  });
  return { u0: median(restU), v0: median(restV), du, dv };
}

/** How far a slice lies to the side of the line, in the image plane, mm. */
export function offLineMm(line: SliceLine, p: SlicePoint): number {
  return Math.hypot(p.u - line.u0 - line.du * p.s, p.v - line.v0 - line.dv * p.s);
}

/** The gantry tilt the line's shear stands for, degrees (0 without shear). */
export function tiltDeg(line: SliceLine): number {
  return (Math.atan(Math.hypot(line.du, line.dv)) * 180) / Math.PI;
}
