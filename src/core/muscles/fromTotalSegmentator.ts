/**
 * TotalSegmentator classes to Paraspine muscles, on one axial slice (pure; used by `paraspine measure
 * --split-autochthon` and the app's mask import):
 * - iliopsoas_left/right -> psoas: the component nearest the spine (psoas.ts); the iliacus is left out;
 * - autochthon_left/right -> multifidus (medial part) and erectorSpinae (lateral part), split along the
 *   fat plane (autochthonSplit.ts); the two parts partition the mask;
 * - any other mask named after a Paraspine muscle (psoas_*, multifidus_*, erector_spinae_*,
 *   quadratus_lumborum_*) -> that muscle, unchanged.
 * The spine's position on the slice: the centroid of the vertebra (and sacrum) mask pixels there; without
 * any, the midpoint of the two autochthon masks' centroid columns (when both sides are there) for the
 * midline and the image's left-right centre for the psoas.
 */
import type { Level, Muscle, Side } from '../anatomy/anatomy';
import { identifyStructure } from '../metrics/records';
import type { PointIj } from '../roi/rasterize';
import { splitAutochthon } from './autochthonSplit';
import { maskCentroid } from './components';
import { psoasComponent, type PixelSpacing, type SpineCentre } from './psoas';

export interface SliceStructure {
  readonly name: string;
  /** rows x columns mask on the slice. */
  readonly mask: Uint8Array;
}

export interface MusclePart {
  /** The mask it comes from. */
  readonly structure: string;
  readonly muscle: Muscle;
  readonly side: Side;
  /** The mask and the rule, e.g. `iliopsoas_left: psoas component nearest the spine`. */
  readonly source: string;
  /** True when a rule changed the mask (psoas component, autochthon split): a proposal to check. */
  readonly derived: boolean;
  readonly mask: Uint8Array;
}

export interface SplitCut {
  readonly side: Side;
  readonly structure: string;
  /** The multifidus / erector spinae boundary (pixel edges; see autochthonSplit.ts). */
  readonly cutIj: PointIj[];
}

export interface SliceMuscles {
  readonly parts: MusclePart[];
  readonly cuts: SplitCut[];
  /** How the spine's position was found on this slice. */
  readonly spine: SpineCentre | null;
}

export interface SliceMusclesInput {
  readonly columns: number;
  readonly rows: number;
  readonly spacing: PixelSpacing;
  /** HU of the slice (rows x columns). */
  readonly hu: ArrayLike<number>;
  readonly structures: readonly SliceStructure[];
  /** Vertebra and sacrum masks on the slice (any of them; empty ones are fine). */
  readonly vertebrae: readonly Uint8Array[];
  /** The slice's level, when known: the multifidus / erector spinae split follows its published share (mfShareByLevel.ts). */
  readonly level?: Level | null;
}

/** Centroid of the union of the vertebra masks on the slice, or null when none has a pixel there. */
export function spineCentreOnSlice(vertebrae: readonly Uint8Array[], columns: number): SpineCentre | null {
  if (vertebrae.length === 0) return null;
  const union = new Uint8Array(vertebrae[0]!.length);
  for (const v of vertebrae) for (let p = 0; p < v.length; p++) if (v[p] !== 0) union[p] = 1;
  const c = maskCentroid(union, columns);
  return c ? { i: c.ci, j: c.cj } : null;
}

export function musclesOnSlice(input: SliceMusclesInput): SliceMuscles {
  const { columns, rows } = input;
  const spine = spineCentreOnSlice(input.vertebrae, columns);
  let midlineI = spine?.i;
  if (midlineI === undefined) {
    const sides = ['autochthon_left', 'autochthon_right'].map((n) => input.structures.find((s) => s.name === n)).map((s) => (s ? maskCentroid(s.mask, columns) : null));
    midlineI = sides[0] && sides[1] ? (sides[0].ci + sides[1].ci) / 2 : (columns - 1) / 2;
  }
  const parts: MusclePart[] = [];
  const cuts: SplitCut[] = [];
  for (const s of input.structures) {
    const id = identifyStructure(s.name);
    if (!id.muscle || !id.side) continue;
    const base = s.name.toLowerCase().replace(/_(left|right)$/, '');
    if (base === 'iliopsoas') {
      const p = psoasComponent(s.mask, columns, rows, spine, input.spacing);
      parts.push({ structure: s.name, muscle: 'psoas', side: id.side, source: `${s.name}: psoas component nearest the spine`, derived: true, mask: p.mask });
    } else if (id.muscle === 'autochthon') {
      const split = splitAutochthon(s.mask, input.hu, columns, rows, { midlineI, level: input.level ?? null });
      parts.push({ structure: s.name, muscle: 'multifidus', side: id.side, source: `${s.name}: medial part (fat-plane split)`, derived: true, mask: split.medial });
      parts.push({ structure: s.name, muscle: 'erectorSpinae', side: id.side, source: `${s.name}: lateral part (fat-plane split)`, derived: true, mask: split.lateral });
      cuts.push({ side: id.side, structure: s.name, cutIj: split.cutIj });
    } else {
      parts.push({ structure: s.name, muscle: id.muscle, side: id.side, source: s.name, derived: false, mask: s.mask });
    }
  }
  return { parts, cuts, spine };
}
