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

/**
 * The bytes of a file with every Explicit VR Little Endian RescaleType (0028,1054) 'US' element relabelled
 * 'HU' (same length: every offset holds). For the conformance perfusion map (a DERIVED RCBF Enhanced CT,
 * refused as not HU): its copy lets the decoders still be compared on its pixels.
 */
export function relabelRescaleTypeAsHu(bytes: Uint8Array): Uint8Array {
  const out = Uint8Array.from(bytes);
  const pattern = [0x28, 0x00, 0x54, 0x10, 0x4c, 0x4f, 0x02, 0x00, 0x55, 0x53]; // (0028,1054) LO, 2 bytes, 'US'
  let found = 0;
  for (let o = 0; o + pattern.length <= out.length; o++) {
    if (pattern.every((b, i) => out[o + i] === b)) {
      out[o + 8] = 0x48; // 'H'
      out[o + 9] = 0x55; // 'U'
      found++;
    }
  }
  if (found === 0) throw new Error('relabelRescaleTypeAsHu: no RescaleType US element');
  return out;
}

/** Temporary copies of files relabelled as HU (relabelRescaleTypeAsHu), by their paths; and a cleanup. */
export async function relabelledCopies(paths: readonly string[]): Promise<{ copy: (path: string) => string; cleanup: () => Promise<void> }> {
  const { readFile } = await import('node:fs/promises');
  const { basename } = await import('node:path');
  const files = await Promise.all(paths.map(async (p) => ({ name: basename(p), bytes: relabelRescaleTypeAsHu(new Uint8Array(await readFile(p))) })));
  const { dir, cleanup } = await writeTempFiles(files);
  return { copy: (p) => join(dir, basename(p)), cleanup };
}

/** The two ways 16-bit pixels are rescaled and summed: WebAssembly SIMD and the JavaScript fallback. */
export const KERNEL_PATHS = [
  ['WebAssembly SIMD', false],
  ['JavaScript fallback', true],
] as const;
