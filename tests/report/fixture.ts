import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';
export { measuredWithKeyImages } from './measured';

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

