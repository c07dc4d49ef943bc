import { promises as fs } from 'node:fs';
import { z } from 'zod';
import path from 'node:path';
import { toUserError, UserError, type ErrorKind } from '../core/errors';
import { channels, type AppInfo, type Channel, type ChannelArgs, type ChannelResults, type ParaspineApi, type SeriesLocator } from '../shared/contract';
import { FolderAccess } from './access';
import { oneLine, writeFileAtomic } from './atomicWrite';
import { sourceFor, type OpenedSeries, type SeriesSource, type SeriesSources } from './seriesSource';
import type { SettingsStore } from './settings';
import { documentStem, loadDocument, saveDocument, saveDocumentCopy } from './workspace';
import { importMasks, type MaskService } from './importMasks';

/**
 * Every channel of ParaspineApi over the Node services. Electron IPC (src/main/index.ts) and the
 * browser-mode bridge (src/node/bridge/server.ts) both go through `dispatch`, which validates the
 * arguments with the contract's schemas and turns every failure into a one-line message.
 */

export type { MaskService };

export interface ApiOptions {
  mode: 'electron' | 'web';
  version: string;
  settings: SettingsStore;
  access: FolderAccess;
  /** One source of DICOM frames per locator kind (a folder today). */
  sources: SeriesSources;
  masks: MaskService;
  /** Native folder dialog (Electron). Absent in web mode, where the user types a path instead. */
  pickFolder?: () => Promise<string | null>;
  now?: () => Date;
}

/** A refused API call (kind 'usage' unless given): a UserError whose message is meant for the user as is. */
export class ApiError extends UserError {
  constructor(message: string, kind: ErrorKind = 'usage') {
    super(kind, message);
    this.name = 'ApiError';
  }
}

export interface ParaspineService extends ParaspineApi {
  /** Validate raw arguments (from IPC or HTTP) for a channel name and call it; every failure is a one-line UserError with its kind. */
  dispatch(channel: string, args: unknown): Promise<unknown>;
}

/** Series kept open (headers, no HU) for series:slices: the last few series:load opened. */
const OPEN_SERIES = 2;

export function isChannel(name: string): name is Channel {
  return Object.prototype.hasOwnProperty.call(channels, name);
}

/** Validate raw args for a channel; throws ApiError naming the argument and the problem. */
export function validateArgs<C extends Channel>(channel: C, args: unknown): ChannelArgs<C> {
  if (!Array.isArray(args)) throw new ApiError(`${channel}: arguments must be an array`);
  const items: readonly unknown[] = channels[channel].args.def.items;
  const expected = items.length;
  // Trailing optional arguments (added to a channel later) may be left out.
  let required = expected;
  while (required > 0 && items[required - 1] instanceof z.ZodOptional) required--;
  if (args.length > expected || args.length < required) {
    throw new ApiError(`${channel}: expects ${required === expected ? expected : `${required} to ${expected}`} argument(s), got ${args.length}`);
  }
  const r = channels[channel].args.safeParse(args);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    const where = issue.path.length ? `argument ${issue.path.map(String).join('.')}` : 'arguments';
    throw new ApiError(`${channel}: ${where}: ${issue.message}`);
  }
  return r.data as ChannelArgs<C>;
}

export function createApi(opts: ApiOptions): ParaspineService {
  const { access, settings, sources, masks } = opts;
  const now = opts.now ?? (() => new Date());
  const userTyped = opts.mode === 'web'; // in web mode a typed path is the user's pick
  /**
   * Series opened by series:load (their layout from the headers: no pixel data, no HU), most recent
   * last, for the series:slices calls that follow; a series not open (a bridge restarted) is opened then.
   */
  const opened = new Map<string, Promise<OpenedSeries>>();
  const openSeries = (key: string, locator: SeriesLocator, source: SeriesSource<SeriesLocator>, fresh: boolean): Promise<OpenedSeries> => {
    const known = fresh ? undefined : opened.get(key);
    if (known) {
      opened.delete(key); // most recently used goes last
      opened.set(key, known);
      return known;
    }
    const p = source.open(locator);
    opened.delete(key);
    opened.set(key, p);
    while (opened.size > OPEN_SERIES) opened.delete(opened.keys().next().value!);
    p.catch(() => {
      if (opened.get(key) === p) opened.delete(key);
    });
    return p;
  };

  const appInfo = (): AppInfo => {
    const s = settings.get();
    return { version: opts.version, workspace: s.workspace, recentFolders: s.recentFolders, mode: opts.mode };
  };

  const workspace = async (): Promise<string> => {
    const ws = settings.get().workspace;
    if (!ws) throw new ApiError('no workspace folder chosen yet: choose one where annotations are saved');
    return access.check(ws);
  };

  /** The locator with its path checked against the picked folders (real path), and its source. */
  const resolve = async (locator: SeriesLocator): Promise<{ locator: SeriesLocator; source: SeriesSource<SeriesLocator>; key: string }> => {
    const real = { ...locator, path: await access.check(locator.path) };
    return { locator: real, source: sourceFor(sources, real), key: JSON.stringify([real.kind, real.path, real.seriesUid]) };
  };

  const api: ParaspineApi = {
    async 'app:info'() {
      return appInfo();
    },

    async 'folder:pick'() {
      if (!opts.pickFolder) throw new ApiError('folder:pick is not available in the browser: type the folder path instead');
      const folder = await opts.pickFolder();
      if (folder === null) return null;
      return access.grant(folder);
    },

    async 'series:scan'(folder) {
      const real = userTyped ? await access.grant(folder) : await access.check(folder);
      const st = await fs.stat(real);
      if (!st.isDirectory()) throw new ApiError(`${folder}: not a folder`);
      const result = await sources.folder.list(real);
      await settings.addRecentFolder(real);
      // The folder as scanned (links resolved): the paths of series files and problems lie inside it.
      return { ...result, root: real };
    },

    async 'series:load'(locator) {
      const { locator: real, source, key } = await resolve(locator);
      // Headers only (read again: the files may have changed since the scan); the pixels come with series:slices.
      const r = await openSeries(key, real, source, true);
      return {
        summary: r.summary,
        geometry: r.geometry,
        huType: r.huType,
        // The series' own notes (its files left out are in them); folder-wide problems are in the scan result.
        warnings: [...r.warnings],
      };
    },

    async 'series:volume'(locator) {
      const { locator: real, source } = await resolve(locator);
      // Loaded for this call and handed over: the renderer holds the one copy from now on.
      return wholeBuffer((await source.load(real)).volume.hu);
    },

    async 'series:slices'(locator, { start, count }) {
      const { locator: real, source, key } = await resolve(locator);
      const series = await openSeries(key, real, source, false);
      const n = series.geometry.slices;
      if (start + count > n) throw new ApiError(`series:slices: slices ${start}..${start + count - 1} are outside the series' slices 0..${n - 1}`);
      const hu = await series.readSlices(start, count);
      return { start, count, huType: hu instanceof Int16Array ? 'int16' : 'float32', bytes: wholeBuffer(hu) };
    },

    async 'workspace:set'(folder) {
      const real = userTyped ? await access.grant(folder) : await access.check(folder);
      await settings.update((s) => {
        s.workspace = real;
      });
      return appInfo();
    },

    async 'annotations:load'(seriesUid) {
      const ws = await workspace();
      const r = await loadDocument(ws, seriesUid, now);
      return { document: r.document, problem: r.problem, revision: r.revision };
    },

    async 'annotations:save'(document, opts) {
      const ws = await workspace();
      return saveDocument(ws, document, now, opts ? { baseRevision: opts.baseRevision } : {});
    },

    async 'annotations:saveCopy'(document) {
      const ws = await workspace();
      return saveDocumentCopy(ws, document, now);
    },

    async 'masks:import'(req) {
      return importMasks({ access, masks, userTyped, now, resolve }, req);
    },

    async 'export:write'({ format, seriesUid, body }) {
      // The renderer computed the bytes (core's export on the volume it holds); this checks and writes them as given.
      const { checkExportBody } = await import('./exports');
      const { exportFileName } = await import('../core/export/formats');
      checkExportBody(format, body);
      const ws = await workspace();
      const dir = path.join(ws, 'exports');
      const file = path.join(dir, exportFileName(documentStem(seriesUid), format));
      await fs.mkdir(dir, { recursive: true });
      // exports/ must really be inside the workspace (not a link to elsewhere), and so must the file.
      const realDir = await fs.realpath(dir);
      if (!isInside(ws, realDir)) throw new ApiError(`export: ${dir} leads outside the workspace ${ws}: not written`);
      const realFile = await access.check(file);
      if (!isInside(ws, realFile)) throw new ApiError(`export: ${file} is outside the workspace ${ws}: not written`);
      await writeFileAtomic(file, body);
      return { path: file };
    },
  };

  const dispatch = async (channel: string, args: unknown): Promise<unknown> => {
    if (!isChannel(channel)) throw new ApiError(`unknown channel '${channel}'`, 'notFound');
    const valid = validateArgs(channel, args);
    try {
      const fn = api[channel] as (...a: unknown[]) => Promise<unknown>;
      return await fn(...(valid as unknown[]));
    } catch (e) {
      throw toUserError(e);
    }
  };

  return Object.assign(Object.create(null) as object, api, { dispatch }) as ParaspineService;
}

/** The bytes of a typed array, without a copy when it spans its whole buffer (loaded HU always do). */
function wholeBuffer(hu: Int16Array | Float32Array): ArrayBuffer {
  if (hu.byteOffset === 0 && hu.byteLength === hu.buffer.byteLength && hu.buffer instanceof ArrayBuffer) return hu.buffer;
  return hu.buffer.slice(hu.byteOffset, hu.byteOffset + hu.byteLength) as ArrayBuffer;
}

/** Whether a real path is the real folder `root` or inside it. */
function isInside(root: string, real: string): boolean {
  const rel = path.relative(root, real);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

export type { ChannelResults };

/**
 * Grant the folders the user picked in earlier sessions (workspace and recent folders remembered in
 * the settings, which only main writes). Folders that no longer exist are skipped.
 */
export async function grantRememberedFolders(access: FolderAccess, settings: SettingsStore): Promise<void> {
  const s = settings.get();
  for (const f of [...(s.workspace ? [s.workspace] : []), ...s.recentFolders]) {
    await access.grant(f).catch(() => undefined);
  }
}
