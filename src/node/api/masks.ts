/** The mask import channel: levels and outlines from segmentation masks of a series. */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { DEFAULT_LEVELS, isLevel, type Level } from '../../core/anatomy/anatomy';
import type { LevelMark, Roi } from '../../core/annotations/document';
import { sliceZ } from '../../core/geometry/volumeGeometry';
import { chosenSlice, runMaskPipeline, type MaskSource } from '../../core/masks/pipeline';
import { identifyStructure } from '../../core/metrics/records';
import { isVertebraMask } from '../../core/masks/labels';
import { musclesOnSlice } from '../../core/muscles/fromTotalSegmentator';
import { sliceIjToLps } from '../../core/roi/contour';
import { maskToContours } from '../../core/roi/maskToContours';
import { sliceView } from '../../core/volume';
import type { MaskImportResult, ParaspineApi } from '../../shared/contract';
import type { FolderAccess } from '../access';
import { ApiError, type ApiContext } from './context';

export function maskChannels(ctx: ApiContext): Pick<ParaspineApi, 'masks:import'> {
  const { access, masks, now, userTyped, resolve } = ctx;
  return {
    async 'masks:import'(req) {
      const levels: { level: Level; sliceIndex: number }[] = [];
      for (const l of req.levels) {
        if (!isLevel(l.level)) throw new ApiError(`masks:import: unknown level '${l.level}'`);
        levels.push({ level: l.level, sliceIndex: l.sliceIndex });
      }
      if (userTyped) await access.grant(await dirOf(req.masksPath));
      const masksPath = await access.check(req.masksPath);
      const { locator, source } = await resolve(req.series);
      const g = (await source.headers(locator)).geometry; // the geometry only: no HU is loaded for an import
      for (const l of levels) {
        if (l.sliceIndex >= g.slices) throw new ApiError(`masks:import: level ${l.level} slice ${l.sliceIndex} is outside 0..${g.slices - 1}`);
      }
      // The core mask pipeline: vertebra masks on every slice -> levels (proposed; the default ones
      // without requested levels) -> muscle masks only on the target slices (requested, else proposed).
      const labelOpt = req.labels ? { labels: req.labels } : {};
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
      const volume = split && piped.structures.some((m) => identifyStructure(m.name).muscle === 'autochthon') ? (await source.load(locator)).volume : undefined;
      const hu = (k: number) => (volume ? sliceView(volume, k) : new Float32Array(g.rows * g.columns)); // no autochthon: HU unused
      for (const [n, t] of piped.slices.entries()) {
        const structures = piped.structures.map((m) => ({ name: m.name, mask: m.sliceMasks[n]! }));
        const mapped = split
          ? musclesOnSlice({
              columns: g.columns,
              rows: g.rows,
              spacing: g,
              hu: hu(t.sliceIndex),
              structures,
              vertebrae: piped.vertebraSlices.map((v) => v.sliceMasks[n]!),
              level: t.level,
            })
          : {
              parts: structures.flatMap((m) => {
                const id = identifyStructure(m.name);
                return id.muscle && id.side ? [{ muscle: id.muscle, side: id.side, derived: false, mask: m.mask }] : [];
              }),
              cuts: [],
            };
        for (const part of mapped.parts) {
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
      return { proposedLevels, rois, problems, ...(split ? { splits } : {}), vertebrae };
    },
  };
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
    throw new ApiError(`${p}: not found`, 'notFound');
  }
}
