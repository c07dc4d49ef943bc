/** The series channels: scan a root, open a series (headers only), read ranges of its slices. */
import { scanRoot, type ParaspineApi, type SeriesLocator } from '../../shared/contract';
import { sourceFor, type OpenedSeries, type SeriesSource } from '../seriesSource';
import { ApiError, type ApiContext } from './context';

/** Series kept open (headers, no HU) for series:slices: the last few series:load opened. */
const OPEN_SERIES = 2;

export function seriesChannels(ctx: ApiContext): Pick<ParaspineApi, 'series:scan' | 'series:load' | 'series:slices'> {
  const { sources, gateFor, resolve } = ctx;
  /**
   * Series opened by series:load (their layout from the headers: no pixel data, no HU), most recent
   * last, for the series:slices calls that follow; a series not open (a bridge restarted) is opened then.
   */
  const opened = new Map<string, Promise<OpenedSeries>>();
  const openSeries = (key: string, locator: SeriesLocator, source: SeriesSource<SeriesLocator>, fresh: boolean): Promise<OpenedSeries> => {
    const known = fresh ? undefined : opened.get(key);
    if (known) {
      opened.delete(key); // most recently used goes last
      opened.set(key, known);
      return known;
    }
    const p = source.open(locator);
    opened.delete(key);
    opened.set(key, p);
    while (opened.size > OPEN_SERIES) opened.delete(opened.keys().next().value!);
    p.catch(() => {
      if (opened.get(key) === p) opened.delete(key);
    });
    return p;
  };

  return {
    async 'series:scan'(arg) {
      const given = scanRoot(arg);
      const gate = gateFor(given);
      const root = await gate.scan(given);
      const result = await sourceFor(sources, root).list(root);
      await gate.scanned(root);
      return { ...result, root: gate.label(root) };
    },

    async 'series:load'(locator) {
      const { locator: real, source, key } = await resolve(locator);
      // Headers only (read again: the files may have changed since the scan); the pixels come with series:slices.
      const r = await openSeries(key, real, source, true);
      const { sizeM, sex } = r.references.patient;
      const patient = { ...(sizeM != null ? { sizeM } : {}), ...(sex ? { sex } : {}) };
      return {
        summary: r.summary,
        geometry: r.geometry,
        huType: r.huType,
        // The series' own notes (its files left out are in them); folder-wide problems are in the scan result.
        warnings: [...r.warnings],
        ...(Object.keys(patient).length ? { patient } : {}),
      };
    },

    async 'series:slices'(locator, { start, count }) {
      const { locator: real, source, key } = await resolve(locator);
      const series = await openSeries(key, real, source, false);
      const n = series.geometry.slices;
      if (start + count > n) throw new ApiError(`series:slices: slices ${start}..${start + count - 1} are outside the series' slices 0..${n - 1}`);
      const hu = await series.readSlices(start, count);
      return { start, count, huType: hu instanceof Int16Array ? 'int16' : 'float32', bytes: wholeBuffer(hu) };
    },
  };
}

/** The bytes of a typed array, without a copy when it spans its whole buffer (read slices always do). */
function wholeBuffer(hu: Int16Array | Float32Array): ArrayBuffer {
  if (hu.byteOffset === 0 && hu.byteLength === hu.buffer.byteLength && hu.buffer instanceof ArrayBuffer) return hu.buffer;
  return hu.buffer.slice(hu.byteOffset, hu.byteOffset + hu.byteLength) as ArrayBuffer;
}
