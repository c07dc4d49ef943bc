// Bundles the command line (src/cli + src/core) into out/cli/paraspine.mjs with esbuild.
// Runs on `npm ci` (prepare) so `npx paraspine` works right after install.
import { build } from 'esbuild';

await build({
  entryPoints: ['src/cli/main.ts'],
  outfile: 'out/cli/paraspine.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  // Codec packages ship wasm/emscripten glue that locates its files at run time: keep them external.
  packages: 'external',
  logLevel: 'warning',
});
