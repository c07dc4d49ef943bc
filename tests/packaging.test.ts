/**
 * The packaging configuration (electron-builder.yml): packaging itself is not run here (no Electron
 * binary can be downloaded), so this checks what it would build from: the files it names exist, the
 * icons are what their container formats say, the Electron fuses are set, every package the built CLI and
 * the main process's code load at run time is a runtime dependency, and nothing of tests, scripts or src
 * is packaged.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { decode } from 'fast-png';
import { describe, expect, it } from 'vitest';

const ROOT = path.join(__dirname, '..');
const at = (p: string) => path.join(ROOT, p);

type Yaml = string | boolean | Yaml[] | { [k: string]: Yaml };

/**
 * The block-YAML subset electron-builder.yml is written in (mappings, lists of scalars or of mappings,
 * plain or quoted scalars, comments): a few lines here rather than a YAML package in the dependencies.
 * A line outside the subset fails the test, so the file cannot drift into syntax this misreads.
 */
function readYaml(text: string): Yaml {
  const lines = text
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.trim().startsWith('#'))
    .map((l) => {
      const m = /^( *)(- )?(?:([A-Za-z][\w-]*):(?: +(.*))?|(.+))$/.exec(l);
      if (!m) throw new Error(`electron-builder.yml: line outside the YAML subset read here: ${l}`);
      return { indent: m[1]!.length, item: m[2] !== undefined, key: m[3], value: m[4] ?? m[5] };
    });
  const scalar = (v: string): Yaml => (v === 'true' ? true : v === 'false' ? false : v.replace(/^'(.*)'$/, '$1').replace(/^"(.*)"$/, '$1'));
  let i = 0;
  function block(indent: number): Yaml {
    if (lines[i]!.item) {
      const list: Yaml[] = [];
      while (i < lines.length && lines[i]!.indent === indent && lines[i]!.item) {
        const l = lines[i]!;
        if (l.key === undefined) {
          list.push(scalar(l.value!));
          i++;
        } else {
          // a mapping item: its first key on the dash line, the rest indented under it
          lines[i] = { ...l, indent: indent + 2, item: false };
          list.push(block(indent + 2));
        }
      }
      return list;
    }
    const map: Record<string, Yaml> = {};
    while (i < lines.length && lines[i]!.indent === indent && !lines[i]!.item) {
      const l = lines[i++]!;
      if (l.key === undefined) throw new Error(`electron-builder.yml: expected a key: ${l.value}`);
      map[l.key] = l.value !== undefined ? scalar(l.value) : block(lines[i]!.item ? lines[i]!.indent : lines[i]!.indent);
    }
    return map;
  }
  const doc = block(0);
  if (i !== lines.length) throw new Error(`electron-builder.yml: unexpected indentation at ${JSON.stringify(lines[i])}`);
  return doc;
}

const config = readYaml(readFileSync(at('electron-builder.yml'), 'utf8')) as Record<string, Yaml>;
const pkg = JSON.parse(readFileSync(at('package.json'), 'utf8')) as { main: string; dependencies: Record<string, string>; devDependencies: Record<string, string> };

/** Whether electron-builder's `files` patterns take a file (relative, '/'-separated): the last matching pattern decides. */
function packaged(file: string, patterns: string[]): boolean {
  let taken = false;
  for (const p of patterns) {
    const negated = p.startsWith('!');
    const glob = negated ? p.slice(1) : p;
    const re = new RegExp(
      '^' +
        glob
          .split(/(\*\*\/|\*\*|\*)/)
          .map((t) => (t === '**/' ? '(?:.*/)?' : t === '**' ? '.*' : t === '*' ? '[^/]*' : t.replace(/[.+?^${}()|[\]\\]/g, '\\$&')))
          .join('') +
        '$',
    );
    if (re.test(file)) taken = !negated;
  }
  return taken;
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

/** PNG images of an ICO file (header, 16-byte directory entries, PNG payloads): [entry width, png bytes]. */
function icoImages(bytes: Buffer): [number, Buffer][] {
  expect([bytes.readUInt16LE(0), bytes.readUInt16LE(2)]).toEqual([0, 1]);
  const n = bytes.readUInt16LE(4);
  return Array.from({ length: n }, (_, k) => {
    const e = 6 + 16 * k;
    const size = bytes.readUInt8(e) === 0 ? 256 : bytes.readUInt8(e);
    expect(bytes.readUInt8(e + 1) === 0 ? 256 : bytes.readUInt8(e + 1)).toBe(size);
    const len = bytes.readUInt32LE(e + 8);
    const off = bytes.readUInt32LE(e + 12);
    expect(off + len).toBeLessThanOrEqual(bytes.length);
    return [size, bytes.subarray(off, off + len)];
  });
}

/** Chunks of an ICNS file ('icns', big-endian length, then typed chunks). */
function icnsChunks(bytes: Buffer): [string, Buffer][] {
  expect([bytes.toString('latin1', 0, 4), bytes.readUInt32BE(4)]).toEqual(['icns', bytes.length]);
  const chunks: [string, Buffer][] = [];
  for (let o = 8; o < bytes.length; ) {
    const len = bytes.readUInt32BE(o + 4);
    expect(len).toBeGreaterThan(8);
    chunks.push([bytes.toString('latin1', o, o + 4), bytes.subarray(o + 8, o + len)]);
    o += len;
  }
  return chunks;
}

const pngSize = (png: Buffer) => {
  const img = decode(png);
  return [img.width, img.height];
};

describe('electron-builder.yml', () => {
  it('builds AppImage and deb, NSIS and dmg, with asar on', () => {
    expect((config.linux as Record<string, Yaml>).target).toEqual(['AppImage', 'deb']);
    expect((config.win as Record<string, Yaml>).target).toEqual(['nsis']);
    expect((config.mac as Record<string, Yaml>).target).toEqual(['dmg']);
    expect(config.asar).toBe(true);
  });

  it('sets the Electron fuses', () => {
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
    });
  });

  it('names files that exist: the icons (PNG 16..1024, ICO, ICNS as their formats say), the fonts, the build resources', () => {
    const icons: string[] = [config.icon as string, ...['linux', 'win', 'mac'].map((os) => (config[os] as Record<string, Yaml>).icon as string)];
    for (const f of icons) expect([f, existsSync(at(f))]).toEqual([f, true]);
    expect(existsSync(at((config.directories as Record<string, Yaml>).buildResources as string))).toBe(true);
    expect(pngSize(readFileSync(at(config.icon as string)))).toEqual([1024, 1024]);
    const linuxDir = (config.linux as Record<string, Yaml>).icon as string;
    for (const s of [16, 32, 48, 64, 128, 256, 512, 1024]) expect(pngSize(readFileSync(at(`${linuxDir}/${s}x${s}.png`)))).toEqual([s, s]);
    const ico = icoImages(readFileSync(at((config.win as Record<string, Yaml>).icon as string)));
    expect(ico.map(([s]) => s)).toEqual(expect.arrayContaining([16, 32, 48, 256]));
    for (const [s, png] of ico) expect(pngSize(png)).toEqual([s, s]);
    const icns = icnsChunks(readFileSync(at((config.mac as Record<string, Yaml>).icon as string)));
    const ICNS_SIZES: Record<string, number> = { icp4: 16, icp5: 32, icp6: 64, ic07: 128, ic08: 256, ic09: 512, ic10: 1024 };
    expect(icns.map(([t]) => t)).toEqual(expect.arrayContaining(['ic07', 'ic08', 'ic09', 'ic10']));
    for (const [t, png] of icns) expect([t, pngSize(png)]).toEqual([t, [ICNS_SIZES[t], ICNS_SIZES[t]]]);
    expect(readFileSync(at('resources/icon.svg'), 'utf8')).toMatch(/^<svg [^>]*viewBox="0 0 1024 1024"/);
    const extra = config.extraResources as Record<string, string>[];
    expect(extra).toContainEqual({ from: 'resources/fonts', to: 'fonts' });
    for (const e of extra) expect(readdirSync(at(e.from!)).some((f) => f.endsWith('.ttf'))).toBe(true);
  });

  it('packages the build output and package.json, nothing of tests, scripts or src', () => {
    const files = config.files as string[];
    for (const f of ['package.json', pkg.main, 'out/cli/paraspine.mjs', 'out/renderer/index.html', 'out/preload/index.cjs']) expect([f, packaged(f, files)]).toEqual([f, true]);
    for (const f of ['out/cli/paraspine.mjs.map']) expect([f, packaged(f, files)]).toEqual([f, false]);
    const tracked = execFileSync('git', ['ls-files', 'tests', 'scripts', 'src'], { cwd: ROOT, encoding: 'utf8' }).split('\n').filter(Boolean);
    expect(tracked.length).toBeGreaterThan(100);
    expect(tracked.filter((f) => packaged(f, files))).toEqual([]);
  });

  it('has every package the built CLI and the main-process code load at run time in dependencies', () => {
    const builtins = new Set(builtinModules);
    const isPackage = (name: string) => !name.startsWith('node:') && !builtins.has(name) && name !== 'electron';
    const pkgName = (spec: string) => spec.split('/').slice(0, spec.startsWith('@') ? 2 : 1).join('/');
    const needed = new Set<string>();
    // the built CLI (esbuild, packages external): its import and require specifiers
    const cliFiles = walk(at('out/cli')).filter((f) => f.endsWith('.mjs'));
    expect(cliFiles.length).toBeGreaterThan(0);
    for (const f of cliFiles) {
      for (const m of readFileSync(f, 'utf8').matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^import\s+)["']([^"'./][^"']*)["']/gm)) {
        if (isPackage(pkgName(m[1]!))) needed.add(pkgName(m[1]!));
      }
    }
    // the main process (electron-vite keeps "dependencies" external): every installed package its sources name,
    // also those loaded by name at run time (the codecs' loadFactory('@cornerstonejs/codec-…'))
    for (const dir of ['src/main', 'src/node', 'src/core', 'src/shared', 'src/cli']) {
      for (const f of walk(at(dir)).filter((f) => /\.ts$/.test(f) && !/\.(test|d)\.ts$/.test(f))) {
        for (const m of readFileSync(f, 'utf8').matchAll(/['"]((?:@[a-z0-9._-]+\/)?[a-z0-9][a-z0-9._-]*)(?:\/[^'"\s]*)?['"]/g)) {
          if (isPackage(m[1]!) && existsSync(at(`node_modules/${m[1]}/package.json`))) needed.add(m[1]!);
        }
      }
    }
    expect([...needed]).toEqual(expect.arrayContaining(['dcmjs', 'pdfkit', 'fast-png', 'zod', '@cornerstonejs/codec-openjpeg']));
    expect([...needed].filter((n) => !(n in pkg.dependencies)).sort()).toEqual([]);
    expect(Object.keys(pkg.devDependencies)).toContain('electron'); // electron-builder refuses electron in dependencies
  });
});
