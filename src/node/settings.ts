import { promises as fs } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { MAX_PACS_SERVERS, pacsServerSchema } from '../shared/contract';
import { oneLine, writeFileAtomic } from './atomicWrite';

/**
 * User settings: window size, recent folders, workspace path, rater name, saved PACS servers. One JSON file in the
 * user-data directory, written atomically. An unreadable file is replaced by defaults (and reported
 * through `problem`), never crashes the app.
 */
export const MAX_RECENT = 10;

const settingsSchema = z.object({
  version: z.literal(1),
  window: z.object({
    width: z.number().int().min(400).max(20000),
    height: z.number().int().min(300).max(20000),
    x: z.number().int().optional(),
    y: z.number().int().optional(),
    maximized: z.boolean().optional(),
  }),
  recentFolders: z.array(z.string().min(1)).max(100),
  workspace: z.string().min(1).nullable(),
  rater: z.string(),
  /** Saved DICOMweb servers (name, base URL); no authentication kept yet. Absent in older files. */
  pacsServers: z.array(pacsServerSchema).max(MAX_PACS_SERVERS).default([]),
  /** Worklist: minutes after its last refresh a series' editing lock is stale (may be taken over after a question); absent: 30. */
  worklistLockStaleMinutes: z.number().int().min(1).max(7 * 24 * 60).optional(),
});

export type Settings = z.infer<typeof settingsSchema>;

export function defaultSettings(): Settings {
  return { version: 1, window: { width: 1400, height: 900 }, recentFolders: [], workspace: null, rater: '', pacsServers: [] };
}

export class SettingsStore {
  private current: Settings = defaultSettings();
  /** Set by load() when the file existed but could not be used. */
  problem: string | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  /** The file on disk could not be used: the first write keeps it aside (`settings.json.unreadable-<time>`), never overwrites it. */
  private keepAside = false;

  constructor(readonly file: string) {}

  static inDir(userDataDir: string): SettingsStore {
    return new SettingsStore(path.join(userDataDir, 'settings.json'));
  }

  async load(): Promise<Settings> {
    this.problem = null;
    this.keepAside = false;
    let text: string;
    try {
      // Not a file (a folder, or a FIFO whose read would wait forever): refused, never read.
      if (!(await fs.stat(this.file)).isFile()) throw new Error('not a file');
      text = await fs.readFile(this.file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') this.problem = `${this.file}: cannot read (${oneLine(e)}); using defaults`;
      this.current = defaultSettings();
      return this.get();
    }
    try {
      const r = settingsSchema.safeParse(JSON.parse(text));
      if (r.success) this.current = r.data;
      else {
        const issue = r.error.issues[0]!;
        this.problem = `${this.file}: ${issue.path.join('.') || '(root)'}: ${issue.message}; using defaults`;
        this.current = defaultSettings();
        this.keepAside = true;
      }
    } catch (e) {
      this.problem = `${this.file}: not valid JSON (${oneLine(e)}); using defaults`;
      this.current = defaultSettings();
      this.keepAside = true;
    }
    return this.get();
  }

  get(): Settings {
    return structuredClone(this.current);
  }

  /** Apply a change and write the file atomically (writes are serialised). */
  async update(change: (s: Settings) => void): Promise<Settings> {
    const next = this.get();
    change(next);
    const r = settingsSchema.safeParse(next);
    if (!r.success) throw new Error(`invalid settings: ${r.error.issues[0]!.path.join('.')}: ${r.error.issues[0]!.message}`);
    this.current = r.data;
    const snapshot = JSON.stringify(r.data, null, 2) + '\n';
    const write = this.queue.then(async () => {
      await fs.mkdir(path.dirname(this.file), { recursive: true });
      if (this.keepAside) {
        const aside = `${this.file}.unreadable-${new Date().toISOString().replace(/[:.]/g, '-')}`;
        await fs.rename(this.file, aside).catch((e: NodeJS.ErrnoException) => {
          if (e.code !== 'ENOENT') throw e;
        });
        this.keepAside = false;
      }
      await writeFileAtomic(this.file, snapshot);
    });
    this.queue = write.catch(() => undefined);
    await write;
    return this.get();
  }

  addRecentFolder(folder: string): Promise<Settings> {
    return this.update((s) => {
      s.recentFolders = [folder, ...s.recentFolders.filter((f) => f !== folder)].slice(0, MAX_RECENT);
    });
  }
}
