import { promises as fs } from 'node:fs';
import path from 'node:path';
import { UserError, type ErrorKind } from '../core/errors';

/**
 * The folders the user picked (a dialog, a typed path in browser mode, or an earlier pick remembered
 * in the settings). Every path a renderer sends must resolve — after `..` and symbolic links — to one
 * of them or something inside one, or the call is refused with a one-line reason.
 */
export class AccessError extends UserError {
  constructor(message: string, kind: ErrorKind = 'access') {
    super(kind, message);
    this.name = 'AccessError';
  }
}

export class FolderAccess {
  /** Real paths of the granted folders. */
  private readonly roots = new Set<string>();

  /** Grant a folder the user picked; returns its real path. It must exist and be a directory. */
  async grant(folder: string): Promise<string> {
    const abs = requireAbsolute(folder);
    let real: string;
    try {
      real = await fs.realpath(abs);
    } catch {
      throw new AccessError(`${folder}: folder not found`, 'notFound');
    }
    const st = await fs.stat(real);
    if (!st.isDirectory()) throw new AccessError(`${folder}: not a folder`, 'usage');
    this.roots.add(real);
    return real;
  }

  list(): string[] {
    return [...this.roots];
  }

  /**
   * For a real path (links resolved): null when it lies in a granted folder, else the one-line reason
   * (what the folder source's read policy gives for a link that leads outside).
   */
  readPolicy(real: string): string | null {
    return this.allowedReal(real) ? null : `a link to ${real}, outside the folders you opened: not read`;
  }

  /** Whether a real path lies in a granted folder. */
  private allowedReal(real: string): boolean {
    for (const root of this.roots) {
      if (real === root) return true;
      const rel = path.relative(root, real);
      if (rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel)) return true;
    }
    return false;
  }

  /**
   * Check a path (existing, or to be created: then its nearest existing ancestor is resolved) and
   * return its real path; throws AccessError with a one-line reason when it is outside every picked folder.
   */
  async check(p: string): Promise<string> {
    const abs = requireAbsolute(p);
    const real = await realpathOrAncestor(abs);
    if (!this.allowedReal(real)) {
      throw new AccessError(`${p}: outside the folders you opened (open it with File > Open folder first)`);
    }
    return real;
  }
}

function requireAbsolute(p: string): string {
  if (typeof p !== 'string' || p.trim() === '') throw new AccessError('empty path', 'usage');
  if (p.includes('\0')) throw new AccessError('path contains a NUL character', 'usage');
  if (!path.isAbsolute(p)) throw new AccessError(`${p}: not an absolute path`, 'usage');
  return path.resolve(p);
}

/** realpath of p; for a path that does not exist yet, realpath of its nearest existing ancestor joined with the rest. */
async function realpathOrAncestor(abs: string): Promise<string> {
  const rest: string[] = [];
  let cur = abs;
  for (;;) {
    try {
      const real = await fs.realpath(cur);
      return rest.length ? path.join(real, ...rest.reverse()) : real;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw new AccessError(`${abs}: ${code ?? 'cannot resolve'}`);
      // A dangling symbolic link could point anywhere once its target is created: refuse it.
      const isLink = await fs.lstat(cur).then((st) => st.isSymbolicLink(), () => false);
      if (isLink) throw new AccessError(`${abs}: goes through a broken symbolic link`);
      const parent = path.dirname(cur);
      if (parent === cur) return abs;
      rest.push(path.basename(cur));
      cur = parent;
    }
  }
}
