/**
 * Whether the window loads the renderer from a development server (`electron-vite dev` sets
 * ELECTRON_RENDERER_URL) instead of the built files under app://paraspine. The page it loads holds the
 * whole IPC API, so: never in a packaged app (anyone who can set an environment variable, in a shortcut
 * or a launcher, could otherwise point it at any web page), and in development only a plain http URL on
 * this machine's loopback. Pure (no electron import), so that a test can check the decision.
 */

export interface DevServer {
  /** The URL to load, as parsed (normalised). */
  readonly url: string;
  /** Its origin (`http://localhost:5173`): IPC is accepted from this origin's main frame. */
  readonly origin: string;
}

export interface DevServerDecision {
  readonly server: DevServer | null;
  /** Why a variable that was set is not used (one line for the console), else undefined. */
  readonly ignored?: string;
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** The dev server to use for ELECTRON_RENDERER_URL = `value` in an app that is (or is not) packaged. */
export function devServer(value: string | undefined, isPackaged: boolean): DevServerDecision {
  if (value === undefined || value === '') return { server: null };
  const shown = JSON.stringify(value.length > 200 ? `${value.slice(0, 200)}…` : value);
  if (isPackaged) return { server: null, ignored: `ELECTRON_RENDERER_URL ${shown} ignored: a packaged app loads only its own files` };
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { server: null, ignored: `ELECTRON_RENDERER_URL ${shown} ignored: not a URL` };
  }
  if (url.protocol !== 'http:' || !LOOPBACK_HOSTS.has(url.hostname) || url.username !== '' || url.password !== '') {
    return { server: null, ignored: `ELECTRON_RENDERER_URL ${shown} ignored: only an http URL on localhost, 127.0.0.1 or [::1] may serve the renderer` };
  }
  return { server: { url: url.href, origin: url.origin } };
}

/** Whether a request goes to the dev server: its http origin, or its websocket (hot reload) on the same host and port. */
export function isDevServerRequest(raw: string, server: DevServer): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  if (url.protocol === 'http:') return url.origin === server.origin;
  return url.protocol === 'ws:' && `http://${url.host}` === server.origin;
}
