/**
 * The psoas out of a TotalSegmentator iliopsoas mask on one axial slice.
 *
 * At the lower lumbar levels the iliopsoas mask holds the iliacus along the iliac wing as well. Rule
 * (README, Definitions): of the slice mask's 8-connected components that hold at least
 * PSOAS_MIN_COMPONENT_FRACTION of its pixels (all components when none does), keep the one whose centroid
 * is nearest the spine: the centroid of the vertebra (and sacrum) mask pixels on that slice, distances in
 * mm; with no vertebra pixel on the slice, the component whose centroid column is nearest the image's
 * left-right centre. Every other component (the iliacus lateral along the wing, stray specks) is left out.
 */
import { components8, type Component } from './components';

/** Components under this fraction of the slice mask's pixels are never taken for the psoas. */
export const PSOAS_MIN_COMPONENT_FRACTION = 0.1;

export interface SpineCentre {
  /** Column and row (pixel indices, may be fractional). */
  readonly i: number;
  readonly j: number;
}

export interface PixelSpacing {
  readonly columnSpacingMm: number;
  readonly rowSpacingMm: number;
}

export interface PsoasPart {
  /** The kept component (rows x columns). */
  readonly mask: Uint8Array;
  /** Pixels kept and left out. */
  readonly keptPixels: number;
  readonly droppedPixels: number;
  /** Number of 8-connected components of the slice mask. */
  readonly components: number;
}

export function psoasComponent(
  mask: Uint8Array,
  columns: number,
  rows: number,
  spine: SpineCentre | null,
  spacing: PixelSpacing = { columnSpacingMm: 1, rowSpacingMm: 1 },
): PsoasPart {
  const comps = components8(mask, columns, rows);
  const out = new Uint8Array(mask.length);
  const total = comps.reduce((s, c) => s + c.pixels.length, 0);
  if (comps.length === 0) return { mask: out, keptPixels: 0, droppedPixels: 0, components: 0 };
  const big = comps.filter((c) => c.pixels.length >= PSOAS_MIN_COMPONENT_FRACTION * total);
  const candidates = big.length ? big : comps;
  const distance = (c: Component) =>
    spine
      ? Math.hypot((c.ci - spine.i) * spacing.columnSpacingMm, (c.cj - spine.j) * spacing.rowSpacingMm)
      : Math.abs(c.ci - (columns - 1) / 2) * spacing.columnSpacingMm;
  let best = candidates[0]!;
  for (const c of candidates) if (distance(c) < distance(best)) best = c;
  for (const p of best.pixels) out[p] = 1;
  return { mask: out, keptPixels: best.pixels.length, droppedPixels: total - best.pixels.length, components: comps.length };
}
