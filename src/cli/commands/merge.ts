/** `paraspine merge OUT SHARD...`: the shards of a `batch --shard I/N` run joined into one result (node/batch/merge.ts). */
import { mergeShards } from '../../node/batch/merge';
import { parse, UsageError, type OptionTable } from '../args';
import type { Output } from '../main';

/** `merge` has no options (its parser and its help). */
export const MERGE_OPTIONS = {} as const satisfies OptionTable;

export async function runMerge(argv: string[], out: Output): Promise<number> {
  const { positionals } = parse(argv, MERGE_OPTIONS, Number.MAX_SAFE_INTEGER);
  const [target, ...shards] = positionals;
  if (target === undefined || shards.length === 0) throw new UsageError('merge needs OUT and at least one shard result (paraspine merge OUT SHARD_CSV...)');
  const s = await mergeShards(target, shards);
  if (s.missing.length > 0) out.note(`warning: rows ${s.missing.join(', ')} are in no shard given`);
  out.note(`merge: ${s.rows} rows (${s.failed} failed) from ${shards.length} shards into ${target}`);
  return 0;
}
