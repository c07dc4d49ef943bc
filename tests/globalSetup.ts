import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';

/** Build the CLI bundle once so the tests that spawn `bin/paraspine.mjs` run the current sources. */
export default function setup(): void {
  execFileSync(process.execPath, [resolve(__dirname, '../scripts/build-cli.mjs')], { stdio: 'inherit', cwd: resolve(__dirname, '..') });
}
