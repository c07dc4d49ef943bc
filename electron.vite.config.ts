import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';

/**
 * main    src/main/index.ts        -> out/main/index.js (ESM, package "type": "module")
 * preload src/preload/index.ts     -> out/preload/index.cjs (CommonJS: an ESM preload cannot be sandboxed)
 * renderer src/renderer/index.html -> out/renderer (served by the app:// protocol in Electron and by
 *                                     the browser-mode bridge; both over a URL, never file://)
 */
const root = dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      rolldownOptions: { input: { index: resolve(root, 'src/main/index.ts') } },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      // Sandboxed preloads cannot require() packages: bundle everything (only electron stays external).
      externalizeDeps: false,
      rolldownOptions: {
        input: { index: resolve(root, 'src/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(root, 'src/renderer'),
    base: './',
    plugins: [react()],
    build: {
      outDir: resolve(root, 'out/renderer'),
      emptyOutDir: true,
      rolldownOptions: { input: { index: resolve(root, 'src/renderer/index.html') } },
    },
    worker: { format: 'es' },
    optimizeDeps: {
      include: ['dicom-parser', '@cornerstonejs/core', '@cornerstonejs/metadata', '@cornerstonejs/tools'],
    },
  },
});
