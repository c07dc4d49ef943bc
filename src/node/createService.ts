import path from 'node:path';
import { FolderAccess } from './access';
import { cleanInterruptedWrites } from './atomicWrite';
import { createApi, grantRememberedFolders, type ParaspineService } from './api';
import * as masks from './masks';
import { FolderSeriesSource } from './seriesSource';
import { DicomWebSeriesSource } from './dicomweb/source';
import { SettingsStore } from './settings';
import { FileSecretStore, type SecretStore } from './secrets';

/**
 * Wire the real services together (Electron main and the browser bridge both use this, so both
 * call the same functions). Loads the settings and grants the folders remembered from earlier picks.
 */
export async function createService(opts: {
  mode: 'electron' | 'web';
  version: string;
  userDataDir: string;
  pickFolder?: () => Promise<string | null>;
  /** Native open dialog for a manifest CSV (Electron): what the worklist's "Choose…" opens. */
  pickManifest?: () => Promise<string | null>;
  /** Where PACS credentials are kept (Electron: secrets.json encrypted by safeStorage); default secrets.json (mode 0600) beside the settings. */
  secrets?: SecretStore;
}): Promise<{ service: ParaspineService; settings: SettingsStore; access: FolderAccess }> {
  const settings = SettingsStore.inDir(opts.userDataDir);
  await settings.load();
  if (settings.problem) console.warn(`Paraspine settings: ${settings.problem}`);
  const access = new FolderAccess();
  await grantRememberedFolders(access, settings);
  // Temp files of saves a crash or kill interrupted (the documents themselves are whole: writes are atomic).
  const ws = settings.get().workspace;
  for (const dir of [opts.userDataDir, ...(ws ? [ws, path.join(ws, 'exports')] : [])]) await cleanInterruptedWrites(dir);
  const secrets = opts.secrets ?? FileSecretStore.inDir(opts.userDataDir);
  const service = createApi({
    mode: opts.mode,
    version: opts.version,
    settings,
    secrets,
    access,
    // Links in an opened folder are read only where they stay inside the folders the user opened.
    // DICOMweb series are retrieved into an instance cache in the user data folder (bounded, LRU), one
    // instance at a time (progress, cancel, the first slice as soon as it is in), with the saved credentials.
    sources: { folder: new FolderSeriesSource(undefined, undefined, (real) => access.readPolicy(real)), dicomweb: new DicomWebSeriesSource({ cacheDir: path.join(opts.userDataDir, 'dicomweb-cache'), perInstance: true, client: { credentials: (base) => secrets.get(base) } }) },
    masks: { loadMasks: (p, g, o) => masks.loadMasks(p, g, o), maskSource: (p, g, o) => masks.maskSource(p, g, o) },
    ...(opts.pickFolder ? { pickFolder: opts.pickFolder } : {}),
    ...(opts.pickManifest ? { pickManifest: opts.pickManifest } : {}),
  });
  return { service, settings, access };
}
