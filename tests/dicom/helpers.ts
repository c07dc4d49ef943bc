import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The shared test data folder (../shared/data beside the repository root), read in place. */
export const SHARED_DATA = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../shared/data');

export function shared(...parts: string[]): string {
  return join(SHARED_DATA, ...parts);
}

/** Writes files into a fresh temporary folder; returns its path and a cleanup function. */
export async function writeTempFiles(files: readonly { name: string; bytes: Uint8Array }[]): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'paraspine-dicom-'));
  for (const f of files) await writeFile(join(dir, f.name), f.bytes);
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}
