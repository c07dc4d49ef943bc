/**
 * A series' HU volume filled a range of slices at a time (series:slices), so that the viewer can show
 * the first slice long before the last one is in. Which slices are in is tracked here; the image
 * loader waits on it (whenLoaded) for a slice that is not in yet. Nothing else reads an unfinished
 * volume: the store hands the volume to the metrics, reformats and tools only once `complete`.
 */
import type { SliceRange } from '../../core/dicom/assembleVolume';
import { isEncapsulated, TS } from '../../core/dicom/transferSyntax';
import type { HuVolume } from '../../core/volume';
import type { LoadedSeriesMeta, SeriesSlices } from '../../shared/contract';

/** Which slices of a volume are in (the viewer's image loader waits on it). */
export interface SliceAvailability {
  /** The volume as it is now (its HU array is replaced when promoted to float32: see ProgressiveVolume.write). */
  readonly volume: HuVolume;
  has(k: number): boolean;
  /** Resolves once slice k is in; rejects when the load stops before (failed, cancelled, or the array was replaced). */
  whenLoaded(k: number): Promise<void>;
}

/** Why a wait for a slice ended without the slice (the load failed or was cancelled). */
export class SliceLoadStopped extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SliceLoadStopped';
  }
}

interface Waiter {
  resolve(): void;
  reject(e: Error): void;
}

export class ProgressiveVolume implements SliceAvailability {
  private current: HuVolume;
  private readonly loaded: Uint8Array;
  private count = 0;
  private readonly waiters = new Map<number, Waiter[]>();
  private stopped: Error | null = null;
  /** HU values per slice (rows x columns). */
  readonly sliceLength: number;

  constructor(meta: Pick<LoadedSeriesMeta, 'geometry' | 'huType' | 'warnings'>) {
    const g = meta.geometry;
    this.sliceLength = g.rows * g.columns;
    const total = this.sliceLength * g.slices;
    this.current = { geometry: g, hu: meta.huType === 'int16' ? new Int16Array(total) : new Float32Array(total), warnings: meta.warnings };
    this.loaded = new Uint8Array(g.slices);
  }

  get volume(): HuVolume {
    return this.current;
  }

  get total(): number {
    return this.loaded.length;
  }

  get loadedCount(): number {
    return this.count;
  }

  get complete(): boolean {
    return this.count === this.loaded.length;
  }

  has(k: number): boolean {
    return this.loaded[k] === 1;
  }

  whenLoaded(k: number): Promise<void> {
    if (!Number.isInteger(k) || k < 0 || k >= this.loaded.length) return Promise.reject(new RangeError(`slice ${k} is outside 0..${this.loaded.length - 1}`));
    if (this.loaded[k] === 1) return Promise.resolve();
    if (this.stopped) return Promise.reject(this.stopped);
    return new Promise<void>((resolve, reject) => {
      const list = this.waiters.get(k);
      if (list) list.push({ resolve, reject });
      else this.waiters.set(k, [{ resolve, reject }]);
    });
  }

  /**
   * Writes a range of slices (as series:slices returned it) into the volume. A float32 range into an
   * int16 volume promotes the whole volume to Float32Array (the services do the same for the whole
   * volume when one value does not fit int16): the array, and so `volume`, is replaced, waits for
   * slices end (the viewer registers the new volume), and true is returned. Throws when the range
   * does not fit the series or its bytes do not match it.
   */
  write(r: SeriesSlices): boolean {
    const n = this.sliceLength;
    if (this.stopped) throw this.stopped;
    if (!Number.isInteger(r.start) || !Number.isInteger(r.count) || r.start < 0 || r.count < 1 || r.start + r.count > this.loaded.length) {
      throw new Error(`slices ${r.start}..${r.start + r.count - 1} are outside the series' slices 0..${this.loaded.length - 1}`);
    }
    const bpe = r.huType === 'int16' ? 2 : 4;
    if (r.bytes.byteLength !== r.count * n * bpe) {
      throw new Error(`slices ${r.start}..${r.start + r.count - 1}: ${r.bytes.byteLength} bytes, expected ${r.count * n * bpe} (${r.count} x ${n} ${r.huType})`);
    }
    let promoted = false;
    if (r.huType === 'float32' && this.current.hu instanceof Int16Array) {
      const f = new Float32Array(this.current.hu.length);
      f.set(this.current.hu);
      this.current = { ...this.current, hu: f };
      promoted = true;
      this.rejectWaiters(new SliceLoadStopped('the volume was promoted to float32'));
    }
    const values = r.huType === 'int16' ? new Int16Array(r.bytes) : new Float32Array(r.bytes);
    this.current.hu.set(values, r.start * n); // int16 into float32 converts exactly
    for (let k = r.start; k < r.start + r.count; k++) {
      if (this.loaded[k] === 0) {
        this.loaded[k] = 1;
        this.count++;
      }
      const list = this.waiters.get(k);
      if (list) {
        this.waiters.delete(k);
        for (const w of list) w.resolve();
      }
    }
    return promoted;
  }

  /** The load ended without every slice (failed or cancelled): every wait, now and later, rejects with `reason`. */
  stop(reason: string): void {
    if (this.stopped) return;
    this.stopped = new SliceLoadStopped(reason);
    this.rejectWaiters(this.stopped);
  }

  private rejectWaiters(e: Error): void {
    const all = [...this.waiters.values()];
    this.waiters.clear();
    for (const list of all) for (const w of list) w.reject(e);
  }
}

/**
 * Slices of the series:slices calls after the first slice: `first` for the ranges nearest the slice
 * shown, growing (doubling each call) up to `most` for the rest, so that the neighbourhood comes in
 * small ranges and the whole in few calls (each call costs a round trip and a copy into the volume).
 * Compressed series start with 8 slices; JPEG-family frames decode slowly, so their ranges stay at
 * most 16 (a jump to a far slice waits for little); RLE and uncompressed ranges grow to 32 MiB of HU
 * (64 slices of 512 x 512), uncompressed ones start at about 8 MiB.
 */
export function chunkSlices(meta: Pick<LoadedSeriesMeta, 'geometry' | 'huType' | 'summary'>): { first: number; most: number } {
  const syntaxes = meta.summary.transferSyntaxUids;
  const compressed = syntaxes.some((ts) => isEncapsulated(ts));
  const slowCodec = syntaxes.some((ts) => isEncapsulated(ts) && ts !== TS.rle);
  const sliceBytes = Math.max(1, meta.geometry.rows * meta.geometry.columns * (meta.huType === 'int16' ? 2 : 4));
  const most = Math.max(8, Math.min(slowCodec ? 16 : Infinity, Math.floor((32 * 1024 * 1024) / sliceBytes)));
  const first = compressed ? 8 : Math.max(8, Math.floor((8 * 1024 * 1024) / sliceBytes));
  return { first: Math.min(first, most), most };
}

/**
 * The order slices are asked for: each time the range holding the slice not asked for yet that is
 * nearest `near` (the slice shown: scrolling or jumping to a level moves the loading there), on a grid
 * of the range size, only the slices of it not asked for yet. The size starts at `first` and doubles
 * with each range up to `most`.
 */
export class SlicePlan {
  private readonly asked: Uint8Array;
  private left: number;
  private size: number;

  constructor(
    readonly total: number,
    first: number,
    readonly most: number = first,
  ) {
    this.asked = new Uint8Array(total);
    this.left = total;
    this.size = Math.max(1, first);
  }

  /** Marks slices as asked for (the first slice, fetched on its own). */
  take(start: number, count: number): void {
    for (let k = start; k < start + count && k < this.total; k++) {
      if (k >= 0 && this.asked[k] === 0) {
        this.asked[k] = 1;
        this.left--;
      }
    }
  }

  /** The next range to ask for (marked as asked), or null when every slice has been asked for. */
  next(near: number): SliceRange | null {
    if (this.left === 0) return null;
    const c = Math.max(0, Math.min(this.total - 1, Math.round(near)));
    let k = -1;
    for (let d = 0; d < this.total; d++) {
      if (c + d < this.total && this.asked[c + d] === 0) {
        k = c + d;
        break;
      }
      if (c - d >= 0 && this.asked[c - d] === 0) {
        k = c - d;
        break;
      }
    }
    if (k < 0) return null;
    const size = this.size;
    this.size = Math.min(Math.max(this.most, 1), size * 2);
    const lo = Math.floor(k / size) * size;
    const hi = Math.min(this.total, lo + size);
    let start = k;
    while (start > lo && this.asked[start - 1] === 0) start--;
    let end = k + 1;
    while (end < hi && this.asked[end] === 0) end++;
    this.take(start, end - start);
    return { start, count: end - start };
  }
}
