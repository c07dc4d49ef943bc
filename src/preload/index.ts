/**
 * The preload (sandboxed, CommonJS): one typed function per IPC channel of the contract, plus
 * onMenuAction for application-menu events. Nothing else reaches the renderer.
 *
 * Main answers every call with { ok: true, value } or { ok: false, error } so the renderer sees a
 * plain one-line Error message (ipcRenderer.invoke would otherwise prefix its own text).
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { Channel, ChannelArgs, ChannelResults, MenuAction, ParaspinePreloadApi } from '../shared/contract';

// The channel list is repeated here (not imported with zod) to keep the sandboxed preload tiny;
// `satisfies` makes the type checker prove it is the contract's list, no more and no less.
const CHANNELS = [
  'app:info',
  'folder:pick',
  'series:scan',
  'series:load',
  'series:slices',
  'pacs:search',
  'pacs:servers',
  'pacs:saveServers',
  'pacs:store',
  'pacs:setCredentials',
  'pacs:progress',
  'pacs:cancel',
  'workspace:set',
  'settings:setRater',
  'worklist:open',
  'worklist:pickManifest',
  'worklist:lock',
  'worklist:readOnly',
  'worklist:refresh',
  'worklist:release',
  'annotations:load',
  'annotations:save',
  'annotations:saveCopy',
  'reads:status',
  'agreement:reads',
  'agreement:pdf',
  'masks:import',
  'export:write',
  'export:report',
] as const satisfies readonly Channel[];
type Missing = Exclude<Channel, (typeof CHANNELS)[number]>;
const allChannelsListed: [Missing] extends [never] ? true : Missing = true;
void allChannelsListed;

type Envelope<T> = { ok: true; value: T } | { ok: false; error: string; kind?: string };

function invoker<C extends Channel>(channel: C) {
  return async (...args: ChannelArgs<C>): Promise<ChannelResults[C]> => {
    const r = (await ipcRenderer.invoke(channel, ...args)) as Envelope<ChannelResults[C]>;
    if (!r.ok) throw Object.assign(new Error(r.error), { kind: r.kind ?? 'internal' });
    return r.value;
  };
}

const api = Object.fromEntries(CHANNELS.map((c) => [c, invoker(c)])) as unknown as ParaspinePreloadApi;

api.onMenuAction = (cb: (action: MenuAction) => void) => {
  const listener = (_e: IpcRendererEvent, action: MenuAction) => cb(action);
  ipcRenderer.on('menu:action', listener);
  return () => {
    ipcRenderer.removeListener('menu:action', listener);
  };
};

contextBridge.exposeInMainWorld('paraspine', api);
