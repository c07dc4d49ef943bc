import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LEVELS } from '../../src/core/anatomy/anatomy';
import { allBindings, SHORTCUTS } from '../../src/shared/shortcuts';
import { WINDOW_PRESETS } from '../../src/shared/windowPresets';

/** README's "Keyboard shortcuts" table: [keys cell, action cell] per row. */
function readmeRows(): [string, string][] {
  const text = readFileSync(resolve(__dirname, '../../README.md'), 'utf8');
  const section = text.slice(text.indexOf('### Keyboard shortcuts'));
  const rows: [string, string][] = [];
  for (const line of section.split('\n').slice(1)) {
    if (line.startsWith('#')) break;
    const m = /^\| (.+?) \| (.+) \|$/.exec(line);
    if (m && m[1] !== 'Key' && !/^-+$/.test(m[1]!)) rows.push([m[1]!, m[2]!]);
  }
  return rows;
}

const NAMES: Record<string, string> = { Up: 'ArrowUp', Down: 'ArrowDown', Left: 'ArrowLeft', Right: 'ArrowRight', Esc: 'Escape' };

/** The keys a README cell names, as 'Ctrl+k' or 'k' (Shift is checked apart; the mouse wheel is no key). */
function cellKeys(cell: string): string[] {
  const out: string[] = [];
  for (const raw of cell.replace(/[()]/g, ' / ').split(/[\s,]+|\s\/\s/)) {
    if (!raw || raw === '/' || raw === 'wheel') continue;
    const mod = /Ctrl\+/.test(raw);
    const key = raw.replace(/^(Ctrl\+|Shift\+)+/, '').replace(/^(Ctrl\+|Shift\+)+/, '');
    const range = /^(\d)\.\.(\d)$/.exec(key);
    const keys = range ? Array.from({ length: Number(range[2]) - Number(range[1]) + 1 }, (_, n) => String(Number(range[1]) + n)) : [key];
    for (const k of keys) {
      const name = NAMES[k] ?? (k.length === 1 ? k.toLowerCase() : k);
      out.push(`${mod ? 'Ctrl+' : ''}${name}`);
    }
  }
  return out;
}

const bound = (b: { key: string; mod?: boolean }) => `${b.mod ? 'Ctrl+' : ''}${b.key}`;

describe("README's keyboard shortcut table", () => {
  const rows = readmeRows();

  it('reads the table (a parser that finds nothing would pass anything)', () => {
    expect(rows.length).toBeGreaterThanOrEqual(15);
    expect(cellKeys('Up / Down, PageUp / PageDown, wheel')).toEqual(['ArrowUp', 'ArrowDown', 'PageUp', 'PageDown']);
    expect(cellKeys('Shift+1..4')).toEqual(['1', '2', '3', '4']);
    expect(cellKeys('Ctrl+Z / Ctrl+Shift+Z (Ctrl+Y)')).toEqual(['Ctrl+z', 'Ctrl+z', 'Ctrl+y']);
  });

  it('names exactly the keys of the shortcut registry (src/shared/shortcuts.ts)', () => {
    const readme = [...new Set(rows.flatMap(([keys]) => cellKeys(keys)))].sort();
    const registry = [...new Set(allBindings(SHORTCUTS).map((b) => bound(b.binding)))].sort();
    expect(readme).toEqual(registry);
  });

  it('says Shift where the registry binds a key with Shift held', () => {
    for (const { binding } of allBindings(SHORTCUTS).filter((b) => b.binding.shift === true)) {
      const row = rows.find(([keys, action]) => cellKeys(keys).includes(bound(binding)) && `${keys} ${action}`.includes('Shift'));
      expect(row, `Shift+${bound(binding)}`).toBeDefined();
    }
  });

  it('names the levels the digits mark and the window presets w cycles, as their tables have them', () => {
    const digits = rows.find(([keys]) => keys === '1 2 3 4');
    expect(digits?.[1]).toBe(`mark the current slice as ${DEFAULT_LEVELS.join(', ')}`);
    const w = rows.find(([keys]) => keys === 'w');
    const presets = WINDOW_PRESETS.map((p) => `${p.label.toLowerCase()} ${p.center}/${p.width}`).join(', ');
    expect(w?.[1]).toBe(`cycle window presets (${presets})`);
  });
});
