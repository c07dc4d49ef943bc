/** Test helpers for the outline tools (src/core/roi): exact synthetic HU slices and mask utilities. */
import { rasterizePolygon, type PointIj } from '../../src/core/roi/rasterize';

export const FAT = -100;
export const MUSCLE = 50;

/** A slice filled with `fill`, then `paint(i, j)` may return a value to override. */
export function slice(columns: number, rows: number, paint: (i: number, j: number) => number | undefined, fill = FAT): Float32Array {
  const hu = new Float32Array(columns * rows).fill(fill);
  for (let j = 0; j < rows; j++) for (let i = 0; i < columns; i++) {
    const v = paint(i, j);
    if (v !== undefined) hu[j * columns + i] = v;
  }
  return hu;
}

/**
 * The standard phantom (60 x 40, fat -100 HU): blob A = columns 5..14 x rows 5..20 at 50 HU and blob B =
 * columns 16..25 x rows 5..20 at 60 HU (a one-pixel fat plane, column 15, between them), and a
 * muscle disc of radius 5 around pixel (45, 20) at 40 HU (81 pixel centres: Gauss's circle count N(5)).
 */
export const PH = { columns: 60, rows: 40 };
export function phantom(): Float32Array {
  return slice(PH.columns, PH.rows, (i, j) => {
    if (j >= 5 && j <= 20 && i >= 5 && i <= 14) return MUSCLE;
    if (j >= 5 && j <= 20 && i >= 16 && i <= 25) return 60;
    if ((i - 45) ** 2 + (j - 20) ** 2 <= 25) return 40;
    return undefined;
  });
}

export function count(mask: Uint8Array): number {
  let n = 0;
  for (let p = 0; p < mask.length; p++) if (mask[p]) n++;
  return n;
}

export function maskOf(columns: number, rows: number, inside: (i: number, j: number) => boolean): Uint8Array {
  const m = new Uint8Array(columns * rows);
  for (let j = 0; j < rows; j++) for (let i = 0; i < columns; i++) if (inside(i, j)) m[j * columns + i] = 1;
  return m;
}

/** Positions where two masks differ (non-zero vs zero). */
export function differing(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) throw new Error('size mismatch');
  let n = 0;
  for (let p = 0; p < a.length; p++) if ((a[p] !== 0) !== (b[p] !== 0)) n++;
  return n;
}

export function raster(contour: readonly PointIj[], columns: number, rows: number): Uint8Array {
  return rasterizePolygon(contour, columns, rows);
}

/** A regular n-gon of radius r around (cx, cy), clockwise on screen (positive polygonArea). */
export function circle(cx: number, cy: number, r: number, n: number): PointIj[] {
  return Array.from({ length: n }, (_, k) => [cx + r * Math.cos((2 * Math.PI * k) / n), cy + r * Math.sin((2 * Math.PI * k) / n)] as const);
}
