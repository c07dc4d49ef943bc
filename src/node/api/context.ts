/**
 * What every channel module of the API shares (src/node/api.ts composes them): the options, the
 * workspace, and the series locators let through by their kind's gate to their source.
 */
import { promises as fs } from 'node:fs';
import type { HuVolume } from '../../core/volume';
import { UserError, type ErrorKind } from '../../core/errors';
import { rootOf, type AppInfo, type DicomWebSeriesRoot, type SeriesLocator, type SeriesRoot } from '../../shared/contract';
import { checkBaseUrl, checkUid } from '../dicomweb/url';
import type { FolderAccess } from '../access';
import type { MaskService } from '../importMasks';
import { sourceFor, type SeriesSource, type SeriesSources } from '../seriesSource';
import type { SettingsStore } from '../settings';
import { MemorySecretStore, type SecretStore } from '../secrets';

export type { MaskService };

export interface ApiOptions {
  mode: 'electron' | 'web';
  version: string;
  settings: SettingsStore;
  /** Credentials of the saved PACS servers, apart from the settings (none kept: in memory only). */
  secrets?: SecretStore;
  access: FolderAccess;
  /** One source of DICOM frames per locator kind (folders always; DICOMweb where given). */
  sources: SeriesSources;
  masks: MaskService;
  /** Native folder dialog (Electron). Absent in web mode, where the user types a path instead. */
  pickFolder?: () => Promise<string | null>;
  /** Native open dialog for a manifest CSV (Electron): worklist:pickManifest. Absent in web mode (the path is typed). */
  pickManifest?: () => Promise<string | null>;
  now?: () => Date;
}

/** A refused API call (kind 'usage' unless given): a UserError whose message is meant for the user as is. */
export class ApiError extends UserError {
  constructor(message: string, kind: ErrorKind = 'usage') {
    super(kind, message);
    this.name = 'ApiError';
  }
}

/**
 * How a root of one kind is let through before its source reads; the handlers only call these, so a
 * new kind of root (DICOMweb) adds its gate in createContext and touches no handler.
 */
export interface RootGate<R extends SeriesRoot> {
  /** The root series:scan lists: checked (granted first when the user typed it), else a one-line refusal. */
  scan(root: R): Promise<R>;
  /** A locator's root, checked before any of its series is read. */
  read(root: R): Promise<R>;
  /** After a scan: remembered as recently opened. */
  scanned(root: R): Promise<void>;
  /** What series:scan returns as the result's `root`. */
  label(root: R): string;
}

/** One gate per root kind: a kind added to the contract does not compile until it has one. */
type RootGates = { [K in SeriesRoot['kind']]: RootGate<Extract<SeriesRoot, { kind: K }>> };

/** A DICOMweb root with its URL normalised, or a one-line 'usage' refusal. */
function checkDicomWebRoot(root: DicomWebSeriesRoot): DicomWebSeriesRoot {
  try {
    return { kind: 'dicomweb', url: checkBaseUrl(root.url), studyUid: checkUid(root.studyUid, 'study') };
  } catch (e) {
    throw new ApiError((e as Error).message);
  }
}

/** A stable key of a locator (its fields in name order), for the series kept open. */
function locatorKey(locator: SeriesLocator): string {
  return JSON.stringify(Object.entries(locator).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** The options and shared services every channel module works with. */
export interface ApiContext {
  readonly opts: ApiOptions;
  readonly access: FolderAccess;
  readonly settings: SettingsStore;
  readonly secrets: SecretStore;
  readonly sources: SeriesSources;
  readonly masks: MaskService;
  readonly now: () => Date;
  /** In web mode a typed path is the user's pick. */
  readonly userTyped: boolean;
  appInfo(): AppInfo;
  /** The workspace folder (checked), or a one-line refusal when none is chosen. */
  workspace(): Promise<string>;
  /** The gate of a root's kind. */
  gateFor(root: SeriesRoot): RootGate<SeriesRoot>;
  /** The locator with its root let through by its kind's gate (a folder: its real path), and its source. */
  resolve(locator: SeriesLocator): Promise<{ locator: SeriesLocator; source: SeriesSource<SeriesLocator>; key: string }>;
}

export function createContext(opts: ApiOptions): ApiContext {
  const { access, settings, sources, masks } = opts;
  const now = opts.now ?? (() => new Date());
  const secrets = opts.secrets ?? new MemorySecretStore();
  const userTyped = opts.mode === 'web'; // in web mode a typed path is the user's pick

  const appInfo = (): AppInfo => {
    const s = settings.get();
    return { version: opts.version, workspace: s.workspace, recentFolders: s.recentFolders, mode: opts.mode, rater: s.rater };
  };

  const workspace = async (): Promise<string> => {
    const ws = settings.get().workspace;
    if (!ws) throw new ApiError('no workspace folder chosen yet: choose one where annotations are saved');
    return access.check(ws);
  };

  const gates: RootGates = {
    // A folder: inside the folders the user opened (its real path from now on).
    folder: {
      async scan(root) {
        const real = userTyped ? await access.grant(root.path) : await access.check(root.path);
        const st = await fs.stat(real);
        if (!st.isDirectory()) throw new ApiError(`${root.path}: not a folder`);
        return { kind: 'folder', path: real };
      },
      read: async (root) => ({ kind: 'folder', path: await access.check(root.path) }),
      async scanned(root) {
        await settings.addRecentFolder(root.path);
      },
      // The folder as scanned (links resolved): the paths of series files and problems lie inside it.
      label: (root) => root.path,
    },
    // A study on a DICOMweb server: http or https only, no credentials in the URL, the study UID a UID
    // (it becomes part of request paths); the server is only ever asked from here, never by the renderer.
    dicomweb: {
      scan: async (root) => checkDicomWebRoot(root),
      read: async (root) => checkDicomWebRoot(root),
      async scanned() {},
      label: (root) => `${root.url}/studies/${root.studyUid}`,
    },
  };
  const gateFor = (root: SeriesRoot): RootGate<SeriesRoot> => gates[root.kind] as RootGate<SeriesRoot>;

  /** The locator with its root let through by its kind's gate (a folder: its real path), and its source. */
  const resolve = async (locator: SeriesLocator): Promise<{ locator: SeriesLocator; source: SeriesSource<SeriesLocator>; key: string }> => {
    const root = await gateFor(rootOf(locator)).read(rootOf(locator));
    const real = { ...locator, ...root } as SeriesLocator;
    return { locator: real, source: sourceFor(sources, real), key: locatorKey(real) };
  };

  return { opts, access, settings, secrets, sources, masks, now, userTyped, appInfo, workspace, gateFor, resolve };
}
