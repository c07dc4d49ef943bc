/**
 * The batch over a real one-node Slurm (slurm.ts): a job array of 2 tasks, each `batch --shard
 * $SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT` with the README's sbatch script, run with `sbatch
 * --wait`; `paraspine merge` of the shards equals the single-machine batch byte for byte. Skipped,
 * saying so, only where slurmctld is not installed (.ci/run installs it).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, ROOT, writeCohort } from './cohort';
import { slurmInstalled, startSlurm } from './slurm';

const installed = slurmInstalled();
if (!installed) console.warn('tests/batch/slurm.test.ts skipped: slurmctld, slurmd, sbatch or munged is not installed (apt-get install slurmctld slurmd slurm-client munge)');

/** The README's sbatch script, with `paraspine` being this checkout's command line. */
function sbatchScript(manifest: string, results: string): string {
  return `#!/bin/bash
#SBATCH --job-name=paraspine
#SBATCH --cpus-per-task=1
paraspine() { "${process.execPath}" "${BIN}" "$@"; }
mkdir -p "${results}"
# each task measures every N-th manifest row from its index; exit 3 (some rows failed) is not an error
paraspine batch "${manifest}" --out "${results}/shard-\${SLURM_ARRAY_TASK_ID}.csv" \\
  --shard "\${SLURM_ARRAY_TASK_ID}/\${SLURM_ARRAY_TASK_COUNT}" --jobs "\${SLURM_CPUS_PER_TASK:-1}" --resume || [ $? -eq 3 ]
`;
}

const sortedById = (text: string) => {
  const [head, ...rows] = text.trimEnd().split('\n');
  return [head, ...rows.sort()].join('\n');
};

describe.skipIf(!installed)('batch as a Slurm job array (one node on 127.0.0.1)', () => {
  it('sbatch --wait --array=0-1 of the shards, merged, equals the single-machine batch', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'paraspine-slurm-'));
    let slurm: Awaited<ReturnType<typeof startSlurm>> | undefined;
    try {
      slurm = await startSlurm(join(dir, 'slurm'));
      const c = writeCohort(join(dir, 'cohort'));
      const results = join(dir, 'results');
      const script = join(dir, 'paraspine.sbatch');
      writeFileSync(script, sbatchScript(c.manifest, results));
      const sb = spawnSync('sbatch', ['--wait', '--array=0-1', `--output=${join(dir, 'task-%a.log')}`, script], { env: slurm.env, encoding: 'utf8', cwd: dir, timeout: 300_000 });
      const logs = readdirSync(dir).filter((f) => f.startsWith('task-')).map((f) => `--- ${f}\n${readFileSync(join(dir, f), 'utf8')}`).join('\n');
      expect(sb.status, `sbatch: ${sb.stderr}\n${logs}\n${slurm.logs()}`).toBe(0);
      expect(logs).toMatch(/batch: \d+ done, \d+ failed of 4 rows/); // task 0: rows 1, 3, 5, 7
      expect(logs).toMatch(/batch: \d+ done, \d+ failed of 3 rows/); // task 1: rows 2, 4, 6
      const merged = join(dir, 'merged.csv');
      const m = spawnSync(process.execPath, [BIN, 'merge', merged, join(results, 'shard-0.csv'), join(results, 'shard-1.csv')], { encoding: 'utf8', cwd: ROOT });
      expect(m.status, m.stderr).toBe(0);
      const whole = join(dir, 'whole.csv');
      expect(spawnSync(process.execPath, [BIN, 'batch', c.manifest, '--out', whole], { cwd: ROOT }).status).toBe(3);
      expect(sortedById(readFileSync(merged, 'utf8'))).toBe(sortedById(readFileSync(whole, 'utf8')));
      expect(readFileSync(merged, 'utf8')).toBe(readFileSync(whole, 'utf8')); // the manifest's order, too
      expect(readFileSync(`${merged}.status.csv`, 'utf8')).toBe(readFileSync(`${whole}.status.csv`, 'utf8'));
    } finally {
      slurm?.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 600_000);
});
