/** 512 x 512 sizes: each tool well under an interactive budget (generous bounds: shared 2-core CI). */
import { describe, expect, it } from 'vitest';
import { paintStroke } from '../../src/core/roi/brush';
import { cutMask } from '../../src/core/roi/cut';
import { gradientMagnitude, snapContour } from '../../src/core/roi/edges';
import { regionGrow, regionToContour } from '../../src/core/roi/regionGrow';
import { simplifyContour, smoothContour } from '../../src/core/roi/smooth';
import { circle, slice } from './roiPhantom';

const N = 512;
const ms = (f: () => void) => {
  const t = performance.now();
  f();
  return performance.now() - t;
};

describe('speed on 512 x 512', () => {
  // A muscle disc of radius 200 (about 125,700 pixels) with a noisy fat speckle inside.
  const hu = slice(N, N, (i, j) => ((i - 256) ** 2 + (j - 256) ** 2 <= 200 * 200 ? ((i * 7 + j * 13) % 97 === 0 ? -100 : 40) : undefined));

  it('region grow + fill holes + contour, gradient, snap, brush stroke, cut, simplify, smooth', () => {
    const t: Record<string, number> = {};
    let mask: Uint8Array = new Uint8Array(0);
    t.regionGrow = ms(() => (mask = regionGrow(hu, N, N, [256, 256], { fillHoles: true }).mask));
    let contour: (readonly [number, number])[] = [];
    t.regionToContour = ms(() => (contour = regionToContour(mask, N, N)!.contour));
    let grad: Float32Array = new Float32Array(0);
    t.gradient = ms(() => (grad = gradientMagnitude(hu, N, N)));
    t.snapContour = ms(() => snapContour(circle(256, 256, 199, 400), grad, N, N, { radiusPx: 3, subpixel: true }));
    t.paintStroke = ms(() => paintStroke(mask, N, N, [[10, 10], [500, 480], [20, 300], [400, 30]], 8, { hu }));
    t.cut = ms(() => cutMask(mask, N, N, [[0, 250], [100, 260], [200, 240], [300, 270], [400, 250], [511, 260]]));
    t.simplify = ms(() => simplifyContour(contour, 0.02));
    t.smooth = ms(() => smoothContour(contour, 3));
    if (process.env.ROI_NUMBERS) console.log(JSON.stringify(t), contour.length);
    for (const v of Object.values(t)) expect(v).toBeLessThan(1000);
  });
});
