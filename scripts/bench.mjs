#!/usr/bin/env node
// `npm run bench`: bundles scripts/bench-entry.ts with esbuild (dependencies stay external, resolved
// from this repository's node_modules) and runs it. Prints figures; asserts nothing.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// The whole-process figures run the built CLI and the decoder pool its worker bundle: build both first.
process.chdir(root);
await import('./build-cli.mjs');
const outDir = join(root, '.bench'); // git-ignored; node_modules may be shared between checkouts
mkdirSync(outDir, { recursive: true });
const outfile = join(outDir, 'bench.mjs');
await build({
  entryPoints: [join(root, 'scripts', 'bench-entry.ts')],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  logLevel: 'warning',
});
const r = spawnSync(process.execPath, [outfile], { stdio: 'inherit', env: process.env });
process.exit(r.status ?? 1);
