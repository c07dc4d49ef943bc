import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '../..');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return sources(p);
    return /\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name) ? [p] : [];
  });
}

function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)].map((m) => m[1]!);
}

/** Packages each layer may import (besides relative imports inside the allowed folders). */
const CORE_PACKAGES = new Set(['dicom-parser', 'pako', 'zod', 'nifti-reader-js']);

describe('layering', () => {
  it('src/core imports nothing from Node, the DOM, Electron, React, zustand or Cornerstone', () => {
    const bad: string[] = [];
    for (const f of sources(join(ROOT, 'src/core'))) {
      for (const spec of imports(f)) {
        if (spec.startsWith('.')) {
          const target = relative(join(ROOT, 'src/core'), resolve(join(f, '..'), spec));
          if (target.startsWith('..')) bad.push(`${relative(ROOT, f)} imports ${spec} (outside src/core)`);
        } else if (!CORE_PACKAGES.has(spec)) bad.push(`${relative(ROOT, f)} imports ${spec}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('src/cli never imports Electron, React or Cornerstone', () => {
    const bad: string[] = [];
    for (const f of sources(join(ROOT, 'src/cli'))) {
      for (const spec of imports(f)) {
        if (/^(electron|react|react-dom|zustand|@cornerstonejs\/)/.test(spec) || spec.includes('/renderer/')) bad.push(`${relative(ROOT, f)} imports ${spec}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('only src/renderer/viewer imports Cornerstone (codec packages are plain decoders, allowed in Node services)', () => {
    const bad: string[] = [];
    for (const layer of ['src/core', 'src/main', 'src/cli', 'src/shared', 'src/preload', 'src/renderer']) {
      let files: string[] = [];
      try {
        files = sources(join(ROOT, layer));
      } catch {
        continue;
      }
      for (const f of files) {
        const rel = relative(ROOT, f);
        if (rel.startsWith('src/renderer/viewer/')) continue;
        for (const spec of imports(f)) if (/^@cornerstonejs\/(core|tools|dicom-image-loader|metadata|utils)/.test(spec)) bad.push(`${rel} imports ${spec}`);
      }
    }
    expect(bad).toEqual([]);
  });
});
