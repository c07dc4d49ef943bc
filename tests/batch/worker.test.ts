/**
 * The batch worker (node/batch/worker.ts) decodes frames on its own thread: loading it leaves no
 * decoder pool to start (a pool per worker would be jobs x cores threads). And cli-progress writes
 * nothing to a stream that is not a terminal (so the batch prints its own plain lines there).
 */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { SingleBar } from 'cli-progress';
import { decoderParallelism, setDecoderWorkers } from '../../src/node/decoderPool';

describe('the batch worker', () => {
  it('sets its decoder pool to no threads (frames decoded inline)', async () => {
    setDecoderWorkers(4);
    expect(decoderParallelism()).toBe(Math.min(4, 8));
    await import('../../src/node/batch/worker');
    expect(decoderParallelism()).toBe(1);
    setDecoderWorkers(null);
  });
});

describe('cli-progress off a terminal', () => {
  it('writes nothing unless told (noTTYOutput)', () => {
    let written = '';
    const stream = new Writable({
      write(chunk: Buffer, _enc, done) {
        written += chunk.toString();
        done();
      },
    }) as Writable & { isTTY?: boolean };
    const bar = new SingleBar({ stream: stream as unknown as NodeJS.WritableStream, format: '{value}/{total}' });
    bar.start(3, 0);
    bar.update(2);
    bar.stop();
    expect(written).toBe('');
  });
});
