import { measure, type MeasureResult } from './measure';
import { isVertebraMask } from '../../src/core/masks/labels';
import { runMaskPipeline, type ChosenSlice } from '../../src/core/masks/pipeline';
import { identifyStructure } from '../../src/core/metrics/records';
import { keyImageInputsFromMasks, type KeyImageInput, type LevelMask } from '../../src/core/report/keyImage';
import { loadSeriesFromFolder } from '../../src/node/dicomFiles';
import { maskSource } from '../../src/node/masks';

/**
 * The measure result of a series with its masks (the command line's pipeline, `--levels auto` without
 * the autochthon split), and the key images of its levels: the same masks traced on the same slices.
 */
export async function measuredWithKeyImages(folder: string, masks: string, opts: { levels?: 'auto'; z?: number[] } = { levels: 'auto' }): Promise<{ result: MeasureResult; keyImages: KeyImageInput[] }> {
  const result = await measure({ folder, masks, splitAutochthon: false, ...opts }); // raw classes (--no-split): the key images below trace the raw masks
  const { volume } = await loadSeriesFromFolder(folder);
  const g = volume.geometry;
  const slices: ChosenSlice[] = result.slices.map((s) => ({ level: s.level, sliceIndex: s.sliceIndex, z: s.z, method: s.method }));
  const piped = await runMaskPipeline({
    source: maskSource(masks, g),
    geometry: g,
    slices,
    include: (n) => !isVertebraMask(n) && identifyStructure(n).muscle !== null,
  });
  const levelMasks: LevelMask[] = piped.structures.flatMap((m) => {
    const id = identifyStructure(m.name);
    return slices.map((s, n) => ({ level: s.level, sliceIndex: s.sliceIndex, structure: m.name, muscle: id.muscle, side: id.side, mask: m.sliceMasks[n]! }));
  });
  return { result, keyImages: keyImageInputsFromMasks(volume, levelMasks) };
}
