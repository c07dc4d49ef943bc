/**
 * Benchmark body, bundled by scripts/bench.mjs with esbuild. Generates a clinical-size uncompressed CT
 * series (default 340 slices of 512x512, signed 16-bit, Explicit VR LE) in the OS temp folder, then
 * times reading all bytes, scanning headers and loading the HU volume (median of several runs): after a
 * scan (the scan's headers reused, as the app and the CLI do) and with no headers remembered.
 */
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeDicom, type DicomElement } from '../tests/fixtures/dicomWriter';
import { phantomHu } from '../tests/fixtures/phantomSeries';
import { clearHeaderCache, loadSeries, scanFolder } from '../src/node/dicomFiles';

const SLICES = Number(process.env.BENCH_SLICES ?? 340);
const SIZE = 512;
const RUNS = Number(process.env.BENCH_RUNS ?? 5);

async function generate(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const existing = await readdir(dir).catch(() => [] as string[]);
  if (existing.length === SLICES) return;
  const n = SIZE * SIZE;
  for (let k = 0; k < SLICES; k++) {
    const frame = new Int16Array(n);
    for (let j = 0; j < SIZE; j++) for (let i = 0; i < SIZE; i++) frame[j * SIZE + i] = phantomHu(i, j, k % 40, SIZE, SIZE) + 1024;
    const elements: DicomElement[] = [
      { tag: 0x00080016, vr: 'UI', value: '1.2.840.10008.5.1.4.1.1.2' },
      { tag: 0x00080018, vr: 'UI', value: `1.2.826.0.1.3680043.10.1459.9.${k + 1}` },
      { tag: 0x00080060, vr: 'CS', value: 'CT' },
      { tag: 0x0020000d, vr: 'UI', value: '1.2.826.0.1.3680043.10.1459.8' },
      { tag: 0x0020000e, vr: 'UI', value: '1.2.826.0.1.3680043.10.1459.7' },
      { tag: 0x00200013, vr: 'IS', value: String(SLICES - k) },
      { tag: 0x00200032, vr: 'DS', value: `-250\\-250\\${(k * 0.625).toFixed(3)}` },
      { tag: 0x00200037, vr: 'DS', value: '1\\0\\0\\0\\1\\0' },
      { tag: 0x00280002, vr: 'US', value: 1 },
      { tag: 0x00280004, vr: 'CS', value: 'MONOCHROME2' },
      { tag: 0x00280010, vr: 'US', value: SIZE },
      { tag: 0x00280011, vr: 'US', value: SIZE },
      { tag: 0x00280030, vr: 'DS', value: '0.9765625\\0.9765625' },
      { tag: 0x00280100, vr: 'US', value: 16 },
      { tag: 0x00280101, vr: 'US', value: 16 },
      { tag: 0x00280102, vr: 'US', value: 15 },
      { tag: 0x00280103, vr: 'US', value: 1 },
      { tag: 0x00281052, vr: 'DS', value: '-1024' },
      { tag: 0x00281053, vr: 'DS', value: '1' },
    ];
    const bytes = writeDicom(elements, { encoding: 'explicitLE', framesLittleEndian: [new Uint8Array(frame.buffer)], bitsAllocated: 16 });
    await writeFile(join(dir, `IM${String(k + 1).padStart(5, '0')}.dcm`), bytes);
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function time(label: string, fn: () => Promise<unknown>): Promise<number> {
  const t: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const t0 = performance.now();
    await fn();
    t.push((performance.now() - t0) / 1000);
  }
  const m = median(t);
  process.stdout.write(`  ${label.padEnd(34)} median ${m.toFixed(3)} s  (runs: ${t.map((x) => x.toFixed(3)).join(', ')})\n`);
  return m;
}

async function main(): Promise<void> {
  const dir = join(tmpdir(), `paraspine-bench-${SLICES}x${SIZE}`);
  process.stdout.write(`Generating ${SLICES} slices ${SIZE}x${SIZE} int16 in ${dir} ...\n`);
  await generate(dir);
  const files = (await readdir(dir)).map((f) => join(dir, f));
  let totalBytes = 0;
  for (const f of files) totalBytes += (await stat(f)).size;
  const mb = totalBytes / 1e6;
  process.stdout.write(`${files.length} files, ${mb.toFixed(1)} MB; ${RUNS} runs each (first warms the page cache)\n`);
  for (const f of files) await readFile(f); // warm page cache

  const tRead = await time('read all bytes (fs.readFile each)', async () => {
    for (const f of files) await readFile(f);
  });
  let summary: Awaited<ReturnType<typeof scanFolder>>['series'][number] | undefined;
  const tScan = await time('scan headers (scanFolder)', async () => {
    const scan = await scanFolder(dir);
    summary = scan.series[0];
  });
  if (!summary || summary.slices !== SLICES) throw new Error('bench series did not scan as one series');
  let voxels = 0;
  const tLoad = await time('load HU volume (loadSeries)', async () => {
    const v = await loadSeries(summary!);
    voxels = v.hu.length;
  });
  // The same load when the scan's headers are not at hand (a cold start from a saved file list).
  const tCold = await time('load, headers not cached', async () => {
    clearHeaderCache();
    await loadSeries(summary!);
  });
  process.stdout.write('\n');
  process.stdout.write(`  read:  ${(mb / tRead).toFixed(0)} MB/s\n`);
  process.stdout.write(`  scan:  ${(files.length / tScan).toFixed(0)} files/s\n`);
  process.stdout.write(`  load:  ${(mb / tLoad).toFixed(0)} MB/s, ${(voxels / tLoad / 1e6).toFixed(0)} Mvoxel/s\n`);
  process.stdout.write(`  load, headers not cached:  ${(mb / tCold).toFixed(0)} MB/s\n`);
  const ratio = tLoad / tRead;
  process.stdout.write(`  load/read ratio: ${ratio.toFixed(2)}x (target <= 5x: ${ratio <= 5 ? 'met' : 'NOT met'})\n`);
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
