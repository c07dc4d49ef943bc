/** The batch manifest (node/batch/manifest.ts): csv-parse, strict, with line numbers; and --shard's rows. */
import { describe, expect, it } from 'vitest';
import { parseManifest, shardRows } from '../../src/node/batch/manifest';

const FILE = '/cohort/manifest.csv';

describe('parseManifest', () => {
  it('reads a BOM, CRLF, a comment line, quoted commas, blank lines; relative paths from the manifest folder', () => {
    const text = '\ufeffid,series,masks,levels,series_uid,annotations,height_m,sex\r\n# a comment\r\n"a,1",scans/a,masks/a,"L3,L4/L5",1.2.3,,1.75,F\r\n\r\n,/abs/b,,,,../docs/b.json,,\r\n';
    expect(parseManifest(text, FILE)).toEqual([
      { row: 1, line: 3, id: 'a,1', seriesAsWritten: 'scans/a', series: '/cohort/scans/a', masks: '/cohort/masks/a', levels: 'L3,L4/L5', seriesUid: '1.2.3', heightM: '1.75', sex: 'F' },
      { row: 2, line: 5, id: '/abs/b', seriesAsWritten: '/abs/b', series: '/abs/b', annotations: '/docs/b.json' },
    ]);
  });

  it('keeps a DICOMweb series URL as written (not read as a path); its masks are still read from the manifest folder', () => {
    const url = 'http://127.0.0.1:8042/dicom-web/studies/1.2.3/series/1.2.3.4';
    const text = `id,series,masks\np,${url},m/p\nf,https://pacs.example/dicom-web/studies/1.2/series/1.3,\nq,http/not-a-url,\n`;
    expect(parseManifest(text, FILE).map((r) => [r.series, r.masks])).toEqual([
      [url, '/cohort/m/p'],
      ['https://pacs.example/dicom-web/studies/1.2/series/1.3', undefined],
      ['/cohort/http/not-a-url', undefined],
    ]);
  });

  it('a quoted value over two lines counts its lines: the next row is named by the line it starts on', () => {
    const text = 'series,id\n"a\nb",x\nc,x\n';
    expect(() => parseManifest(text, FILE)).toThrow("/cohort/manifest.csv line 4: id 'x' is the id of line 2 too (ids must be unique)");
  });

  it.each([
    ['a row with a cell too many', 'series,id\na,1\nb,2,3\n', /^\/cohort\/manifest\.csv: not a valid manifest: .*line 3$/],
    ['an unclosed quote', 'series,id\na,1\n"b,2\n', /^\/cohort\/manifest\.csv: not a valid manifest: .*quote/i],
    ['an unknown column', 'series,rater\na,1\n', /^\/cohort\/manifest\.csv line 1: unknown column 'rater'/],
    ['no series column', '# c\nid,masks\na,b\n', /^\/cohort\/manifest\.csv line 2: no 'series' column/],
    ['a row without a series', 'series,id\n,1\n', /^\/cohort\/manifest\.csv line 2: no series folder$/],
    ['a column twice', 'series,series\na,b\n', /line 1: column 'series' given twice/],
    ['an empty file', '', /empty manifest/],
  ])('refuses %s, naming the file (and the line)', (_what, text, message) => {
    expect(() => parseManifest(text, FILE)).toThrow(message);
  });
});

describe('shardRows', () => {
  it('takes every N-th row from I; the shards together are every row once', () => {
    const rows = [0, 1, 2, 3, 4, 5, 6];
    expect(shardRows(rows, { index: 1, count: 3 })).toEqual([1, 4]);
    expect(shardRows(rows, { index: 0, count: 3 })).toEqual([0, 3, 6]);
    expect(shardRows(rows, { index: 0, count: 1 })).toEqual(rows);
    expect(shardRows(rows, undefined)).toEqual(rows);
  });
});
