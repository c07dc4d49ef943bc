import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { nearestOption } from '../../src/cli/args';
import { COMMANDS, helpText } from '../../src/cli/help';
import { MEASURE_OPTIONS } from '../../src/cli/measureOptions';
import { MEASURE_COMMAND_OPTIONS } from '../../src/cli/commands/measure';
import { BATCH_OPTIONS } from '../../src/cli/commands/batch';
import { INFO_OPTIONS, SCAN_OPTIONS } from '../../src/cli/commands/series';
import { STATS_OPTIONS } from '../../src/cli/commands/stats';
import { AGREEMENT_OPTIONS } from '../../src/cli/commands/agreement';
import { MERGE_OPTIONS } from '../../src/cli/commands/merge';
import { STORE_OPTIONS } from '../../src/cli/commands/store';
import { cli } from './run';

/** The tables the commands' parsers are called with (the same objects, so a new option is in both or in neither). */
const PARSER_TABLES: Record<string, object> = {
  scan: SCAN_OPTIONS,
  info: INFO_OPTIONS,
  measure: MEASURE_COMMAND_OPTIONS,
  stats: STATS_OPTIONS,
  batch: BATCH_OPTIONS,
  merge: MERGE_OPTIONS,
  agreement: AGREEMENT_OPTIONS,
  store: STORE_OPTIONS,
};

/** The commands main.ts dispatches (its `case 'name':` lines), but the help and version flags. */
function dispatchedCommands(): string[] {
  const src = readFileSync(path.join(__dirname, '../../src/cli/main.ts'), 'utf8');
  return [...src.matchAll(/case '([a-z][a-z-]*)':/g)].map((m) => m[1]!).filter((c) => c !== 'help');
}

describe('paraspine help on every command', () => {
  it('has a help entry for every command main.ts dispatches', () => {
    const dispatched = dispatchedCommands();
    expect(dispatched).toEqual(expect.arrayContaining(['scan', 'info', 'measure', 'stats', 'batch', 'merge', 'agreement', 'store']));
    for (const c of dispatched) expect([c, Object.hasOwn(COMMANDS, c)]).toEqual([c, true]);
  });

  for (const name of Object.keys(PARSER_TABLES)) {
    it(`${name} --help names every option its parser accepts, with a default, and an example`, async () => {
      expect(await COMMANDS[name]!.options()).toBe(PARSER_TABLES[name]);
      const run = await cli(name, '--help');
      expect([run.code, run.errors]).toEqual([0, []]);
      const help = run.stdout;
      expect(help.startsWith(`Usage: paraspine ${name} `)).toBe(true);
      const lines = help.split('\n');
      for (const option of Object.keys(PARSER_TABLES[name]!)) {
        const at = lines.findIndex((l) => l === `  --${option}` || l.startsWith(`  --${option} `));
        expect([option, at >= 0]).toEqual([option, true]);
        // the option's description (the indented lines after it) ends with its default
        const text: string[] = [];
        for (const l of lines.slice(at + 1)) {
          if (!l.startsWith('      ')) break;
          text.push(l.trim());
        }
        expect(text.join(' ')).toMatch(/\(default: [^()]+\)$/);
      }
      const example = lines[lines.indexOf('Example:') + 1]!;
      expect(example.startsWith(`  paraspine ${name} `)).toBe(true);
      // the example uses only options the command accepts
      for (const m of example.matchAll(/ --([a-z-]+)/g)) expect([m[1], m[1]! in PARSER_TABLES[name]!]).toEqual([m[1], true]);
      // -h and `paraspine help NAME` print the same
      expect((await cli(name, '-h')).stdout).toBe(help);
      expect((await cli('help', name)).stdout).toBe(help);
      // options after the help flag do not matter (no command is run)
      expect(await cli(name, 'no-such-folder', '--help')).toEqual({ code: 0, stdout: help, notes: [], errors: [] });
    });
  }

  it('measure --help states the default HU ranges of the README (-29..150, -190..-30) and the levels', async () => {
    const help = (await cli('measure', '--help')).stdout.replace(/\n\s+/g, ' ');
    expect(help).toContain('--muscle-hu LO,HI The HU range of lean muscle (functional CSA), inclusive. (default: -29,150)');
    expect(help).toContain('--fat-hu LO,HI The HU range of fat (fat infiltration), inclusive. (default: -190,-30)');
    expect(help).toContain("'auto' = L3, L3/L4, L4/L5, L5/S1");
    expect(help).toContain('--format json|csv|');
  });

  it('batch --help lists measure options but those a manifest row gives', async () => {
    const help = (await cli('batch', '--help')).stdout;
    for (const option of Object.keys(MEASURE_OPTIONS)) {
      expect([option, help.includes(`\n  --${option}`)]).toEqual([option, !['masks', 'annotations', 'series'].includes(option)]);
    }
  });

  it('paraspine --help, -h, help and no argument still print the overview', async () => {
    for (const argv of [['--help'], ['-h'], ['help'], []]) {
      const run = await cli(...argv);
      expect([run.code, run.stdout.startsWith('paraspine '), run.stdout.includes('Usage:\n  paraspine scan')]).toEqual([0, true, true]);
    }
    expect(helpText('1')).toContain('paraspine help [COMMAND]');
  });

  it('help of an unknown command is a usage error naming it', async () => {
    const run = await cli('help', 'mesure');
    expect([run.code, run.stdout, run.errors]).toEqual([2, '', ["unknown command 'mesure' (paraspine --help lists the commands)"]]);
  });
});

describe('an unknown option names the nearest known one', () => {
  it('in the usage error of the command', async () => {
    const run = await cli('measure', 'ct', '--mask', 'm');
    expect([run.code, run.errors]).toEqual([2, ["unknown option '--mask'; did you mean '--masks'?"]]);
    expect((await cli('measure', 'ct', '--split-autochton')).errors).toEqual(["unknown option '--split-autochton'; did you mean '--split-autochthon'?"]);
    expect((await cli('info', 'ct', '--hustats')).errors).toEqual(["unknown option '--hustats'; did you mean '--hu-stats'?"]);
    expect((await cli('agreement', 'a', 'b', '--pfd', 'x.pdf')).errors).toEqual(["unknown option '--pfd'; did you mean '--pdf'?"]);
  });

  it('and none when nothing is close', async () => {
    const run = await cli('measure', 'ct', '--frobnicate');
    expect([run.code, run.errors]).toEqual([2, ["unknown option '--frobnicate'"]]);
    expect((await cli('merge', 'a', 'b', '--x')).errors).toEqual(["unknown option '--x'"]);
  });

  it('nearestOption: edits up to a third of the name, or the one option it begins', () => {
    const known = ['masks', 'labels', 'levels', 'muscle-hu', 'fat-hu', 'format'];
    expect(nearestOption('--mask', known)).toBe('masks');
    expect(nearestOption('--level', known)).toBe('levels');
    expect(nearestOption('--mucsle-hu', known)).toBe('muscle-hu');
    expect(nearestOption('--fromat', known)).toBe('format');
    expect(nearestOption('--form=csv', known)).toBe('format');
    expect(nearestOption('--l', known)).toBeUndefined(); // begins two options, one letter from none
    expect(nearestOption('--zzz', known)).toBeUndefined();
    expect(nearestOption('--', known)).toBeUndefined();
  });
});
