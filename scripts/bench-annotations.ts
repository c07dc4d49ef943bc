/**
 * The checks and measurement of a big annotation document (printed by `npm run bench`, or alone with
 * BENCH_ONLY=annotations; asserts nothing): a generated document of 10,000 outlines (tests/fixtures/
 * hostileDocument.ts: 10 levels, 1,000 overlapping 12 x 12 px rectangles of ten labels per level) on a
 * 512 x 512 x 30 volume. Times measureAnnotationsChecked (what `paraspine measure --annotations`, the
 * app's metrics table and its exports run: grid checks, shape, side and overlap flags, the measurement)
 * and the app checklist's flags for one level (checklistFlags: outlineFlagger over that level's outlines).
 */
import { measureAnnotationsChecked } from '../src/core/annotations/measureAnnotations';
import { outlineFlagger, roiSlice } from '../src/core/annotations/outlineFlags';
import { flatVolume, manyOutlinesDocument } from '../tests/fixtures/hostileDocument';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

export function benchAnnotations(runs = 5, outlines = 10_000): void {
  const volume = flatVolume(512, 512, 30);
  const doc = manyOutlinesDocument(volume, outlines);
  const bytes = JSON.stringify(doc).length;
  const measure: number[] = [];
  const level: number[] = [];
  let flagged = 0;
  for (let r = 0; r < runs; r++) {
    let t = performance.now();
    const { records } = measureAnnotationsChecked(volume, doc);
    measure.push(performance.now() - t);
    flagged = records.filter((x) => (x.warnings ?? []).length > 0).length;
    t = performance.now();
    const flag = outlineFlagger(volume, doc);
    for (const roi of doc.rois) if (roi.level === 'L3') flag(roi, roiSlice(volume, roi));
    level.push(performance.now() - t);
  }
  console.log(`\nannotation document of ${outlines.toLocaleString('en')} outlines (${(bytes / 1e6).toFixed(1)} MB, 10 levels, 512 x 512), median of ${runs}:`);
  console.log(`  measure with checks (CLI, table, export)  ${median(measure).toFixed(0)} ms  (${flagged} of 100 records flagged for overlap)`);
  console.log(`  checklist flags, one level (1,000)        ${median(level).toFixed(0)} ms`);
}
