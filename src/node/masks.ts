/**
 * Load segmentation masks (NIfTI) onto a CT grid. Plain Node module (no Electron): the app's main
 * process, the CLI and tests call it directly.
 *
 * `path` is either
 * - a folder of binary masks named after their structures (`autochthon_left.nii.gz` -> 'autochthon_left'),
 *   every *.nii / *.nii.gz file in it (not recursive), in name order; or
 * - one multilabel file: each non-zero label value becomes one mask, named from the label table
 *   (`labels: 'totalsegmentator'`, TotalSegmentator v2 'total') or `label_N` without a table or for
 *   values the table does not list. Only labels that occur on the sampled CT voxels are returned.
 *
 * Errors (thrown, one line): path missing/unreadable, a folder without any NIfTI file, no mask that
 * overlaps the CT (including a single multilabel file that does not). Per-file problems (unreadable
 * or corrupt file, or one mask out of several that does not overlap the CT) are returned in
 * `problems` and the rest still loads.
 *
 * A multilabel file is split in one pass, allocating masks only for the labels `include` lets through.
 * maskSource() is the MaskSource of the core pipeline (core/masks/pipeline): it reads and inflates a
 * multilabel file once for all its loads, and returns compact masks (only the slices asked for).
 *
 * Hostile input: only regular files are opened (FIFOs, devices, sockets and links to them are listed
 * as problems, never read); a file is read or inflated only as far as its header declares, and a header
 * declaring more than MAX_NIFTI_DATA_BYTES of voxels is refused before its data is read; a mask whose
 * geometry cannot be trusted (untrustedGeometry: no sform/qform, invalid voxel sizes) is refused; the
 * reader's notes (extra volumes ignored, invalid pixdim ignored) come back in `notes`, naming the file.
 *
 * Checked from the header alone, before a file's data is inflated or read: its geometry, whether its
 * grid can hold a CT voxel centre at all (else 'does not overlap the CT'), and whether it declares far
 * more voxels than the part of its grid that the CT can use (core/masks/resample gridFitProblem). A load
 * has a budget across all its masks (LoadBudget): the voxel data they declare together, and the time
 * spent reading them; a file past either is listed as not read, and the rest of the load goes on.
 * A folder named like a mask file is listed, not skipped. A mask of values that are not whole numbers
 * (a probability map) is refused unless a threshold is given (core/masks/maskValues); an empty mask is
 * noted.
 */
import { constants, type Stats } from 'node:fs';
import { open, readdir, stat, type FileHandle } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { createGunzip } from 'node:zlib';
import type { VolumeGeometry } from '../core/geometry/volumeGeometry';
import { LABEL_TABLES, labelName, type LabelTableName } from '../core/masks/labels';
import { labelVolumeAccumulators } from '../core/masks/labelStats';
import { fractionalLabelsReason, maskValueSummary, softMaskDecision, type MaskValueSummary } from '../core/masks/maskValues';
import { isGzip, MAX_NIFTI_DATA_BYTES, NiftiError, NiftiLimitError, readNifti, readNiftiHeader, untrustedGeometry, type NiftiHeader, type NiftiImage } from '../core/masks/nifti';
import type { MaskSource, SourceMask } from '../core/masks/pipeline';
import { labelSliceProfiles, renamedProfile, type MaskSliceProfile } from '../core/masks/sliceProfiles';
import { gridFitProblem, MAX_MASK_BYTES, maskBudgetError, maskBytes, MaskLimitError, MaskOverlapError, resampleLabels, resampleMask } from '../core/masks/resample';
import type { VolumeAccumulator } from '../core/metrics/definitions';
import { maskVolumeAccumulator } from '../core/metrics/volumeStats';
import type { HuVolume } from '../core/volume';
import { UserError, type Problem } from '../core/errors';
import type { SeriesReferences } from '../core/dicom/references';
import { isDicomPart10, readSeg, segMasks, type ParsedSeg } from './segMasks';

/**
 * A mask on the CT grid (the pipeline's SourceMask): voxel (i, j, k) at k*rows*columns + j*columns + i,
 * 1 = inside; with `slices` set (compact loads), only those slices, the n-th at n*rows*columns.
 */
export type LoadedMask = SourceMask;

/** A mask file that could not be used (the one Problem type of core/errors.ts). */
export type MaskProblem = Problem;

export interface LoadMasksOptions {
  /** Label table for a multilabel file. */
  readonly labels?: LabelTableName;
  /** Fill only these CT slices (the arrays still cover the whole grid unless `compact`). Default: all slices. */
  readonly slices?: number[];
  /** With `slices`: masks hold only those slices, in that order (LoadedMask.slices). */
  readonly compact?: boolean;
  /** Load only the structures whose name passes (files of other structures are not even read). */
  readonly include?: (name: string) => boolean;
  /**
   * Threshold for masks of a folder whose values are not whole numbers (probability maps): a voxel is
   * set where its value >= threshold (0 < threshold <= 1). Without it such masks are refused.
   */
  readonly threshold?: number;
  /** The load's budget (defaults: MAX_LOAD_MASK_BYTES_PER_CT_VOXEL per CT voxel, at least MIN_LOAD_MASK_BYTES; MAX_LOAD_MASK_SECONDS). */
  readonly budget?: MaskLoadBudgetLimits;
  /** The CT's references: a DICOM SEG's frames are placed by the images they reference (segMasks.ts). */
  readonly references?: SeriesReferences;
}

/** Seconds the masks of one load may take to read (inflate) before the rest are listed as not read. */
export const MAX_LOAD_MASK_SECONDS = 300;
/**
 * Bytes of voxel data the mask files of one load may declare together, per CT voxel: room for 200
 * uint8 masks on the CT's grid (TotalSegmentator's 'total' task writes 117), or 50 float32 ones...
 */
export const MAX_LOAD_MASK_BYTES_PER_CT_VOXEL = 200;
/** ... and at least this much (1 GiB), however small the CT. */
export const MIN_LOAD_MASK_BYTES = 1024 * 1024 * 1024;

export interface MaskLoadBudgetLimits {
  readonly maxBytes?: number;
  readonly maxSeconds?: number;
}

/** The budget of one load (a loadMasks or stats call, or all the loads of one maskSource). */
class LoadBudget {
  private used = 0;
  private readonly maxBytes: number;
  private readonly maxSeconds: number;
  private readonly deadline: number;
  constructor(geometry: VolumeGeometry, limits: MaskLoadBudgetLimits = {}) {
    const voxels = geometry.columns * geometry.rows * geometry.slices;
    this.maxBytes = limits.maxBytes ?? Math.max(MIN_LOAD_MASK_BYTES, MAX_LOAD_MASK_BYTES_PER_CT_VOXEL * voxels);
    this.maxSeconds = limits.maxSeconds ?? MAX_LOAD_MASK_SECONDS;
    this.deadline = Date.now() + this.maxSeconds * 1000;
  }
  /** Count a file's declared voxel data; refuses it (NiftiError) when the load would pass its bytes. */
  take(bytes: number): void {
    if (this.used + bytes > this.maxBytes) {
      throw new NiftiError(undefined, `not read: its ${size(bytes)} of voxel data would take the masks of this load past their budget of ${size(this.maxBytes)}`);
    }
    this.used += bytes;
  }
  /** Refuses (NiftiError) once the load's time is up. */
  check(): void {
    if (Date.now() >= this.deadline) throw new NiftiError(undefined, `not read: reading the masks of this load took longer than its budget of ${this.maxSeconds} s`);
  }
}

function size(bytes: number): string {
  const mib = bytes / (1024 * 1024);
  return mib >= 1024 ? `${(mib / 1024).toFixed(1)} GiB` : `${mib.toFixed(mib < 10 ? 1 : 0)} MiB`;
}

export interface LoadMasksResult {
  readonly masks: LoadedMask[];
  readonly problems: MaskProblem[];
  /** Things to tell the user about files that were used (4-D file, invalid pixdim ignored, ...). */
  readonly notes?: MaskProblem[];
}

const NIFTI_EXT = /\.nii(\.gz)?$/i;

/** Why a folder named like a mask file is not read. */
const FOLDER_NAMED_LIKE_MASK = 'a folder named like a mask file; not read (masks are read from the folder given, not from its subfolders)';

/** Structure name of a mask file: the file name without .nii / .nii.gz. */
export function maskNameFromFile(file: string): string {
  return basename(file).replace(NIFTI_EXT, '');
}

function oneLine(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.split('\n')[0]!.trim();
}

/** Why a path that is not a regular file is not read. */
function notRegular(st: Stats): string {
  const what = st.isFIFO() ? 'a FIFO' : st.isCharacterDevice() || st.isBlockDevice() ? 'a device' : st.isSocket() ? 'a socket' : st.isDirectory() ? 'a folder' : 'a special file';
  return `not a regular file (${what}); not read`;
}

function readError(e: unknown): NiftiError {
  const code = (e as NodeJS.ErrnoException).code;
  return new NiftiError(undefined, code === 'EACCES' ? 'permission denied' : `cannot read file (${code ?? oneLine(e)})`);
}

/**
 * Read a NIfTI file: a regular file only (checked before opening, and again on the open handle, which
 * is opened non-blocking so that a FIFO swapped in never blocks), and only as much of it as its header
 * declares (inflated with a stop there). `check` sees the header before any voxel data is inflated or
 * read (it throws to refuse the file), then the budget counts the declared data. Errors are
 * NiftiErrors without a name (callers add the path), or what `check` throws.
 */
async function readImage(file: string, check: (h: NiftiHeader) => void, budget: LoadBudget): Promise<NiftiImage> {
  budget.check();
  let st: Stats;
  try {
    st = await stat(file);
  } catch (e) {
    throw readError(e);
  }
  if (!st.isFile()) throw new NiftiError(undefined, st.isDirectory() && NIFTI_EXT.test(file) ? FOLDER_NAMED_LIKE_MASK : notRegular(st));
  let fh: FileHandle;
  try {
    fh = await open(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    throw readError(e);
  }
  try {
    const fst = await fh.stat();
    if (!fst.isFile()) throw new NiftiError(undefined, notRegular(fst));
    const head = await readAt(fh, 0, Math.min(fst.size, 540));
    if (isGzip(head)) return readNifti(await inflateDeclared(fh, check, budget), undefined, { adopt: true });
    // Uncompressed: the header says how much to read (refused here when it declares too much).
    const hdr = readNiftiHeader(head);
    check(hdr);
    budget.take(hdr.layout.dataBytes);
    return readNifti(await readAt(fh, 0, Math.min(fst.size, hdr.layout.totalBytes)), undefined, { adopt: true });
  } finally {
    await fh.close().catch(() => {});
  }
}

async function readAt(fh: FileHandle, position: number, length: number): Promise<Uint8Array> {
  const buf = new Uint8Array(length);
  let got = 0;
  try {
    while (got < length) {
      const { bytesRead } = await fh.read(buf, got, length - got, position + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
  } catch (e) {
    throw readError(e);
  }
  return got === length ? buf : buf.subarray(0, got);
}

/**
 * Inflate a gzipped file (every member: pigz and bgzip write several) with native zlib, streaming,
 * only as far as the NIfTI header declares: the header is checked against MAX_NIFTI_DATA_BYTES before
 * anything more is inflated, the output goes into one buffer of the declared size, and inflating stops
 * once it is full. Corrupt data is 'gzip data corrupt' (never zlib's own words).
 */
function inflateDeclared(fh: FileHandle, check: (h: NiftiHeader) => void, budget: LoadBudget): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const src = fh.createReadStream({ start: 0, highWaterMark: 1 << 20, autoClose: false });
    const gz = createGunzip({ chunkSize: 1 << 20 });
    let head: Buffer[] = [];
    let headLen = 0;
    let out: Uint8Array | undefined;
    let filled = 0;
    let done = false;
    /** A header refused: inflate on (discarding, bounded) to tell damaged gzip data from a bad header. */
    let refused: unknown;
    let discarded = 0;
    const finish = (err: unknown, value?: Uint8Array) => {
      if (done) return;
      done = true;
      src.unpipe(gz);
      src.destroy();
      gz.destroy();
      if (err) reject(err);
      else resolve(value!);
    };
    gz.on('data', (c: Buffer) => {
      if (done) return;
      if (refused !== undefined) {
        discarded += c.length;
        if (discarded > MAX_NIFTI_DATA_BYTES) finish(refused);
        return;
      }
      try {
        budget.check();
        if (!out) {
          head.push(c);
          headLen += c.length;
          if (headLen < 540) return;
          const h = Buffer.concat(head, headLen);
          head = [];
          let hdr: NiftiHeader;
          try {
            hdr = readNiftiHeader(h, undefined, MAX_NIFTI_DATA_BYTES);
          } catch (e) {
            if (e instanceof NiftiLimitError) throw e;
            refused = e;
            return;
          }
          // Checked against the CT, and counted, before anything more is inflated.
          check(hdr);
          budget.take(hdr.layout.dataBytes);
          out = new Uint8Array(hdr.layout.totalBytes);
          c = h;
        }
        const n = Math.min(c.length, out.length - filled);
        out.set(n === c.length ? c : c.subarray(0, n), filled);
        filled += n;
        if (filled >= out.length) finish(undefined, out);
      } catch (e) {
        finish(e);
      }
    });
    gz.on('end', () => {
      if (refused !== undefined) finish(refused);
      else if (out) finish(undefined, out.subarray(0, filled));
      else {
        const h = Buffer.concat(head, headLen);
        finish(undefined, new Uint8Array(h.buffer, h.byteOffset, h.byteLength));
      }
    });
    gz.on('error', (e: NodeJS.ErrnoException) => {
      finish(new NiftiError(undefined, e.code === 'Z_BUF_ERROR' ? 'gzip data corrupt (truncated)' : 'gzip data corrupt'));
    });
    src.on('error', (e) => finish(readError(e)));
    src.pipe(gz);
  });
}

/**
 * A mask image as read, or the reason it is not used: unreadable, untrusted geometry, a grid that does
 * not overlap the CT (MaskOverlapError naming `name`), or one far larger than the CT needs. The same
 * checks run on the header before the data is inflated and, for files too small to have been checked
 * then, on the image.
 */
async function readMask(file: string, geometry: VolumeGeometry, name: string, budget: LoadBudget): Promise<NiftiImage> {
  const check = (h: Omit<NiftiImage, 'data'>, bytesPerVoxel: number) => {
    const bad = untrustedGeometry(h);
    if (bad) throw new NiftiError(undefined, `${bad}; not used`);
    const far = gridFitProblem(h, bytesPerVoxel, geometry, name);
    if (far) throw new NiftiError(undefined, far);
  };
  let checked = false;
  const img = await readImage(file, (h) => {
    check(h, h.layout.bytesPerVoxel);
    checked = true;
  }, budget);
  if (!checked) check(img, img.data.BYTES_PER_ELEMENT);
  return img;
}

function notesOf(file: string, img: NiftiImage): MaskProblem[] {
  return img.notes.map((reason) => ({ path: file, reason }));
}

function reasonOf(e: unknown): string {
  return e instanceof NiftiError ? e.reason : oneLine(e);
}

/** Reads shared by the loads of one MaskSource, and their budget. */
interface ReadCache {
  multilabel?: Promise<{ img: NiftiImage; values: MaskValueSummary }>;
  seg?: Promise<ParsedSeg>;
  budget?: LoadBudget;
}

export async function loadMasks(path: string, geometry: VolumeGeometry, opts: LoadMasksOptions = {}): Promise<LoadMasksResult> {
  return load(path, geometry, opts, {});
}

/**
 * The pipeline's mask source on a folder of masks or a multilabel file (read once for all loads);
 * masks loaded on some slices hold only those slices.
 */
export function maskSource(
  path: string,
  geometry: VolumeGeometry,
  opts: { readonly labels?: LabelTableName; readonly threshold?: number; readonly budget?: MaskLoadBudgetLimits; readonly references?: SeriesReferences } = {},
): MaskSource {
  const cache: ReadCache = { budget: new LoadBudget(geometry, opts.budget) };
  return {
    load: (include, slices) => load(path, geometry, { ...opts, include, ...(slices ? { slices: [...slices], compact: true } : {}) }, cache),
    // A multilabel file: every label's slice profile in one walk (levels need no whole-volume mask each).
    profiles: async (include) =>
      (await kindOf(path)) === 'file' && !(await isDicomFile(path)) ? multilabelProfiles(path, geometry, { ...opts, include }, cache) : null,
  };
}

/** stat of the masks path: a folder, a regular file, or a UserError (missing, special file ...). */
async function kindOf(path: string): Promise<'folder' | 'file'> {
  let info: Stats;
  try {
    info = await stat(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError(code === 'ENOENT' ? 'notFound' : code === 'EACCES' ? 'access' : 'input', code === 'ENOENT' ? `${path}: no such file or folder` : `${path}: cannot read (${code ?? oneLine(e)})`);
  }
  if (info.isDirectory()) return 'folder';
  if (!info.isFile()) throw new UserError('input', `${path}: ${notRegular(info)} (expected a folder of masks, or a .nii / .nii.gz file)`);
  return 'file';
}

async function load(path: string, geometry: VolumeGeometry, opts: LoadMasksOptions, cache: ReadCache): Promise<LoadMasksResult> {
  const budget = (cache.budget ??= new LoadBudget(geometry, opts.budget));
  if ((await kindOf(path)) === 'folder') {
    const masks: LoadedMask[] = [];
    const bytesEach = maskBytes(geometry, opts);
    const slices = opts.compact ? opts.slices : undefined;
    const r = await eachFolderMask(path, geometry, { include: opts.include, threshold: opts.threshold, budget }, (name, img, threshold) => {
      if ((masks.length + 1) * bytesEach > MAX_MASK_BYTES) throw maskBudgetError(path, masks.length + 1, bytesEach);
      const data = resampleMask(img, geometry, { name, slices: opts.slices, compact: opts.compact === true, ...(threshold !== undefined ? { threshold } : {}) });
      const t = threshold !== undefined ? { threshold } : {};
      masks.push(slices ? { name, data, slices, ...t } : { name, data, ...t });
    });
    return { masks, ...r };
  }
  // A DICOM SEG (segMasks.ts), read once per cache.
  if (await isDicomFile(path)) {
    const parsed = await (cache.seg ??= readSeg(path, geometry, opts.references, opts.threshold));
    return { masks: segMasks(parsed, geometry, opts), problems: [], notes: parsed.notes };
  }
  return loadMultilabel(path, geometry, opts, cache, budget);
}

async function isDicomFile(path: string): Promise<boolean> {
  const fh = await open(path, constants.O_RDONLY | constants.O_NONBLOCK).catch(() => null);
  if (!fh) return false;
  try {
    return isDicomPart10(await readAt(fh, 0, 132));
  } finally {
    await fh.close().catch(() => {});
  }
}

/**
 * Read the masks of a folder one at a time (name order) and hand each to `use` (which resamples it,
 * with the threshold of a probability map; a MaskOverlapError it throws lists the file as not
 * overlapping, other UserErrors stop the load).
 */
async function eachFolderMask(
  folder: string,
  geometry: VolumeGeometry,
  opts: { include?: (name: string) => boolean; threshold?: number; budget: LoadBudget },
  use: (name: string, img: NiftiImage, threshold: number | undefined) => void,
): Promise<{ problems: MaskProblem[]; notes: MaskProblem[] }> {
  let entries;
  try {
    entries = await readdir(folder, { withFileTypes: true });
  } catch (e) {
    throw new UserError('input', `${folder}: cannot list folder (${(e as NodeJS.ErrnoException).code ?? oneLine(e)})`);
  }
  const named = entries.filter((d) => NIFTI_EXT.test(d.name) && !d.name.startsWith('.'));
  const folders = new Set(named.filter((d) => d.isDirectory()).map((d) => d.name));
  const files = named.map((d) => d.name).sort();
  if (files.length === 0) throw new UserError('input', `${folder}: no NIfTI masks (*.nii, *.nii.gz) in this folder`);

  const problems: MaskProblem[] = [];
  const notes: MaskProblem[] = [];
  const notOverlapping: string[] = [];
  const seen = new Map<string, string>();
  let used = 0;
  for (const f of files) {
    const file = join(folder, f);
    const name = maskNameFromFile(f);
    if (opts.include && !opts.include(name)) continue;
    if (folders.has(f)) {
      problems.push({ path: file, reason: FOLDER_NAMED_LIKE_MASK });
      continue;
    }
    const dup = seen.get(name);
    if (dup !== undefined) {
      problems.push({ path: file, reason: `same structure name '${name}' as ${dup}; skipped` });
      continue;
    }
    let img: NiftiImage;
    try {
      img = await readMask(file, geometry, name, opts.budget);
    } catch (e) {
      if (e instanceof MaskOverlapError) notOverlapping.push(name);
      problems.push({ path: file, reason: reasonOf(e) });
      continue;
    }
    // A probability map is refused, or thresholded when the user gave a threshold; an empty mask is named.
    const values = maskValueSummary(img);
    const decision = softMaskDecision(values, opts.threshold);
    if (decision.use === 'refuse') {
      problems.push({ path: file, reason: decision.reason });
      continue;
    }
    const threshold = decision.use === 'threshold' ? decision.threshold : undefined;
    try {
      use(name, img, threshold);
      used++;
      seen.set(name, f);
      notes.push(...notesOf(file, img));
      if (decision.use === 'threshold') notes.push({ path: file, reason: decision.note });
      else if (!values.anySet) notes.push({ path: file, reason: 'empty mask: no voxel is set in the file' });
    } catch (e) {
      if (e instanceof MaskOverlapError) notOverlapping.push(name);
      else if (e instanceof MaskLimitError) throw e;
      problems.push({ path: file, reason: oneLine(e) });
    }
  }
  if (used === 0 && notOverlapping.length > 0) {
    throw new UserError('input',
      notOverlapping.length === 1
        ? `mask ${notOverlapping[0]} does not overlap the CT`
        : `none of the masks in ${folder} overlaps the CT (${notOverlapping.length} tried, e.g. ${notOverlapping[0]}): are they from another scan?`,
    );
  }
  return { problems, notes };
}

/**
 * A multilabel file, read once per cache: refused (UserError naming the file) when unreadable, when
 * its values are not whole numbers (a probability map is no label image), or when it does not overlap
 * the CT (MaskOverlapError naming the file).
 */
async function readMultilabel(file: string, geometry: VolumeGeometry, cache: ReadCache, budget: LoadBudget): Promise<{ img: NiftiImage; values: MaskValueSummary }> {
  if (!NIFTI_EXT.test(file)) throw new UserError('input', `${file}: not a NIfTI file (expected a folder of masks, or a .nii / .nii.gz file)`);
  const read = async () => {
    const img = await readMask(file, geometry, basename(file), budget);
    return { img, values: maskValueSummary(img) };
  };
  let r: { img: NiftiImage; values: MaskValueSummary };
  try {
    r = await (cache.multilabel ??= read());
  } catch (e) {
    if (e instanceof MaskOverlapError) throw e;
    throw new UserError('input', `${file}: ${reasonOf(e)}`);
  }
  if (r.values.fractional) throw new UserError('input', `${file}: ${fractionalLabelsReason(r.values)}`);
  return r;
}

/** Notes on a multilabel file that is used: the reader's, and one when it holds no label at all. */
function multilabelNotes(file: string, r: { img: NiftiImage; values: MaskValueSummary }): MaskProblem[] {
  const notes = notesOf(file, r.img);
  if (!r.values.anySet) notes.push({ path: file, reason: 'empty mask: no label is set in the file (every voxel is 0)' });
  return notes;
}

async function loadMultilabel(file: string, geometry: VolumeGeometry, opts: LoadMasksOptions, cache: ReadCache, budget: LoadBudget): Promise<LoadMasksResult> {
  const r = await readMultilabel(file, geometry, cache, budget);
  const img = r.img;
  const table = opts.labels ? LABEL_TABLES[opts.labels] : undefined;
  const include = opts.include;
  const byLabel = resampleLabels(img, geometry, {
    name: basename(file),
    slices: opts.slices,
    compact: opts.compact === true,
    ...(include ? { select: (value: number) => include(labelName(value, table)) } : {}),
  });
  const slices = opts.compact ? opts.slices : undefined;
  const masks: LoadedMask[] = [];
  for (const [value, data] of byLabel) masks.push(slices ? { name: labelName(value, table), data, slices } : { name: labelName(value, table), data });
  return { masks, problems: [], notes: multilabelNotes(file, r) };
}

/** loadMultilabel on the whole grid, as slice profiles (core/masks/sliceProfiles.ts) instead of masks. */
async function multilabelProfiles(file: string, geometry: VolumeGeometry, opts: LoadMasksOptions, cache: ReadCache): Promise<{ profiles: MaskSliceProfile[]; problems: MaskProblem[]; notes: MaskProblem[] }> {
  const r = await readMultilabel(file, geometry, cache, (cache.budget ??= new LoadBudget(geometry, opts.budget)));
  const table = opts.labels ? LABEL_TABLES[opts.labels] : undefined;
  const include = opts.include;
  const byLabel = labelSliceProfiles(r.img, geometry, {
    name: basename(file),
    ...(include ? { select: (value: number) => include(labelName(value, table)) } : {}),
  });
  const profiles = [...byLabel].map(([value, p]) => renamedProfile(p, labelName(value, table)));
  return { profiles, problems: [], notes: multilabelNotes(file, r) };
}

export interface MaskVolumeAccumulators {
  /** Per mask (folder: name order; multilabel: label order), its whole-volume accumulator on the CT. */
  readonly structures: { readonly name: string; readonly accumulator: VolumeAccumulator }[];
  readonly problems: MaskProblem[];
  readonly notes: MaskProblem[];
}

/**
 * Whole-volume sums of every mask on the CT (`paraspine stats`) without holding more than one mask
 * at a time: a folder is read mask by mask, a multilabel file is summed per label in one pass.
 */
export async function maskVolumeAccumulators(
  path: string,
  volume: HuVolume,
  opts: { readonly labels?: LabelTableName; readonly budget?: MaskLoadBudgetLimits } = {},
): Promise<MaskVolumeAccumulators> {
  const g = volume.geometry;
  const budget = new LoadBudget(g, opts.budget);
  if ((await kindOf(path)) === 'folder') {
    const structures: { name: string; accumulator: VolumeAccumulator }[] = [];
    const r = await eachFolderMask(path, g, { budget }, (name, img) => {
      structures.push({ name, accumulator: maskVolumeAccumulator(volume, resampleMask(img, g, { name })) });
    });
    return { structures, ...r };
  }
  const r = await readMultilabel(path, g, {}, budget);
  const table = opts.labels ? LABEL_TABLES[opts.labels] : undefined;
  const byLabel = labelVolumeAccumulators(r.img, volume, { name: basename(path) });
  return { structures: [...byLabel].map(([v, accumulator]) => ({ name: labelName(v, table), accumulator })), problems: [], notes: multilabelNotes(path, r) };
}
