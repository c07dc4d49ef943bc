import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_RECENT, SettingsStore } from '../../src/node/settings';
import { tmpDir } from './helpers';

describe('settings', () => {
  it('defaults, update persists atomically, recent folders most-recent-first without duplicates', async () => {
    const dir = tmpDir();
    const s = SettingsStore.inDir(dir);
    expect((await s.load()).recentFolders).toEqual([]);
    expect(s.problem).toBeNull();
    await s.update((x) => {
      x.window = { width: 1000, height: 700 };
      x.workspace = '/data/ws';
    });
    for (let n = 0; n < MAX_RECENT + 2; n++) await s.addRecentFolder(`/data/f${n}`);
    await s.addRecentFolder('/data/f5');
    const again = SettingsStore.inDir(dir);
    const loaded = await again.load();
    expect(loaded.window).toEqual({ width: 1000, height: 700 });
    expect(loaded.workspace).toBe('/data/ws');
    expect(loaded.recentFolders).toHaveLength(MAX_RECENT);
    expect(loaded.recentFolders[0]).toBe('/data/f5');
    expect(loaded.recentFolders.filter((f) => f === '/data/f5')).toHaveLength(1);
    expect((await fs.readdir(dir)).sort()).toEqual(['settings.json']);
  });

  it('a broken settings file gives defaults and a one-line problem', async () => {
    const dir = tmpDir();
    await fs.writeFile(path.join(dir, 'settings.json'), '{"version":1,"window":{"width":"wide"}}');
    const s = SettingsStore.inDir(dir);
    const loaded = await s.load();
    expect(loaded.window.width).toBe(1400);
    expect(s.problem).toMatch(/window\.width/);
    expect(s.problem).not.toContain('\n');
  });

  it('rejects invalid values', async () => {
    const s = SettingsStore.inDir(tmpDir());
    await s.load();
    await expect(
      s.update((x) => {
        x.window.width = 5;
      }),
    ).rejects.toThrow(/window\.width/);
  });
});
