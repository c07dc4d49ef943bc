import { describe, expect, it } from 'vitest';
import { csvCell, toCsv } from '../../src/core/format/csv';

describe('CSV quoting', () => {
  it('a lone carriage return, a lone line feed, a comma or a quote inside a cell is quoted', () => {
    expect(csvCell('a\rb')).toBe('"a\rb"');
    expect(csvCell('a\nb')).toBe('"a\nb"');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('a"b')).toBe('"a""b"');
    expect(csvCell('ab')).toBe('ab');
  });
});

describe('CSV cells never carry a spreadsheet formula', () => {
  it.each([
    ['=HYPERLINK("http://x","y")', `"'=HYPERLINK(""http://x"",""y"")"`],
    ['+cmd|/c calc!A0', "'+cmd|/c calc!A0"],
    ['-2+3+cmd', "'-2+3+cmd"],
    ['@SUM(A1:A2)', "'@SUM(A1:A2)"],
    ['\t=1+1', "'\t=1+1"],
    ['Dr. Rater', 'Dr. Rater'],
    ['a=b', 'a=b'],
  ])('text %j is written as %j', (text, cell) => {
    expect(csvCell(text)).toBe(cell);
  });

  it('numbers are never altered: number values and texts that are plain numbers', () => {
    expect(csvCell(-30)).toBe('-30');
    expect(csvCell(-190.5)).toBe('-190.5');
    expect(csvCell(1e-7)).toBe('1e-7');
    expect(csvCell('-30')).toBe('-30');
    expect(csvCell('+1.5e3')).toBe('+1.5e3');
    expect(toCsv(['patientId', 'fatHuLo'], [{ patientId: '=1+1', fatHuLo: -190 }])).toBe("patientId,fatHuLo\n'=1+1,-190\n");
  });
});
