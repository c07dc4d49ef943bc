import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { maskToContours, traceComponents } from './maskToContours';
import { polygonArea, rasterizePolygon } from './rasterize';

/** Reference hole filling by a different method: background reachable from outside the grid (bg connectivity). */
function fillHolesReference(mask: Uint8Array, cols: number, rows: number, bgConn: 4 | 8): Uint8Array {
  const W = cols + 2;
  const H = rows + 2;
  const bg = (x: number, y: number) => x < 1 || y < 1 || x > cols || y > rows || mask[(y - 1) * cols + (x - 1)] === 0;
  const reach = new Uint8Array(W * H);
  reach[0] = 1;
  let changed = true;
  // Iterate to a fixed point (slow but obviously correct).
  while (changed) {
    changed = false;
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        if (reach[y * W + x] || !bg(x, y)) continue;
        for (const [dx, dy] of bgConn === 4 ? N4 : N8) {
          const nx = x + dx;
          const ny = y + dy;
          if (nx >= 0 && ny >= 0 && nx < W && ny < H && reach[ny * W + nx]) {
            reach[y * W + x] = 1;
            changed = true;
            break;
          }
        }
      }
    }
  }
  const out = new Uint8Array(cols * rows);
  for (let y = 0; y < rows; y++) for (let x = 0; x < cols; x++) out[y * cols + x] = reach[(y + 1) * W + (x + 1)] ? 0 : 1;
  return out;
}
const N4 = [[1, 0], [-1, 0], [0, 1], [0, -1]] as const;
const N8 = [...N4, [1, 1], [1, -1], [-1, 1], [-1, -1]] as const;

function fromRows(lines: string[]): { mask: Uint8Array; cols: number; rows: number } {
  const rows = lines.length;
  const cols = lines[0]!.length;
  const mask = new Uint8Array(cols * rows);
  lines.forEach((l, j) => [...l].forEach((ch, i) => (mask[j * cols + i] = ch === '#' ? 1 : 0)));
  return { mask, cols, rows };
}

function unionRaster(contours: readonly (readonly (readonly [number, number])[])[], cols: number, rows: number): Uint8Array {
  const out = new Uint8Array(cols * rows);
  for (const c of contours) rasterizePolygon(c, cols, rows, out);
  return out;
}

const blobArb = fc
  .record({ cols: fc.integer({ min: 1, max: 14 }), rows: fc.integer({ min: 1, max: 14 }), density: fc.double({ min: 0.2, max: 0.8, noNaN: true }) })
  .chain(({ cols, rows, density }) =>
    fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: cols * rows, maxLength: cols * rows }).map((vals) => ({
      cols,
      rows,
      mask: Uint8Array.from(vals, (v) => (v < density ? 1 : 0)),
    })),
  );

describe('maskToContours', () => {
  it('traces a rectangle as its four corners on pixel edges', () => {
    const { mask, cols, rows } = fromRows(['.....', '.###.', '.###.', '.....']);
    const cs = maskToContours(mask, cols, rows);
    expect(cs).toEqual([
      [
        [0.5, 0.5],
        [3.5, 0.5],
        [3.5, 2.5],
        [0.5, 2.5],
      ],
    ]);
    expect(polygonArea(cs[0]!)).toBe(6);
  });

  it('traces a single pixel as a unit square around its centre', () => {
    const { mask, cols, rows } = fromRows(['#']);
    expect(maskToContours(mask, cols, rows)).toEqual([
      [
        [-0.5, -0.5],
        [0.5, -0.5],
        [0.5, 0.5],
        [-0.5, 0.5],
      ],
    ]);
  });

  it('drops collinear vertices: an L shape has six corners', () => {
    const { mask, cols, rows } = fromRows(['#...', '#...', '####']);
    const [c] = maskToContours(mask, cols, rows);
    expect(c).toHaveLength(6);
    expect(rasterizePolygon(c!, cols, rows)).toEqual(mask);
  });

  it('fills holes: a ring gives one outline that covers the hole', () => {
    const { mask, cols, rows } = fromRows(['#####', '#...#', '#.#.#', '#...#', '#####']);
    const comps = traceComponents(mask, cols, rows);
    // ring + the dot inside it
    expect(comps).toHaveLength(2);
    expect(comps[0]!.pixels).toBe(16);
    expect(comps[0]!.filledPixels).toBe(25);
    expect(comps[0]!.contour).toHaveLength(4);
    expect(comps[1]!.pixels).toBe(1);
    expect([...rasterizePolygon(comps[0]!.contour, cols, rows)].every((v) => v === 1)).toBe(true);
  });

  it('diagonal neighbours: one component with 8-connectivity, two with 4-connectivity', () => {
    const { mask, cols, rows } = fromRows(['#.', '.#']);
    expect(maskToContours(mask, cols, rows, { connectivity: 8 })).toHaveLength(1);
    expect(maskToContours(mask, cols, rows, { connectivity: 4 })).toHaveLength(2);
    for (const conn of [4, 8] as const) expect(unionRaster(maskToContours(mask, cols, rows, { connectivity: conn }), cols, rows)).toEqual(mask);
  });

  it('a 4-connected U whose tips touch at a corner: the centre is not a hole (8-connected background)', () => {
    const { mask, cols, rows } = fromRows(['.##', '#.#', '###']);
    const four = traceComponents(mask, cols, rows, { connectivity: 4 });
    expect(four).toHaveLength(1);
    expect(four[0]!.filledPixels).toBe(7);
    expect(rasterizePolygon(four[0]!.contour, cols, rows)).toEqual(mask);
    const eight = traceComponents(mask, cols, rows, { connectivity: 8 });
    expect(eight[0]!.filledPixels).toBe(8); // with 4-connected background the centre is enclosed
  });

  it('honours minPixels and rejects a wrong mask size', () => {
    const { mask, cols, rows } = fromRows(['#..##', '...##']);
    expect(maskToContours(mask, cols, rows, { minPixels: 2 })).toHaveLength(1);
    expect(() => maskToContours(mask, cols + 1, rows)).toThrow(/pixels, expected/);
  });

  it('an empty mask has no outlines', () => {
    expect(maskToContours(new Uint8Array(12), 4, 3)).toEqual([]);
  });

  for (const conn of [4, 8] as const) {
    it(`property (${conn}-connected): rasterize(trace(component)) == component with holes filled`, () => {
      fc.assert(
        fc.property(blobArb, ({ cols, rows, mask }) => {
          const comps = traceComponents(mask, cols, rows, { connectivity: conn });
          let total = 0;
          for (const comp of comps) {
            // every vertex on a pixel corner, and the outline is closed (no repeated first vertex)
            for (const [x, y] of comp.contour) {
              expect(Math.abs(x % 1)).toBe(0.5);
              expect(Math.abs(y % 1)).toBe(0.5);
            }
            const r = rasterizePolygon(comp.contour, cols, rows);
            let n = 0;
            for (const v of r) n += v;
            expect(n).toBe(comp.filledPixels);
            expect(polygonArea(comp.contour)).toBe(comp.filledPixels);
            total += comp.pixels;
          }
          let set = 0;
          for (const v of mask) set += v;
          expect(total).toBe(set);
          // Union of outlines == whole mask with holes filled (reference filled independently).
          expect(unionRaster(maskToContours(mask, cols, rows, { connectivity: conn }), cols, rows)).toEqual(
            fillHolesReference(mask, cols, rows, conn === 4 ? 8 : 4),
          );
        }),
        { numRuns: 400 },
      );
    });

    it(`property (${conn}-connected): each outline rasterises to exactly its own component plus its holes`, () => {
      fc.assert(
        fc.property(blobArb, ({ cols, rows, mask }) => {
          // Isolate each component by tracing it alone and compare with the reference filling of that component.
          const comps = traceComponents(mask, cols, rows, { connectivity: conn });
          for (const comp of comps) {
            const r = rasterizePolygon(comp.contour, cols, rows);
            // component pixels = pixels of mask inside r that are connected to ... use reference: fill(r ∩ mask) must equal r
            const inter = Uint8Array.from(r, (v, p) => (v && mask[p] ? 1 : 0));
            const ref = fillHolesReference(inter, cols, rows, conn === 4 ? 8 : 4);
            expect(r).toEqual(ref);
          }
        }),
        { numRuns: 200 },
      );
    });
  }

  it('is translation-equivariant by whole pixels', () => {
    fc.assert(
      fc.property(blobArb, fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 }), ({ cols, rows, mask }, dx, dy) => {
        const big = new Uint8Array((cols + 3) * (rows + 3));
        for (let j = 0; j < rows; j++) for (let i = 0; i < cols; i++) big[(j + dy) * (cols + 3) + i + dx] = mask[j * cols + i]!;
        const a = maskToContours(mask, cols, rows);
        const b = maskToContours(big, cols + 3, rows + 3);
        expect(b).toEqual(a.map((c) => c.map(([x, y]) => [x + dx, y + dy])));
      }),
      { numRuns: 100 },
    );
  });
});
