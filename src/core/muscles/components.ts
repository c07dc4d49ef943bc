/** Connected components of a slice mask (pure; pixel (i, j) at index i + j * columns). */

export interface Component {
  /** Pixel indices (i + j * columns), in raster order of discovery. */
  readonly pixels: number[];
  /** Mean column and row of the pixels. */
  readonly ci: number;
  readonly cj: number;
}

/** The 8-connected components of the set pixels of a rows x columns mask, in raster order of their first pixel. */
export function components8(mask: Uint8Array, columns: number, rows: number): Component[] {
  if (mask.length !== columns * rows) throw new Error(`mask has ${mask.length} pixels, expected ${columns}x${rows}`);
  const seen = new Uint8Array(mask.length);
  const out: Component[] = [];
  const stack: number[] = [];
  for (let start = 0; start < mask.length; start++) {
    if (mask[start] === 0 || seen[start]) continue;
    const pixels: number[] = [];
    let si = 0;
    let sj = 0;
    seen[start] = 1;
    stack.push(start);
    while (stack.length) {
      const p = stack.pop()!;
      pixels.push(p);
      const i = p % columns;
      const j = (p - i) / columns;
      si += i;
      sj += j;
      for (let dj = -1; dj <= 1; dj++) {
        const jj = j + dj;
        if (jj < 0 || jj >= rows) continue;
        for (let di = -1; di <= 1; di++) {
          const ii = i + di;
          if ((di === 0 && dj === 0) || ii < 0 || ii >= columns) continue;
          const q = ii + jj * columns;
          if (mask[q] !== 0 && !seen[q]) {
            seen[q] = 1;
            stack.push(q);
          }
        }
      }
    }
    out.push({ pixels, ci: si / pixels.length, cj: sj / pixels.length });
  }
  return out;
}

/** Mean column and row of the set pixels, or null when none is set. */
export function maskCentroid(mask: Uint8Array, columns: number): { ci: number; cj: number; pixels: number } | null {
  let si = 0;
  let sj = 0;
  let n = 0;
  for (let p = 0; p < mask.length; p++) {
    if (mask[p] === 0) continue;
    const i = p % columns;
    si += i;
    sj += (p - i) / columns;
    n++;
  }
  return n ? { ci: si / n, cj: sj / n, pixels: n } : null;
}
