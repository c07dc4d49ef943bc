/**
 * A generated cohort for the batch tests, written by the tests' own DICOM writer: the phantom series
 * (tests/fixtures/phantomSeries.ts) in several encodings, each with an annotation document outlining a
 * 5 x 4 pixel block inside its left muscle disc on slice 2 (HU 40 + 3k = 46 there: 20 pixels at 46 HU);
 * the muscle phantom with TotalSegmentator-style masks (tests/fixtures/musclePhantom.ts); a row whose
 * folder is missing and a row whose folder holds no CT. The manifest uses relative paths, CRLF, a byte
 * order mark, a comment line and a quoted id with a comma.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { makePhantomSeries } from '../fixtures/phantomSeries';
import type { PhantomEncoding } from '../fixtures/dicomWriter';
import { roiOn } from '../fixtures/hostileDocument';
import { writeMusclePhantom } from '../fixtures/musclePhantom';

export const ROOT = resolve(__dirname, '../..');
export const BIN = join(ROOT, 'bin/paraspine.mjs');

export const ENCODINGS: readonly PhantomEncoding[] = ['explicitLE', 'implicitLE', 'rle', 'deflatedLE'];
/** The annotated block: 20 pixels of the left muscle disc on slice 2, where it is 40 + 3 * 2 HU. */
export const BLOCK = { pixels: 20, hu: 46, slice: 2 } as const;

export interface CohortRow {
  readonly id: string;
  readonly series: string;
  readonly masks?: string;
  readonly annotations?: string;
  readonly levels?: string;
}

export interface Cohort {
  readonly dir: string;
  readonly manifest: string;
  /** The rows as the manifest lists them (paths relative to dir). */
  readonly rows: readonly CohortRow[];
  /** Ids of the rows that must fail. */
  readonly bad: readonly string[];
}

/** The annotation document of a phantom series (the block outlined at L3 on slice 2). */
function phantomDocument(seriesUid: string, enc: string, g: ReturnType<typeof makePhantomSeries>['expected']['geometry']): object {
  const k = BLOCK.slice;
  // pixel edges around columns 13..17, rows 33..36 (inside the left disc, centre (15.2, 34.7), radius 5.6)
  const roi = roiOn(g, k, 'block', { level: 'L3', muscle: 'psoas', side: 'left' }, [
    [12.5, 32.5],
    [17.5, 32.5],
    [17.5, 36.5],
    [12.5, 36.5],
  ]);
  return {
    format: 'paraspine-annotations',
    version: 2,
    appVersion: 'test',
    rater: 'tester',
    createdAt: 't',
    modifiedAt: 't',
    series: {
      studyInstanceUid: '1.2.826.0.1.3680043.10.1459.3.1',
      seriesInstanceUid: seriesUid,
      patientId: 'PHANTOM-1',
      patientName: 'PHANTOM^PARASPINE',
      studyDate: '20240102',
      seriesDescription: `phantom ${enc} int16`,
      slices: g.slices,
      rows: g.rows,
      columns: g.columns,
    },
    ranges: { muscleHu: [-29, 150], fatHu: [-190, -30] },
    levels: [{ level: 'L3', sliceIndex: k, z: g.slicePositions[k]![2], source: 'manual' }],
    rois: [roi],
  };
}

/** Writes the cohort under dir; `repeat` copies of the encoding rows (distinct ids) make a longer run. */
export function writeCohort(dir: string, repeat = 1): Cohort {
  const rows: CohortRow[] = [];
  ENCODINGS.forEach((enc, n) => {
    const uid = `1.2.826.0.1.3680043.10.1459.2.${200 + n}`;
    const ph = makePhantomSeries({ encoding: enc, seriesInstanceUid: uid });
    const folder = join(dir, `s-${enc}`);
    mkdirSync(folder, { recursive: true });
    for (const f of ph.files) writeFileSync(join(folder, f.name), f.bytes);
    writeFileSync(join(dir, `s-${enc}.json`), JSON.stringify(phantomDocument(uid, enc, ph.expected.geometry)));
  });
  const muscle = writeMusclePhantom(join(dir, 'muscle'));
  void muscle;
  mkdirSync(join(dir, 'not-ct'), { recursive: true });
  writeFileSync(join(dir, 'not-ct', 'readme.txt'), 'no DICOM here\n');
  for (let r = 0; r < repeat; r++) {
    for (const enc of ENCODINGS) rows.push({ id: r === 0 ? `p-${enc}` : `p-${enc}-${r}`, series: `s-${enc}`, annotations: `s-${enc}.json` });
    if (r === 0) {
      rows.splice(1, 0, { id: 'muscle, masks', series: 'muscle/dicom', masks: 'muscle/masks', levels: 'L3' });
      rows.splice(3, 0, { id: 'gone', series: 'missing-folder', annotations: 's-rle.json' });
      rows.push({ id: 'no-ct', series: 'not-ct', annotations: 's-rle.json' });
    }
  }
  const cell = (s: string | undefined) => (s === undefined ? '' : /[",]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const lines = ['id,series,masks,annotations,levels', '# generated cohort: relative paths, CRLF, a BOM'];
  for (const r of rows) lines.push([r.id, r.series, r.masks, r.annotations, r.levels].map(cell).join(','));
  const manifest = join(dir, 'manifest.csv');
  writeFileSync(manifest, `\ufeff${lines.join('\r\n')}\r\n`);
  return { dir, manifest, rows, bad: ['gone', 'no-ct'] };
}
