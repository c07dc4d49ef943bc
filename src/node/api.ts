import { z } from 'zod';
import { toUserError } from '../core/errors';
import { channels, type Channel, type ChannelArgs, type ChannelResults, type ParaspineApi } from '../shared/contract';
import type { FolderAccess } from './access';
import { agreementChannels } from './api/agreement';
import { annotationChannels } from './api/annotations';
import { appChannels } from './api/app';
import { ApiError, createContext, type ApiOptions } from './api/context';
import { exportChannels } from './api/export';
import { maskChannels } from './api/masks';
import { pacsChannels } from './api/pacs';
import { seriesChannels } from './api/series';
import { guardedSaves, worklistChannels } from './api/worklist';
import type { SettingsStore } from './settings';

/**
 * Every channel of ParaspineApi over the Node services, composed from the channel modules in
 * src/node/api/ (app, series, annotations, masks, export; what they share is api/context.ts).
 * Electron IPC (src/main/index.ts) and the browser-mode bridge (src/node/bridge/server.ts) both go
 * through `dispatch`, which validates the arguments with the contract's schemas and turns every
 * failure into a one-line message.
 */

export { ApiError, type ApiOptions, type MaskService } from './api/context';

export interface ParaspineService extends ParaspineApi {
  /** Validate raw arguments (from IPC or HTTP) for a channel name and call it; every failure is a one-line UserError with its kind. */
  dispatch(channel: string, args: unknown): Promise<unknown>;
}

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
  const ctx = createContext(opts);
  const api: ParaspineApi = {
    ...appChannels(ctx),
    ...seriesChannels(ctx),
    ...pacsChannels(ctx),
    ...guardedSaves(ctx, annotationChannels(ctx)),
    ...worklistChannels(ctx),
    ...agreementChannels(ctx),
    ...maskChannels(ctx),
    ...exportChannels(ctx),
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

