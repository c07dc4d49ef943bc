/**
 * Timings of the semi-automatic outline tools' core computations on a 512 x 512 slice (printed by
 * `npm run bench`; asserts nothing). A muscle disc of radius 200 (about 125,700 pixels) with a fat
 * speckle inside.
 */
import { paintStroke } from '../src/core/roi/brush';
import { cutMask } from '../src/core/roi/cut';
import { gradientMagnitude, snapContour } from '../src/core/roi/edges';
import { regionGrow, regionToContour } from '../src/core/roi/regionGrow';
import { simplifyContour, smoothContour } from '../src/core/roi/smooth';

const N = 512;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

export function benchRoiTools(runs = 5): void {
  const hu = new Int16Array(N * N).fill(-100);
  for (let j = 0; j < N; j++)
    for (let i = 0; i < N; i++) if ((i - 256) ** 2 + (j - 256) ** 2 <= 200 * 200) hu[j * N + i] = (i * 7 + j * 13) % 97 === 0 ? -100 : 40;
  const circle = Array.from({ length: 400 }, (_, n) => [256 + 199 * Math.cos((2 * Math.PI * n) / 400), 256 + 199 * Math.sin((2 * Math.PI * n) / 400)] as const);
  const times: Record<string, number[]> = {};
  const time = (name: string, f: () => void) => {
    const t = performance.now();
    f();
    (times[name] ??= []).push(performance.now() - t);
  };
  for (let r = 0; r < runs; r++) {
    let mask: Uint8Array = new Uint8Array(0);
    time('region grow + fill holes', () => (mask = regionGrow(hu, N, N, [256, 256], { fillHoles: true }).mask));
    let contour: (readonly [number, number])[] = [];
    time('region to contour', () => (contour = regionToContour(mask, N, N)!.contour));
    let grad: Float32Array = new Float32Array(0);
    time('gradient (Sobel)', () => (grad = gradientMagnitude(hu, N, N)));
    time('snap 400 vertices, r 3', () => snapContour(circle, grad, N, N, { radiusPx: 3, subpixel: true }));
    time('brush stroke r 8', () => paintStroke(mask, N, N, [[10, 10], [500, 480], [20, 300], [400, 30]], 8, { hu }));
    time('cut', () => cutMask(mask, N, N, [[0, 250], [100, 260], [200, 240], [300, 270], [400, 250], [511, 260]]));
    time('simplify 2%', () => simplifyContour(contour, 0.02));
    time('smooth 3 iterations', () => smoothContour(contour, 3));
  }
  console.log(`\noutline tools on one 512 x 512 slice (region of ${'~125,700'} px), median of ${runs}:`);
  for (const [name, xs] of Object.entries(times)) console.log(`  ${name.padEnd(28)} ${median(xs).toFixed(1)} ms`);
}
