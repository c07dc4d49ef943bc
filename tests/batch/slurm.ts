/**
 * A real one-node Slurm on 127.0.0.1 in a temporary folder (../shared/docs/STACK.md's recipe): munged
 * with its own key and socket, slurmctld and slurmd as root, every state, spool, pid and log path in the
 * folder, free ports. `stop()` shuts everything down (scontrol shutdown, then SIGTERM by pid file).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';

/** Whether Slurm's daemons are installed (the test is skipped, saying so, when not). */
export function slurmInstalled(): boolean {
  return ['slurmctld', 'slurmd', 'sbatch', 'munged'].every((c) => spawnSync('sh', ['-c', `command -v ${c}`]).status === 0);
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface Slurm {
  readonly env: NodeJS.ProcessEnv;
  /** The daemons' logs (for a failure message). */
  logs(): string;
  stop(): void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function pidOf(file: string): number | null {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function startSlurm(dir: string): Promise<Slurm> {
  const host = hostname().split('.')[0]!;
  mkdirSync(dir, { recursive: true });
  const key = join(dir, 'munge.key');
  writeFileSync(key, randomBytes(1024));
  chmodSync(key, 0o400);
  const sock = join(dir, 'munge.sock');
  mkdirSync(join(dir, 'state'), { recursive: true });
  mkdirSync(join(dir, 'spool'), { recursive: true });
  const conf = join(dir, 'slurm.conf');
  const [ctldPort, dPort] = [await freePort(), await freePort()];
  writeFileSync(
    conf,
    [
      'ClusterName=paraspinetest',
      `SlurmctldHost=${host}(127.0.0.1)`,
      `SlurmctldPort=${ctldPort}`,
      `SlurmdPort=${dPort}`,
      'AuthType=auth/munge',
      `AuthInfo=socket=${sock}`,
      'CredType=cred/munge',
      'SlurmUser=root',
      'SlurmdUser=root',
      'ProctrackType=proctrack/linuxproc',
      'TaskPlugin=task/none',
      'SelectType=select/cons_tres',
      'SelectTypeParameters=CR_CPU',
      'AccountingStorageType=accounting_storage/none',
      'JobCompType=jobcomp/none',
      'JobAcctGatherType=jobacct_gather/none',
      'MpiDefault=none',
      'ReturnToService=2',
      `StateSaveLocation=${join(dir, 'state')}`,
      `SlurmdSpoolDir=${join(dir, 'spool')}`,
      `SlurmctldPidFile=${join(dir, 'slurmctld.pid')}`,
      `SlurmdPidFile=${join(dir, 'slurmd.pid')}`,
      `SlurmctldLogFile=${join(dir, 'slurmctld.log')}`,
      `SlurmdLogFile=${join(dir, 'slurmd.log')}`,
      `NodeName=${host} NodeAddr=127.0.0.1 CPUs=2 State=UNKNOWN`,
      `PartitionName=test Nodes=${host} Default=YES MaxTime=INFINITE State=UP`,
      '',
    ].join('\n'),
  );
  const env = { ...process.env, SLURM_CONF: conf };
  const slurm: Slurm = {
    env,
    logs: () => ['munged.log', 'slurmctld.log', 'slurmd.log'].map((f) => (existsSync(join(dir, f)) ? `--- ${f}\n${readFileSync(join(dir, f), 'utf8').slice(-3000)}` : '')).join('\n'),
    stop() {
      spawnSync('scontrol', ['shutdown'], { env, timeout: 10_000 });
      // whatever did not stop: SIGTERM by pid file, then SIGKILL
      for (const f of ['slurmd.pid', 'slurmctld.pid', 'munged.pid']) {
        const pid = pidOf(join(dir, f));
        if (pid === null || !alive(pid)) continue;
        try {
          process.kill(pid, 'SIGTERM');
        } catch {
          /* gone */
        }
        const end = Date.now() + 5000;
        while (alive(pid) && Date.now() < end) spawnSync('sleep', ['0.1']);
        if (alive(pid)) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            /* gone */
          }
        }
      }
    },
  };
  try {
    execFileSync('munged', ['--force', `--key-file=${key}`, `--socket=${sock}`, `--pid-file=${join(dir, 'munged.pid')}`, `--log-file=${join(dir, 'munged.log')}`, `--seed-file=${join(dir, 'munge.seed')}`], { env, stdio: 'pipe' });
    execFileSync('slurmctld', ['-c', '-f', conf], { env, stdio: 'pipe' });
    execFileSync('slurmd', ['-f', conf], { env, stdio: 'pipe' });
    const end = Date.now() + 30_000;
    for (;;) {
      const state = spawnSync('sinfo', ['-h', '-o', '%t'], { env, encoding: 'utf8' }).stdout?.trim();
      if (state === 'idle') break;
      if (Date.now() > end) throw new Error(`the Slurm node is not idle after 30 s (state '${state}')\n${slurm.logs()}`);
      await sleep(200);
    }
    return slurm;
  } catch (e) {
    slurm.stop();
    throw e;
  }
}
