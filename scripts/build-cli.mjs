// Bundles the command line (src/cli + src/core) into out/cli/paraspine.mjs with esbuild, plus the
// decoder worker (out/cli/decodeWorker.mjs, started by src/node/decoderPool.ts) and the batch worker
// (out/cli/batchWorker.mjs, src/node/batch/run.ts). Split into chunks so a
// command loads only the code and packages it uses (`info` never loads the mask readers or zod).
// Runs on `npm ci` (prepare) so `npx paraspine` works right after install.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';

rmSync('out/cli', { recursive: true, force: true });
await build({
  entryPoints: { paraspine: 'src/cli/main.ts', decodeWorker: 'src/node/decodeWorker.ts', batchWorker: 'src/node/batch/worker.ts' },
  outdir: 'out/cli',
  outExtension: { '.js': '.mjs' },
  chunkNames: 'chunks/[name]-[hash]',
  splitting: true,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  // Codec packages ship wasm/emscripten glue that locates its files at run time: keep them external.
  packages: 'external',
  logLevel: 'warning',
});
