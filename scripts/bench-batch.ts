/**
 * BENCH_ONLY=batch (and the last section of `npm run bench`): `paraspine batch` over a generated cohort,
 * the built CLI in a fresh process: series per minute with --jobs 1 and --jobs 2 and the peak memory
 * (maxRSS of the whole process, worker threads included) of each. The cohort is the bench's
 * clinical-size series (512 x 512, BENCH_SLICES slices) with its TotalSegmentator-style multilabel file,
 * listed BENCH_BATCH_ROWS times (default 12) under distinct ids: every row reads and measures the
 * series afresh (the page cache is warm, as on a machine that measures a cohort from local disk).
 * Prints figures; asserts nothing. Goal (issue 17): at least 100 series per minute on 2 cores.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';

/** Prints the process's peak RSS (KiB) on stderr as it exits: loaded with --import into the CLI's process. */
const PEAK_RSS_HOOK = `data:text/javascript,process.on('exit',()=>process.stderr.write('peak-rss-kib '+process.resourceUsage().maxRSS+'\\n'))`;

export function benchBatch(root: string, seriesDir: string, masksFile: string): void {
  const rows = Number(process.env.BENCH_BATCH_ROWS ?? 12);
  const dir = mkdtempSync(join(tmpdir(), 'paraspine-bench-batch-'));
  try {
    const manifest = join(dir, 'manifest.csv');
    const lines = ['id,series,masks'];
    for (let r = 1; r <= rows; r++) lines.push(`s${r},${seriesDir},${masksFile}`);
    writeFileSync(manifest, `${lines.join('\n')}\n`);
    process.stdout.write(`\nbatch: ${rows} rows of the ${seriesDir} series with its multilabel file (--labels totalsegmentator), fresh process, ${availableParallelism()} cores:\n`);
    for (const jobs of [1, 2]) {
      const out = join(dir, `results-${jobs}.csv`);
      const t0 = performance.now();
      const r = spawnSync(process.execPath, ['--import', PEAK_RSS_HOOK, join(root, 'bin', 'paraspine.mjs'), 'batch', manifest, '--out', out, '--labels', 'totalsegmentator', '--jobs', String(jobs)], {
        encoding: 'utf8',
      });
      const s = (performance.now() - t0) / 1000;
      const rss = Number(/peak-rss-kib (\d+)/.exec(r.stderr)?.[1] ?? NaN) / 1024;
      if (r.status !== 0) {
        process.stdout.write(`  --jobs ${jobs}: exit ${r.status}: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}\n`);
        continue;
      }
      const records = readFileSync(out, 'utf8').trimEnd().split('\n').length - 1;
      const perMin = (rows / s) * 60;
      process.stdout.write(
        `  --jobs ${jobs}: ${s.toFixed(1)} s, ${perMin.toFixed(1)} series/min, peak RSS ${rss.toFixed(0)} MB; ${records} result rows` +
          (jobs === 2 ? ` (goal >= 100 series/min on 2 cores: ${perMin >= 100 ? 'met' : 'NOT met'})` : '') +
          '\n',
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
