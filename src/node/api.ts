import { promises as fs } from 'node:fs';
import { z } from 'zod';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { DEFAULT_LEVELS, isLevel, type Level } from '../core/anatomy/anatomy';
import type { LevelMark, Roi } from '../core/annotations/document';
import { sliceZ } from '../core/geometry/volumeGeometry';
import { chosenSlice, runMaskPipeline, type MaskSource } from '../core/masks/pipeline';
import { identifyStructure } from '../core/metrics/records';
import { isVertebraMask } from '../core/masks/labels';
import { musclesOnSlice } from '../core/muscles/fromTotalSegmentator';
import { sliceIjToLps } from '../core/roi/contour';
import { maskToContours } from '../core/roi/maskToContours';
import { sliceView, type HuVolume } from '../core/volume';
import { toUserError, UserError, type ErrorKind } from '../core/errors';
import {
  channels,
  rootOf,
  scanRoot,
  type AppInfo,
  type MaskImportResult,
  type Channel,
  type ChannelArgs,
  type ChannelResults,
  type ParaspineApi,
  type SeriesLocator,
  type SeriesRoot,
} from '../shared/contract';
import { FolderAccess } from './access';
import { oneLine, writeFileAtomic } from './atomicWrite';
import type { LoadMasksOptions, LoadMasksResult } from './masks';
import { sourceFor, type OpenedSeries, type SeriesSource, type SeriesSources } from './seriesSource';
import type { SettingsStore } from './settings';
import { documentStem, loadDocument, saveDocument, saveDocumentCopy } from './workspace';

/**
 * Every channel of ParaspineApi over the Node services. Electron IPC (src/main/index.ts) and the
 * browser-mode bridge (src/node/bridge/server.ts) both go through `dispatch`, which validates the
 * arguments with the contract's schemas and turns every failure into a one-line message.
 */

export interface MaskService {
  loadMasks(path: string, geometry: HuVolume['geometry'], opts?: LoadMasksOptions): Promise<LoadMasksResult>;
  /** A source that reads (and inflates) a mask file once for all the pipeline's loads; without it each load reads again. */
  maskSource?(path: string, geometry: HuVolume['geometry'], opts?: { labels?: 'totalsegmentator' }): MaskSource;
}

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

/**
 * How a root of one kind is let through before its source reads; the handlers only call these, so a
 * new kind of root (DICOMweb) adds its gate in createApi and touches no handler.
 */
interface RootGate<R extends SeriesRoot> {
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

/** A stable key of a locator (its fields in name order), for the series kept open. */
function locatorKey(locator: SeriesLocator): string {
  return JSON.stringify(Object.entries(locator).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
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
  };
  const gateFor = (root: SeriesRoot): RootGate<SeriesRoot> => gates[root.kind] as RootGate<SeriesRoot>;

  /** The locator with its root let through by its kind's gate (a folder: its real path), and its source. */
  const resolve = async (locator: SeriesLocator): Promise<{ locator: SeriesLocator; source: SeriesSource<SeriesLocator>; key: string }> => {
    const root = await gateFor(rootOf(locator)).read(rootOf(locator));
    const real = { ...locator, ...root } as SeriesLocator;
    return { locator: real, source: sourceFor(sources, real), key: locatorKey(real) };
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

    async 'series:scan'(arg) {
      const given = scanRoot(arg);
      const gate = gateFor(given);
      const root = await gate.scan(given);
      const result = await sourceFor(sources, root).list(root);
      await gate.scanned(root);
      return { ...result, root: gate.label(root) };
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
      const levels: { level: Level; sliceIndex: number }[] = [];
      for (const l of req.levels) {
        if (!isLevel(l.level)) throw new ApiError(`masks:import: unknown level '${l.level}'`);
        levels.push({ level: l.level, sliceIndex: l.sliceIndex });
      }
      if (userTyped) await access.grant(await dirOf(req.masksPath));
      const masksPath = await access.check(req.masksPath);
      const { locator, source } = await resolve(req.series);
      const g = (await source.headers(locator)).geometry; // the geometry only: no HU is loaded for an import
      for (const l of levels) {
        if (l.sliceIndex >= g.slices) throw new ApiError(`masks:import: level ${l.level} slice ${l.sliceIndex} is outside 0..${g.slices - 1}`);
      }
      // The core mask pipeline: vertebra masks on every slice -> levels (proposed; the default ones
      // without requested levels) -> muscle masks only on the target slices (requested, else proposed).
      const labelOpt = req.labels ? { labels: req.labels } : {};
      // Mask files in the folder that are links leading outside the opened folders: listed, never read.
      const linked = await linksLeadingOutside(masksPath, access);
      const inner: MaskSource = masks.maskSource
        ? masks.maskSource(masksPath, g, labelOpt)
        : { load: (include, slices) => masks.loadMasks(masksPath, g, { ...labelOpt, include, ...(slices ? { slices: [...slices] } : {}) }) };
      const piped = await runMaskPipeline({
        source: linked.size ? { load: (include, slices) => inner.load((n) => !linked.has(n) && include(n), slices) } : inner,
        geometry: g,
        levels: levels.length ? levels.map((l) => l.level) : DEFAULT_LEVELS,
        ...(levels.length ? { slices: levels.map((l) => chosenSlice(g, l.level, l.sliceIndex, 'requested')) } : {}),
        include: (n) => !isVertebraMask(n) && identifyStructure(n).muscle !== null,
        vertebraeOnSlices: req.splitAutochthon === true, // the spine's position on each slice (core/muscles)
        vertebraCentroids: true, // labels for the sagittal view
      });
      const found = piped.found!;
      const problems = [...linked.values(), ...piped.vertebraProblems.map((p) => ({ path: p.path, reason: p.reason }))];
      const proposedLevels: LevelMark[] = found.levels.map((f) => ({ level: f.level, sliceIndex: f.sliceIndex, z: f.z, source: 'proposed', note: f.method }));
      for (const m of found.missing) if (!levels.length || levels.some((l) => l.level === m.level)) problems.push({ path: masksPath, reason: `${m.level}: ${m.reason}` });
      problems.push(...piped.structureProblems.map((p) => ({ path: p.path, reason: p.reason })));
      problems.push(...piped.notes.map((n) => ({ path: n.path, reason: `note: ${n.reason}` })));

      const stamp = now().toISOString();
      const rois: Roi[] = [];
      const splits: NonNullable<MaskImportResult['splits']> = [];
      // With splitAutochthon, TotalSegmentator classes to Paraspine muscles (core/muscles, as `measure
      // --split-autochthon`): the psoas is the iliopsoas component nearest the spine, each autochthon side
      // becomes multifidus + erector spinae (the split follows the fat plane, so the HU are read then).
      // Without it every muscle mask is traced as it is (iliopsoas -> psoas, autochthon -> autochthon).
      const split = req.splitAutochthon === true;
      const volume = split && piped.structures.some((m) => identifyStructure(m.name).muscle === 'autochthon') ? (await source.load(locator)).volume : undefined;
      const hu = (k: number) => (volume ? sliceView(volume, k) : new Float32Array(g.rows * g.columns)); // no autochthon: HU unused
      for (const [n, t] of piped.slices.entries()) {
        const structures = piped.structures.map((m) => ({ name: m.name, mask: m.sliceMasks[n]! }));
        const mapped = split
          ? musclesOnSlice({
              columns: g.columns,
              rows: g.rows,
              spacing: g,
              hu: hu(t.sliceIndex),
              structures,
              vertebrae: piped.vertebraSlices.map((v) => v.sliceMasks[n]!),
              level: t.level,
            })
          : {
              parts: structures.flatMap((m) => {
                const id = identifyStructure(m.name);
                return id.muscle && id.side ? [{ muscle: id.muscle, side: id.side, derived: false, mask: m.mask }] : [];
              }),
              cuts: [],
            };
        for (const part of mapped.parts) {
          const proposed = part.muscle === 'multifidus' || part.muscle === 'erectorSpinae' ? part.derived : false;
          for (const contour of maskToContours(part.mask, g.columns, g.rows, { connectivity: 8 })) {
            rois.push({
              id: randomUUID(),
              level: t.level!, // every target slice is a level here
              muscle: part.muscle,
              side: part.side,
              sliceIndex: t.sliceIndex,
              z: sliceZ(g, t.sliceIndex),
              pointsLps: sliceIjToLps(g, t.sliceIndex, contour),
              source: proposed ? 'proposed' : 'imported',
              createdAt: stamp,
              modifiedAt: stamp,
            });
          }
        }
        for (const c of mapped.cuts) {
          if (c.cutIj.length) splits.push({ level: t.level!, side: c.side, sliceIndex: t.sliceIndex, cutLps: sliceIjToLps(g, t.sliceIndex, c.cutIj) });
        }
      }
      if (rois.length === 0) problems.push({ path: masksPath, reason: 'no psoas/iliopsoas, autochthon or other muscle mask on the level slices' });
      const vertebrae = (piped.vertebraCentroids ?? []).map((v) => ({
        name: v.name.replace(/^vertebrae_/i, ''),
        sliceIndex: Math.round(v.sliceIndex),
        row: Math.round(v.row),
        column: Math.round(v.column),
      }));
      return { proposedLevels, rois, problems, ...(split ? { splits } : {}), vertebrae };
    },

    async 'export:write'({ format, seriesUid, content }) {
      // The renderer computed the bytes (core's export on the volume it holds); this only writes them.
      if (format === 'json') {
        try {
          JSON.parse(content);
        } catch (e) {
          throw new ApiError(`export: the JSON export is not valid JSON (${oneLine(e)})`);
        }
      }
      const ws = await workspace();
      const dir = path.join(ws, 'exports');
      const file = path.join(dir, `${documentStem(seriesUid)}.measurements.${format}`);
      await fs.mkdir(dir, { recursive: true });
      // exports/ must really be inside the workspace (not a link to elsewhere), and so must the file.
      const realDir = await fs.realpath(dir);
      if (!isInside(ws, realDir)) throw new ApiError(`export: ${dir} leads outside the workspace ${ws}: not written`);
      const realFile = await access.check(file);
      if (!isInside(ws, realFile)) throw new ApiError(`export: ${file} is outside the workspace ${ws}: not written`);
      await writeFileAtomic(file, content);
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

/** The bytes of a typed array, without a copy when it spans its whole buffer (read slices always do). */
function wholeBuffer(hu: Int16Array | Float32Array): ArrayBuffer {
  if (hu.byteOffset === 0 && hu.byteLength === hu.buffer.byteLength && hu.buffer instanceof ArrayBuffer) return hu.buffer;
  return hu.buffer.slice(hu.byteOffset, hu.byteOffset + hu.byteLength) as ArrayBuffer;
}

/** Whether a real path is the real folder `root` or inside it. */
function isInside(root: string, real: string): boolean {
  const rel = path.relative(root, real);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

const NIFTI_NAME = /\.nii(\.gz)?$/i;

/**
 * The mask files of a masks folder that are symbolic links whose real target lies outside the folders
 * the user opened, keyed by their structure name (the file name without .nii / .nii.gz), each with its
 * problem. Empty for a single file (its own path is checked by access.check).
 */
async function linksLeadingOutside(masksPath: string, access: FolderAccess): Promise<Map<string, { path: string; reason: string }>> {
  const out = new Map<string, { path: string; reason: string }>();
  let entries;
  try {
    entries = await fs.readdir(masksPath, { withFileTypes: true });
  } catch {
    return out; // a file, or unreadable: the mask loader says why
  }
  for (const ent of entries) {
    if (!ent.isSymbolicLink() || !NIFTI_NAME.test(ent.name) || ent.name.startsWith('.')) continue;
    const file = path.join(masksPath, ent.name);
    const real = await fs.realpath(file).catch(() => null);
    if (real === null) continue; // a broken link: the loader lists it
    const refused = access.readPolicy(real);
    if (refused) out.set(ent.name.replace(NIFTI_NAME, ''), { path: file, reason: refused });
  }
  return out;
}

/** The folder of a path: itself when it is a folder, else its parent (a NIfTI file's folder). */
async function dirOf(p: string): Promise<string> {
  try {
    const st = await fs.stat(p);
    return st.isDirectory() ? p : path.dirname(p);
  } catch {
    throw new ApiError(`${p}: not found`, 'notFound');
  }
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
