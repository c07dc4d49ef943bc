/**
 * Start the browser-mode bridge (`node scripts/web.mjs`, what `npm run web` runs) with a fresh
 * temporary user-data folder and workspace, and read the page URL (with its token) it prints.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface RunningBridge {
  pageUrl: string;
  origin: string;
  token: string;
  userData: string;
  workspace: string;
  stop(): Promise<void>;
  output(): string;
}

export const REPO_ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');

export async function startWebBridge(): Promise<RunningBridge> {
  const base = mkdtempSync(path.join(os.tmpdir(), 'paraspine-e2e-'));
  const userData = path.join(base, 'user-data');
  const workspace = path.join(base, 'workspace');
  mkdirSync(workspace, { recursive: true });
  return launch([], userData, workspace);
}

/** The bridge on the demo written in `dir` (`web.mjs --demo --demo-dir DIR`: it opens the demo, its workspace is DIR/workspace). */
export async function startDemoBridge(dir: string, userData: string): Promise<RunningBridge> {
  return launch(['--demo', '--demo-dir', dir], userData, path.join(dir, 'workspace'));
}

/** The bridge opening `folder` at start (`web.mjs --open FOLDER`: the page URL names it); `workspace` is where the test sets it. */
export async function startOpeningBridge(folder: string, userData: string, workspace: string): Promise<RunningBridge> {
  return launch(['--open', folder], userData, workspace);
}

async function launch(args: string[], userData: string, workspace: string): Promise<RunningBridge> {
  const child: ChildProcess = spawn(process.execPath, ['scripts/web.mjs', ...args, '--user-data', userData, '--port', '0'], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PARASPINE_PORT: '' },
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const pageUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => (child.kill('SIGTERM'), reject(new Error(`bridge did not print its address within 240 s:\n${out}`))), 240_000);
    const check = () => {
      const m = /(http:\/\/127\.0\.0\.1:\d+\/\?token=[^\s]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', check);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`bridge exited with ${code}:\n${out}`));
    });
  });
  const u = new URL(pageUrl);
  return {
    pageUrl,
    origin: u.origin,
    token: decodeURIComponent(u.searchParams.get('token')!),
    userData,
    workspace,
    output: () => out,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5000);
      }),
  };
}
