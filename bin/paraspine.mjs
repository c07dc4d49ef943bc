#!/usr/bin/env node
// Entry of the `paraspine` command; the bundle is built by `npm run build:cli` (run on install).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const bundle = new URL('../out/cli/paraspine.mjs', import.meta.url);
if (!existsSync(fileURLToPath(bundle))) {
  process.stderr.write('paraspine: the command line is not built yet; run `npm run build:cli` in the project folder\n');
  process.exit(2);
}
const { main } = await import(bundle.href);
process.exitCode = await main(process.argv.slice(2));
