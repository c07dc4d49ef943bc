/** A fake series:slices over a whole volume's bytes: what the services answer (those slices' bytes). */
import type { LoadedSeriesMeta, SeriesSlices } from '../../src/shared/contract';

export function slicesFrom(volumeBytes: () => ArrayBuffer, meta: Pick<LoadedSeriesMeta, 'geometry' | 'huType'>) {
  return async (_locator: unknown, r: { start: number; count: number }): Promise<SeriesSlices> => {
    const n = meta.geometry.rows * meta.geometry.columns * (meta.huType === 'int16' ? 2 : 4);
    const all = volumeBytes();
    if (r.start < 0 || r.count < 1 || (r.start + r.count) * n > all.byteLength) throw new Error(`slices ${r.start}..${r.start + r.count - 1} are outside the series`);
    return { start: r.start, count: r.count, huType: meta.huType, bytes: all.slice(r.start * n, (r.start + r.count) * n) };
  };
}
