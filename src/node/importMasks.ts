import type { SeriesReferences } from '../core/dicom/references';
/**
 * The `masks:import` use case: a series' mask files (TotalSegmentator binary masks or a multilabel
 * file) to proposed levels and outlines on the level slices, with the problems met on the way. The
 * channel handler in api.ts is a one-line call to `importMasks`.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { DEFAULT_LEVELS, isLevel, type Level } from '../core/anatomy/anatomy';
import type { BoneRoi, LevelMark, Roi } from '../core/annotations/document';
import { vertebraMaskName } from '../core/bone/measureBone';
import { DEFAULT_BONE_VERTEBRA, proposeTrabecularRoi } from '../core/bone/trabecular';
import { UserError } from '../core/errors';
import { sliceZ } from '../core/geometry/volumeGeometry';
import { chosenSlice, runMaskPipeline, type MaskSource } from '../core/masks/pipeline';
import { identifyStructure } from '../core/metrics/records';
import { isVertebraMask } from '../core/masks/labels';
import { maskParts, splitNeedsHu } from '../core/muscles/maskParts';
import { sliceIjToLps } from '../core/roi/contour';
import { maskToContours } from '../core/roi/maskToContours';
import type { HuVolume } from '../core/volume';
import type { ChannelArgs, MaskImportResult, SeriesLocator } from '../shared/contract';
import type { FolderAccess } from './access';
import type { LoadMasksOptions, LoadMasksResult } from './masks';
import type { SeriesSource } from './seriesSource';

export interface MaskService {
  loadMasks(path: string, geometry: HuVolume['geometry'], opts?: LoadMasksOptions): Promise<LoadMasksResult>;
  /** A source that reads (and inflates) a mask file once for all the pipeline's loads; without it each load reads again. */
  maskSource?(path: string, geometry: HuVolume['geometry'], opts?: { labels?: 'totalsegmentator'; references?: SeriesReferences }): MaskSource;
}

export type MaskImportRequest = ChannelArgs<'masks:import'>[0];

/** What an import needs from the services (api.ts hands over its own). */
export interface ImportMasksDeps {
  readonly access: FolderAccess;
  readonly masks: MaskService;
  /** Web mode: a typed path is the user's pick (its folder is granted). */
  readonly userTyped: boolean;
  readonly now: () => Date;
  /** The locator with its path checked against the picked folders (real path), and its source. */
  readonly resolve: (locator: SeriesLocator) => Promise<{ locator: SeriesLocator; source: SeriesSource<SeriesLocator> }>;
}

/** A refused request: kind 'usage', the message as the user reads it. */
const refusal = (message: string) => new UserError('usage', message);

export async function importMasks(deps: ImportMasksDeps, req: MaskImportRequest): Promise<MaskImportResult> {
  const { access, masks, userTyped, now, resolve } = deps;
  const levels: { level: Level; sliceIndex: number }[] = [];
  for (const l of req.levels) {
    if (!isLevel(l.level)) throw refusal(`masks:import: unknown level '${l.level}'`);
    levels.push({ level: l.level, sliceIndex: l.sliceIndex });
  }
  if (userTyped) await access.grant(await dirOf(req.masksPath));
  const masksPath = await access.check(req.masksPath);
  const { locator, source } = await resolve(req.series);
  // The geometry (and the references a DICOM SEG's frames are placed by) only: no HU is loaded for an import.
  const { geometry: g, references } = await source.headers(locator);
  for (const l of levels) {
    if (l.sliceIndex >= g.slices) throw refusal(`masks:import: level ${l.level} slice ${l.sliceIndex} is outside 0..${g.slices - 1}`);
  }
  // The core mask pipeline: vertebra masks on every slice -> levels (proposed; the default ones
  // without requested levels) -> muscle masks only on the target slices (requested, else proposed).
  const labelOpt = { ...(req.labels ? { labels: req.labels } : {}), references };
  // Mask files in the folder that are links leading outside the opened folders: listed, never read.
  const linked = await linksLeadingOutside(masksPath, access);
  const inner: MaskSource = masks.maskSource
    ? masks.maskSource(masksPath, g, labelOpt)
    : { load: (include, slices) => masks.loadMasks(masksPath, g, { ...labelOpt, include, ...(slices ? { slices: [...slices] } : {}) }) };
  const piped = await runMaskPipeline({
    source: linked.size ? { load: (include, slices) => inner.load((n) => !linked.has(n) && include(n), slices) } : inner,
    geometry: g,
    levels: levels.length ? levels.map((l) => l.level) : DEFAULT_LEVELS,
    ...(levels.length ? { slices: levels.map((l) => chosenSlice(g, l.level, l.sliceIndex, 'requested')) } : {}),
    include: (n) => !isVertebraMask(n) && identifyStructure(n).muscle !== null,
    vertebraeOnSlices: req.splitAutochthon === true, // the spine's position on each slice (core/muscles)
    vertebraCentroids: true, // labels for the sagittal view
  });
  const found = piped.found!;
  const problems = [...linked.values(), ...piped.vertebraProblems.map((p) => ({ path: p.path, reason: p.reason }))];
  const proposedLevels: LevelMark[] = found.levels.map((f) => ({ level: f.level, sliceIndex: f.sliceIndex, z: f.z, source: 'proposed', note: f.method }));
  for (const m of found.missing) if (!levels.length || levels.some((l) => l.level === m.level)) problems.push({ path: masksPath, reason: `${m.level}: ${m.reason}` });
  problems.push(...piped.structureProblems.map((p) => ({ path: p.path, reason: p.reason })));
  problems.push(...piped.notes.map((n) => ({ path: n.path, reason: `note: ${n.reason}` })));

  const stamp = now().toISOString();
  const rois: Roi[] = [];
  const splits: NonNullable<MaskImportResult['splits']> = [];
  // With splitAutochthon, TotalSegmentator classes to Paraspine muscles (core/muscles, as `measure
  // --split-autochthon`): the psoas is the iliopsoas component nearest the spine, each autochthon side
  // becomes multifidus + erector spinae (the split follows the fat plane, so the HU are read then).
  // Without it every muscle mask is traced as it is (iliopsoas -> psoas, autochthon -> autochthon).
  const split = req.splitAutochthon === true;
  // The split reads the HU of the target slices only (an autochthon's fat plane), never the whole volume.
  const hus = split && splitNeedsHu(piped.structures.map((m) => m.name)) ? await readTargetSlices(source, locator, piped.slices) : [];
  const sliceParts = maskParts({
    columns: g.columns,
    rows: g.rows,
    spacing: g,
    slices: piped.slices,
    structures: piped.structures,
    vertebrae: piped.vertebraSlices,
    split,
    hu: (n) => hus[n]!,
  });
  for (const [n, t] of piped.slices.entries()) {
    const mapped = sliceParts[n]!;
    for (const part of mapped.parts) {
      if (!part.muscle || !part.side) continue; // an outline is of a muscle on one side
      const proposed = part.muscle === 'multifidus' || part.muscle === 'erectorSpinae' ? part.derived : false;
      for (const contour of maskToContours(part.mask, g.columns, g.rows, { connectivity: 8 })) {
        rois.push({
          id: randomUUID(),
          level: t.level!, // every target slice is a level here
          muscle: part.muscle,
          side: part.side,
          sliceIndex: t.sliceIndex,
          z: sliceZ(g, t.sliceIndex),
          pointsLps: sliceIjToLps(g, t.sliceIndex, contour),
          source: proposed ? 'proposed' : 'imported',
          createdAt: stamp,
          modifiedAt: stamp,
        });
      }
    }
    for (const c of mapped.cuts) {
      if (c.cutIj.length) splits.push({ level: t.level!, side: c.side, sliceIndex: t.sliceIndex, cutLps: sliceIjToLps(g, t.sliceIndex, c.cutIj) });
    }
  }
  if (rois.length === 0) problems.push({ path: masksPath, reason: 'no psoas/iliopsoas, autochthon or other muscle mask on the level slices' });
  const vertebrae = (piped.vertebraCentroids ?? []).map((v) => ({
    name: v.name.replace(/^vertebrae_/i, ''),
    sliceIndex: Math.round(v.sliceIndex),
    row: Math.round(v.row),
    column: Math.round(v.column),
  }));
  const boneRoi = await proposeBoneRoi(inner, g, linked, stamp, problems, masksPath);
  return { proposedLevels, rois, problems, ...(split ? { splits } : {}), vertebrae, ...(boneRoi ? { boneRoi } : {}) };
}

/**
 * The L1 trabecular ROI proposed from the vertebrae_L1 mask (core/bone): the mask alone places it, so no
 * HU is read. Null without an L1 mask (nothing said: not every mask set has vertebrae); a mask in which
 * no oval fits gives a problem with core's reason.
 */
async function proposeBoneRoi(source: MaskSource, g: HuVolume['geometry'], linked: ReadonlyMap<string, unknown>, stamp: string, problems: { path: string; reason: string }[], masksPath: string): Promise<BoneRoi | null> {
  const name = vertebraMaskName(DEFAULT_BONE_VERTEBRA);
  if (linked.has(name)) return null;
  const loaded = await source.load((n) => n === name);
  const mask = loaded.masks.find((m) => m.name === name);
  if (!mask) return null;
  const r = proposeTrabecularRoi(g, mask.data, DEFAULT_BONE_VERTEBRA);
  if (!r.ok) {
    problems.push({ path: masksPath, reason: `${DEFAULT_BONE_VERTEBRA} trabecular ROI not proposed: ${r.reason}` });
    return null;
  }
  const p = r.proposal;
  return { id: randomUUID(), vertebra: p.vertebra, sliceIndex: p.sliceIndex, z: p.z, pointsLps: p.pointsLps, source: 'proposed', createdAt: stamp, modifiedAt: stamp, note: p.method };
}

/** HU of each target slice (in their order), read slice by slice from the opened series: no other slice is decoded. */
async function readTargetSlices(source: SeriesSource<SeriesLocator>, locator: SeriesLocator, slices: readonly { sliceIndex: number }[]): Promise<(Int16Array | Float32Array)[]> {
  const series = await source.open(locator);
  const read = new Map<number, Int16Array | Float32Array>();
  const out: (Int16Array | Float32Array)[] = [];
  for (const { sliceIndex } of slices) {
    let hu = read.get(sliceIndex);
    if (!hu) read.set(sliceIndex, (hu = await series.readSlices(sliceIndex, 1)));
    out.push(hu);
  }
  return out;
}

const NIFTI_NAME = /\.nii(\.gz)?$/i;

/**
 * The mask files of a masks folder that are symbolic links whose real target lies outside the folders
 * the user opened, keyed by their structure name (the file name without .nii / .nii.gz), each with its
 * problem. Empty for a single file (its own path is checked by access.check).
 */
async function linksLeadingOutside(masksPath: string, access: FolderAccess): Promise<Map<string, { path: string; reason: string }>> {
  const out = new Map<string, { path: string; reason: string }>();
  let entries;
  try {
    entries = await fs.readdir(masksPath, { withFileTypes: true });
  } catch {
    return out; // a file, or unreadable: the mask loader says why
  }
  for (const ent of entries) {
    if (!ent.isSymbolicLink() || !NIFTI_NAME.test(ent.name) || ent.name.startsWith('.')) continue;
    const file = path.join(masksPath, ent.name);
    const real = await fs.realpath(file).catch(() => null);
    if (real === null) continue; // a broken link: the loader lists it
    const refused = access.readPolicy(real);
    if (refused) out.set(ent.name.replace(NIFTI_NAME, ''), { path: file, reason: refused });
  }
  return out;
}

/** The folder of a path: itself when it is a folder, else its parent (a NIfTI file's folder). */
async function dirOf(p: string): Promise<string> {
  try {
    const st = await fs.stat(p);
    return st.isDirectory() ? p : path.dirname(p);
  } catch {
    throw new UserError('notFound', `${p}: not found`);
  }
}

