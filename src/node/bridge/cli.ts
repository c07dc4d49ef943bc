/**
 * `npm run web`: start the browser-mode bridge over the built renderer and print its address.
 * Options: --port N (or PARASPINE_PORT), --renderer DIR (default out/renderer),
 * --user-data DIR (default PARASPINE_USER_DATA or ~/.config/paraspine-web), --open DIR (the page opens
 * that folder: `#open=DIR` in its address, as `npm run web -- --demo` does with the demo series),
 * --workspace DIR (created when missing and set as the workspace before the page opens: the demo's).
 */
import { mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { APP_VERSION } from '../../shared/appVersion';
import { createService } from '../createService';
import { startBridge } from './server';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const portArg = arg('--port');
  const port = portArg !== undefined ? Number(portArg) : undefined;
  if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port < 65536)) throw new Error(`--port must be 0..65535 (got ${portArg})`);
  const rendererDir = path.resolve(arg('--renderer') ?? 'out/renderer');
  const userDataDir = path.resolve(
    arg('--user-data') ?? process.env.PARASPINE_USER_DATA ?? path.join(process.env.XDG_CONFIG_HOME ?? path.join(os.homedir(), '.config'), 'paraspine-web'),
  );
  const { service } = await createService({ mode: 'web', version: APP_VERSION, userDataDir });
  const workspace = arg('--workspace');
  if (workspace) {
    // Set as the app does when the user types it (workspace:set grants and remembers it), so a first save works at once.
    await mkdir(path.resolve(workspace), { recursive: true });
    await service['workspace:set'](path.resolve(workspace));
  }
  const bridge = await startBridge({ service, rendererDir, ...(port !== undefined ? { port } : {}) });
  const open = arg('--open');
  const pageUrl = open ? `${bridge.pageUrl}#open=${encodeURIComponent(path.resolve(open))}` : bridge.pageUrl;
  console.log(`Paraspine ${APP_VERSION} (browser mode) at ${pageUrl}`);
  console.log('Open that address (it carries this session\'s access token). Ctrl+C stops the bridge.');
  const stop = () => {
    void bridge.close().finally(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((e: unknown) => {
  console.error(`paraspine web: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
  process.exit(1);
});
