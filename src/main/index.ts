/**
 * Electron main (thin): one window, the application menu, the app:// protocol that serves the built
 * renderer with a strict CSP, and one validated IPC entry point per contract channel. All work is
 * done by the services (src/node), which the browser bridge and the tests call directly.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { app, BrowserWindow, dialog, ipcMain, Menu, net, protocol, safeStorage, session, shell } from 'electron';
import { channels, MENU_ACTION_EVENT, type Channel, type MenuAction } from '../shared/contract';
import { CSP } from '../shared/csp';
import { isAllowedExternalLink } from '../shared/externalLinks';
import { devServer, isDevServerRequest } from './devServer';
import { menuTemplate } from './menu';
import { oneLine } from '../node/atomicWrite';
import { createService } from '../node/createService';
import { FileSecretStore, type SecretCodec } from '../node/secrets';
import type { ParaspineService } from '../node/api';
import type { SettingsStore } from '../node/settings';
import type { FolderAccess } from '../node/access';

const here = path.dirname(fileURLToPath(import.meta.url));
const RENDERER_DIR = path.join(here, '../renderer');
const PRELOAD = path.join(here, '../preload/index.cjs');
const APP_ORIGIN = 'app://paraspine';
/**
 * The dev server `electron-vite dev` names in ELECTRON_RENDERER_URL: used only when the app is not packaged
 * and the URL is http on the loopback (devServer.ts); otherwise null, and the app loads its own files.
 */
const DEV = (() => {
  const decision = devServer(process.env.ELECTRON_RENDERER_URL, app.isPackaged);
  if (decision.ignored) console.warn(`Paraspine: ${decision.ignored}`);
  return decision.server;
})();

protocol.registerSchemesAsPrivileged([
  { scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true, codeCache: true } },
]);

let win: BrowserWindow | null = null;
let service: ParaspineService;
let settings: SettingsStore;
let access: FolderAccess;

function send(action: MenuAction): void {
  win?.webContents.send(MENU_ACTION_EVENT, action);
}

async function pickFolder(): Promise<string | null> {
  const opts: Electron.OpenDialogOptions = { properties: ['openDirectory'] };
  const r = win ? await dialog.showOpenDialog(win, opts) : await dialog.showOpenDialog(opts);
  return r.canceled || r.filePaths.length === 0 ? null : r.filePaths[0]!;
}

async function pickManifest(): Promise<string | null> {
  const opts: Electron.OpenDialogOptions = { properties: ['openFile'], filters: [{ name: 'Manifest CSV', extensions: ['csv'] }, { name: 'All files', extensions: ['*'] }] };
  const r = win ? await dialog.showOpenDialog(win, opts) : await dialog.showOpenDialog(opts);
  return r.canceled || r.filePaths.length === 0 ? null : r.filePaths[0]!;
}

async function openFolder(folder: string | null): Promise<void> {
  if (!folder) return;
  try {
    const real = await access.grant(folder);
    await settings.addRecentFolder(real);
    buildMenu();
    send({ type: 'open-folder', folder: real });
  } catch (e) {
    dialog.showErrorBox('Paraspine', oneLine(e));
  }
}

function buildMenu(): void {
  const template = menuTemplate(
    { recentFolders: settings.get().recentFolders, isMac: process.platform === 'darwin', isPackaged: app.isPackaged },
    {
      send,
      pickFolder: () => void pickFolder().then(openFolder),
      openFolder: (f) => void openFolder(f),
      about: () =>
        void dialog.showMessageBox({
          type: 'info',
          title: 'About Paraspine',
          message: `Paraspine ${app.getVersion()}`,
          detail: 'Paraspinal muscle measurement on lumbar CT. Numbers are computed from HU pixels and your outlines.',
        }),
    },
  );
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}

/** Serve out/renderer under app://paraspine/ with the CSP; nothing outside that folder. */
function registerAppProtocol(): void {
  protocol.handle('app', async (req) => {
    const url = new URL(req.url);
    if (url.host !== 'paraspine') return new Response('not found', { status: 404 });
    const rel = decodeURIComponent(url.pathname === '/' ? '/index.html' : url.pathname);
    const file = path.resolve(RENDERER_DIR, '.' + rel);
    if (!file.startsWith(RENDERER_DIR + path.sep)) return new Response('not found', { status: 404 });
    try {
      await fs.access(file);
    } catch {
      return new Response('not found', { status: 404 });
    }
    const res = await net.fetch(pathToFileURL(file).href);
    const headers = new Headers(res.headers);
    headers.set('Content-Security-Policy', CSP);
    headers.set('X-Content-Type-Options', 'nosniff');
    if (file.endsWith('.wasm')) headers.set('Content-Type', 'application/wasm');
    return new Response(res.body, { status: res.status, headers });
  });
}

function lockDownSession(): void {
  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((_wc, _perm, cb) => cb(false));
  ses.setPermissionCheckHandler(() => false);
  // No remote content: only our own protocol (and the dev server during `electron-vite dev`).
  ses.webRequest.onBeforeRequest((details, cb) => {
    const u = details.url;
    const ok =
      u.startsWith(`${APP_ORIGIN}/`) ||
      u.startsWith('devtools://') ||
      u.startsWith('data:') ||
      u.startsWith('blob:') ||
      (DEV !== null && isDevServerRequest(u, DEV));
    cb({ cancel: !ok });
  });
  if (DEV) {
    ses.webRequest.onHeadersReceived((details, cb) => {
      cb({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CSP.replace("connect-src 'self'", "connect-src 'self' ws:")] } });
    });
  }
}

function isOurFrame(e: Electron.IpcMainInvokeEvent): boolean {
  if (!win || e.sender !== win.webContents) return false;
  const frame = e.senderFrame;
  if (!frame || frame !== win.webContents.mainFrame) return false;
  const origin = DEV ? DEV.origin : APP_ORIGIN;
  return frame.url.startsWith(origin + '/');
}

function registerIpc(): void {
  for (const channel of Object.keys(channels) as Channel[]) {
    ipcMain.handle(channel, async (e, ...args: unknown[]) => {
      if (!isOurFrame(e)) return { ok: false, error: `${channel}: refused: the call did not come from the Paraspine window` };
      try {
        const value = await service.dispatch(channel, args);
        if (channel === 'series:scan' || channel === 'folder:pick') buildMenu(); // recent folders changed
        return { ok: true, value };
      } catch (err) {
        // service.dispatch throws UserErrors (src/core/errors.ts): the kind travels with the message.
        const kind = err && typeof err === 'object' && typeof (err as { kind?: unknown }).kind === 'string' ? (err as { kind: string }).kind : 'internal';
        return { ok: false, error: oneLine(err), kind };
      }
    });
  }
}

async function createWindow(): Promise<void> {
  const s = settings.get();
  win = new BrowserWindow({
    width: s.window.width,
    height: s.window.height,
    ...(s.window.x !== undefined && s.window.y !== undefined ? { x: s.window.x, y: s.window.y } : {}),
    minWidth: 900,
    minHeight: 600,
    title: 'Paraspine',
    show: false,
    webPreferences: {
      preload: PRELOAD,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      sandbox: true,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
    },
  });
  if (s.window.maximized) win.maximize();
  win.once('ready-to-show', () => win?.show());

  const wc = win.webContents;
  wc.setWindowOpenHandler(({ url }) => {
    if (isAllowedExternalLink(url)) void shell.openExternal(url); // allow-listed links open in the user's browser, never in the app
    return { action: 'deny' };
  });
  wc.on('will-navigate', (e) => e.preventDefault());
  wc.on('will-redirect', (e) => e.preventDefault());
  wc.on('will-attach-webview', (e) => e.preventDefault());

  let saveTimer: NodeJS.Timeout | undefined;
  const saveBounds = () => {
    if (!win || win.isDestroyed()) return;
    const maximized = win.isMaximized();
    const b = win.getNormalBounds();
    void settings
      .update((st) => {
        st.window = { width: Math.max(400, b.width), height: Math.max(300, b.height), x: b.x, y: b.y, maximized };
      })
      .catch((err: unknown) => console.warn(`Paraspine: could not save window size: ${oneLine(err)}`));
  };
  const debounced = () => {
    clearTimeout(saveTimer);
    saveTimer = setTimeout(saveBounds, 500);
  };
  win.on('resize', debounced);
  win.on('move', debounced);
  win.on('close', () => {
    clearTimeout(saveTimer);
    saveBounds();
  });
  win.on('closed', () => {
    win = null;
  });

  await win.loadURL(DEV ? DEV.url : `${APP_ORIGIN}/index.html`);
}

/** safeStorage as the secret store's codec, or undefined where the OS offers no encryption (then the file's mode 0600 guards it). */
function safeStorageCodec(): SecretCodec | undefined {
  if (!safeStorage.isEncryptionAvailable()) return undefined;
  return {
    encrypt: (plain) => safeStorage.encryptString(plain).toString('base64'),
    decrypt: (sealed) => safeStorage.decryptString(Buffer.from(sealed, 'base64')),
  };
}

app.enableSandbox();

void app.whenReady().then(async () => {
  ({ service, settings, access } = await createService({
    mode: 'electron',
    version: app.getVersion(),
    userDataDir: app.getPath('userData'),
    pickFolder,
    pickManifest,
    // PACS credentials in secrets.json, each encrypted with safeStorage (the OS keychain) where it is available.
    secrets: FileSecretStore.inDir(app.getPath('userData'), safeStorageCodec()),
  }));
  registerAppProtocol();
  lockDownSession();
  registerIpc();
  buildMenu();
  await createWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) void createWindow();
  });
});

app.on('web-contents-created', (_e, contents) => {
  contents.on('will-navigate', (e) => e.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});
