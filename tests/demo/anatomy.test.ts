/**
 * The demo CT's anatomy as a radiologist would accept it (issue 19): checked on the model's label map and
 * truth against adult lumbar anatomy and published CSA ranges (the ranges, not the model's numbers, are the
 * expectations): a trunk 320-360 mm wide; the psoas against the vertebral body, growing caudally; the
 * quadratus lumborum lateral to it and thinning to a small slip at L5/S1; the multifidus medial and growing
 * caudally relative to the erector spinae; every muscle one region on its level slice; transverse processes
 * at L3; no posterior ring around the canal at a disc.
 */
import { describe, expect, it } from 'vitest';
import { DEMO_GRID, DEMO_LEVEL_SLICES, DEMO_LEVELS, DEMO_SIDES, demoSlice, demoTruth, LABEL, muscleLabel, type DemoLevel, type DemoMuscle, type DemoSide } from '../../src/core/demo/model';

const { columns: C, rows: R, pixelMm } = DEMO_GRID;
const truth = demoTruth(1);
const cm2 = (level: DemoLevel, muscle: DemoMuscle | 'autochthon', side: DemoSide = 'left') => truth.find((t) => t.level === level && t.muscle === muscle && t.side === side)!.areaMm2 / 100;
const x = (p: number) => ((p % C) - (C - 1) / 2) * pixelMm;
const neighbours = (p: number) => [p - 1, p + 1, p - C, p + C];

describe('the demo anatomy', () => {
  it('the trunk is 320-360 mm wide and 200-280 mm deep at L3', () => {
    const labels = demoSlice(DEMO_LEVEL_SLICES.L3).labels;
    const cols = new Set<number>();
    const rows = new Set<number>();
    labels.forEach((l, p) => {
      if (l === LABEL.air) return;
      cols.add(p % C);
      rows.add(Math.floor(p / C));
    });
    expect(cols.size * pixelMm).toBeGreaterThanOrEqual(320);
    expect(cols.size * pixelMm).toBeLessThanOrEqual(360);
    expect(rows.size * pixelMm).toBeGreaterThanOrEqual(200);
    expect(rows.size * pixelMm).toBeLessThanOrEqual(280);
  });

  it('CSA per side within published adult ranges (psoas 6-12 cm² at L3, erector spinae 15-25, multifidus 4-7, QL 3-8)', () => {
    for (const side of DEMO_SIDES) {
      expect(cm2('L3', 'psoas', side)).toBeGreaterThanOrEqual(6);
      expect(cm2('L3', 'psoas', side)).toBeLessThanOrEqual(12);
      expect(cm2('L3', 'erectorSpinae', side)).toBeGreaterThanOrEqual(15);
      expect(cm2('L3', 'erectorSpinae', side)).toBeLessThanOrEqual(25);
      expect(cm2('L3', 'multifidus', side)).toBeGreaterThanOrEqual(4);
      expect(cm2('L3', 'multifidus', side)).toBeLessThanOrEqual(7);
      expect(cm2('L3', 'quadratusLumborum', side)).toBeGreaterThanOrEqual(3);
      expect(cm2('L3', 'quadratusLumborum', side)).toBeLessThanOrEqual(8);
    }
  });

  it('the psoas grows caudally, the QL thins to a small slip at L5/S1 (at most 3 cm², the plausibility band), the multifidus share grows', () => {
    const order: DemoLevel[] = ['L3', 'L3/L4', 'L4/L5', 'L5/S1'];
    for (let n = 1; n < order.length; n++) {
      expect(cm2(order[n]!, 'psoas')).toBeGreaterThan(cm2(order[n - 1]!, 'psoas'));
      expect(cm2(order[n]!, 'quadratusLumborum')).toBeLessThan(cm2(order[n - 1]!, 'quadratusLumborum'));
      expect(cm2(order[n]!, 'multifidus') / cm2(order[n]!, 'erectorSpinae')).toBeGreaterThan(cm2(order[n - 1]!, 'multifidus') / cm2(order[n - 1]!, 'erectorSpinae'));
    }
    expect(cm2('L5/S1', 'quadratusLumborum')).toBeLessThanOrEqual(3);
  });

  it('on every level slice: each muscle is one region; the psoas touches the vertebral body or disc; QL lateral to the psoas; multifidus medial to the erector spinae', () => {
    for (const level of DEMO_LEVELS) {
      const labels = demoSlice(DEMO_LEVEL_SLICES[level]).labels;
      for (const side of DEMO_SIDES) {
        const px = (m: DemoMuscle) => [...labels.keys()].filter((p) => labels[p] === muscleLabel(m, side));
        const meanAbsX = (m: DemoMuscle) => px(m).reduce((t, p) => t + Math.abs(x(p)), 0) / px(m).length;
        for (const m of ['psoas', 'quadratusLumborum', 'erectorSpinae', 'multifidus'] as const) {
          const label = muscleLabel(m, side);
          const all = px(m);
          const seen = new Set([all[0]!]);
          const stack = [all[0]!];
          while (stack.length) for (const q of neighbours(stack.pop()!)) if (labels[q] === label && !seen.has(q)) (seen.add(q), stack.push(q));
          expect(seen.size, `${level} ${m} ${side}: one region`).toBe(all.length);
        }
        const body = [LABEL.cortex, LABEL.disc] as number[];
        expect(px('psoas').some((p) => neighbours(p).some((q) => body.includes(labels[q]!))), `${level} psoas ${side} against the body`).toBe(true);
        expect(meanAbsX('quadratusLumborum')).toBeGreaterThan(meanAbsX('psoas'));
        expect(meanAbsX('multifidus')).toBeLessThan(meanAbsX('erectorSpinae'));
      }
    }
  });

  it('transverse processes at L3 (bone 40 mm or more off the midline); at a disc no bone right behind the canal (no posterior ring)', () => {
    const l3 = demoSlice(DEMO_LEVEL_SLICES.L3).labels;
    for (const s of [1, -1]) expect([...l3.keys()].some((p) => l3[p] === LABEL.posteriorElements && s * x(p) >= 40)).toBe(true);
    for (const level of ['L3/L4', 'L4/L5', 'L5/S1'] as const) {
      const labels = demoSlice(DEMO_LEVEL_SLICES[level]).labels;
      const mid = Math.floor(C / 2);
      const column = Array.from({ length: R }, (_, j) => labels[mid + C * j]!);
      const canalBack = column.lastIndexOf(LABEL.canal);
      expect(canalBack).toBeGreaterThan(0);
      // the 5 mm behind the canal on the midline hold no bone (the ligamentum flavum gap between the laminae)
      expect(column.slice(canalBack + 1, canalBack + 1 + Math.round(5 / pixelMm)).filter((l) => l === LABEL.posteriorElements)).toEqual([]);
    }
  });
});
