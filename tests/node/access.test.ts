import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AccessError, FolderAccess } from '../../src/node/access';
import { tmpDir } from './helpers';

function setup() {
  const root = tmpDir();
  const picked = path.join(root, 'picked');
  const outside = path.join(root, 'outside');
  mkdirSync(path.join(picked, 'sub'), { recursive: true });
  mkdirSync(outside);
  writeFileSync(path.join(picked, 'sub', 'a.dcm'), 'x');
  writeFileSync(path.join(outside, 'secret.txt'), 'x');
  symlinkSync(outside, path.join(picked, 'escape'));
  symlinkSync(path.join(outside, 'secret.txt'), path.join(picked, 'secret-link'));
  symlinkSync(path.join(outside, 'not-yet'), path.join(picked, 'dangling'));
  return { root, picked, outside };
}

describe('FolderAccess', () => {
  it('allows the picked folder and anything inside it', async () => {
    const { picked } = setup();
    const a = new FolderAccess();
    expect(await a.grant(picked)).toBe(picked);
    expect(await a.check(picked)).toBe(picked);
    expect(await a.check(path.join(picked, 'sub', 'a.dcm'))).toBe(path.join(picked, 'sub', 'a.dcm'));
    // a file to be created inside
    expect(await a.check(path.join(picked, 'new', 'doc.json'))).toBe(path.join(picked, 'new', 'doc.json'));
  });

  it('refuses paths outside, including ../ and symlink escapes, with a one-line reason', async () => {
    const { picked, outside, root } = setup();
    const a = new FolderAccess();
    await a.grant(picked);
    const refused = [
      outside,
      path.join(outside, 'secret.txt'),
      path.join(picked, '..', 'outside', 'secret.txt'),
      `${picked}/sub/../../outside`,
      path.join(picked, 'escape'),
      path.join(picked, 'escape', 'secret.txt'),
      path.join(picked, 'secret-link'),
      path.join(picked, 'dangling'),
      `${picked}-sibling`, // same prefix, different folder
      root,
      '/',
    ];
    for (const p of refused) {
      const err = await a.check(p).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err, p).toBeInstanceOf(AccessError);
      expect((err as Error).message).not.toContain('\n');
    }
    await expect(a.check(path.join(picked, 'escape'))).rejects.toThrow(/outside the folders you opened/);
    await expect(a.check(path.join(picked, 'dangling'))).rejects.toThrow(/broken symbolic link/);
  });

  it('refuses relative and empty paths, and nothing is allowed before a pick', async () => {
    const { picked } = setup();
    const a = new FolderAccess();
    await expect(a.check(picked)).rejects.toThrow(/outside the folders you opened/);
    await a.grant(picked);
    await expect(a.check('picked/sub')).rejects.toThrow(/not an absolute path/);
    await expect(a.check('')).rejects.toThrow(/empty path/);
    await expect(a.check(`${picked}/\0x`)).rejects.toThrow(/NUL/);
  });

  it('grant needs an existing folder', async () => {
    const { picked } = setup();
    const a = new FolderAccess();
    await expect(a.grant(path.join(picked, 'nope'))).rejects.toThrow(/folder not found/);
    await expect(a.grant(path.join(picked, 'sub', 'a.dcm'))).rejects.toThrow(/not a folder/);
    expect(a.list()).toEqual([]);
  });
});
