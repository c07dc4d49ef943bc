/**
 * A real Orthanc with its DICOMweb plugin for the PACS tests: on 127.0.0.1, a free port, a temporary
 * storage folder (../shared/docs/STACK.md's recipe), stopped with SIGTERM. `orthancMissing` says why
 * the tests are skipped where Orthanc is not installed (.ci/run installs orthanc and orthanc-dicomweb).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DicomWebClient, jsonText } from '../../src/node/dicomweb/client';

const PLUGIN = '/usr/share/orthanc/plugins/libOrthancDicomWeb.so';

function orthancBinary(): string | null {
  for (const p of ['/usr/sbin/Orthanc', '/usr/bin/Orthanc']) if (existsSync(p)) return p;
  const which = spawnSync('sh', ['-c', 'command -v Orthanc'], { encoding: 'utf8' });
  return which.status === 0 && which.stdout.trim() ? which.stdout.trim() : null;
}

/** Why the Orthanc tests cannot run here, or null when they can. */
export const orthancMissing: string | null = !orthancBinary()
  ? 'Orthanc is not installed (apt-get install orthanc orthanc-dicomweb): PACS tests skipped'
  : !existsSync(PLUGIN)
    ? `the Orthanc DICOMweb plugin (${PLUGIN}) is not installed (apt-get install orthanc-dicomweb): PACS tests skipped`
    : null;

/** A TCP port free on 127.0.0.1 now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface Orthanc {
  /** http://127.0.0.1:PORT */
  readonly origin: string;
  /** The DICOMweb base URL (origin + /dicom-web). */
  readonly dicomWeb: string;
  /** POST /instances of one file's bytes. */
  upload(bytes: Uint8Array<ArrayBuffer>): Promise<void>;
  stop(): Promise<void>;
}

/** With `users`: Orthanc's HTTP basic authentication (AuthenticationEnabled, RegisteredUsers); the test's own requests send the first user. */
export async function startOrthanc(opts: { users?: Record<string, string> } = {}): Promise<Orthanc> {
  const first = Object.entries(opts.users ?? {})[0];
  const auth: Record<string, string> = first ? { Authorization: `Basic ${Buffer.from(`${first[0]}:${first[1]}`).toString('base64')}` } : {};
  const bin = orthancBinary();
  if (!bin) throw new Error(orthancMissing ?? 'no Orthanc');
  const dir = mkdtempSync(join(tmpdir(), 'paraspine-orthanc-'));
  const port = await freePort();
  const config = join(dir, 'orthanc.json');
  writeFileSync(
    config,
    JSON.stringify({
      Name: 'paraspine-test',
      HttpPort: port,
      StorageDirectory: join(dir, 'db'),
      IndexDirectory: join(dir, 'db'),
      DicomServerEnabled: false,
      RemoteAccessAllowed: false,
      AuthenticationEnabled: opts.users !== undefined,
      ...(opts.users ? { RegisteredUsers: opts.users } : {}),
      Plugins: [PLUGIN],
      DicomWeb: { Enable: true, Root: '/dicom-web/' },
    }),
  );
  const child: ChildProcess = spawn(bin, [config], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr?.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-4000)));
  const origin = `http://127.0.0.1:${port}`;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(killer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  // Started when /system answers (a few seconds at most; 30 s before giving up).
  for (let i = 0; ; i++) {
    try {
      const r = await fetch(`${origin}/system`, { headers: auth });
      if (r.ok) break;
    } catch {
      // not listening yet
    }
    if (child.exitCode !== null || i > 300) {
      await stop();
      throw new Error(`Orthanc did not start: ${log.slice(-1000)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    origin,
    dicomWeb: `${origin}/dicom-web`,
    async upload(bytes) {
      const r = await fetch(`${origin}/instances`, { method: 'POST', body: bytes, headers: auth });
      if (!r.ok) throw new Error(`upload refused: ${r.status} ${await r.text()}`);
    },
    stop,
  };
}

/**
 * Orthanc started as startOrthanc does, every file of `folder` uploaded, and the first study and its first
 * series found by QIDO-RS (with the first user's password where `users` is given): where the PACS tests
 * start from. Orthanc is stopped again when the upload or the look-up fails.
 */
export async function startOrthancWith(folder: string, opts: { users?: Record<string, string> } = {}): Promise<{ orthanc: Orthanc; study: string; series: string }> {
  const orthanc = await startOrthanc(opts);
  try {
    for (const f of readdirSync(folder)) await orthanc.upload(readFileSync(join(folder, f)));
    const first = Object.entries(opts.users ?? {})[0];
    const client = new DicomWebClient(orthanc.dicomWeb, first ? { credentials: async () => ({ kind: 'basic' as const, user: first[0], password: first[1] }) } : {});
    const study = jsonText((await client.searchStudies())[0]!, '0020000D');
    const series = jsonText((await client.searchSeries(study))[0]!, '0020000E');
    return { orthanc, study, series };
  } catch (e) {
    await orthanc.stop();
    throw e;
  }
}
