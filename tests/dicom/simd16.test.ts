import { describe, expect, it } from 'vitest';
import { forceSimd16Fallback, int16Stats, rescaleInt16, simd16Available } from '../../src/core/dicom/simd16';
import { huStats } from '../../src/core/volume';

/** A deterministic pseudo-random 16-bit pattern (every bit pattern likely, edges included). */
function pattern(n: number, seed: number): Uint16Array {
  const out = new Uint16Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xffff;
  }
  out[0] = 0x8000;
  if (n > 1) out[1] = 0x7fff;
  return out;
}

describe('WebAssembly SIMD 16-bit kernels', () => {
  it('are available in Node', () => {
    expect(simd16Available()).toBe(true);
  });

  it('rescale exactly as the JavaScript rule, or report a value outside int16', () => {
    for (const n of [1, 7, 8, 9, 100, 513]) {
      for (const signed of [true, false]) {
        for (const bits of [8, 12, 15, 16]) {
          for (const c of [-1024, 0, 1, -32768, 40000, -3000000]) {
            const raw = pattern(n, n * 131 + bits * 7 + c);
            const view = signed ? new Int16Array(raw.buffer) : raw;
            const expected: number[] = [];
            let fits = true;
            for (let p = 0; p < n; p++) {
              const r = raw[p]!;
              const v = signed ? (r << (32 - bits)) >> (32 - bits) : r & (2 ** bits - 1);
              const x = v + c;
              if (x < -32768 || x > 32767) fits = false;
              expected.push(x);
            }
            const out = new Int16Array(n + 5).fill(99);
            const done = rescaleInt16(out, 2, view, n, signed, bits, c);
            expect(done, `n ${n} signed ${signed} bits ${bits} c ${c}`).toBe(fits);
            if (fits) {
              expect(Array.from(out.subarray(2, 2 + n))).toEqual(expected);
              expect([out[0], out[1], out[n + 2]]).toEqual([99, 99, 99]);
            } else expect(Array.from(out)).toEqual(new Array(n + 5).fill(99));
          }
        }
      }
    }
  });

  it('give the min, max and exact sum of an Int16Array', () => {
    for (const n of [1, 8, 15, 131072 + 3, 400000]) {
      const v = new Int16Array(pattern(n, n).buffer);
      let min = Infinity;
      let max = -Infinity;
      let sum = 0;
      for (const x of v) {
        min = Math.min(min, x);
        max = Math.max(max, x);
        sum += x;
      }
      expect(int16Stats(v)).toEqual({ min, max, sum });
      const geometry = { rows: 1, columns: n, slices: 1 } as unknown as Parameters<typeof huStats>[0]['geometry'];
      expect(huStats({ geometry, hu: v, warnings: [] })).toEqual({ min, max, mean: sum / n, voxels: n });
    }
    // every value at the extremes: the i32 lane sums stay in range
    expect(int16Stats(new Int16Array(300000).fill(-32768))).toEqual({ min: -32768, max: -32768, sum: -32768 * 300000 });
    expect(int16Stats(new Int16Array(300000).fill(32767))).toEqual({ min: 32767, max: 32767, sum: 32767 * 300000 });
  });
});

describe('the JavaScript fallback, forced', () => {
  it('the kernels answer null and huStats gives the same min, max and mean from its own loop', () => {
    const n = 1003;
    const v = new Int16Array(pattern(n, 7).buffer);
    let min = Infinity;
    let max = -Infinity;
    let sum = 0;
    for (const x of v) {
      min = Math.min(min, x);
      max = Math.max(max, x);
      sum += x;
    }
    const geometry = { rows: 1, columns: n, slices: 1 } as unknown as Parameters<typeof huStats>[0]['geometry'];
    forceSimd16Fallback(true);
    try {
      expect(simd16Available()).toBe(false);
      expect(int16Stats(v)).toBeNull();
      expect(rescaleInt16(new Int16Array(n), 0, v, n, true, 16, 0)).toBeNull();
      expect(huStats({ geometry, hu: v, warnings: [] })).toEqual({ min, max, mean: sum / n, voxels: n });
    } finally {
      forceSimd16Fallback(false);
    }
    expect(simd16Available()).toBe(true);
  });
});
