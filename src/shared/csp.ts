/**
 * The Content-Security-Policy of the app page, in Electron (app:// protocol) and in browser mode
 * (bridge). The only script exception is 'wasm-unsafe-eval' (the image codecs are WebAssembly).
 * Inline styles are allowed because React and Cornerstone set element styles.
 */
export const CSP = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self' blob:",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'none'",
].join('; ');
