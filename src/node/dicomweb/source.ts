/**
 * Series on a DICOMweb server, beside the folder source (src/node/seriesSource.ts): listed from a
 * study's WADO-RS metadata (headers from the DICOM JSON model, as a folder scan reads them from files),
 * described from a series' metadata (no pixel data), and loaded by retrieving its instances in their
 * stored transfer syntax into the instance cache and reading those files with the folder loader, so
 * the same codecs and the same assembly give the same HU to the last bit. The app's source
 * (`perInstance`) retrieves instance by instance with progress and cancel, and its open streams:
 * laid out from the metadata, each slice read as soon as its instance is in (openStreaming).
 */
import { mkdir, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { DicomHeader, FileProblem, ScanResult, SeriesSummary } from '../../core/dicom/types';
import type { DicomJsonDataSet } from '../../core/dicom/headerFields';
import { groupSeries, layoutSeries, summarise } from '../../core/dicom/groupSeries';
import { fitsInt16 } from '../../core/dicom/assembleVolume';
import { headerFromDicomJson, parseDataSet } from '../../core/dicom/parseHeader';
import { seriesReferences } from '../../core/dicom/references';
import { TS } from '../../core/dicom/transferSyntax';
import { UserError, errorMessage, oneLine } from '../../core/errors';
import type { DicomWebSeriesLocator, RootOf } from '../../shared/contract';
import * as dicomFiles from '../dicomFiles';
import type { LoadedSeries, OpenedSeries, SeriesHeaders, SeriesSource } from '../seriesSource';
import { InstanceCache } from './cache';
import { DicomWebClient, jsonText, type ClientOptions } from './client';
import { checkUid, isUid } from './url';
import { UnreachableError } from './http';
import { writeFileAtomic } from '../atomicWrite';

export interface DicomWebSourceOptions {
  /** Folder of the instance cache. */
  readonly cacheDir: string;
  /** Its size bound (bytes). */
  readonly cacheMaxBytes?: number;
  readonly client?: ClientOptions;
  /** Instances retrieved at once when they are fetched one by one. */
  readonly concurrency?: number;
  /**
   * Retrieve the missing instances one by one (the middle slice first) rather than the whole series in
   * one answer: the app does, so its progress counts instances as they arrive (download(locator)).
   */
  readonly perInstance?: boolean;
}

/** A retrieval under way: its instances received and listed, and its cancel. */
export interface DownloadProgress {
  readonly received: number;
  readonly total: number;
}

/** One instance as the metadata lists it. */
interface Listed {
  readonly sopUid: string;
  readonly url: string;
  /** Its header from the metadata, or why it is no slice of an image series. */
  readonly header: DicomHeader | null;
  readonly problem?: FileProblem;
}

/** The transfer syntax a header from metadata is checked with when the metadata does not name one. */
const UNKNOWN_TS = TS.explicitLE;

/** The instance cache of the command line: $XDG_CACHE_HOME (else ~/.cache)/paraspine/dicomweb. */
export function defaultDicomWebCacheDir(): string {
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'paraspine', 'dicomweb');
}

/** The label of a root in messages and in series:scan's `root`. */
export function dicomWebRootLabel(root: { url: string; studyUid: string }): string {
  return `${root.url}/studies/${root.studyUid}`;
}

export class DicomWebSeriesSource implements SeriesSource<DicomWebSeriesLocator> {
  readonly kind = 'dicomweb' as const;
  readonly cache: InstanceCache;
  private readonly clients = new Map<string, DicomWebClient>();
  /** Retrievals under way, by series (url and series UID). */
  private readonly downloads = new Map<string, Download>();

  constructor(private readonly opts: DicomWebSourceOptions) {
    this.cache = new InstanceCache(opts.cacheDir, opts.cacheMaxBytes);
  }

  client(base: string): DicomWebClient {
    let c = this.clients.get(base);
    if (!c) {
      c = new DicomWebClient(base, this.opts.client);
      this.clients.set(base, c);
    }
    return c;
  }

  /** The instances a metadata answer lists, each with its header (or why it has none). */
  private instances(client: DicomWebClient, studyUid: string, meta: readonly DicomJsonDataSet[]): Listed[] {
    const out: Listed[] = [];
    for (const ds of meta) {
      const sopUid = jsonText(ds, '00080018');
      const seriesUid = jsonText(ds, '0020000E');
      const url = isUid(sopUid) && isUid(seriesUid) ? client.instanceUrl(studyUid, seriesUid, sopUid) : `${client.base}/studies/${studyUid} (instance '${sopUid.slice(0, 64)}')`;
      if (!isUid(sopUid) || !isUid(seriesUid)) {
        out.push({ sopUid, url, header: null, problem: { path: url, reason: 'no valid SOP Instance or Series Instance UID in the metadata' } });
        continue;
      }
      const named = jsonText(ds, '00020010') || jsonText(ds, '00083002');
      try {
        out.push({ sopUid, url, header: headerFromDicomJson(ds, url, named ? {} : { transferSyntaxUid: UNKNOWN_TS }) });
      } catch (e) {
        out.push({ sopUid, url, header: null, problem: { path: url, reason: oneLine(errorMessage(e)) } });
      }
    }
    return out;
  }

  /**
   * Metadata from the server, kept beside the instances (`<name>.json`, the name made of a checked UID);
   * when the server cannot be reached (down, or no answer in time) the copy kept last stands in, so
   * a series whose instances are all cached reopens offline. Any other failure is passed on.
   */
  private async metadata(name: string, fetchIt: () => Promise<DicomJsonDataSet[]>): Promise<DicomJsonDataSet[]> {
    const file = join(this.cache.dir, `${name}.json`);
    try {
      const meta = await fetchIt();
      await mkdir(this.cache.dir, { recursive: true });
      await writeFileAtomic(file, JSON.stringify(meta));
      this.offline = null;
      return meta;
    } catch (e) {
      if (!(e instanceof UnreachableError)) throw e;
      let kept: unknown;
      try {
        kept = JSON.parse(await readFile(file, 'utf8'));
      } catch {
        throw e;
      }
      if (!Array.isArray(kept)) throw e;
      this.offline = e.message;
      return kept as DicomJsonDataSet[];
    }
  }

  /** Why the last metadata came from the cache (the server's one-line failure), or null when it came from the server. */
  offline: string | null = null;

  /** Summary as the metadata allows: the transfer syntax is known only once the instances are retrieved, unless the metadata names it. */
  private static summaryOf(s: SeriesSummary, meta: readonly DicomJsonDataSet[]): SeriesSummary {
    const named = meta.some((ds) => jsonText(ds, '00020010') || jsonText(ds, '00083002'));
    return named ? s : { ...s, transferSyntaxUids: [] };
  }

  async list(root: RootOf<DicomWebSeriesLocator>): Promise<ScanResult> {
    const client = this.client(root.url);
    const meta = await this.metadata(`study-${checkUid(root.studyUid, 'study')}`, () => client.studyMetadata(root.studyUid));
    const listed = this.instances(client, root.studyUid, meta);
    const grouped = groupSeries(listed.flatMap((l) => (l.header ? [l.header] : [])));
    const problems = [...listed.flatMap((l) => (l.problem ? [l.problem] : [])), ...grouped.problems];
    const series = grouped.series.map((s) => DicomWebSeriesSource.summaryOf(s, meta));
    return { root: dicomWebRootLabel(root), series, problems };
  }

  private async seriesListing(locator: DicomWebSeriesLocator, signal?: AbortSignal): Promise<{ client: DicomWebClient; meta: DicomJsonDataSet[]; listed: Listed[] }> {
    const client = this.client(locator.url);
    const meta = await this.metadata(`series-${checkUid(locator.seriesUid, 'series')}`, () => client.seriesMetadata(locator.studyUid, locator.seriesUid, signal));
    if (meta.length === 0) throw new UserError('notFound', `${dicomWebRootLabel(locator)}/series/${locator.seriesUid}: no such series on the server`);
    return { client, meta, listed: this.instances(client, locator.studyUid, meta) };
  }

  async headers(locator: DicomWebSeriesLocator): Promise<SeriesHeaders> {
    const { meta, listed } = await this.seriesListing(locator);
    const layout = layoutSeries(listed.flatMap((l) => (l.header ? [l.header] : [])));
    return {
      summary: DicomWebSeriesSource.summaryOf(summarise(layout), meta),
      references: seriesReferences(layout),
      geometry: layout.geometry,
      warnings: layout.warnings,
    };
  }

  /**
   * Every slice instance of the series in the cache, checked against its metadata (SOP, series and
   * study UIDs, rows and columns): those cached and still matching are reused, the others retrieved
   * (the whole series in one answer when most are missing, else one by one). Returns the files and the
   * URL each stands for.
   */
  async fetchSeries(locator: DicomWebSeriesLocator, listing?: Listing, d: Download = newDownload()): Promise<{ files: string[]; urlOf: Map<string, string>; problems: FileProblem[] }> {
    const key = downloadKey(locator);
    const before = this.downloads.get(key);
    if (before && before !== d) before.controller.abort(); // a second open of the same series replaces the first
    this.downloads.set(key, d);
    try {
      return await this.fetchInto(locator, d, listing);
    } catch (e) {
      if (d.controller.signal.aborted) throw new UserError('input', `${dicomWebRootLabel(locator)}/series/${locator.seriesUid}: download cancelled`);
      throw e;
    } finally {
      if (this.downloads.get(key) === d) this.downloads.delete(key);
    }
  }

  /** How far the retrieval of a series is (instances in the cache of those listed), or null when none is under way. */
  progress(locator: DicomWebSeriesLocator): DownloadProgress | null {
    const d = this.downloads.get(downloadKey(locator));
    return d ? { received: d.received, total: d.total } : null;
  }

  /** Stops the retrieval of a series (its open fails with 'download cancelled'); false when none was under way. */
  cancel(locator: DicomWebSeriesLocator): boolean {
    const d = this.downloads.get(downloadKey(locator));
    d?.controller.abort();
    return d !== undefined;
  }

  private async fetchInto(locator: DicomWebSeriesLocator, d: Download, listing?: Listing): Promise<{ files: string[]; urlOf: Map<string, string>; problems: FileProblem[] }> {
    const signal = d.controller.signal;
    const { client, listed } = listing ?? (await this.seriesListing(locator, signal));
    const wanted = listed.filter((l): l is Listed & { header: DicomHeader } => l.header !== null);
    const problems = listed.flatMap((l) => (l.problem ? [l.problem] : []));
    if (wanted.length === 0) throw new UserError('input', oneLine(`${dicomWebRootLabel(locator)}/series/${locator.seriesUid}: no image instance in the series${problems[0] ? `: ${problems[0].path}: ${problems[0].reason}` : ''}`));
    const files = d.files;
    const missing: (Listed & { header: DicomHeader })[] = [];
    d.total = wanted.length;
    for (const l of wanted) {
      const p = await this.cache.get(l.sopUid);
      if (p && (await this.matches(p, l.header))) {
        files.set(l.sopUid, p);
        d.received = files.size;
        d.arrived(); // a reader waiting for this one goes on
      } else missing.push(l);
    }
    d.received = files.size;
    d.arrived();
    if (!this.opts.perInstance && missing.length > 1 && missing.length * 2 >= wanted.length) {
      const parts = await client.retrieveSeries(locator.studyUid, locator.seriesUid, signal);
      const byUid = new Map(missing.map((m) => [m.sopUid, m]));
      for (const [i, bytes] of parts.entries()) {
        const uid = partSopUid(bytes);
        const m = uid ? byUid.get(uid) : undefined;
        if (!uid) throw new UserError('input', `${client.base}/studies/${locator.studyUid}/series/${locator.seriesUid}: part ${i + 1} of the answer is not a DICOM instance`);
        if (m) files.set(uid, await this.store(m, bytes));
        d.received = files.size;
      }
      const lacking = missing.filter((m) => !files.has(m.sopUid));
      if (lacking.length > 0) throw new UserError('input', `${lacking[0]!.url}: listed in the series' metadata but not in its retrieval (${lacking.length} instance(s) missing)`);
    } else {
      // The middle of the series first (where the viewer opens it), then outwards, in slice order.
      let ordered: readonly string[];
      try {
        ordered = layoutSeries(wanted.map((l) => l.header)).headers.map((h) => h.sopInstanceUid);
      } catch {
        ordered = wanted.map((l) => l.sopUid); // no layout from the metadata: the order it lists them in
      }
      const middle = (ordered.length - 1) / 2;
      const at = new Map(ordered.map((uid, i) => [uid, Math.abs(i - middle)]));
      const queue = [...missing].sort((a, b) => (at.get(a.sopUid) ?? Infinity) - (at.get(b.sopUid) ?? Infinity));
      // Instances a reader waits for go to the front (the slice the viewer asks for first).
      d.prioritize = (uids) => {
        const wantedNow = new Set(uids);
        const first = queue.filter((m) => wantedNow.has(m.sopUid));
        const rest = queue.filter((m) => !wantedNow.has(m.sopUid));
        queue.splice(0, queue.length, ...first, ...rest);
      };
      let failed = false;
      const worker = async () => {
        for (let m = queue.shift(); m && !failed; m = queue.shift()) {
          try {
            const bytes = await client.retrieveInstance(locator.studyUid, locator.seriesUid, m.sopUid, signal);
            if (partSopUid(bytes) !== m.sopUid) throw new UserError('input', `${m.url}: the answer is not this instance`);
            files.set(m.sopUid, await this.store(m, bytes));
            d.received = files.size;
            d.arrived();
          } catch (e) {
            failed = true; // the other workers stop at their next instance
            throw e;
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(this.opts.concurrency ?? 4, Math.max(1, queue.length)) }, worker));
    }
    const paths = wanted.map((l) => files.get(l.sopUid)!);
    await this.cache.trim(new Set(paths));
    return { files: paths, urlOf: new Map(wanted.map((l) => [files.get(l.sopUid)!, l.url])), problems };
  }

  /** Writes a retrieved instance into the cache and checks it against its metadata. */
  private async store(m: Listed & { header: DicomHeader }, bytes: Uint8Array): Promise<string> {
    const p = await this.cache.put(m.sopUid, bytes);
    if (!(await this.matches(p, m.header))) {
      await this.cache.remove(m.sopUid);
      throw new UserError('input', `${m.url}: the instance retrieved does not match its metadata (UIDs, rows or columns differ)`);
    }
    return p;
  }

  /** Whether a cached file is the instance the metadata describes. */
  private async matches(path: string, meta: DicomHeader): Promise<boolean> {
    try {
      const h = await dicomFiles.readDicomHeader(path);
      return (
        h.sopInstanceUid === meta.sopInstanceUid &&
        h.seriesInstanceUid === meta.seriesInstanceUid &&
        h.studyInstanceUid === meta.studyInstanceUid &&
        h.rows === meta.rows &&
        h.columns === meta.columns
      );
    } catch {
      return false;
    }
  }

  /**
   * The app's open (one by one retrieval): the series laid out from its metadata at once, its instances
   * retrieved in the background (the middle first), and each readSlices answered as soon as its slices'
   * instances are in the cache, read with the folder loader from those files (a slice's HU do not
   * depend on the others); once every instance is in, the series is opened from its files as the
   * folder loader does and read from there, and the metadata's layout is checked against it. Null when
   * the metadata gives no layout (the plain open then says why).
   */
  private async openStreaming(locator: DicomWebSeriesLocator): Promise<OpenedSeries | null> {
    const d = newDownload();
    const key = downloadKey(locator);
    const before = this.downloads.get(key);
    if (before) before.controller.abort();
    this.downloads.set(key, d); // progress is seen from the metadata request on
    let listing: Listing;
    try {
      listing = await this.seriesListing(locator, d.controller.signal);
    } catch (e) {
      if (this.downloads.get(key) === d) this.downloads.delete(key);
      if (d.controller.signal.aborted) throw new UserError('input', `${dicomWebRootLabel(locator)}/series/${locator.seriesUid}: download cancelled`);
      throw e;
    }
    let layout: ReturnType<typeof layoutSeries>;
    try {
      layout = layoutSeries(listing.listed.flatMap((l) => (l.header ? [l.header] : [])));
    } catch {
      if (this.downloads.get(key) === d) this.downloads.delete(key);
      return null;
    }
    const label = `${dicomWebRootLabel(locator)}/series/${locator.seriesUid}`;
    const huType = fitsInt16(layout).integer ? 'int16' : 'float32';
    let failure: unknown = null;
    const whole = this.fetchSeries(locator, listing, d).then(async ({ files }) => {
      const r = await dicomFiles.openFiles(files);
      // The files must be what the metadata said: the same layout and element type.
      if (r.geometry.slices !== layout.geometry.slices || r.geometry.rows !== layout.geometry.rows || r.geometry.columns !== layout.geometry.columns || r.huType !== huType) {
        throw new UserError('input', `${label}: the instances retrieved do not lay out as the metadata said (open the series again)`);
      }
      return r;
    });
    whole.catch((e: unknown) => {
      failure = e;
      d.arrived(); // waiting readers see the failure
    });
    const sopOf = layout.frames.map((f) => f.header.sopInstanceUid);
    /** Resolves once these instances are in the cache (or the retrieval failed: then it rejects). */
    const inCache = (uids: readonly string[]): Promise<string[]> =>
      new Promise((resolve, reject) => {
        const check = () => {
          if (failure) {
            d.waiters.delete(check);
            reject(failure instanceof Error ? failure : new Error(String(failure)));
            return true;
          }
          if (uids.every((u) => d.files.has(u))) {
            d.waiters.delete(check);
            resolve(uids.map((u) => d.files.get(u)!));
            return true;
          }
          return false;
        };
        if (!check()) {
          d.waiters.add(check);
          d.prioritize(uids.filter((u) => !d.files.has(u)));
        }
      });
    let opened: Awaited<typeof whole> | null = null;
    void whole.then((r) => (opened = r)).catch(() => {});
    return {
      summary: DicomWebSeriesSource.summaryOf(summarise(layout), listing.meta),
      references: seriesReferences(layout),
      geometry: layout.geometry,
      warnings: layout.warnings,
      huType,
      readSlices: async (start, count) => {
        if (opened) return opened.readSlices(start, count);
        if (!Number.isInteger(start) || !Number.isInteger(count) || start < 0 || count < 1 || start + count > sopOf.length) {
          throw new UserError('usage', `slices ${start}..${start + count - 1}: outside the series' slices 0..${sopOf.length - 1}`);
        }
        const uids = [...new Set(sopOf.slice(start, start + count))];
        const paths = await inCache(uids);
        if (opened) return (opened as Awaited<typeof whole>).readSlices(start, count);
        // Those slices alone, read from their files as the folder loader reads them (same codecs, same rescale).
        const part = await dicomFiles.openFiles(paths);
        if (part.geometry.slices !== count) return (await whole).readSlices(start, count);
        const hu = await part.readSlices(0, count);
        return huType === 'float32' && hu instanceof Int16Array ? Float32Array.from(hu) : hu;
      },
    };
  }

  async load(locator: DicomWebSeriesLocator): Promise<LoadedSeries> {
    const { files, urlOf, problems } = await this.fetchSeries(locator);
    const r = await dicomFiles.loadFiles(files);
    const url = (p: string) => urlOf.get(p) ?? p;
    return {
      summary: { ...r.summary, files: r.summary.files.map(url) },
      references: r.references,
      volume: r.volume,
      problems: [...problems, ...r.problems.map((p) => ({ ...p, path: url(p.path) }))],
    };
  }

  async open(locator: DicomWebSeriesLocator): Promise<OpenedSeries> {
    if (this.opts.perInstance) {
      const streaming = await this.openStreaming(locator);
      if (streaming) return streaming;
    }
    const { files, urlOf } = await this.fetchSeries(locator);
    const r = await dicomFiles.openFiles(files);
    return {
      summary: { ...r.summary, files: r.summary.files.map((p) => urlOf.get(p) ?? p) },
      references: r.references,
      geometry: r.geometry,
      warnings: r.warnings,
      huType: r.huType,
      readSlices: (start, count) => r.readSlices(start, count),
    };
  }
}

type Listing = Awaited<ReturnType<DicomWebSeriesSource['seriesListing']>>;

/**
 * A retrieval under way: its instances in the cache (SOP UID to file), the count for the progress, its
 * cancel, and the readers waiting for instances (woken at each arrival).
 */
interface Download {
  readonly controller: AbortController;
  received: number;
  total: number;
  readonly files: Map<string, string>;
  readonly waiters: Set<() => void>;
  arrived(): void;
  /** Moves these instances to the front of what is still to retrieve (one by one retrieval only). */
  prioritize(uids: readonly string[]): void;
}

function newDownload(): Download {
  const waiters = new Set<() => void>();
  return {
    controller: new AbortController(),
    received: 0,
    total: 0,
    files: new Map(),
    waiters,
    arrived: () => {
      for (const w of [...waiters]) w();
    },
    prioritize: () => {},
  };
}

/** The key of a series' retrieval. */
function downloadKey(locator: DicomWebSeriesLocator): string {
  return `${locator.url} ${locator.seriesUid}`;
}

/** The SOP Instance UID of Part-10 bytes, or '' when they are no DICOM data set. */
function partSopUid(bytes: Uint8Array): string {
  try {
    const parsed = parseDataSet(bytes, bytes.byteLength, true);
    return (parsed.dataSet.string('x00080018') ?? '').replace(/\0/g, '').trim();
  } catch {
    return '';
  }
}
