import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';

/**
 * Write a file atomically: write a temp file beside it, fsync it, rename it over the target, then
 * fsync the directory (best effort). A crash at any moment leaves either the old or the new file,
 * never a half-written one.
 */
export async function writeFileAtomic(target: string, content: string | Uint8Array, opts: { mode?: number } = {}): Promise<void> {
  const dir = path.dirname(target);
  const tmp = path.join(dir, `.${path.basename(target)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  // A secret's file (mode 0600) is never readable by others, not even while it is written.
  const fh = await fs.open(tmp, 'wx', opts.mode ?? 0o644);
  try {
    await fh.writeFile(content);
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await fs.rename(tmp, target);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw e;
  }
  await fsyncDir(dir);
}

const TEMP_NAME = /^\..+\.tmp-(\d+)-[0-9a-f]{8}$/;

/**
 * Remove the temp files that interrupted atomic writes left in a folder (`.<name>.tmp-<pid>-<hex>`,
 * written by writeFileAtomic), unless the process that wrote one is still running. Returns the names
 * removed. The targets themselves are untouched: an interrupted write never replaced them.
 */
export async function cleanInterruptedWrites(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const m = TEMP_NAME.exec(name);
    if (!m) continue;
    const pid = Number(m[1]);
    if (pid !== process.pid && processAlive(pid)) continue;
    try {
      const st = await fs.lstat(path.join(dir, name));
      if (!st.isFile()) continue;
      await fs.rm(path.join(dir, name), { force: true });
      removed.push(name);
    } catch {
      /* gone already */
    }
  }
  return removed;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Copy a file atomically (temp + fsync + rename). */
export async function copyFileAtomic(from: string, to: string): Promise<void> {
  await writeFileAtomic(to, await fs.readFile(from));
}

async function fsyncDir(dir: string): Promise<void> {
  let fh: fs.FileHandle | undefined;
  try {
    fh = await fs.open(dir, 'r');
    await fh.sync();
  } catch {
    // Some platforms (Windows) cannot open or fsync a directory; the rename is still atomic there.
  } finally {
    await fh?.close().catch(() => undefined);
  }
}

export async function exists(p: string): Promise<boolean> {
  try {
    await fs.access(p);
    return true;
  } catch {
    return false;
  }
}

/** The first line of an error's message, without a stack trace or the Node error code prefix noise. */
export function oneLine(e: unknown): string {
  const msg = e instanceof Error ? e.message : typeof e === 'string' ? e : JSON.stringify(e);
  const line = (msg ?? 'unknown error').split(/\r?\n/).find((l) => l.trim() !== '') ?? 'unknown error';
  return line.trim();
}
