/**
 * The step after the mask pipeline, once (pure): the structures' masks on the target slices to the
 * parts that are measured (`paraspine measure`: records) or traced (the app's mask import: outlines).
 * - With `split`, TotalSegmentator classes become Paraspine muscles slice by slice (musclesOnSlice:
 *   iliopsoas -> the psoas component nearest the spine, autochthon -> multifidus + erector spinae along
 *   the fat plane, with the cut lines); a structure no rule maps (not a muscle, or no side) stays raw.
 * - Without it every structure is one raw part (its mask as it is, named by identifyStructure).
 * Consumers keep the parts they can use: records take every part, outlines the ones with a muscle and
 * a side.
 */
import type { Level, Side } from '../anatomy/anatomy';
import { identifyStructure, type StructureIdentity } from '../metrics/records';
import { musclesOnSlice, type SplitCut } from './fromTotalSegmentator';
import type { PixelSpacing } from './psoas';

/** A structure's masks on the target slices (the mask pipeline's `structures`, `vertebraSlices`). */
export interface StructureSlices {
  readonly name: string;
  /** One rows x columns mask per target slice, in the order of `slices`. */
  readonly sliceMasks: readonly Uint8Array[];
}

export interface MaskPartsInput {
  readonly columns: number;
  readonly rows: number;
  readonly spacing: PixelSpacing;
  /** The target slices' levels (null or absent where not known), in the order of the masks. */
  readonly slices: readonly { readonly level?: Level | null }[];
  readonly structures: readonly StructureSlices[];
  /** Vertebra and sacrum masks on the target slices: the spine's position for the split. */
  readonly vertebrae: readonly StructureSlices[];
  /** TotalSegmentator classes to Paraspine muscles (musclesOnSlice); without it every mask is raw. */
  readonly split: boolean;
  /** HU of target slice n (rows x columns); asked for only with `split`, for autochthon masks (splitNeedsHu). */
  readonly hu: (n: number) => ArrayLike<number>;
}

/** One measured or traced part of a structure on one target slice. */
export interface MaskPart {
  /** The mask it comes from. */
  readonly structure: string;
  readonly muscle: StructureIdentity['muscle'];
  readonly side: Side | null;
  /** The mask and the rule (e.g. `autochthon_left: medial part (fat-plane split)`), or the mask's name for a raw part. */
  readonly source: string;
  /** True when a rule changed the mask (psoas component, autochthon split): a proposal to check. */
  readonly derived: boolean;
  readonly mask: Uint8Array;
}

export interface SliceParts {
  readonly parts: MaskPart[];
  /** The multifidus / erector spinae cut lines (only with `split`). */
  readonly cuts: SplitCut[];
}

/** Whether the split reads the HU (the fat plane of an autochthon mask); without an autochthon it never does. */
export function splitNeedsHu(names: readonly string[]): boolean {
  return names.some((n) => identifyStructure(n).muscle === 'autochthon');
}

/** A structure's mask on a slice as it is. */
function rawPart(name: string, mask: Uint8Array): MaskPart {
  const id = identifyStructure(name);
  return { structure: name, muscle: id.muscle, side: id.side, source: name, derived: false, mask };
}

/** The parts of every structure on every target slice (index n of the result: target slice n). */
export function maskParts(input: MaskPartsInput): SliceParts[] {
  const { columns, rows, structures } = input;
  return input.slices.map((s, n) => {
    if (!input.split) return { parts: structures.map((m) => rawPart(m.name, m.sliceMasks[n]!)), cuts: [] };
    const mapped = musclesOnSlice({
      columns,
      rows,
      spacing: input.spacing,
      hu: splitNeedsHu(structures.map((m) => m.name)) ? input.hu(n) : new Float32Array(rows * columns), // no autochthon: HU unused
      structures: structures.map((m) => ({ name: m.name, mask: m.sliceMasks[n]! })),
      vertebrae: input.vertebrae.map((v) => v.sliceMasks[n]!),
      level: s.level ?? null,
    });
    const parts: MaskPart[] = [...mapped.parts];
    // masks no rule maps (not a Paraspine muscle, or without a side): measured raw
    for (const m of structures) if (!mapped.parts.some((p) => p.structure === m.name)) parts.push(rawPart(m.name, m.sliceMasks[n]!));
    return { parts, cuts: mapped.cuts };
  });
}
