/** A synthetic vertebra with a known trabecular HU, for the bone tests. */
import { axialGeometry, volumeOf } from '../core/helpers';

export const TRABECULAR = 150;
export const CORTEX = 700;
const SOFT = 40;
const CANAL = 10;

/**
 * A vertebra in mm (x right-to-left along the rows, y front-to-back down the columns): an elliptical body
 * (centre 60,45; semi-axes 22 x 16 mm) whose outer 2 mm are cortex, pedicles from the body back to the
 * laminae, the canal between them, and a spinous process. `inVertebra` is the mask; `hu` the CT.
 */
export function phantom(x: number, y: number): { mask: boolean; hu: number } {
  const e = ((x - 60) / 22) ** 2 + ((y - 45) / 16) ** 2;
  const eInner = ((x - 60) / 20) ** 2 + ((y - 45) / 14) ** 2;
  if (eInner <= 1) return { mask: true, hu: TRABECULAR };
  if (e <= 1) return { mask: true, hu: CORTEX };
  const pedicle = y >= 55 && y <= 76 && ((x >= 44 && x <= 51) || (x >= 69 && x <= 76));
  const lamina = y >= 72 && y <= 77 && x >= 44 && x <= 76;
  const spinous = y >= 77 && y <= 96 && x >= 57 && x <= 63;
  if (pedicle || lamina || spinous) return { mask: true, hu: CORTEX };
  if (y > 55 && y < 72 && x > 51 && x < 69) return { mask: false, hu: CANAL };
  return { mask: false, hu: SOFT };
}

export function phantomSeries(spacing: number, slices = 5) {
  const n = Math.round(120 / spacing);
  const g = axialGeometry(n, n, slices, spacing, spacing, 2);
  const volume = volumeOf(g, (i, j) => phantom(i * spacing, j * spacing).hu);
  const mask = new Uint8Array(n * n * slices);
  for (let k = 0; k < slices; k++) for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) mask[(k * n + j) * n + i] = phantom(i * spacing, j * spacing).mask ? 1 : 0;
  return { g, volume, mask, n };
}

