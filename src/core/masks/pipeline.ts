/**
 * The one mask pipeline behind `paraspine measure --masks` and the app's mask import:
 *
 *   vertebra masks on every slice -> levels (levelsFromVertebraMasks) -> the wanted structures
 *   (muscles) on the chosen slices only -> one slice mask per structure and slice.
 *
 * Masks come from a MaskSource (src/node/masks.ts implements it on NIfTI files); the pipeline needs only
 * the CT grid geometry, never the HU volume. Callers then measure the slice masks (CLI, with the HU
 * volume) or trace them to outlines (app).
 */
import type { Problem } from '../errors';
import type { Level } from '../anatomy/anatomy';
import { sliceZ, type VolumeGeometry } from '../geometry/volumeGeometry';
import { isVertebraMask } from './labels';
import { levelsFromProfiles, levelsFromVertebraMasks, vertebraMaskNames, type LevelsResult, type MissingLevel } from './levels';
import { profileCentroid, type MaskSliceProfile } from './sliceProfiles';

export interface SourceMask {
  readonly name: string;
  /**
   * Binary mask on the CT grid (columns*rows*slices), filled on the slices asked for; or, when `slices`
   * is set, only those slices (the n-th at n*rows*columns).
   */
  readonly data: Uint8Array;
  readonly slices?: readonly number[];
  /** Set when the mask is a probability map thresholded: a voxel is set where its value >= threshold. */
  readonly threshold?: number;
}

/** A mask file that could not be used (the one Problem type of core/errors.ts). */
export type SourceProblem = Problem;

/** Where masks come from. `load` resamples the structures whose name passes `include` onto the grid. */
export interface MaskSource {
  load(include: (name: string) => boolean, slices?: readonly number[]): Promise<{ masks: SourceMask[]; problems: SourceProblem[]; notes?: SourceProblem[] }>;
  /**
   * The structures whose name passes `include` as slice profiles on the whole grid (sliceProfiles.ts),
   * for level finding without a whole-volume mask per structure (a multilabel file: one walk for all);
   * the same structures, problems and notes as `load(include)`. Null (or absent) where the source has no
   * cheaper way than `load`: the pipeline then loads the masks and profiles them.
   */
  profiles?(include: (name: string) => boolean): Promise<{ profiles: MaskSliceProfile[]; problems: SourceProblem[]; notes?: SourceProblem[] } | null>;
}

export interface ChosenSlice {
  readonly level: Level | null;
  readonly sliceIndex: number;
  /** Patient z of the slice, mm. */
  readonly z: number;
  /** How the slice was chosen. */
  readonly method: string;
}

export interface StructureSlices {
  readonly name: string;
  /** One rows*columns mask per chosen slice, in the order of `slices` (views into the loaded mask). */
  readonly sliceMasks: Uint8Array[];
  /** The threshold a probability map was read with (SourceMask.threshold). */
  readonly threshold?: number;
}

export interface MaskPipelineInput {
  readonly source: MaskSource;
  readonly geometry: VolumeGeometry;
  /** Levels to find from the vertebra masks (vertebra masks are loaded only when given). */
  readonly levels?: readonly Level[];
  /** Slices to load the structures on; default: the levels found. */
  readonly slices?: readonly ChosenSlice[];
  /** Structures to load on the chosen slices (vertebra masks never pass unless the caller asks). */
  readonly include: (name: string) => boolean;
  /** Used instead of `include` when `include` loads nothing (e.g. no recognised muscle: every non-vertebra). */
  readonly fallback?: (name: string) => boolean;
  /**
   * Also load every vertebra (and sacrum) mask on the chosen slices, returned in `vertebraSlices` (the
   * spine's position on each slice, for core/muscles). They join `structures` only when `include` takes them.
   */
  readonly vertebraeOnSlices?: boolean;
  /**
   * Also load the lower thoracic, lumbar and sacral vertebra masks (T11, T12, L1..L6, S1, sacrum) with
   * the ones the levels need, and return each non-empty one's centroid in `vertebraCentroids` (so a
   * viewer can label the vertebrae and a transitional one is seen). Only with `levels`.
   */
  readonly vertebraCentroids?: boolean;
}

/** A vertebra mask's centroid on the CT grid (voxel indices, not rounded) and its voxel count. */
export interface VertebraCentroid {
  readonly name: string;
  readonly sliceIndex: number;
  readonly row: number;
  readonly column: number;
  readonly voxels: number;
}

/** The vertebra masks labelled for the viewer (vertebraCentroids). */
export function isLabelledVertebra(name: string): boolean {
  return /^(vertebrae_(T1[12]|L[1-6]|S1)|sacrum)$/i.test(name);
}

/** Centroid of a whole-volume mask (index k * rows * columns + j * columns + i); null when empty. */
export function maskCentroid(name: string, data: Uint8Array, g: VolumeGeometry): VertebraCentroid | null {
  const plane = g.rows * g.columns;
  let n = 0;
  let si = 0;
  let sj = 0;
  let sk = 0;
  for (let p = 0; p < data.length; p++) {
    if (data[p] === 0) continue;
    const k = Math.floor(p / plane);
    const r = p - k * plane;
    const j = Math.floor(r / g.columns);
    n++;
    sk += k;
    sj += j;
    si += r - j * g.columns;
  }
  return n === 0 ? null : { name, sliceIndex: sk / n, row: sj / n, column: si / n, voxels: n };
}

export interface MaskPipelineResult {
  /** Level finding, when levels were asked for (missing levels come with their reason). */
  readonly found?: LevelsResult;
  /** The slices the structures were loaded on. */
  readonly slices: ChosenSlice[];
  /** Loaded structures, in the source's order. */
  readonly structures: StructureSlices[];
  /** Vertebra and sacrum masks on the chosen slices (only with `vertebraeOnSlices`). */
  readonly vertebraSlices: StructureSlices[];
  /** One line per level not found: `level L5/S1 not found: <reason>`. */
  readonly warnings: string[];
  /** Files that could not be used (vertebra load first, then structures)... */
  readonly problems: SourceProblem[];
  /** ... the same, split by load. */
  readonly vertebraProblems: SourceProblem[];
  readonly structureProblems: SourceProblem[];
  /** Notes on files that were used (4-D file, invalid pixdim ignored, ...), each once, naming its file. */
  readonly notes: SourceProblem[];
  /** With `vertebraCentroids`: the centroid of each non-empty vertebra mask loaded, head to feet. */
  readonly vertebraCentroids?: VertebraCentroid[];
}

export function missingLevelWarning(m: MissingLevel): string {
  return `level ${m.level} not found: ${m.reason}`;
}

export async function runMaskPipeline(input: MaskPipelineInput): Promise<MaskPipelineResult> {
  const g = input.geometry;
  const vertebraProblems: SourceProblem[] = [];
  const structureProblems: SourceProblem[] = [];
  const warnings: string[] = [];
  const notes: SourceProblem[] = [];
  const noted = new Set<string>();
  const addNotes = (r: { notes?: SourceProblem[] }) => {
    for (const n of r.notes ?? []) {
      const key = `${n.path}\0${n.reason}`;
      if (!noted.has(key)) noted.add(key), notes.push(n);
    }
  };
  let found: LevelsResult | undefined;
  let vertebraCentroids: VertebraCentroid[] | undefined;
  if (input.levels) {
    // The vertebra masks these levels may use, on every slice (the level finder needs the whole spine).
    const wanted = new Set(vertebraMaskNames(input.levels));
    const includeVertebra = (n: string) => wanted.has(n) || (input.vertebraCentroids === true && isLabelledVertebra(n));
    // A multilabel file gives every vertebra's slice profile in one walk (no whole-volume mask each).
    const profiled = (await input.source.profiles?.(includeVertebra)) ?? null;
    const vertebrae = profiled ? { masks: [], ...profiled } : { profiles: [], ...(await input.source.load(includeVertebra)) };
    vertebraProblems.push(...vertebrae.problems);
    addNotes(vertebrae);
    if (vertebrae.masks.length === 0 && vertebrae.profiles.length === 0) {
      // None of them: look at every vertebra mask on no slice, so that masks of another scan fail
      // with the source's own reason ("does not overlap the CT") rather than "no vertebrae_L3 mask".
      // (A file listed by both loads is listed once.)
      const probe = await input.source.load(isVertebraMask, []);
      const listed = new Set(vertebraProblems.map((p) => `${p.path}\0${p.reason}`));
      vertebraProblems.push(...probe.problems.filter((p) => !listed.has(`${p.path}\0${p.reason}`)));
    }
    if (profiled) {
      const byName = new Map(profiled.profiles.map((p) => [p.name, p]));
      found = levelsFromProfiles((n) => byName.get(n), g, input.levels);
    } else {
      const byName: Record<string, Uint8Array> = {};
      for (const m of vertebrae.masks) byName[m.name] = m.data;
      found = levelsFromVertebraMasks(byName, g, input.levels);
    }
    if (input.vertebraCentroids) {
      const centroids = profiled
        ? profiled.profiles.flatMap((p) => {
            const c = isLabelledVertebra(p.name) ? profileCentroid(p, g) : null;
            return c ? [{ name: p.name, ...c }] : [];
          })
        : vertebrae.masks.flatMap((m) => (isLabelledVertebra(m.name) ? (maskCentroid(m.name, m.data, g) ?? []) : []));
      vertebraCentroids = centroids.sort((a, b) => b.sliceIndex - a.sliceIndex);
    }
    warnings.push(...found.missing.map(missingLevelWarning));
  }
  const slices: ChosenSlice[] = input.slices
    ? [...input.slices]
    : (found?.levels ?? []).map((l) => ({ level: l.level, sliceIndex: l.sliceIndex, z: l.z, method: l.method }));
  for (const s of slices) {
    if (!Number.isInteger(s.sliceIndex) || s.sliceIndex < 0 || s.sliceIndex >= g.slices) {
      throw new RangeError(`${s.level ?? 'slice'}: slice ${s.sliceIndex} is outside 0..${g.slices - 1}`);
    }
  }
  const structures: StructureSlices[] = [];
  const vertebraSlices: StructureSlices[] = [];
  // Nothing to load on when levels were to be found and none was.
  if (input.slices || slices.length > 0) {
    const sliceIdx = slices.map((s) => s.sliceIndex);
    const withVertebrae = (f: (n: string) => boolean) => (input.vertebraeOnSlices ? (n: string) => f(n) || isVertebraMask(n) : f);
    const wanted = (f: (n: string) => boolean) => (m: { name: string }) => f(m.name);
    let include = input.include;
    let loaded = await input.source.load(withVertebrae(include), sliceIdx);
    if (input.fallback && !loaded.masks.some(wanted(include))) {
      include = input.fallback;
      loaded = await input.source.load(withVertebrae(include), sliceIdx);
    }
    structureProblems.push(...loaded.problems);
    addNotes(loaded);
    const plane = g.rows * g.columns;
    for (const m of loaded.masks) {
      const at = (k: number) => {
        const n = m.slices ? m.slices.indexOf(k) : k;
        if (n < 0) throw new RangeError(`mask ${m.name} was loaded without slice ${k}`);
        return m.data.subarray(n * plane, (n + 1) * plane);
      };
      const item = { name: m.name, sliceMasks: sliceIdx.map(at), ...(m.threshold !== undefined ? { threshold: m.threshold } : {}) };
      if (include(m.name)) structures.push(item);
      if (input.vertebraeOnSlices && isVertebraMask(m.name)) vertebraSlices.push(item);
    }
  }
  return {
    found,
    slices,
    structures,
    vertebraSlices,
    warnings,
    problems: [...vertebraProblems, ...structureProblems],
    vertebraProblems,
    structureProblems,
    notes,
    ...(vertebraCentroids ? { vertebraCentroids } : {}),
  };
}

/** A chosen slice at an index, z from the grid. */
export function chosenSlice(g: VolumeGeometry, level: Level | null, sliceIndex: number, method: string): ChosenSlice {
  return { level, sliceIndex, z: sliceZ(g, sliceIndex), method };
}
