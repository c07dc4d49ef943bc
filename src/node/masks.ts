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
 * multilabel file once for all its loads.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import type { VolumeGeometry } from '../core/geometry/volumeGeometry';
import { LABEL_TABLES, labelName, type LabelTableName } from '../core/masks/labels';
import { isGzip, NiftiError, readNifti, type NiftiImage } from '../core/masks/nifti';
import type { MaskSource } from '../core/masks/pipeline';
import { MaskOverlapError, resampleLabels, resampleMask } from '../core/masks/resample';
import { UserError, type Problem } from '../core/errors';

const gunzipAsync = promisify(gunzip);

export interface LoadedMask {
  readonly name: string;
  /** Binary mask on the CT grid, voxel (i, j, k) at k*rows*columns + j*columns + i; 1 = inside. */
  readonly data: Uint8Array;
}

/** A mask file that could not be used (the one Problem type of core/errors.ts). */
export type MaskProblem = Problem;

export interface LoadMasksOptions {
  /** Label table for a multilabel file. */
  readonly labels?: LabelTableName;
  /** Fill only these CT slices (the arrays still cover the whole grid). Default: all slices. */
  readonly slices?: number[];
  /** Load only the structures whose name passes (files of other structures are not even read). */
  readonly include?: (name: string) => boolean;
}

export interface LoadMasksResult {
  readonly masks: LoadedMask[];
  readonly problems: MaskProblem[];
}

const NIFTI_EXT = /\.nii(\.gz)?$/i;

/** Structure name of a mask file: the file name without .nii / .nii.gz. */
export function maskNameFromFile(file: string): string {
  return basename(file).replace(NIFTI_EXT, '');
}

function oneLine(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.split('\n')[0]!.trim();
}

async function readImage(file: string): Promise<NiftiImage> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new NiftiError(undefined, code === 'EACCES' ? 'permission denied' : `cannot read file (${code ?? oneLine(e)})`);
  }
  if (isGzip(bytes)) {
    // Native zlib is several times faster than pako on a 100 MB label image; on a corrupt stream
    // the pure reader below gives the usual error.
    const raw = await gunzipAsync(bytes).catch(() => undefined);
    if (raw) return readNifti(new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength));
  }
  return readNifti(bytes);
}

function reasonOf(e: unknown): string {
  return e instanceof NiftiError ? e.reason : oneLine(e);
}

/** Reads shared by the loads of one MaskSource. */
interface ReadCache {
  multilabel?: Promise<NiftiImage>;
}

export async function loadMasks(path: string, geometry: VolumeGeometry, opts: LoadMasksOptions = {}): Promise<LoadMasksResult> {
  return load(path, geometry, opts, {});
}

/** The pipeline's mask source on a folder of masks or a multilabel file (read once for all loads). */
export function maskSource(path: string, geometry: VolumeGeometry, opts: { readonly labels?: LabelTableName } = {}): MaskSource {
  const cache: ReadCache = {};
  return {
    load: (include, slices) => load(path, geometry, { ...opts, include, ...(slices ? { slices: [...slices] } : {}) }, cache),
  };
}

async function load(path: string, geometry: VolumeGeometry, opts: LoadMasksOptions, cache: ReadCache): Promise<LoadMasksResult> {
  let info;
  try {
    info = await stat(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError(code === 'ENOENT' ? 'notFound' : code === 'EACCES' ? 'access' : 'input', code === 'ENOENT' ? `${path}: no such file or folder` : `${path}: cannot read (${code ?? oneLine(e)})`);
  }
  if (info.isDirectory()) return loadFolder(path, geometry, opts);
  return loadMultilabel(path, geometry, opts, cache);
}

async function loadFolder(folder: string, geometry: VolumeGeometry, opts: LoadMasksOptions): Promise<LoadMasksResult> {
  let entries;
  try {
    entries = await readdir(folder, { withFileTypes: true });
  } catch (e) {
    throw new UserError('input', `${folder}: cannot list folder (${(e as NodeJS.ErrnoException).code ?? oneLine(e)})`);
  }
  const files = entries
    .filter((d) => !d.isDirectory() && NIFTI_EXT.test(d.name) && !d.name.startsWith('.'))
    .map((d) => d.name)
    .sort();
  if (files.length === 0) throw new UserError('input', `${folder}: no NIfTI masks (*.nii, *.nii.gz) in this folder`);

  const masks: LoadedMask[] = [];
  const problems: MaskProblem[] = [];
  const notOverlapping: string[] = [];
  const seen = new Map<string, string>();
  for (const f of files) {
    const file = join(folder, f);
    const name = maskNameFromFile(f);
    if (opts.include && !opts.include(name)) continue;
    const dup = seen.get(name);
    if (dup !== undefined) {
      problems.push({ path: file, reason: `same structure name '${name}' as ${dup}; skipped` });
      continue;
    }
    let img: NiftiImage;
    try {
      img = await readImage(file);
    } catch (e) {
      problems.push({ path: file, reason: reasonOf(e) });
      continue;
    }
    try {
      masks.push({ name, data: resampleMask(img, geometry, { name, slices: opts.slices }) });
      seen.set(name, f);
    } catch (e) {
      if (e instanceof MaskOverlapError) notOverlapping.push(name);
      problems.push({ path: file, reason: oneLine(e) });
    }
  }
  if (masks.length === 0 && notOverlapping.length > 0) {
    throw new UserError('input', 
      notOverlapping.length === 1
        ? `mask ${notOverlapping[0]} does not overlap the CT`
        : `none of the masks in ${folder} overlaps the CT (${notOverlapping.length} tried, e.g. ${notOverlapping[0]}): are they from another scan?`,
    );
  }
  return { masks, problems };
}

async function loadMultilabel(file: string, geometry: VolumeGeometry, opts: LoadMasksOptions, cache: ReadCache): Promise<LoadMasksResult> {
  if (!NIFTI_EXT.test(file)) throw new UserError('input', `${file}: not a NIfTI file (expected a folder of masks, or a .nii / .nii.gz file)`);
  let img: NiftiImage;
  try {
    img = await (cache.multilabel ??= readImage(file));
  } catch (e) {
    throw new UserError('input', `${file}: ${reasonOf(e)}`);
  }
  const table = opts.labels ? LABEL_TABLES[opts.labels] : undefined;
  const include = opts.include;
  const byLabel = resampleLabels(img, geometry, {
    name: basename(file),
    slices: opts.slices,
    ...(include ? { select: (value: number) => include(labelName(value, table)) } : {}),
  });
  const masks: LoadedMask[] = [];
  for (const [value, data] of byLabel) masks.push({ name: labelName(value, table), data });
  return { masks, problems: [] };
}
