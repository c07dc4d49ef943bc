/**
 * DICOM files on disk: scanning folders for CT series (headers only) and loading a series into a HU
 * volume. Plain Node; never imports electron.
 */
import { closeSync, constants, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { lstat, open, readdir, realpath, stat, type FileHandle } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { join } from 'node:path';
import { VolumeAssembler, fitsInt16, nativeFrame, nativeFrameBytes, type RawPixels } from '../core/dicom/assembleVolume';
import { checkAfterPixelData } from '../core/dicom/afterPixelData';
import { encapsulatedFrames, type EncapsulatedFrames } from '../core/dicom/encapsulated';
import { DicomFileError, errorMessage, oneLine } from '../core/dicom/errors';
import { toUserError, UserError } from '../core/errors';
import { groupSeries, layoutSeries, seriesGroupKey, summarise, type SeriesLayout } from '../core/dicom/groupSeries';
import { seriesReferences, type SeriesReferences } from '../core/dicom/references';
import { MAX_HEADER_BYTES, parseDataSet, parseDicomHeader, sizeText } from '../core/dicom/parseHeader';
import { TS, isEncapsulated } from '../core/dicom/transferSyntax';
import type { DicomHeader, FileProblem, ScanResult, SeriesSummary } from '../core/dicom/types';
import type { VolumeGeometry } from '../core/geometry/volumeGeometry';
import type { HuVolume } from '../core/volume';
import { decodeInPool, decoderParallelism } from './decoderPool';

export { DicomFileError } from '../core/dicom/errors';

/** First read of each file; grown (x4) up to MAX_HEADER_BYTES (core) when the header is longer. */
const FIRST_PREFIX_BYTES = 64 * 1024;
/** Header reads longer than this take turns (one at a time), so concurrent scans stay bounded in memory. */
const LARGE_PREFIX_BYTES = 4 * 1024 * 1024;
const SCAN_CONCURRENCY = 16;
const LOAD_CONCURRENCY = 4;
/**
 * Default budget of one load (bytes): the HU volume (2 bytes a voxel, 4 when the rescale is not an
 * integer) plus the inflated data of Deflated files. Checked from the headers before any pixel is read.
 */
export const DEFAULT_MAX_DECODED_BYTES = 1024 * 1024 * 1024;

/** What a special file is, for its reason. */
function fileKind(st: { isFIFO(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean; isSocket(): boolean; isDirectory(): boolean }): string {
  if (st.isFIFO()) return 'FIFO';
  if (st.isCharacterDevice()) return 'character device';
  if (st.isBlockDevice()) return 'block device';
  if (st.isSocket()) return 'socket';
  if (st.isDirectory()) return 'folder';
  return 'special file';
}

/**
 * Blocking file reads (open, fstat, read, close as plain system calls, no libuv thread-pool round trips):
 * for the command line, a batch process with nothing else to do meanwhile. Off by default: the app and the
 * bridge keep their event loop free. Only reads of regular files change; FIFOs and devices are refused
 * before any read either way (opened non-blocking, then fstat).
 */
let syncReads = false;

/** Reads files with blocking system calls from now on (the command line's start-up), or not. */
export function useBlockingFileReads(on: boolean): void {
  syncReads = on;
}

/** An open regular file: its size at open (fstat) and positioned reads. */
interface OpenFile {
  readonly stats: Stats;
  /** Bytes read into buf[offset..offset+length) from file position `position` (0 at the end). */
  read(buf: Uint8Array, offset: number, length: number, position: number): Promise<number>;
  close(): Promise<void>;
}

function syncFile(fd: number, stats: Stats): OpenFile {
  return {
    stats,
    read: async (buf, offset, length, position) => readSync(fd, buf, offset, length, position),
    close: async () => closeSync(fd),
  };
}

function asyncFile(fh: FileHandle, stats: Stats): OpenFile {
  return {
    stats,
    read: async (buf, offset, length, position) => (await fh.read(buf, offset, length, position)).bytesRead,
    close: () => fh.close(),
  };
}

/**
 * Opens a regular file for reading, never blocking on a FIFO or device: opened non-blocking, then
 * checked with fstat (so a file swapped for a FIFO after a stat is still refused).
 */
async function openRegular(path: string): Promise<OpenFile> {
  if (syncReads) {
    const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      const st = fstatSync(fd);
      if (!st.isFile()) throw new DicomFileError(`not a regular file (${fileKind(st)})`);
      return syncFile(fd, st);
    } catch (e) {
      closeSync(fd);
      throw e;
    }
  }
  const fh = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new DicomFileError(`not a regular file (${fileKind(st)})`);
    return asyncFile(fh, st);
  } catch (e) {
    await fh.close();
    throw e;
  }
}

/** The stat of a path that must be a regular file (links followed); DicomFileError for anything else. */
async function statRegular(path: string): Promise<Stats> {
  const st = syncReads ? statSync(path) : await stat(path);
  if (!st.isFile()) throw new DicomFileError(`not a regular file (${fileKind(st)})`);
  return st;
}

/** One large header read at a time (see LARGE_PREFIX_BYTES). */
let largeReads: Promise<void> = Promise.resolve();
async function takingTurns<T>(fn: () => Promise<T>): Promise<T> {
  const before = largeReads;
  let release!: () => void;
  largeReads = new Promise<void>((r) => (release = r));
  await before;
  try {
    return await fn();
  } finally {
    release();
  }
}

/** Runs fn over items with at most `limit` in flight; results keep the input order. */
async function pool<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

async function readPrefix(path: string, length: number): Promise<Uint8Array> {
  const fh = await openRegular(path);
  try {
    const buf = new Uint8Array(length);
    let got = 0;
    while (got < length) {
      const bytesRead = await fh.read(buf, got, length - got, got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    return got === length ? buf : buf.subarray(0, got);
  } finally {
    await fh.close();
  }
}

/** File identity used to decide whether a remembered header still describes the file. */
interface FileStamp {
  readonly size: number;
  readonly mtimeMs: number;
  readonly ctimeMs: number;
  readonly ino: number;
}

interface CachedHeader extends FileStamp {
  readonly header: DicomHeader;
  readonly weight: number;
}

/**
 * Headers read by recent scans, so that loading a scanned series does not read and parse every header
 * again. Keyed by path and checked against size, mtime, ctime and inode (any rewrite of the file changes
 * ctime); bounded by the number of frames held (least recently used first out).
 */
const headerCache = new Map<string, CachedHeader>();
const HEADER_CACHE_MAX_FRAMES = 200_000;
let headerCacheFrames = 0;

function sameFile(a: FileStamp, b: FileStamp): boolean {
  return a.size === b.size && a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs && a.ino === b.ino;
}

function rememberHeader(path: string, st: FileStamp, header: DicomHeader): void {
  forgetHeader(path);
  const weight = 1 + header.numberOfFrames;
  if (weight > HEADER_CACHE_MAX_FRAMES) return;
  headerCache.set(path, { size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, ino: st.ino, header, weight });
  headerCacheFrames += weight;
  for (const [key, entry] of headerCache) {
    if (headerCacheFrames <= HEADER_CACHE_MAX_FRAMES) break;
    headerCache.delete(key);
    headerCacheFrames -= entry.weight;
  }
}

function forgetHeader(path: string): void {
  const old = headerCache.get(path);
  if (old) {
    headerCache.delete(path);
    headerCacheFrames -= old.weight;
  }
}

function recallHeader(path: string, st: FileStamp): DicomHeader | null {
  const c = headerCache.get(path);
  if (!c) return null;
  if (!sameFile(c, st)) {
    forgetHeader(path);
    return null;
  }
  headerCache.delete(path); // most recently used goes last
  headerCache.set(path, c);
  return c.header;
}

/** Forgets every remembered header (tests and benchmarks). */
export function clearHeaderCache(): void {
  headerCache.clear();
  headerCacheFrames = 0;
}

/**
 * Parses the header of a file of `size` bytes from a prefix of it (never the whole pixel data), growing
 * the prefix (x4) until the header parses, up to the file size or MAX_HEADER_BYTES.
 */
async function readHeaderPrefix(path: string, size: number): Promise<DicomHeader> {
  let want = Math.min(size, FIRST_PREFIX_BYTES);
  for (;;) {
    const length = want;
    const bytes = length > LARGE_PREFIX_BYTES ? await takingTurns(() => readPrefix(path, length)) : await readPrefix(path, length);
    const fileSize = bytes.length < want ? bytes.length : size; // file shrank while reading
    let header: DicomHeader;
    try {
      header = parseDicomHeader(bytes, path, fileSize);
    } catch (e) {
      if (e instanceof DicomFileError && e.needMoreBytes && want < size) {
        if (want >= MAX_HEADER_BYTES) {
          // As long as we read: the reason the bytes give if they were the whole file, unless that is the cut.
          try {
            parseDicomHeader(bytes, path, bytes.length);
          } catch (full) {
            if (full instanceof DicomFileError && !/^truncated|^no pixel data|^not an image \(no pixel data\)/.test(full.message)) throw full;
          }
          throw new DicomFileError(`header longer than ${sizeText(MAX_HEADER_BYTES)}`);
        }
        want = Math.min(size, want * 4, MAX_HEADER_BYTES);
        continue;
      }
      throw e;
    }
    await checkTrailer(path, header, fileSize, bytes);
    return header;
  }
}

/** Bytes read at a time while walking the fragments and the elements after the pixel data. */
const TRAILER_WINDOW_BYTES = 64 * 1024;

/**
 * Checks the encapsulated fragments and the elements after the Pixel Data (core checkAfterPixelData),
 * reading only item and element headers: nothing at all for the usual uncompressed file that ends with
 * its pixel data; the header prefix already read serves when it reaches that far.
 */
async function checkTrailer(path: string, header: DicomHeader, fileSize: number, prefix: Uint8Array): Promise<void> {
  const end = header.pixelDataLength >= 0 ? header.pixelDataOffset + header.pixelDataLength : header.pixelDataOffset;
  if (header.pixelDataLength >= 0 && end >= fileSize) return;
  let fh: OpenFile | null = null;
  try {
    await checkAfterPixelData(header, fileSize, async (offset) => {
      if (offset + 12 <= prefix.length) return prefix.subarray(offset);
      fh ??= await openRegular(path);
      const buf = new Uint8Array(Math.max(0, Math.min(TRAILER_WINDOW_BYTES, fileSize - offset)));
      return readAt(fh, buf, buf.length, offset);
    });
  } finally {
    if (fh) await (fh as OpenFile).close();
  }
}

/**
 * Reads and parses the header of one file from a prefix of it (never the whole pixel data), always
 * from the disk; the header is remembered for a later load of the same, unchanged file.
 */
export async function readDicomHeader(path: string): Promise<DicomHeader> {
  const st = await statRegular(path);
  try {
    const header = await readHeaderPrefix(path, st.size);
    rememberHeader(path, st, header);
    return header;
  } catch (e) {
    forgetHeader(path);
    throw e;
  }
}

/**
 * The header of a file: the one a scan read when the file has not changed since, else read now; with
 * the file's identity when it was read (pixel reads check the file is still that one).
 */
async function headerForLoad(path: string): Promise<{ header: DicomHeader; stamp: FileStamp }> {
  const st = await statRegular(path);
  const stamp: FileStamp = { size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, ino: st.ino };
  const known = recallHeader(path, st);
  if (known) return { header: known, stamp };
  const header = await readHeaderPrefix(path, st.size);
  rememberHeader(path, st, header);
  return { header, stamp };
}

function problemOf(path: string, e: unknown): FileProblem {
  if (e instanceof DicomFileError) return { path, reason: e.message };
  const code = (e as { code?: string } | null)?.code;
  if (code === 'EACCES' || code === 'EPERM') return { path, reason: 'unreadable (permission denied)' };
  return { path, reason: oneLine(`unreadable (${errorMessage(e)})`) };
}

/** Options of a folder scan. */
export interface ScanOptions {
  /**
   * Where a symbolic link to a file may lead: given the link's real target path, a one-line reason
   * when it must not be read (the app and the bridge: outside the folders the user opened), else null.
   * Without it links to files are followed anywhere (the command line reads what its user names).
   */
  linkTarget?: (realPath: string) => string | null;
}

async function listFiles(folder: string, problems: FileProblem[], opts: ScanOptions = {}): Promise<string[]> {
  const files: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (e) {
      problems.push(problemOf(dir, e));
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const ent of entries) {
      const p = join(dir, ent.name);
      if (ent.isDirectory()) await walk(p);
      else if (ent.isFile()) files.push(p);
      else if (ent.isSymbolicLink()) {
        // Follow links to files only (links to folders could loop); links to anything else are listed.
        try {
          const target = await stat(p);
          if (target.isFile()) {
            const refused = opts.linkTarget ? opts.linkTarget(await realpath(p)) : null;
            if (refused) problems.push({ path: p, reason: refused });
            else files.push(p);
          } else if (target.isDirectory()) problems.push({ path: p, reason: 'a link to a folder: not followed (open that folder itself)' });
          else problems.push({ path: p, reason: `not a regular file (${fileKind(target)})` });
        } catch (e) {
          problems.push(problemOf(p, e));
        }
      } else {
        // FIFOs, devices, sockets: listed, never opened (reading a FIFO would wait forever).
        try {
          problems.push({ path: p, reason: `not a regular file (${fileKind(await lstat(p))})` });
        } catch (e) {
          problems.push(problemOf(p, e));
        }
      }
    }
  };
  await walk(folder);
  return files;
}

/**
 * Scans a folder recursively for CT series. Reads only a header prefix of each file. Every file either
 * ends up in a series or in `problems` with a one-line reason; this never throws for bad files (only
 * when the folder itself cannot be read).
 */
export async function scanFolder(folder: string, opts: ScanOptions = {}): Promise<ScanResult> {
  const st = await stat(folder);
  if (!st.isDirectory()) throw new UserError('usage', `${folder} is not a folder`);
  const problems: FileProblem[] = [];
  const files = await listFiles(folder, problems, opts);
  const headers: DicomHeader[] = [];
  await pool(files, SCAN_CONCURRENCY, async (path) => {
    try {
      headers.push(await readDicomHeader(path));
    } catch (e) {
      problems.push(problemOf(path, e));
    }
  });
  const grouped = groupSeries(headers);
  return {
    series: grouped.series,
    problems: [...problems, ...grouped.problems].sort((a, b) => a.path.localeCompare(b.path)),
  };
}

/** Bytes a Deflated file is inflated to for loading: its header and declared pixel data (+ a pad byte). */
function inflatedSize(h: DicomHeader): number {
  return h.pixelDataOffset + nativeFrameBytes(h) * h.numberOfFrames + 2;
}

/** Frames of one file, parsing the file's encapsulation (or inflating it) once. */
class FileFrames {
  private encapsulated: EncapsulatedFrames | null = null;
  private inflated: Uint8Array | null = null;
  constructor(
    private readonly bytes: Uint8Array,
    private readonly header: DicomHeader,
  ) {}

  async frame(frameIndex: number): Promise<RawPixels> {
    const h = this.header;
    if (frameIndex < 0 || frameIndex >= h.numberOfFrames) throw new RangeError(`frame ${frameIndex} outside 0..${h.numberOfFrames - 1}`);
    if (h.transferSyntaxUid === TS.deflatedLE) {
      // Inflated only as far as the declared pixel data (a deflate bomb's tail is never inflated).
      this.inflated ??= parseDataSet(this.bytes, this.bytes.length, true, inflatedSize(h)).dataSet.byteArray as Uint8Array;
      return nativeFrame(this.inflated, h, frameIndex);
    }
    if (!isEncapsulated(h.transferSyntaxUid)) return nativeFrame(this.bytes, h, frameIndex);
    this.encapsulated ??= encapsulatedFrames(this.bytes, h);
    return decodeInPool(this.encapsulated.frame(frameIndex), h, frameIndex);
  }
}

export interface LoadOptions {
  /** Called after each file with (files done, files total). */
  readonly onProgress?: (done: number, total: number) => void;
  /** Files read at the same time (default 4). */
  readonly concurrency?: number;
  /**
   * Budget of this load in bytes (default DEFAULT_MAX_DECODED_BYTES): the HU volume plus the inflated
   * data of Deflated files, from the headers; a series over it is refused before any pixel is read.
   */
  readonly maxDecodedBytes?: number;
}

/** Throws a UserError when loading the layout would need more than `budget` bytes (see LoadOptions). */
function checkBudget(layout: SeriesLayout, budget: number): void {
  const g = layout.geometry;
  const volume = g.slices * g.rows * g.columns * (fitsInt16(layout).integer ? 2 : 4);
  let inflated = 0;
  for (const h of layout.headers) if (h.transferSyntaxUid === TS.deflatedLE) inflated += inflatedSize(h);
  const total = volume + inflated;
  if (total > budget) {
    throw new UserError(
      'input',
      `series too large to load: ${g.slices} slices of ${g.columns}x${g.rows} need ${sizeText(total)} (HU volume ${sizeText(volume)}` +
        `${inflated > 0 ? `, inflated Deflated data ${sizeText(inflated)}` : ''}); the limit is ${sizeText(budget)}`,
    );
  }
}

/** A loaded volume and the files of the request that were left out. */
export interface LoadedFiles {
  readonly volume: HuVolume;
  readonly summary: SeriesSummary;
  /** The instances and frames of each slice, the frame of reference, patient and study (for SR and SEG). */
  readonly references: SeriesReferences;
  readonly problems: readonly FileProblem[];
}

/** A series' layout from its files' headers, the files left out, and each kept file's identity. */
interface LaidOut {
  readonly layout: SeriesLayout;
  readonly problems: FileProblem[];
  readonly stamps: ReadonlyMap<DicomHeader, FileStamp>;
}

/** The slice layout (geometry, frame order) of one series' files from their headers alone. */
async function layoutFiles(paths: readonly string[]): Promise<LaidOut> {
  const problems: FileProblem[] = [];
  const headers: DicomHeader[] = [];
  const stamps = new Map<DicomHeader, FileStamp>();
  await pool(paths, 16, async (path) => {
    try {
      const { header, stamp } = await headerForLoad(path);
      headers.push(header);
      stamps.set(header, stamp);
    } catch (e) {
      problems.push(problemOf(path, e));
    }
  });
  if (headers.length === 0) {
    throw new UserError('input', oneLine(`no loadable CT image among ${paths.length} file(s)${problems[0] ? `: ${problems[0].path}: ${problems[0].reason}` : ''}`));
  }
  const groups = new Set(headers.map(seriesGroupKey));
  if (groups.size > 1) throw new UserError('input', `the files belong to ${groups.size} different series`);
  const layout = layoutSeries(headers);
  problems.push(...layout.problems);
  return { layout, problems, stamps };
}

/** What the headers of one series' files say (no pixel data read): the geometry its volume will have. */
export interface FilesHeaders {
  readonly summary: SeriesSummary;
  readonly references: SeriesReferences;
  readonly geometry: VolumeGeometry;
  readonly warnings: readonly string[];
  readonly problems: readonly FileProblem[];
}

/**
 * The geometry of the volume loadFiles would build from these files, from their headers only (those
 * of unchanged files come from the scan that listed them). Throws like loadFiles when no file is usable.
 */
export async function readFilesHeaders(paths: readonly string[]): Promise<FilesHeaders> {
  const { layout, problems } = await layoutFiles(paths);
  return { summary: summarise(layout), references: seriesReferences(layout), geometry: layout.geometry, warnings: layout.warnings, problems };
}

/** Throws when an opened file is no longer the one whose header was read (it changed on disk since). */
function checkUnchanged(fh: OpenFile, stamp: FileStamp | undefined): void {
  if (stamp && !sameFile(stamp, fh.stats)) throw new DicomFileError('changed on disk since the series was opened: open the series again');
}

/** The whole of a regular file (never a FIFO or device), as a plain Uint8Array. */
async function readWhole(path: string, stamp?: FileStamp): Promise<Uint8Array> {
  const fh = await openRegular(path);
  try {
    checkUnchanged(fh, stamp);
    const size = fh.stats.size;
    const buf = new Uint8Array(size);
    const got = await readAt(fh, buf, size, 0);
    return got.length === size ? buf : buf.subarray(0, got.length);
  } finally {
    await fh.close();
  }
}

/** Reads `length` bytes at `position` of an open file into `buf` (fewer at the end of the file). */
async function readAt(fh: OpenFile, buf: Uint8Array, length: number, position: number): Promise<Uint8Array> {
  let got = 0;
  while (got < length) {
    const bytesRead = await fh.read(buf, got, length - got, position + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return buf.subarray(0, got);
}

/** Decoded values of compressed frames in flight at once in one load (one frame always may be). */
const DECODE_IN_FLIGHT_BYTES = 256 * 1024 * 1024;

/** At most `count` holders and `bytes` of weight at once (a single holder may exceed the bytes). */
class Slots {
  private used = 0;
  private weight = 0;
  private readonly waiting: { w: number; go: () => void }[] = [];
  constructor(
    private readonly count: number,
    private readonly bytes: number,
  ) {}

  private fits(w: number): boolean {
    return this.used === 0 || (this.used < this.count && this.weight + w <= this.bytes);
  }

  async take(w: number): Promise<void> {
    if (this.waiting.length === 0 && this.fits(w)) {
      this.used++;
      this.weight += w;
      return;
    }
    await new Promise<void>((go) => this.waiting.push({ w, go }));
  }

  give(w: number): void {
    this.used--;
    this.weight -= w;
    while (this.waiting.length > 0 && this.fits(this.waiting[0]!.w)) {
      const next = this.waiting.shift()!;
      this.used++;
      this.weight += next.w;
      next.go();
    }
  }
}

/**
 * Compressed or Deflated files of a series, read whole and kept for the next ranges of the same series
 * (a multi-frame file then is read once, not once per range), up to a byte budget, oldest out first.
 */
class WholeFiles {
  private readonly files = new Map<DicomHeader, { frames: FileFrames; bytes: number }>();
  private bytes = 0;
  constructor(private readonly budget: number) {}

  get(h: DicomHeader): FileFrames | undefined {
    return this.files.get(h)?.frames;
  }

  put(h: DicomHeader, frames: FileFrames, bytes: number): void {
    if (h.numberOfFrames < 2 || bytes > this.budget) return; // a single frame is never read again
    this.files.set(h, { frames, bytes });
    this.bytes += bytes;
    for (const [key, f] of this.files) {
      if (this.bytes <= this.budget) break;
      this.files.delete(key);
      this.bytes -= f.bytes;
    }
  }
}

/** How one read of slices goes (loadFiles: the whole series; SeriesFiles.readSlices: a range). */
interface ReadContext {
  readonly stamps: ReadonlyMap<DicomHeader, FileStamp>;
  readonly concurrency?: number;
  readonly onProgress?: (done: number, total: number) => void;
  readonly wholeFiles?: WholeFiles;
}

/**
 * Reads the frames of the assembler's slices (its range) and writes them into it: each file once,
 * uncompressed files frame by frame into a buffer reused across files (the header bytes are not read
 * again), compressed and deflated files whole, their frames decoded on the decoder workers. Throws a
 * UserError with a one-line message naming the file when a file cannot be read or a frame decoded.
 */
async function readInto(layout: SeriesLayout, assembler: VolumeAssembler, ctx: ReadContext): Promise<void> {
  const { start, count } = assembler.range;
  // The files of the range in slice order of their first frame there, with their slices.
  const slicesOf = new Map<DicomHeader, { k: number; frameIndex: number }[]>();
  for (let k = start; k < start + count; k++) {
    const fr = layout.frames[k]!;
    const list = slicesOf.get(fr.header);
    if (list) list.push({ k, frameIndex: fr.frameIndex });
    else slicesOf.set(fr.header, [{ k, frameIndex: fr.frameIndex }]);
  }
  const files = [...slicesOf.keys()];
  let done = 0;
  const fail = (h: DicomHeader, e: unknown): Error =>
    new UserError(toUserError(e).kind === 'internal' ? 'input' : toUserError(e).kind, oneLine(`${h.path}: ${e instanceof DicomFileError ? e.message : problemOf(h.path, e).reason}`));
  // Compressed series: enough files in flight to keep the decoder workers busy, and at most that many
  // frames (and DECODE_IN_FLIGHT_BYTES of decoded values) in flight across all files.
  const compressed = files.some((h) => isEncapsulated(h.transferSyntaxUid));
  const parallel = decoderParallelism() + 1;
  const workers = Math.max(1, ctx.concurrency ?? (compressed ? Math.max(LOAD_CONCURRENCY, parallel) : LOAD_CONCURRENCY));
  const decodeSlots = new Slots(parallel, DECODE_IN_FLIGHT_BYTES);
  let nextFile = 0;
  const worker = async (): Promise<void> => {
    let buffer = new Uint8Array(0);
    while (nextFile < files.length) {
      const h = files[nextFile++]!;
      const slices = slicesOf.get(h)!;
      const stamp = ctx.stamps.get(h);
      if (!isEncapsulated(h.transferSyntaxUid) && h.transferSyntaxUid !== TS.deflatedLE) {
        const frameBytes = nativeFrameBytes(h);
        if (buffer.length < frameBytes) buffer = new Uint8Array(frameBytes);
        let fh: OpenFile;
        try {
          fh = await openRegular(h.path);
        } catch (e) {
          throw fail(h, e);
        }
        try {
          try {
            checkUnchanged(fh, stamp);
          } catch (e) {
            throw fail(h, e);
          }
          for (const { k, frameIndex } of slices) {
            const start = h.pixelDataOffset + frameIndex * frameBytes;
            let data: Uint8Array;
            try {
              data = await readAt(fh, buffer, frameBytes, start);
            } catch (e) {
              throw fail(h, e);
            }
            try {
              assembler.writeFrame(k, nativeFrame(data, h, frameIndex, start));
            } catch (e) {
              throw new UserError('input', oneLine(`${h.path}: ${errorMessage(e)}`));
            }
          }
        } finally {
          await fh.close();
        }
      } else {
        let frames = ctx.wholeFiles?.get(h);
        if (!frames) {
          let bytes: Uint8Array;
          try {
            bytes = await readWhole(h.path, stamp);
          } catch (e) {
            throw fail(h, e);
          }
          frames = new FileFrames(bytes, h);
          ctx.wholeFiles?.put(h, frames, bytes.length);
        }
        const fileFrames = frames;
        // Frames of a compressed file are decoded on the worker threads, several at a time (decodeSlots).
        const encapsulated = isEncapsulated(h.transferSyntaxUid);
        const weight = h.rows * h.columns * 4;
        let nextSlice = 0;
        const decodeSlices = async (): Promise<void> => {
          while (nextSlice < slices.length) {
            const { k, frameIndex } = slices[nextSlice++]!;
            if (encapsulated) await decodeSlots.take(weight);
            try {
              assembler.writeFrame(k, await fileFrames.frame(frameIndex));
            } catch (e) {
              throw new UserError('input', oneLine(`${h.path}: ${errorMessage(e)}`));
            } finally {
              if (encapsulated) decodeSlots.give(weight);
            }
          }
        };
        const inFile = encapsulated ? Math.min(slices.length, parallel) : 1;
        await Promise.all(Array.from({ length: inFile }, decodeSlices));
      }
      ctx.onProgress?.(++done, files.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(workers, files.length) }, worker));
}

/** The warnings of a loaded series: the layout's notes and the files left out. */
function seriesWarnings(layout: SeriesLayout, problems: readonly FileProblem[]): string[] {
  const left = problems.length > 0 ? [`${problems.length} file(s) left out: ${problems.map((p) => `${p.path} (${p.reason})`).join('; ')}`] : [];
  return [...layout.warnings, ...left.map((s) => oneLine(s, 1000))];
}

/**
 * Loads the given files (one series) into a HU volume: headers first (those of an unchanged file from
 * the scan that listed it, else a prefix read), then each file's pixel data once, written straight into
 * one preallocated volume in slice order along the normal (see readInto). Throws an Error with a
 * one-line message when no file is usable or a frame cannot be decoded.
 */
export async function loadFiles(paths: readonly string[], opts: LoadOptions = {}): Promise<LoadedFiles> {
  const { layout, problems, stamps } = await layoutFiles(paths);
  checkBudget(layout, opts.maxDecodedBytes ?? DEFAULT_MAX_DECODED_BYTES);
  const assembler = new VolumeAssembler(layout);
  await readInto(layout, assembler, { stamps, ...(opts.concurrency !== undefined ? { concurrency: opts.concurrency } : {}), ...(opts.onProgress ? { onProgress: opts.onProgress } : {}) });
  const volume = assembler.result();
  return {
    volume: { ...volume, warnings: seriesWarnings(layout, problems) },
    summary: summarise(layout),
    references: seriesReferences(layout),
    problems,
  };
}

/** Compressed multi-frame files an open series keeps between ranges (bytes). */
const WHOLE_FILES_BUDGET = 128 * 1024 * 1024;

/**
 * A series opened for reading slices a range at a time: its layout from the headers (no pixel data read
 * yet), then the HU of any range of slices, each read and decoded when asked for (never the whole
 * series first). It keeps no HU; only compressed multi-frame files, read whole, stay for the next ranges.
 */
export interface SeriesFiles {
  readonly summary: SeriesSummary;
  readonly references: SeriesReferences;
  readonly geometry: VolumeGeometry;
  /** The series' notes and its files left out: what loadFiles gives as the volume's warnings. */
  readonly warnings: readonly string[];
  readonly problems: readonly FileProblem[];
  /**
   * Element type of the HU of the whole series as loadFiles would give it: 'float32' when a rescale is
   * not an integer, else 'int16' (a range holding a value outside int16 still comes as Float32Array).
   */
  readonly huType: 'int16' | 'float32';
  /**
   * HU of slices start..start+count-1 (feet to head), slice after slice: the same values as those
   * slices of loadFiles' volume. A range outside the series is a 'usage' UserError; a file that cannot
   * be read or decoded, or changed on disk since the series was opened, an 'input' one naming the file.
   */
  readSlices(start: number, count: number, into?: Int16Array | Float32Array): Promise<Int16Array | Float32Array>;
}

/**
 * Opens one series' files for reading by ranges (see SeriesFiles): headers only, and the load budget
 * checked (the whole volume's, since a viewer fetches every slice in the end) before any pixel is read.
 */
export async function openFiles(paths: readonly string[], opts: Pick<LoadOptions, 'maxDecodedBytes' | 'concurrency'> = {}): Promise<SeriesFiles> {
  const { layout, problems, stamps } = await layoutFiles(paths);
  checkBudget(layout, opts.maxDecodedBytes ?? DEFAULT_MAX_DECODED_BYTES);
  const wholeFiles = new WholeFiles(WHOLE_FILES_BUDGET);
  const slices = layout.geometry.slices;
  return {
    summary: summarise(layout),
    references: seriesReferences(layout),
    geometry: layout.geometry,
    warnings: seriesWarnings(layout, problems),
    problems,
    huType: fitsInt16(layout).integer ? 'int16' : 'float32',
    async readSlices(start, count, into) {
      if (!Number.isInteger(start) || !Number.isInteger(count) || start < 0 || count < 1 || start + count > slices) {
        const what = Number.isInteger(start) && Number.isInteger(count) && count >= 1 ? `slices ${start}..${start + count - 1}` : `start ${start}, count ${count}`;
        throw new UserError('usage', `${what}: outside the series' slices 0..${slices - 1}`);
      }
      const assembler = new VolumeAssembler(layout, { start, count }, into);
      await readInto(layout, assembler, { stamps, wholeFiles, ...(opts.concurrency !== undefined ? { concurrency: opts.concurrency } : {}) });
      return assembler.values();
    },
  };
}

/** Loads a series found by scanFolder into a HU volume. */
export async function loadSeries(series: SeriesSummary, opts: LoadOptions = {}): Promise<HuVolume> {
  return (await loadFiles(series.files, opts)).volume;
}

function describe(s: SeriesSummary): string {
  const d = s.seriesDescription ? `"${s.seriesDescription}", ` : '';
  return `${s.seriesInstanceUid || '(no UID)'} (${d}${s.slices} slices)`;
}

/**
 * The CT series of a scan to work on: the one with `seriesUid`, or the only one. Throws an Error with a
 * one-line message when there is none, when the UID is not found, or when several need choosing.
 */
export function pickCtSeries(scan: ScanResult, folder: string, seriesUid?: string): SeriesSummary {
  const ct = scan.series.filter((s) => s.modality === 'CT');
  if (seriesUid !== undefined) {
    const chosen = ct.find((s) => s.seriesInstanceUid === seriesUid);
    if (!chosen) {
      throw new UserError(
        'notFound',
        oneLine(`series ${seriesUid} not found in ${folder}; CT series found: ${ct.length ? ct.map(describe).join(', ') : 'none'}`, 2000),
      );
    }
    return chosen;
  }
  if (ct.length === 0) {
    const first = scan.problems[0];
    throw new UserError(
      'notFound',
      oneLine(
        `no CT series found in ${folder} (${scan.problems.length} file(s) not usable${first ? `, e.g. ${first.path}: ${first.reason}` : ''})`,
        2000,
      ),
    );
  }
  if (ct.length > 1) throw new UserError('input', oneLine(`${ct.length} CT series found; choose one with --series UID: ${ct.map(describe).join(', ')}`, 4000));
  return ct[0]!;
}

/** Scans a folder and loads its CT series (chosen by pickCtSeries). */
export async function loadSeriesFromFolder(
  folder: string,
  seriesUid?: string,
  opts: LoadOptions = {},
): Promise<{ summary: SeriesSummary; references: SeriesReferences; volume: HuVolume; problems: readonly FileProblem[] }> {
  const scan = await scanFolder(folder);
  const chosen = pickCtSeries(scan, folder, seriesUid);
  const loaded = await loadFiles(chosen.files, opts);
  return { summary: chosen, references: loaded.references, volume: loaded.volume, problems: [...scan.problems, ...loaded.problems] };
}
