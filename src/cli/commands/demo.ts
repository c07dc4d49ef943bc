/** `paraspine demo DIR [--seed N]`: writes the synthetic demo CT, its masks and ground truth (src/node/demo). */
import path from 'node:path';
import { UserError } from '../../core/errors';
import { DEFAULT_DEMO_SEED, writeDemo } from '../../node/demo/generate';
import { parse, UsageError, type OptionTable } from '../args';
import type { Output } from '../main';

/** `demo`'s options (its parser and its help). */
export const DEMO_OPTIONS = {
  seed: { type: 'string', help: { text: 'Seed of the demo (the fat pixels and the UIDs follow it; the same seed writes the same bytes).', value: 'N', default: String(DEFAULT_DEMO_SEED) } },
} as const satisfies OptionTable;

export async function runDemo(argv: string[], out: Output): Promise<void> {
  const { values, positionals } = parse(argv, DEMO_OPTIONS, 1);
  const dir = positionals[0];
  if (!dir) throw new UsageError('demo needs a folder to write into (paraspine demo DIR)');
  const seed = values.seed === undefined ? DEFAULT_DEMO_SEED : Number(values.seed);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new UsageError(`--seed must be a whole number from 0 to 4294967295 (got '${values.seed}')`);
  const started = process.hrtime.bigint();
  let r;
  try {
    r = await writeDemo(path.resolve(dir), seed);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code) throw new UserError(code === 'EACCES' ? 'access' : 'input', `${dir}: cannot write the demo (${code})`);
    throw e;
  }
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  await out.emit(
    `Demo CT written to ${r.dir} (${r.files} files, ${r.bytes} bytes, ${(ms / 1000).toFixed(1)} s):\n` +
      `  series       ${r.dicom}\n  masks        ${r.masks}\n  multilabel   ${r.multilabel}\n  ground truth ${r.truth}\n` +
      `Measure it:   paraspine measure ${r.dicom} --masks ${r.masks} --levels auto\n`,
  );
}
