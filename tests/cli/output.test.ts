import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { defaultOutput } from '../../src/cli/main';
import { tmpDir } from '../node/helpers';

/** Every byte value, including the ones no UTF-8 text conversion would keep (0x80..0xff alone). */
const ALL_BYTES = Uint8Array.from({ length: 256 }, (_, i) => i);

describe('Output.emit: bytes are written as they are', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('to --out: the file holds exactly the bytes', async () => {
    const file = path.join(tmpDir(), 'export.bin');
    await defaultOutput.emit(ALL_BYTES, file);
    expect(Array.from(readFileSync(file))).toEqual(Array.from({ length: 256 }, (_, i) => i));
    // Text is still written as UTF-8.
    await defaultOutput.emit('Ä✓\n', file);
    expect(Array.from(readFileSync(file))).toEqual([0xc3, 0x84, 0xe2, 0x9c, 0x93, 0x0a]);
  });

  it('to stdout: the bytes reach stdout unconverted', async () => {
    const written: unknown[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation(((chunk: unknown, cb?: unknown) => {
      written.push(chunk);
      if (typeof cb === 'function') (cb as () => void)();
      return true;
    }) as typeof process.stdout.write);
    await defaultOutput.emit(ALL_BYTES);
    vi.restoreAllMocks();
    expect(written).toHaveLength(1);
    expect(written[0]).toBeInstanceOf(Uint8Array);
    expect(Array.from(written[0] as Uint8Array)).toEqual(Array.from({ length: 256 }, (_, i) => i));
  });
});
