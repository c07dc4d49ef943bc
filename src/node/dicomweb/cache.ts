/**
 * Retrieved DICOM instances kept on disk, one file per instance named `<SOPInstanceUID>.dcm` in one
 * folder (the UID checked as a UID first, so no server answer can name a path outside the folder),
 * bounded in total size, least recently used out. An instance's last use is the modification time of an
 * empty marker beside it (`<SOPInstanceUID>.used`), never of the instance itself: touching the instance
 * changes its ctime, and a reader that opened it earlier (another open of the same series, a batch row)
 * would then refuse it as "changed on disk". The source keeps each study's and series' metadata beside
 * them (`study-<UID>.json`, `series-<UID>.json`).
 */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../atomicWrite';
import { checkUid } from './url';

export const DEFAULT_CACHE_BYTES = 4 * 1024 * 1024 * 1024;

export class InstanceCache {
  constructor(
    readonly dir: string,
    readonly maxBytes = DEFAULT_CACHE_BYTES,
  ) {}

  /** The file of an instance (its UID checked: digits and dots only). */
  pathFor(sopInstanceUid: string): string {
    return join(this.dir, `${checkUid(sopInstanceUid, 'SOP instance')}.dcm`);
  }

  /** The cached file of an instance, marked as just used, or null when it is not cached. */
  async get(sopInstanceUid: string): Promise<string | null> {
    const p = this.pathFor(sopInstanceUid);
    try {
      const st = await fs.lstat(p);
      if (!st.isFile()) return null;
      await this.markUsed(sopInstanceUid);
      return p;
    } catch {
      return null;
    }
  }

  /** Writes an instance's bytes (atomically) and returns its file. */
  async put(sopInstanceUid: string, bytes: Uint8Array): Promise<string> {
    const p = this.pathFor(sopInstanceUid);
    await fs.mkdir(this.dir, { recursive: true });
    await writeFileAtomic(p, bytes);
    return p;
  }

  async remove(sopInstanceUid: string): Promise<void> {
    await fs.rm(this.pathFor(sopInstanceUid), { force: true });
    await fs.rm(this.markerFor(sopInstanceUid), { force: true });
  }

  /** The empty file whose modification time is the instance's last use. */
  private markerFor(sopInstanceUid: string): string {
    return join(this.dir, `${checkUid(sopInstanceUid, 'SOP instance')}.used`);
  }

  private async markUsed(sopInstanceUid: string): Promise<void> {
    const m = this.markerFor(sopInstanceUid);
    const now = new Date();
    try {
      // lutimes: a marker that is a link (not ours) never dates the file it points to.
      await fs.lutimes(m, now, now);
    } catch {
      try {
        await fs.writeFile(m, '');
      } catch {
        // the use time is a hint for trimming only: the instance is there either way
      }
    }
  }

  /**
   * Removes the least recently used instances until the folder holds at most maxBytes, never one of
   * `keep` (the series being read). Returns the number of files removed.
   */
  async trim(keep: ReadonlySet<string> = new Set()): Promise<number> {
    let names: string[];
    try {
      names = await fs.readdir(this.dir);
    } catch {
      return 0;
    }
    const files: { path: string; size: number; used: number; marker?: string }[] = [];
    const present = new Set(names);
    // A time ahead of now (a wrong clock, a hand-touched marker) is no use at all: it would keep its
    // instance as the newest for as long as that date lies ahead. It counts as unknown (oldest) instead.
    const latest = Date.now() + 60_000;
    const when = (ms: number) => (ms > latest ? 0 : ms);
    for (const n of names) {
      if (!/^[0-9.]+\.dcm$|^(study|series)-[0-9.]+\.json$/.test(n)) continue; // instances, and the metadata kept beside them
      const path = join(this.dir, n);
      const markerName = n.endsWith('.dcm') ? `${n.slice(0, -4)}.used` : null;
      try {
        const st = await fs.lstat(path);
        if (!st.isFile()) continue;
        let used = when(st.mtimeMs);
        if (markerName !== null && present.has(markerName)) {
          try {
            used = Math.max(used, when((await fs.lstat(join(this.dir, markerName))).mtimeMs));
          } catch {
            // removed meanwhile: the instance's own time
          }
        }
        files.push({ path, size: st.size, used, ...(markerName !== null ? { marker: join(this.dir, markerName) } : {}) });
      } catch {
        // removed meanwhile
      }
    }
    let total = files.reduce((a, f) => a + f.size, 0);
    files.sort((a, b) => a.used - b.used);
    let removed = 0;
    for (const f of files) {
      if (total <= this.maxBytes) break;
      if (keep.has(f.path)) continue;
      await fs.rm(f.path, { force: true });
      if (f.marker) await fs.rm(f.marker, { force: true });
      total -= f.size;
      removed++;
    }
    return removed;
  }
}
