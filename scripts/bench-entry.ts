/**
 * Benchmark body, bundled by scripts/bench.mjs with esbuild (BENCH_RUNS=N runs a figure, BENCH_SLICES=N,
 * BENCH_ONLY=compressed for the compressed-series figures alone, BENCH_ONLY=whole for the whole-process
 * ones, BENCH_ONLY=annotations for the 10,000-outline annotation document alone, BENCH_ONLY=report for the PDF report alone, BENCH_ONLY=batch (or cohort) for `paraspine batch` over a generated cohort alone: series per minute and peak memory of a --jobs 2 run, scripts/bench-batch.ts). Generates a clinical-size uncompressed CT series (default 340 slices of 512x512, signed 16-bit, Explicit VR LE) in the OS temp folder, then
 * times reading all bytes, scanning headers and loading the HU volume (median of several runs): after a
 * scan (the scan's headers reused, as the app and the CLI do) and with no headers remembered.
 * Then, in fresh processes side by side (alternating, median of several): `paraspine info --hu-stats`
 * (the built CLI, bin/paraspine.mjs) against a process that only reads every file's bytes, and against
 * pydicom + numpy doing the same job (scripts/bench_pydicom.py) where `python3` or /usr/bin/python3 has
 * both (a line says so where not), with a check that the two give the same statistics.
 * Then a compressed series (../shared/data/ct-thorax-j2k when present, else a generated RLE series):
 * load with frames decoded in the calling thread against the decoder worker pool.
 * Then times `paraspine measure` (the CLI's measure()) with a generated TotalSegmentator-style 'total'
 * multilabel .nii.gz on the same grid (~100 labels: vertebrae L1..L5, sacrum, iliopsoas and
 * autochthon left/right, and ~90 small blobs of other labels), once, in a child process so its peak RSS
 * is its own.
 */
import { benchAnnotations } from './bench-annotations';
import { benchRoiTools } from './bench-roi-tools';
import { benchReport } from './bench-report';
import { benchBatch } from './bench-batch';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { Worker } from 'node:worker_threads';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { framesDecodedOnWorkers, setDecoderWorkers } from '../src/node/decoderPool';
import { folderSeries, measureSeries } from '../src/node/measureSeries';
import { TOTALSEGMENTATOR_TOTAL } from '../src/core/masks/labels';
import { writeNifti1 } from '../tests/fixtures/writeNifti';
import { writeDicom, type DicomElement } from '../tests/fixtures/dicomWriter';
import { phantomHu } from '../tests/fixtures/phantomSeries';
import { clearHeaderCache, loadSeries, loadSeriesFromFolder, scanFolder } from '../src/node/dicomFiles';
import { makePhantomSeries } from '../tests/fixtures/phantomSeries';

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

const PIXEL_MM = 0.9765625;
const SLICE_MM = 0.625;

/**
 * TotalSegmentator-style multilabel mask on the bench grid (NIfTI voxel (i, j, k) = DICOM column i,
 * row j, slice k): vertebral bodies (cylinders 40 slices = 25 mm high, 13-slice discs) sacrum, L5 .. L1
 * from the feet up; iliopsoas and autochthon left/right through the whole series; and small cubes of
 * other labels so that about 100 labels occur (vertebrae_S1 among them: a stray 5 mm cube far above
 * L5, which the level finder must not use for L5/S1; the sacrum stands in).
 */
async function generateMultilabel(file: string): Promise<number> {
  const label = Object.fromEntries(Object.entries(TOTALSEGMENTATOR_TOTAL).map(([v, n]) => [n, Number(v)]));
  const plane = SIZE * SIZE;
  const data = new Uint8Array(plane * SLICES);
  const disc = (l: number, ci: number, cj: number, r: number, k0: number, k1: number) => {
    for (let k = Math.max(0, k0); k <= Math.min(SLICES - 1, k1); k++)
      for (let j = cj - r; j <= cj + r; j++)
        for (let i = ci - r; i <= ci + r; i++) if ((i - ci) ** 2 + (j - cj) ** 2 <= r * r) data[k * plane + j * SIZE + i] = l;
  };
  const bones = ['sacrum', 'vertebrae_L5', 'vertebrae_L4', 'vertebrae_L3', 'vertebrae_L2', 'vertebrae_L1'];
  bones.forEach((b, n) => disc(label[b]!, 256, 300, 20, 5 + 53 * n, 44 + 53 * n));
  disc(label['iliopsoas_left']!, 300, 290, 18, 0, SLICES - 1); // patient left = larger column
  disc(label['iliopsoas_right']!, 212, 290, 18, 0, SLICES - 1);
  disc(label['autochthon_left']!, 286, 360, 22, 0, SLICES - 1);
  disc(label['autochthon_right']!, 226, 360, 22, 0, SLICES - 1);
  const used = new Set([...bones, 'iliopsoas_left', 'iliopsoas_right', 'autochthon_left', 'autochthon_right'].map((n) => label[n]!));
  const others = Object.keys(TOTALSEGMENTATOR_TOTAL).map(Number).filter((v) => !used.has(v)).slice(0, 90);
  others.forEach((v, n) => {
    // 8 x 8 x 8 cubes on a ring well away from the spine and the muscles
    const a = (2 * Math.PI * n) / others.length;
    const ci = Math.round(256 + 200 * Math.cos(a));
    const cj = Math.round(200 + 150 * Math.sin(a));
    const k0 = (n * 37) % (SLICES - 8);
    for (let k = k0; k < k0 + 8; k++) for (let j = cj; j < cj + 8; j++) data.fill(v, k * plane + j * SIZE + ci, k * plane + j * SIZE + ci + 8);
  });
  const affine = [-PIXEL_MM, 0, 0, 250, 0, -PIXEL_MM, 0, 250, 0, 0, SLICE_MM, 0, 0, 0, 0, 1] as const;
  await writeFile(file, writeNifti1({ dims: [SIZE, SIZE, SLICES], datatype: 2, data, affine, gzip: true }));
  return used.size + others.length;
}

/** Child process: one `paraspine measure` (auto levels, TotalSegmentator table), time and peak RSS. */
async function measureOnce(dir: string, masks: string): Promise<void> {
  const t0 = performance.now();
  const r = await measureSeries({ series: folderSeries(dir), masks, labels: 'totalsegmentator' }); // the pipeline behind `paraspine measure`
  const s = (performance.now() - t0) / 1000;
  const levels = r.slices.map((l) => `${l.level}@${l.sliceIndex}`).join(' ');
  process.stdout.write(
    `  measure (CLI measure(), multilabel)  ${s.toFixed(3)} s, peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB; ` +
      `${r.measurements.length} records; levels ${levels}\n`,
  );
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


/** The repository root (this file is bundled into .bench/bench.mjs). */
const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));

/** A fresh process that only reads every file's bytes (readFileSync each), as the baseline. */
const READ_ALL = `const fs = require('node:fs'), path = require('node:path'); const d = process.argv[1]; let n = 0;
for (const f of fs.readdirSync(d)) n += fs.readFileSync(path.join(d, f)).length; if (n === 0) process.exit(1);`;

/**
 * pydicom + numpy doing the job of `info --hu-stats` (scripts/bench_pydicom.py: every file read with
 * pydicom, pixel_array, each slice's slope and intercept, the HU volume stacked, min / max / mean / voxels).
 */
const PYDICOM_SCRIPT = join(ROOT, 'scripts', 'bench_pydicom.py');

/** Wall time of one fresh process (s); throws when it fails. */
function processTime(cmd: string, args: string[]): number {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const t = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`${cmd} ${args.slice(0, 2).join(' ')} failed: ${(r.stderr ?? '').trim().split('\n').pop()}`);
  return t;
}

/** The first of `python3` (PATH; may be a pyenv Python without them) and /usr/bin/python3 that can import pydicom and numpy. */
function findPydicomPython(): string | null {
  for (const py of ['python3', '/usr/bin/python3']) {
    const r = spawnSync(py, ['-c', 'import pydicom, numpy'], { stdio: 'ignore' });
    if (r.status === 0) return py;
  }
  return null;
}

/** One run's stdout, parsed as JSON (for the statistics check, outside the timed runs). */
function jsonOf(cmd: string, args: string[]): unknown {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.slice(0, 2).join(' ')} failed: ${(r.stderr ?? '').trim().split('\n').pop()}`);
  return JSON.parse(r.stdout);
}

interface Stats {
  min: number;
  max: number;
  mean: number;
  voxels: number;
}

/** Same voxel count, min and max, and means within float rounding. */
function statsAgree(a: Stats, b: Stats): boolean {
  return a.voxels === b.voxels && a.min === b.min && a.max === b.max && Math.abs(a.mean - b.mean) <= 1e-9 * Math.max(1, Math.abs(a.mean));
}

const fmtStats = (s: Stats) => `min ${s.min}, max ${s.max}, mean ${s.mean.toFixed(4)}, ${s.voxels} voxels`;

/** Fresh processes side by side, alternating, RUNS each (plus one warm-up round): medians. */
function sideBySide(runs: { label: string; cmd: string; args: string[] }[]): number[] {
  for (const r of runs) processTime(r.cmd, r.args);
  const times = runs.map(() => [] as number[]);
  for (let i = 0; i < RUNS; i++) runs.forEach((r, j) => times[j]!.push(processTime(r.cmd, r.args)));
  return runs.map((r, j) => {
    const m = median(times[j]!);
    process.stdout.write(`  ${r.label.padEnd(34)} median ${m.toFixed(3)} s  (runs: ${times[j]!.map((x) => x.toFixed(3)).join(', ')})\n`);
    return m;
  });
}

async function wholeProcess(dir: string): Promise<void> {
  const cli = join(ROOT, 'bin', 'paraspine.mjs');
  process.stdout.write(`\nWhole process, fresh each run (${RUNS} runs each, alternating):\n`);
  const runs = [
    { label: 'read all bytes (node, readFileSync)', cmd: process.execPath, args: ['-e', READ_ALL, dir] },
    { label: 'paraspine info --hu-stats', cmd: process.execPath, args: [cli, 'info', dir, '--hu-stats'] },
  ];
  const py = findPydicomPython();
  if (py) runs.push({ label: `pydicom + numpy (${py})`, cmd: py, args: [PYDICOM_SCRIPT, dir] });
  const [tRead, tInfo, tPy] = sideBySide(runs);
  const ratio = tInfo! / tRead!;
  process.stdout.write(`  info --hu-stats / read bytes: ${ratio.toFixed(2)}x (target <= 3x: ${ratio <= 3 ? 'met' : 'NOT met'})\n`);
  if (!py) {
    process.stdout.write('  paraspine / pydicom+numpy: skipped: no python3 with pydicom and numpy\n');
    return;
  }
  process.stdout.write(`  paraspine / pydicom+numpy: ${(tInfo! / tPy!).toFixed(2)}x\n`);
  // The same numbers? One more run of each, outside the timing, compared.
  const ours = (jsonOf(process.execPath, [cli, 'info', dir, '--hu-stats', '--json']) as { huStats: Stats }).huStats;
  const theirs = jsonOf(py, [PYDICOM_SCRIPT, dir]) as Stats;
  if (statsAgree(ours, theirs)) process.stdout.write(`  statistics agree: ${fmtStats(ours)}\n`);
  else process.stdout.write(`  statistics DISAGREE: paraspine ${fmtStats(ours)}; pydicom+numpy ${fmtStats(theirs)}\n`);
}

/** A compressed series: the shared J2K CT when present, else a generated RLE one (40 slices of 512x512). */
async function compressedSeries(): Promise<{ dir: string; what: string }> {
  const j2k = resolve(ROOT, '..', 'shared', 'data', 'ct-thorax-j2k', 'dicom');
  if (existsSync(j2k)) return { dir: j2k, what: 'ct-thorax-j2k (20 x 512 x 512, JPEG 2000)' };
  const dir = join(tmpdir(), 'paraspine-bench-rle-40x512');
  const p = makePhantomSeries({ encoding: 'rle', slices: 40, rows: 512, columns: 512 });
  await mkdir(dir, { recursive: true });
  for (const f of p.files) await writeFile(join(dir, f.name), f.bytes);
  return { dir, what: 'generated RLE series (40 x 512 x 512)' };
}

/** Wall time (s) of n worker threads each running the same busy loop: the cores this process really gets. */
async function busyWorkers(n: number): Promise<number> {
  const code = `let x = 0; for (let i = 0; i < 1e8; i++) x += i % 7; require('node:worker_threads').parentPort.postMessage(x);`;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: n }, () => new Promise((r) => new Worker(code, { eval: true }).once('message', r))));
  return (performance.now() - t0) / 1000;
}

async function compressed(): Promise<void> {
  const { dir, what } = await compressedSeries();
  const cores = availableParallelism();
  const [one, all] = [await busyWorkers(1), await busyWorkers(cores)];
  process.stdout.write(
    `\nCompressed series: ${what}; ${cores} cores, of which this process gets about ${Math.min(cores, (cores * one) / all).toFixed(1)} now ` +
      `(${cores} busy threads take ${(all / one).toFixed(2)}x one; other load on the machine leaves the pool less)\n`,
  );
  setDecoderWorkers(0);
  const tIn = await time('load, decoded in-thread', () => loadSeriesFromFolder(dir));
  setDecoderWorkers(null);
  const before = framesDecodedOnWorkers();
  const tPool = await time('load, decoder worker pool', () => loadSeriesFromFolder(dir));
  const onWorkers = framesDecodedOnWorkers() - before;
  process.stdout.write(
    `  worker pool / in-thread: ${(tPool / tIn).toFixed(2)}x (${onWorkers > 0 ? `${onWorkers} frames decoded on workers` : 'NO frame decoded on a worker: out/cli/decodeWorker.mjs missing?'})\n`,
  );
  const cli = join(ROOT, 'bin', 'paraspine.mjs');
  process.stdout.write(`  fresh processes, alternating (PARASPINE_DECODE_WORKERS=0: in-thread):\n`);
  const [a, b] = sideBySide([
    { label: 'info --hu-stats, in-thread', cmd: 'env', args: ['PARASPINE_DECODE_WORKERS=0', process.execPath, cli, 'info', dir, '--hu-stats'] },
    { label: 'info --hu-stats, worker pool', cmd: process.execPath, args: [cli, 'info', dir, '--hu-stats'] },
  ]);
  process.stdout.write(`  worker pool / in-thread (fresh process): ${(b! / a!).toFixed(2)}x\n`);
}

async function main(): Promise<void> {
  const dir = join(tmpdir(), `paraspine-bench-${SLICES}x${SIZE}`);
  const masksFile = join(tmpdir(), `paraspine-bench-${SLICES}x${SIZE}-total.nii.gz`);
  if (process.argv[2] === '--measure-once') return measureOnce(dir, masksFile);
  // BENCH_ONLY=compressed: only the compressed-series figures (a quick re-run on a busy machine).
  if (process.env.BENCH_ONLY === 'compressed') return compressed();
  // BENCH_ONLY=annotations: only the big annotation document's checks and measurement.
  if (process.env.BENCH_ONLY === 'annotations') return benchAnnotations(RUNS);
  // BENCH_ONLY=report: only the time to make the PDF report of the shared test CTs.
  if (process.env.BENCH_ONLY === 'report') return benchReport(resolve(ROOT, '..', 'shared', 'data'), RUNS);
  process.stdout.write(`Generating ${SLICES} slices ${SIZE}x${SIZE} int16 in ${dir} ...\n`);
  await generate(dir);
  // BENCH_ONLY=batch: only `paraspine batch` over a generated cohort (series per minute, peak memory of --jobs 2).
  if (process.env.BENCH_ONLY === 'batch' || process.env.BENCH_ONLY === 'cohort') {
    if (!(await stat(masksFile).catch(() => undefined))) await generateMultilabel(masksFile);
    return benchBatch(ROOT, dir, masksFile, SLICES);
  }
  // BENCH_ONLY=whole: only the whole-process figures (paraspine, read bytes, pydicom+numpy).
  if (process.env.BENCH_ONLY === 'whole') return wholeProcess(dir);
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

  await wholeProcess(dir);
  await compressed();

  if (!(await stat(masksFile).catch(() => undefined))) {
    process.stdout.write(`\nGenerating a multilabel mask in ${masksFile} ...\n`);
    process.stdout.write(`  ${await generateMultilabel(masksFile)} labels\n`);
  }
  process.stdout.write(`\nmeasure with a TotalSegmentator-style multilabel file (${((await stat(masksFile)).size / 1e6).toFixed(1)} MB gz), fresh process:\n`);
  const child = spawnSync(process.execPath, [process.argv[1]!, '--measure-once'], { stdio: 'inherit' });
  if (child.status !== 0) process.stdout.write(`  measure failed (exit ${child.status ?? child.signal})\n`);

  benchRoiTools();
  benchAnnotations(RUNS);
  await benchReport(resolve(ROOT, '..', 'shared', 'data'), RUNS);
  await benchBatch(ROOT, dir, masksFile, SLICES);
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
