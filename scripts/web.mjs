// `npm run web`: build the renderer when it is missing or older than its sources, bundle the bridge
// (src/node/bridge/cli.ts -> out/bridge/cli.mjs) and start it. Extra arguments go to the bridge
// (--port N, --renderer DIR, --user-data DIR, --open DIR). `--build-only` builds and exits (npm run build:web).
// `--demo` opens the demo CT (./demo, written by `paraspine demo` when missing or older than its code): --open demo/dicom, with
// demo/workspace as the workspace (--workspace: created and set, so a first save works at once) and, unless
// --user-data is given, demo/user-data as the settings folder (the demo's workspace does not replace yours).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);
const args = process.argv.slice(2);
const buildOnly = args.includes('--build-only');
const force = args.includes('--rebuild') || buildOnly;

function newestMtime(dir) {
  let newest = 0;
  if (!existsSync(dir)) return newest;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

const indexHtml = path.join(root, 'out/renderer/index.html');
const stale =
  !existsSync(indexHtml) ||
  Math.max(newestMtime('src/renderer'), newestMtime('src/core'), newestMtime('src/shared')) > statSync(indexHtml).mtimeMs;
if (force || stale) {
  console.log('Building the renderer (electron-vite build)...');
  const r = spawnSync(process.execPath, [path.join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

await build({
  entryPoints: ['src/node/bridge/cli.ts'],
  outfile: 'out/bridge/cli.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  packages: 'external',
  logLevel: 'warning',
});
if (buildOnly) process.exit(0);

// --demo-dir DIR: where the demo lies (default ./demo; the walkthrough test uses a temporary folder).
const demoDirAt = args.indexOf('--demo-dir');
const demoDir = path.resolve(demoDirAt >= 0 ? args[demoDirAt + 1] : path.join(root, 'demo'));
// (re)written when missing or older than the code that makes it (src/core/demo, src/node/demo)
const demoTruth = path.join(demoDir, 'truth.json');
const demoStale = !existsSync(demoTruth) || Math.max(newestMtime('src/core/demo'), newestMtime('src/node/demo')) > statSync(demoTruth).mtimeMs;
if (args.includes('--demo') && demoStale) {
  console.log(`Writing the demo CT to ${demoDir} (paraspine demo)...`);
  const steps = [[path.join(root, 'scripts/build-cli.mjs')], [path.join(root, 'bin/paraspine.mjs'), 'demo', demoDir]];
  for (const step of steps) {
    const r = spawnSync(process.execPath, step, { stdio: 'inherit' });
    if (r.status !== 0) process.exit(r.status ?? 1);
  }
}
const demoArgs = ['--open', path.join(demoDir, 'dicom'), '--workspace', path.join(demoDir, 'workspace'), ...(args.includes('--user-data') ? [] : ['--user-data', path.join(demoDir, 'user-data')])];
const bridgeArgs = args.filter((a, n) => a !== '--rebuild' && a !== '--demo-dir' && !(demoDirAt >= 0 && n === demoDirAt + 1)).flatMap((a) => (a === '--demo' ? demoArgs : [a]));
process.argv = [process.argv[0], path.join(root, 'out/bridge/cli.mjs'), ...bridgeArgs];
await import(pathToFileURL(path.join(root, 'out/bridge/cli.mjs')).href);
