/**
 * Changing the workspace from the header (browser mode types the path): the store sends the typed folder
 * to workspace:set and shows the services' answer; a refused folder leaves the workspace as it was, with
 * the reason shown.
 */
import { describe, expect, it } from 'vitest';
import type { ParaspineApi } from '../../src/shared/contract';
import { createAppStore } from '../../src/renderer/state/store';

function storeWith(refuse: (folder: string) => string | null) {
  const asked: string[] = [];
  let workspace = '/ws/first';
  const info = () => ({ version: '1', workspace, recentFolders: [], mode: 'web' as const });
  const api = {
    'app:info': async () => info(),
    'workspace:set': async (folder: string) => {
      asked.push(folder);
      const why = refuse(folder);
      if (why) throw new Error(why);
      workspace = folder;
      return info();
    },
  } as unknown as ParaspineApi;
  const store = createAppStore({ api: () => api, now: () => '2024-01-01T00:00:00Z', newId: () => 'id', rater: () => 'tester' });
  return { store, asked };
}

describe('workspace change', () => {
  it('a typed folder becomes the workspace', async () => {
    const { store, asked } = storeWith(() => null);
    await store.getState().init();
    expect(store.getState().appInfo?.workspace).toBe('/ws/first');
    await store.getState().setWorkspace('/ws/second');
    expect(asked).toEqual(['/ws/second']);
    expect(store.getState().appInfo?.workspace).toBe('/ws/second');
    expect(store.getState().error).toBeNull();
  });

  it('a refused folder keeps the old workspace and shows why', async () => {
    const { store } = storeWith((f) => `not a folder: ${f}`);
    await store.getState().init();
    await store.getState().setWorkspace('/nope');
    expect(store.getState().appInfo?.workspace).toBe('/ws/first');
    expect(store.getState().error).toContain('not a folder: /nope');
  });
});
