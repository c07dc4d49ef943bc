/**
 * `paraspine agreement` on the real 3 mm CT (../shared/data/ct-abdomen-3mm: 3 x 3 mm pixels): rater A's
 * outlines are traced from the TotalSegmentator masks at L3 (slice 73), so they hold exactly the README's
 * reference pixels; rater B's are the same outlines moved one column (3 mm) to the patient's left. A
 * whole-pixel move keeps every pixel count (the pixel-centre rule), and every pixel of the moved mask
 * outside the first has its source pixel one column away, never nearer (isotropic 3 mm grid), so:
 * Hausdorff 3 mm exactly, CSA identical (Bland-Altman bias 0, ICC 1), rater A's CSA and fCSA the README's.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AnnotationDocument } from '../../src/core/annotations/document';
import { cli } from '../cli/run';
import { ABDOMEN, abdomenL3Outlines } from '../fixtures/abdomenL3Outlines';

/** ../shared/data/README.md, L3 (slice 73): area and lean area, mm². */
const REFERENCE: Record<string, { areaMm2: number; leanAreaMm2: number }> = {
  'psoas left': { areaMm2: 711, leanAreaMm2: 666 },
  'psoas right': { areaMm2: 702, leanAreaMm2: 702 },
  'autochthon left': { areaMm2: 2538, leanAreaMm2: 2394 },
  'autochthon right': { areaMm2: 2367, leanAreaMm2: 2133 },
};

describe('paraspine agreement on the real CT', () => {
  it('one-column shift: Hausdorff 3 mm, CSA bias 0 and ICC 1, the reference areas', async () => {
    const { trace } = await abdomenL3Outlines();
    const now = '2026-01-01T00:00:00.000Z';
    const make = (rater: string, shiftColumns: number): AnnotationDocument => trace({ appVersion: 'agreement-test', rater, now, idPrefix: `${rater}-`, shiftColumns });
    const dir = mkdtempSync(join(tmpdir(), 'paraspine-agreement-real-'));
    const a = join(dir, 'a.json');
    const b = join(dir, 'b.json');
    writeFileSync(a, JSON.stringify(make('A', 0)));
    writeFileSync(b, JSON.stringify(make('B', 1)));
    const r = await cli('agreement', a, b, '--series', ABDOMEN);
    expect(r.errors).toEqual([]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.rois).toHaveLength(4);
    for (const roi of j.rois) {
      const ref = REFERENCE[`${roi.muscle} ${roi.side}`]!;
      expect(roi.values[0].metrics.areaMm2).toBeCloseTo(ref.areaMm2, 6);
      expect(roi.values[0].metrics.leanAreaMm2).toBeCloseTo(ref.leanAreaMm2, 6);
      expect(roi.values[1].metrics.areaMm2).toBeCloseTo(ref.areaMm2, 6);
      expect(roi.pairs[0].hausdorffMm).toBeCloseTo(3, 9);
      expect(roi.pairs[0].dice).toBeGreaterThan(0);
      expect(roi.pairs[0].dice).toBeLessThan(1);
    }
    const csa = j.metrics.find((m: { key: string }) => m.key === 'areaMm2');
    expect(csa.targets).toBe(4);
    expect(csa.icc.icc).toBe(1);
    expect(csa.blandAltman[0]).toMatchObject({ ok: true, n: 4, bias: 0, sd: 0 });
  });
});
