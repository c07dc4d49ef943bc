import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { derivedUid, sha256, utf8 } from '../../src/core/dicom/derivedUid';
import { groupSeries } from '../../src/core/dicom/groupSeries';
import { parseDicomHeader } from '../../src/core/dicom/parseHeader';
import { makePhantomSeries } from '../fixtures/phantomSeries';
import { newAnnotationDocument, seriesIdentity } from '../../src/core/annotations/document';
import { DEFAULT_RANGES } from '../../src/core/metrics/ranges';
import { loadFiles, loadSeriesFromFolder, scanFolder } from '../../src/node/dicomFiles';
import { loadDocument, saveDocument } from '../../src/node/workspace';
import { tmpDir } from '../node/helpers';
import { shared, writeTempFiles } from './helpers';

const THORAX = shared('ct-thorax-j2k', 'dicom');
const UID_2_25 = /^2\.25\.[1-9][0-9]*$/;

describe('derivedUid', () => {
  it('sha256 matches node:crypto (property, incl. multi-block and non-ASCII text)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (s) => {
        const ours = Buffer.from(sha256(utf8(s))).toString('hex');
        expect(ours).toBe(createHash('sha256').update(s, 'utf8').digest('hex'));
      }),
    );
    expect(Buffer.from(sha256(new Uint8Array(0))).toString('hex')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('is a valid UUID-derived UID (2.25.<128-bit integer, version 8>), at most 64 characters, deterministic', () => {
    for (const text of ['', 'a', 'paraspine', 'é\u{1F600}']) {
      const uid = derivedUid(text);
      expect(uid).toMatch(UID_2_25);
      expect(uid.length).toBeLessThanOrEqual(64);
      const n = BigInt(uid.slice(5));
      expect(n < 2n ** 128n).toBe(true);
      expect((n >> 76n) & 0xfn).toBe(8n); // version nibble
      expect((n >> 62n) & 0x3n).toBe(2n); // variant bits 10
      expect(derivedUid(text)).toBe(uid);
    }
    expect(derivedUid('a')).not.toBe(derivedUid('b'));
  });
});

describe('series without SeriesInstanceUID', () => {
  it('the JPEG 2000 thorax series gets the same non-empty derived UID on every scan, with a warning', async () => {
    const a = await scanFolder(THORAX);
    const b = await scanFolder(THORAX);
    expect(a.series).toHaveLength(1);
    const s = a.series[0]!;
    expect(s.seriesInstanceUid).toMatch(UID_2_25);
    expect(b.series[0]!.seriesInstanceUid).toBe(s.seriesInstanceUid);
    expect(s.slices).toBe(20);
    expect(a.problems).toEqual([]);
    expect(s.warnings[0]).toBe(
      `SeriesInstanceUID is empty; using derived identifier ${s.seriesInstanceUid} (from header fields and slice positions: adding or removing slices changes it)`,
    );
    // Loading by the derived UID finds it, and the loader's own summary carries the same UID.
    const loaded = await loadSeriesFromFolder(THORAX, s.seriesInstanceUid);
    expect(loaded.summary.seriesInstanceUid).toBe(s.seriesInstanceUid);
    expect(loaded.volume.warnings.join('\n')).toContain(s.seriesInstanceUid);
    expect((await loadFiles(s.files)).summary.seriesInstanceUid).toBe(s.seriesInstanceUid);
  });

  it('an annotation document saved for the thorax series is found again after a fresh scan', async () => {
    const s = (await scanFolder(THORAX)).series[0]!;
    const doc = newAnnotationDocument(
      seriesIdentity(s),
      DEFAULT_RANGES,
      '0.1.0',
      'Rater',
      '2024-01-01T00:00:00.000Z',
    );
    const ws = tmpDir();
    const saved = await saveDocument(ws, doc);
    expect(saved.path.endsWith(`${s.seriesInstanceUid}.json`)).toBe(true);
    const again = (await scanFolder(THORAX)).series[0]!;
    const back = await loadDocument(ws, again.seriesInstanceUid);
    expect(back.problem).toBeNull();
    expect(back.document).toEqual(doc);
  });

  it('two anonymised series in one folder stay apart and get different UIDs (orientation, description)', async () => {
    const axial = makePhantomSeries({ seriesInstanceUid: '' });
    const oblique = makePhantomSeries({ seriesInstanceUid: '', obliqueDeg: 20 });
    const uint12 = makePhantomSeries({ seriesInstanceUid: '', storage: 'uint12' });
    const { dir, cleanup } = await writeTempFiles([
      ...axial.files.map((f) => ({ ...f, name: `a-${f.name}` })),
      ...oblique.files.map((f) => ({ ...f, name: `b-${f.name}` })),
      ...uint12.files.map((f) => ({ ...f, name: `c-${f.name}` })),
    ]);
    try {
      const scan = await scanFolder(dir);
      expect(scan.problems).toEqual([]);
      expect(scan.series).toHaveLength(3);
      const uids = scan.series.map((s) => s.seriesInstanceUid);
      for (const u of uids) expect(u).toMatch(UID_2_25);
      expect(new Set(uids).size).toBe(3);
      for (const s of scan.series) {
        expect(s.slices).toBe(6);
        expect(new Set(s.files.map((f) => f.split('/').pop()![0])).size).toBe(1); // one prefix each
      }
      // Same folder, same UIDs; and each one loads on its own.
      expect((await scanFolder(dir)).series.map((s) => s.seriesInstanceUid)).toEqual(uids);
      const oblUid = scan.series.find((s) => s.files[0]!.includes('/b-'))!.seriesInstanceUid;
      const loaded = await loadSeriesFromFolder(dir, oblUid);
      expect(loaded.volume.geometry.slices).toBe(6);
      expect(loaded.summary.imageOrientation[5]).toBeCloseTo(Math.sin((20 * Math.PI) / 180), 5);
      await expect(loadFiles(scan.series.flatMap((s) => s.files))).rejects.toThrow(/belong to 3 different series/);
    } finally {
      await cleanup();
    }
  });

  it('the derived UID depends on the slice positions; a real SeriesInstanceUID is kept as it is', () => {
    const headers = (p: ReturnType<typeof makePhantomSeries>) => p.files.map((f) => parseDicomHeader(f.bytes, f.name, f.bytes.length));
    const six = groupSeries(headers(makePhantomSeries({ seriesInstanceUid: '' }))).series[0]!;
    const five = groupSeries(headers(makePhantomSeries({ seriesInstanceUid: '', slices: 5 }))).series[0]!;
    expect(six.seriesInstanceUid).not.toBe(five.seriesInstanceUid);
    const real = groupSeries(headers(makePhantomSeries({ seriesInstanceUid: '1.2.3.4.5' }))).series[0]!;
    expect(real.seriesInstanceUid).toBe('1.2.3.4.5');
    expect(real.warnings.join()).not.toMatch(/SeriesInstanceUID/);
  });

  it('files of two series that cannot be told apart are named with a reason, never silently merged', () => {
    const a = makePhantomSeries({ seriesInstanceUid: '' }).files.map((f) => parseDicomHeader(f.bytes, `a/${f.name}`, f.bytes.length));
    const b = makePhantomSeries({ seriesInstanceUid: '' }).files.map((f) => parseDicomHeader(f.bytes, `b/${f.name}`, f.bytes.length));
    const r = groupSeries([...a, ...b]);
    expect(r.series).toHaveLength(1);
    expect(r.series[0]!.slices).toBe(6);
    expect(r.problems).toHaveLength(6);
    for (const p of r.problems) expect(p.reason).toMatch(/^same position as a\/IM\d+\.dcm .*without SeriesInstanceUID/);
  });
});
