import { describe, expect, it } from 'vitest';
import { helpText, wrapParagraph } from '../../src/cli/help';
import { createDefaultRegistry, SLICE_METRICS, VOLUME_METRICS, type SliceMetricDefinition, type VolumeMetricDefinition } from '../../src/core/metrics/definitions';

const EXTRA_SLICE: SliceMetricDefinition = { ...SLICE_METRICS[0], key: 'extraSliceMetric', name: 'Extra', compute: () => 0 };
const EXTRA_VOLUME: VolumeMetricDefinition = { ...VOLUME_METRICS[0], key: 'extraVolumeMetric', name: 'Extra', compute: () => 0 };

/** The paragraph of a command in the help: its indented lines after the usage lines (options in brackets), joined. */
function paragraph(help: string, command: string): string {
  const lines = help.split('\n');
  const start = lines.findIndex((l) => l.startsWith(`  paraspine ${command} `));
  const out: string[] = [];
  for (const l of lines.slice(start + 1)) {
    if (l.startsWith('  paraspine ') || l === '') break;
    if (l.startsWith('      ') && !l.trim().startsWith('[')) out.push(l.trim());
  }
  return out.join(' ');
}

describe('paraspine --help', () => {
  it('lists the metric keys of the released registry (the keys the CSV and JSON carry, README)', () => {
    const help = helpText('1.2.3');
    expect(help.startsWith('paraspine 1.2.3 — ')).toBe(true);
    expect(paragraph(help, 'measure')).toContain('Per structure and slice: pixels, areaMm2, leanAreaMm2, fatAreaMm2, fatFraction, meanHu, sdHu, leanMeanHu.');
    expect(paragraph(help, 'stats')).toBe('Per mask over the whole volume: voxels, volumeMm3, meanHu.');
    expect(paragraph(help, 'measure')).toContain("'auto' = L3, L3/L4, L4/L5, L5/S1");
    expect(help).toContain('[--format json|csv]');
    expect(help).toContain('Defaults: muscle range -29..150 HU, fat range -190..-30 HU (both inclusive).');
  });

  it('is generated from the registry and the ranges it is given, not written by hand', () => {
    const reg = createDefaultRegistry().extend({ slice: [EXTRA_SLICE], volume: [EXTRA_VOLUME] });
    const help = helpText('0', reg, { muscleHu: [-30, 100], fatHu: [-200, -31] });
    expect(paragraph(help, 'measure')).toContain('sdHu, leanMeanHu, extraSliceMetric. Slices come from');
    expect(paragraph(help, 'stats')).toBe('Per mask over the whole volume: voxels, volumeMm3, meanHu, extraVolumeMetric.');
    expect(help).toContain('Defaults: muscle range -30..100 HU, fat range -200..-31 HU (both inclusive).');
  });

  it('wraps a paragraph at the width, each line indented, no word split', () => {
    expect(wrapParagraph('aaa bbb ccc ddd', '  ', 11)).toBe('  aaa bbb\n  ccc ddd');
    expect(wrapParagraph('aaa bbbbbbbbbbbb c', '  ', 11)).toBe('  aaa\n  bbbbbbbbbbbb\n  c');
    const text = paragraph(helpText('0.1.0'), 'measure');
    const lines = wrapParagraph(text, '      ', 98).split('\n');
    expect(lines.length).toBeGreaterThan(3);
    for (const l of lines) expect([l.startsWith('      '), l.length <= 98]).toEqual([true, true]);
    expect(lines.map((l) => l.trim()).join(' ')).toBe(text);
  });
});
