import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFiles, loadSeriesFromFolder } from '../../src/node/dicomFiles';
import { closeDecoderPool, framesDecodedOnWorkers, setDecoderWorkers } from '../../src/node/decoderPool';
import { relabelledCopies, shared } from './helpers';

const NEMA = (name: string): string => shared('conformance', 'nema-wg04-ct', name);
const MF = (name: string): string => shared('conformance', 'dicomparser-ct', 'encapsulated', 'multi-frame', name);

// The CT0012 perfusion map is refused as not HU: its decoding is compared on copies relabelled HU.
let relabelled: Awaited<ReturnType<typeof relabelledCopies>>;
beforeAll(async () => {
  relabelled = await relabelledCopies(['CT0012.fragmented_no_bot_jpeg_ls.80.dcm', 'CT0012.not_fragmented_bot_rle.dcm'].map(MF));
});
afterAll(async () => {
  setDecoderWorkers(null);
  await relabelled.cleanup();
});

/** HU of the same files decoded on worker threads and in this thread. */
async function both(load: () => Promise<Int16Array | Float32Array>): Promise<[Int16Array | Float32Array, Int16Array | Float32Array]> {
  setDecoderWorkers(2);
  const before = framesDecodedOnWorkers();
  const pooled = await load();
  expect(framesDecodedOnWorkers()).toBeGreaterThan(before);
  setDecoderWorkers(0);
  const inThread = await load();
  setDecoderWorkers(null);
  return [pooled, inThread];
}

describe('decoder worker pool', () => {
  it('the bundled worker is there (built by the test set-up), so the pool really runs', () => {
    expect(existsSync(resolve(__dirname, '../../out/cli/decodeWorker.mjs'))).toBe(true);
  });

  it('ct-thorax-j2k: the same HU bits on worker threads as in-thread', async () => {
    const [a, b] = await both(async () => (await loadSeriesFromFolder(shared('ct-thorax-j2k', 'dicom'))).volume.hu);
    expect(a.length).toBe(20 * 512 * 512);
    expect(Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength))).toBe(true);
  });

  for (const name of ['CT1_J2KR', 'CT2_JLSL', 'CT1_JPLL', 'CT2_RLE']) {
    it(`NEMA ${name}: the same HU bits on worker threads as in-thread`, async () => {
      const [a, b] = await both(async () => (await loadFiles([NEMA(name)])).volume.hu);
      expect(Array.from(a)).toEqual(Array.from(b));
    });
  }

  for (const f of ['CT0012.fragmented_no_bot_jpeg_ls.80.dcm', 'CT0012.not_fragmented_bot_rle.dcm']) {
    it(`multi-frame ${f}: frames decoded in parallel land in the right slices`, async () => {
      const [a, b] = await both(async () => (await loadFiles([relabelled.copy(MF(f))])).volume.hu);
      expect(a.length).toBeGreaterThan(0);
      expect(Array.from(a)).toEqual(Array.from(b));
    });
  }

  it('errors from a worker read as in-thread ones (one line, the file named)', async () => {
    const { writeTempFiles } = await import('./helpers');
    const { readFile } = await import('node:fs/promises');
    const bytes = new Uint8Array(await readFile(NEMA('CT1_J2KR')));
    // Cut the codestream short: the decoder fails on the worker, the error comes back as input error.
    const cut = bytes.subarray(0, bytes.length - 60000);
    const { dir, cleanup } = await writeTempFiles([{ name: 'cut.dcm', bytes: cut }]);
    try {
      const msgs: string[] = [];
      for (const w of [2, 0]) {
        setDecoderWorkers(w);
        msgs.push(await loadFiles([`${dir}/cut.dcm`]).then(() => 'loaded', (e: Error) => e.message));
      }
      expect(msgs[0]).toBe(msgs[1]);
    } finally {
      setDecoderWorkers(null);
      closeDecoderPool();
      await cleanup();
    }
  });
});
