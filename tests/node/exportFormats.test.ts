import { describe, expect, it } from 'vitest';
import { EXPORT_FORMAT_REGISTRY, EXPORT_FORMATS, exportFileName, isExportFormat } from '../../src/core/export/formats';
import { EXPORT_ENCODERS, checkExportBody } from '../../src/node/exports';
import { channels } from '../../src/shared/contract';

describe('export format registry', () => {
  it('each entry is filed under its own id, with an extension without a dot and a media type', () => {
    for (const [key, spec] of Object.entries(EXPORT_FORMAT_REGISTRY)) {
      expect(spec.id).toBe(key);
      expect(spec.extension).toMatch(/^[a-z0-9]+(\.[a-z0-9]+)*$/);
      expect(spec.mediaType).toMatch(/^[a-z]+\/[a-z0-9.+-]+$/);
      expect(spec.needs).toContain('measurements');
    }
  });

  it('json first (the command line default), then csv, then the reports; the file names the series stem and the extension', () => {
    expect(EXPORT_FORMATS).toEqual(['json', 'csv', 'pdf', 'sr', 'seg']);
    expect(exportFileName('1.2.3', 'sr')).toBe('1.2.3.measurements.sr.dcm');
    expect(exportFileName('1.2.3', 'seg')).toBe('1.2.3.measurements.seg.dcm');
    expect(EXPORT_FORMAT_REGISTRY.pdf.binary && EXPORT_FORMAT_REGISTRY.sr.binary && EXPORT_FORMAT_REGISTRY.seg.binary).toBe(true);
    expect(EXPORT_FORMAT_REGISTRY.pdf.needs).toContain('hu');
    expect(exportFileName('1.2.3', 'csv')).toBe('1.2.3.measurements.csv');
    expect(exportFileName('1.2.3', 'json')).toBe('1.2.3.measurements.json');
    expect(isExportFormat('csv')).toBe(true);
    expect(isExportFormat('toString')).toBe(false);
  });

  it('every registered format has an encoder and is accepted by export:write, nothing else is', () => {
    expect(Object.keys(EXPORT_ENCODERS).sort()).toEqual([...EXPORT_FORMATS].sort());
    const schema = channels['export:write'].args;
    for (const format of EXPORT_FORMATS) expect(schema.safeParse([{ format, seriesUid: '1', body: new Uint8Array(1) }]).success).toBe(true);
    expect(schema.safeParse([{ format: 'xlsx', seriesUid: '1', body: new Uint8Array(1) }]).success).toBe(false);
  });

  it('text formats are checked as UTF-8 (and JSON parsed) before they are written', () => {
    expect(() => checkExportBody('csv', Uint8Array.of(0x61, 0x2c, 0x62, 0x0a))).not.toThrow();
    expect(() => checkExportBody('csv', Uint8Array.of(0xc3))).toThrow(/CSV export is not UTF-8 text/);
    expect(() => checkExportBody('json', new TextEncoder().encode('{"a":1}'))).not.toThrow();
    expect(() => checkExportBody('json', new TextEncoder().encode('{"a":'))).toThrow(/JSON export is not valid JSON/);
  });
});
