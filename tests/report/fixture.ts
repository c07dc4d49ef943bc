import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { measure, type MeasureResult } from '../../src/cli/commands/measure';
import { isVertebraMask } from '../../src/core/masks/labels';
import { runMaskPipeline, type ChosenSlice } from '../../src/core/masks/pipeline';
import { identifyStructure } from '../../src/core/metrics/records';
import { keyImageInputsFromMasks, type KeyImageInput, type LevelMask } from '../../src/core/report/keyImage';
import { loadSeriesFromFolder } from '../../src/node/dicomFiles';
import { maskSource } from '../../src/node/masks';

export const DATA = resolve(__dirname, '../../../shared/data');
export const ABDOMEN = join(DATA, 'ct-abdomen-3mm/dicom');
export const ABDOMEN_MASKS = join(DATA, 'ct-abdomen-3mm/masks');
export const THORAX = join(DATA, 'ct-thorax-j2k');

/** Whether a poppler tool is on the PATH (CI installs poppler-utils; a machine without it skips the PDF tests, saying why). */
export function hasTool(name: string): boolean {
  try {
    execFileSync(name, ['-v'], { stdio: 'ignore' });
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== 'ENOENT';
  }
}

export const dataPresent = existsSync(ABDOMEN) && existsSync(ABDOMEN_MASKS);

/**
 * The measure result of a series with its masks (the command line's pipeline, `--levels auto` without
 * the autochthon split), and the key images of its levels: the same masks traced on the same slices.
 */
export async function measuredWithKeyImages(folder: string, masks: string, opts: { levels?: 'auto'; z?: number[] } = { levels: 'auto' }): Promise<{ result: MeasureResult; keyImages: KeyImageInput[] }> {
  const result = await measure({ folder, masks, ...opts });
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
