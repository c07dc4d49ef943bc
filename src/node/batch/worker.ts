/**
 * The batch's worker thread (piscina): measures one row per task (row.ts). Frames are decoded on this
 * thread: a worker never starts its own decoder pool (jobs x cores threads otherwise).
 */
import { setDecoderWorkers } from '../decoderPool';
import { useBlockingFileReads } from '../dicomFiles';
import { measureRow, type RowPart, type RowTask } from './row';

setDecoderWorkers(0);
useBlockingFileReads(true);

export default function run(task: RowTask): Promise<RowPart> {
  return measureRow(task);
}
