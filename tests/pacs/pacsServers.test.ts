/** The PACS panel's saved servers (pacs:servers / pacs:saveServers) through the services' dispatch, kept in settings.json. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FolderAccess } from '../../src/node/access';
import { createApi } from '../../src/node/api';
import { SettingsStore } from '../../src/node/settings';

async function setup(existing?: unknown) {
  const userData = mkdtempSync(path.join(os.tmpdir(), 'paraspine-pacs-servers-'));
  if (existing !== undefined) writeFileSync(path.join(userData, 'settings.json'), JSON.stringify(existing));
  const settings = SettingsStore.inDir(userData);
  await settings.load();
  const api = createApi({ mode: 'web', version: '1.0.0', settings, access: new FolderAccess(), sources: { folder: { kind: 'folder' } as never }, masks: { loadMasks: async () => ({ masks: [], problems: [] }) } });
  return { api, settings, file: path.join(userData, 'settings.json') };
}

describe('saved PACS servers', () => {
  it('an older settings file without servers loads with none; saved servers are written to settings.json, address normalised', async () => {
    const { api, settings, file } = await setup({ version: 1, window: { width: 1400, height: 900 }, workspace: null, recentFolders: [], rater: 'R' });
    expect(settings.problem).toBeNull();
    expect(await api.dispatch('pacs:servers', [])).toEqual([]);
    const saved = await api.dispatch('pacs:saveServers', [[{ name: 'Orthanc', url: ' http://127.0.0.1:8042/dicom-web/ ' }]]);
    expect(saved).toEqual([{ name: 'Orthanc', url: 'http://127.0.0.1:8042/dicom-web', hasCredentials: false }]);
    const onDisk = JSON.parse(readFileSync(file, 'utf8')) as { pacsServers: unknown; rater: string };
    expect(onDisk.pacsServers).toEqual([{ name: 'Orthanc', url: 'http://127.0.0.1:8042/dicom-web' }]);
    expect(onDisk.rater).toBe('R');
    const again = SettingsStore.inDir(path.dirname(file));
    expect((await again.load()).pacsServers).toEqual([{ name: 'Orthanc', url: 'http://127.0.0.1:8042/dicom-web' }]);
  });

  it('an address with credentials, another scheme or not a URL is refused in one line naming the server; nothing is written', async () => {
    const { api } = await setup();
    await expect(api.dispatch('pacs:saveServers', [[{ name: 'Secret', url: 'https://u:p@pacs.example/dicom-web' }]])).rejects.toThrow("PACS server 'Secret': https://pacs.example/dicom-web: no user name or password in the URL");
    await expect(api.dispatch('pacs:saveServers', [[{ name: 'Files', url: 'file:///etc' }]])).rejects.toThrow(/^PACS server 'Files': file:\/\/\/etc: only http and https/);
    await expect(api.dispatch('pacs:saveServers', [[{ name: 'Junk', url: 'not a url' }]])).rejects.toThrow("PACS server 'Junk': not a url: not a valid URL");
    await expect(api.dispatch('pacs:saveServers', [[{ name: '', url: 'http://x' }]])).rejects.toThrow(/pacs:saveServers: argument 0\.0\.name/);
    expect(await api.dispatch('pacs:servers', [])).toEqual([]);
  });
});
