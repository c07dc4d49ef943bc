/**
 * Where DICOM frames come from, behind one interface: a folder on disk today (over dicomFiles.ts),
 * a DICOMweb server (dicomweb/source.ts). The services (api.ts) only speak of series locators (src/shared/contract.ts) and
 * ask the source of the locator's kind to list, describe or load a series.
 */
import type { FileProblem, ScanResult, SeriesSummary } from '../core/dicom/types';
import type { SeriesReferences } from '../core/dicom/references';
import type { VolumeGeometry } from '../core/geometry/volumeGeometry';
import type { HuVolume } from '../core/volume';
// Types only: shared/contract builds its zod schemas when loaded, which the command line's `info` and
// `scan` need not pay for at start-up (see localFolderLocator).
import type { FolderSeriesLocator, FolderSeriesRoot, RootOf, SeriesLocator } from '../shared/contract';
import { realpath } from 'node:fs/promises';
import { UserError } from '../core/errors';
import * as dicomFiles from './dicomFiles';

/** contract.ts's folderLocator, written here so that reading a folder does not load zod (see the import above). */
function localFolderLocator(path: string, seriesUid: string): FolderSeriesLocator {
  return { kind: 'folder', path, seriesUid };
}

/** A series' description from its headers only (no pixel data read). */
export interface SeriesHeaders {
  readonly summary: SeriesSummary;
  /** Instances and frame of each slice, frame of reference, patient and study (what SR and SEG reference). */
  readonly references: SeriesReferences;
  /** The geometry load() will give the volume. */
  readonly geometry: VolumeGeometry;
  readonly warnings: readonly string[];
}

/**
 * A series opened for reading its slices a range at a time (headers read, no pixel data yet): what
 * series:load describes and series:slices serves. It keeps no HU between calls.
 */
export interface OpenedSeries {
  readonly summary: SeriesSummary;
  readonly references: SeriesReferences;
  readonly geometry: VolumeGeometry;
  /** The series' own notes, its files left out among them. */
  readonly warnings: readonly string[];
  /** Element type of the whole volume's HU ('int16' unless a rescale is not an integer); see dicomFiles.SeriesFiles. */
  readonly huType: 'int16' | 'float32';
  /** The series' files left out (as load() names them), where the source tells them apart (the folder source). */
  readonly problems?: readonly FileProblem[];
  /** HU of slices start..start+count-1, decoded when asked for (those slices only); written over `into` when it fits (an earlier range's array). */
  readSlices(start: number, count: number, into?: Int16Array | Float32Array): Promise<Int16Array | Float32Array>;
}

/** A loaded series. `problems` are this series' files that were left out, never the rest of the source. */
export interface LoadedSeries {
  readonly summary: SeriesSummary;
  readonly references: SeriesReferences;
  readonly volume: HuVolume;
  readonly problems: readonly FileProblem[];
}

export interface SeriesSource<L extends SeriesLocator = SeriesLocator> {
  readonly kind: L['kind'];
  /**
   * Lists the series under a root (a folder for the folder source) with every unusable item and its
   * reason. The listing is remembered, so that describing or loading one of its series does not list
   * the root again.
   */
  list(root: RootOf<L>): Promise<ScanResult>;
  /** A series' summary and geometry from its headers; never reads pixel data. */
  headers(locator: L): Promise<SeriesHeaders>;
  /** A series' HU volume. The source keeps no reference to it. */
  load(locator: L): Promise<LoadedSeries>;
  /** Opens a series for reading by ranges of slices: headers only (the load budget checked), no pixel data. */
  open(locator: L): Promise<OpenedSeries>;
}

/** The dicomFiles functions the folder source uses (tests inject counting or fake ones). */
export interface FolderFiles {
  scanFolder(folder: string, opts?: dicomFiles.ScanOptions): Promise<ScanResult>;
  readFilesHeaders(paths: readonly string[]): Promise<{ summary: SeriesSummary; references: SeriesReferences; geometry: VolumeGeometry; warnings: readonly string[] }>;
  loadFiles(paths: readonly string[]): Promise<{ summary: SeriesSummary; references: SeriesReferences; volume: HuVolume; problems: readonly FileProblem[] }>;
  openFiles(paths: readonly string[]): Promise<dicomFiles.SeriesFiles>;
}

const realFiles: FolderFiles = {
  scanFolder: (f, o) => dicomFiles.scanFolder(f, o),
  readFilesHeaders: (p) => dicomFiles.readFilesHeaders(p),
  loadFiles: (p) => dicomFiles.loadFiles(p),
  openFiles: (p) => dicomFiles.openFiles(p),
};

/**
 * Where the folder source may read (the app and the bridge: inside the folders the user opened): given
 * a real path, a one-line reason when it may not be read, else null. Without it, anywhere (the CLI).
 */
export type ReadPolicy = (realPath: string) => string | null;

/**
 * Series in folders of DICOM files. Remembers the listing of the last few scanned folders (the
 * series and their file lists, a few kB per series), keyed by folder path; a locator of a folder not
 * scanned yet (a reload after a restart) scans it once. Loading reads only the series' files, whose
 * headers the scan has already cached (dicomFiles re-checks each file's size, mtime and ctime).
 */
export class FolderSeriesSource implements SeriesSource<FolderSeriesLocator> {
  readonly kind = 'folder' as const;
  private readonly scans = new Map<string, ScanResult>();

  constructor(
    private readonly files: FolderFiles = realFiles,
    private readonly maxFolders = 8,
    /**
     * Where links may lead: a link to a file outside is listed by the scan as a problem (never read),
     * and a series whose file resolves outside (a link changed since the scan) is refused when opened.
     */
    private readonly readPolicy?: ReadPolicy,
  ) {}

  async list(root: FolderSeriesRoot): Promise<ScanResult> {
    const folder = root.path;
    const policy = this.readPolicy;
    const scan = await this.files.scanFolder(folder, policy ? { linkTarget: (real) => policy(real) } : {});
    this.scans.delete(folder);
    this.scans.set(folder, scan);
    while (this.scans.size > this.maxFolders) this.scans.delete(this.scans.keys().next().value!);
    return scan;
  }

  /** The remembered listing of a folder (tests); null when it was never scanned or was forgotten. */
  remembered(folder: string): ScanResult | null {
    return this.scans.get(folder) ?? null;
  }

  /** The scan's summary of the series (its UID is the scan's, derived for anonymised files). */
  private async series(locator: FolderSeriesLocator): Promise<SeriesSummary> {
    const known = this.scans.get(locator.path);
    const found = known?.series.find((s) => s.seriesInstanceUid === locator.seriesUid && s.modality === 'CT');
    if (found) return found;
    // Not scanned yet, or not in the remembered listing (the folder changed since): scan it once now.
    return dicomFiles.pickCtSeries(await this.list({ kind: 'folder', path: locator.path }), locator.path, locator.seriesUid);
  }

  /** Every file of the series resolves (links followed) to where the read policy allows; else an access error naming the file. */
  private async checkFiles(files: readonly string[]): Promise<void> {
    const policy = this.readPolicy;
    if (!policy) return;
    for (const f of files) {
      let real: string;
      try {
        real = await realpath(f);
      } catch {
        continue; // gone: the read reports it with the file's name
      }
      const refused = real === f ? null : policy(real);
      if (refused) throw new UserError('access', `${f}: ${refused} (changed since the folder was scanned; scan it again)`);
    }
  }

  async headers(locator: FolderSeriesLocator): Promise<SeriesHeaders> {
    const s = await this.series(locator);
    await this.checkFiles(s.files);
    const h = await this.files.readFilesHeaders(s.files);
    return { summary: s, references: h.references, geometry: h.geometry, warnings: h.warnings };
  }

  async load(locator: FolderSeriesLocator): Promise<LoadedSeries> {
    const s = await this.series(locator);
    await this.checkFiles(s.files);
    const r = await this.files.loadFiles(s.files);
    return { summary: s, references: r.references, volume: r.volume, problems: r.problems };
  }

  async open(locator: FolderSeriesLocator): Promise<OpenedSeries> {
    const s = await this.series(locator);
    await this.checkFiles(s.files);
    const r = await this.files.openFiles(s.files);
    return { summary: s, references: r.references, geometry: r.geometry, warnings: r.warnings, problems: r.problems, huType: r.huType, readSlices: (start, count, into) => r.readSlices(start, count, into) };
  }
}

/**
 * One source per locator kind: the folder one always, the others (DICOMweb: dicomweb/source.ts) where
 * the service was given one.
 */
export type SeriesSources = { folder: SeriesSource<FolderSeriesLocator> } & { [K in Exclude<SeriesLocator['kind'], 'folder'>]?: SeriesSource<Extract<SeriesLocator, { kind: K }>> };

/** The source of a root's or a locator's kind (a one-line refusal when this service has none of that kind). */
export function sourceFor(sources: SeriesSources, of: { kind: SeriesLocator['kind'] }): SeriesSource<SeriesLocator> {
  const source = sources[of.kind];
  if (!source) throw new UserError('usage', `series of kind '${of.kind}' cannot be read here (no such source configured)`);
  return source as SeriesSource<SeriesLocator>;
}

/**
 * The CT series of a folder read through a folder source, as the CLI names it: the one CT series, or
 * the one whose UID is given (else a one-line reason naming the folder). `problems` are every file of
 * the folder left out, the scan's (not in any series) then the series' own.
 */
export async function loadFolderSeries(
  folder: string,
  seriesUid?: string,
  source: FolderSeriesSource = new FolderSeriesSource(),
): Promise<LoadedSeries> {
  const scan = await source.list({ kind: 'folder', path: folder });
  const chosen = dicomFiles.pickCtSeries(scan, folder, seriesUid);
  const loaded = await source.load(localFolderLocator(folder, chosen.seriesInstanceUid));
  return { ...loaded, problems: [...scan.problems, ...loaded.problems] };
}

/**
 * The CT series of a folder chosen as loadFolderSeries chooses it, opened for reading by ranges (no
 * pixel read yet); `problems` as loadFolderSeries gives them (the scan's, then the series' own).
 */
export async function openFolderSeries(
  folder: string,
  seriesUid?: string,
  source: FolderSeriesSource = new FolderSeriesSource(),
): Promise<OpenedSeries & { problems: FileProblem[] }> {
  const scan = await source.list({ kind: 'folder', path: folder });
  const chosen = dicomFiles.pickCtSeries(scan, folder, seriesUid);
  const opened = await source.open(localFolderLocator(folder, chosen.seriesInstanceUid));
  return { ...opened, problems: [...scan.problems, ...(opened.problems ?? [])] };
}

/** A folder's listing through a folder source, and its CT series (the one, or the one whose UID is given). */
export async function scanFolderSeries(
  folder: string,
  seriesUid?: string,
  source: FolderSeriesSource = new FolderSeriesSource(),
): Promise<{ scan: ScanResult; summary: SeriesSummary }> {
  const scan = await source.list({ kind: 'folder', path: folder });
  return { scan, summary: dicomFiles.pickCtSeries(scan, folder, seriesUid) };
}
