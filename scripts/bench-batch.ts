/**
 * BENCH_ONLY=batch (or BENCH_ONLY=cohort; also the last section of `npm run bench`): `paraspine batch`
 * over a generated cohort, the built CLI in a fresh process. The cohort: BENCH_BATCH_ROWS rows (default
 * 20) of the bench's clinical-size series (512 x 512, BENCH_SLICES slices, default 340) each with its
 * TotalSegmentator-style multilabel file, under distinct ids: every row reads and measures its series
 * afresh (levels found from the multilabel file; the page cache is warm, as on a machine that measures a
 * cohort from local disk). Prints series per minute, CPU seconds per series, and the peak memory of the
 * whole process tree (the sum of VmRSS of the CLI and every process under it, sampled from /proc every
 * 20 ms; where /proc is missing, the CLI's own maxRSS, worker threads included), for --jobs 2 (and each
 * count in BENCH_BATCH_JOBS, e.g. "1,2"). Prints figures; asserts nothing. Goal (issue 17): at least
 * 100 series per minute on 2 cores.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';

/** Prints the process's peak RSS (KiB) and CPU time (µs) on stderr as it exits: loaded with --import into the CLI's process. */
const EXIT_HOOK = `data:text/javascript,process.on('exit',()=>{const c=process.cpuUsage();process.stderr.write('peak-rss-kib '+process.resourceUsage().maxRSS+'\\ncpu-us '+(c.user+c.system)+'\\n')})`;

/** Resident bytes of `root` and every process under it now, from /proc (0 where it cannot be read). */
function treeRssBytes(root: number): number {
  const children = new Map<number, number[]>();
  const rss = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const status = readFileSync(`/proc/${name}/status`, 'utf8');
      const ppid = Number(/^PPid:\s+(\d+)/m.exec(status)?.[1]);
      const kib = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? 0);
      rss.set(Number(name), kib * 1024);
      const list = children.get(ppid);
      if (list) list.push(Number(name));
      else children.set(ppid, [Number(name)]);
    } catch {
      // gone meanwhile
    }
  }
  let total = 0;
  const stack = [root];
  while (stack.length > 0) {
    const pid = stack.pop()!;
    total += rss.get(pid) ?? 0;
    stack.push(...(children.get(pid) ?? []));
  }
  return total;
}

interface Run {
  readonly status: number | null;
  readonly stderr: string;
  readonly seconds: number;
  /** Peak of the tree's summed RSS (bytes); NaN without /proc. */
  readonly treePeak: number;
}

function runSampled(args: string[]): Promise<Run> {
  return new Promise((done) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const proc = existsSync('/proc/self/status');
    let treePeak = proc ? 0 : NaN;
    const sample = () => {
      if (proc && child.pid !== undefined) treePeak = Math.max(treePeak, treeRssBytes(child.pid));
    };
    const timer = setInterval(sample, 20);
    child.on('close', (status) => {
      clearInterval(timer);
      done({ status, stderr, seconds: (performance.now() - t0) / 1000, treePeak });
    });
  });
}

export async function benchBatch(root: string, seriesDir: string, masksFile: string, slices: number): Promise<void> {
  const rows = Number(process.env.BENCH_BATCH_ROWS ?? 20);
  const jobsList = (process.env.BENCH_BATCH_JOBS ?? '2').split(',').map(Number).filter((n) => Number.isInteger(n) && n > 0);
  const dir = mkdtempSync(join(tmpdir(), 'paraspine-bench-batch-'));
  try {
    const manifest = join(dir, 'manifest.csv');
    const lines = ['id,series,masks'];
    for (let r = 1; r <= rows; r++) lines.push(`s${r},${seriesDir},${masksFile}`);
    writeFileSync(manifest, `${lines.join('\n')}\n`);
    process.stdout.write(
      `\nbatch: a cohort of ${rows} series of ${slices} x 512 x 512 (int16, uncompressed) with a TotalSegmentator multilabel file each ` +
        `(levels auto, --labels totalsegmentator), fresh process, ${availableParallelism()} cores:\n`,
    );
    for (const jobs of jobsList) {
      const out = join(dir, `results-${jobs}.csv`);
      const r = await runSampled(['--import', EXIT_HOOK, join(root, 'bin', 'paraspine.mjs'), 'batch', manifest, '--out', out, '--labels', 'totalsegmentator', '--jobs', String(jobs)]);
      const ownPeak = Number(/peak-rss-kib (\d+)/.exec(r.stderr)?.[1] ?? NaN) / 1024;
      const cpu = Number(/cpu-us (\d+)/.exec(r.stderr)?.[1] ?? NaN) / 1e6;
      if (r.status !== 0) {
        process.stdout.write(`  --jobs ${jobs}: exit ${r.status}: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}\n`);
        continue;
      }
      const records = readFileSync(out, 'utf8').trimEnd().split('\n').length - 1;
      const perMin = (rows / r.seconds) * 60;
      const peak = Number.isNaN(r.treePeak) ? `peak RSS ${ownPeak.toFixed(0)} MB (the CLI's maxRSS; no /proc here)` : `peak RSS of the process tree ${(r.treePeak / 1048576).toFixed(0)} MB (CLI maxRSS ${ownPeak.toFixed(0)} MB)`;
      process.stdout.write(
        `  --jobs ${jobs}: ${r.seconds.toFixed(1)} s, ${perMin.toFixed(1)} series/min, ${(cpu / rows).toFixed(2)} CPU s per series; ${peak}; ${records} result rows` +
          (jobs === 2 ? ` (goal >= 100 series/min on 2 cores: ${perMin >= 100 ? 'met' : 'NOT met'})` : '') +
          '\n',
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
