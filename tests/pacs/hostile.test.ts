/**
 * Hostile DICOMweb servers (a small local HTTP server started by the test): down, slow, garbage,
 * wrong content type, truncated multipart, a body over the cap, a redirect to another host, an error
 * status, metadata naming paths instead of UIDs. Each gives one line naming the URL, and nothing is
 * written outside the cache folder. Also the address checks and the multipart framing.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DicomWebClient } from '../../src/node/dicomweb/client';
import { InstanceCache } from '../../src/node/dicomweb/cache';
import { buildMultipart, parseMultipart } from '../../src/node/dicomweb/multipart';
import { DicomWebSeriesSource } from '../../src/node/dicomweb/source';
import { checkBaseUrl, parseDicomWebUrl } from '../../src/node/dicomweb/url';
import { cli } from '../cli/run';
import { freePort } from './orthanc';

const DATA = resolve(__dirname, '../../../shared/data');
const STUDY = '1.2.3';
const SERIES = '1.2.3.4';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** The hostile answers, by the first path segment (the "server" a test talks to). */
const routes: Record<string, Handler> = {
  garbage: (_q, r) => r.writeHead(200, { 'Content-Type': 'application/dicom+json' }).end('[{"0020000D": not json'),
  shape: (_q, r) => r.writeHead(200, { 'Content-Type': 'application/dicom+json' }).end('{"studies": 3}'),
  html: (_q, r) => r.writeHead(200, { 'Content-Type': 'text/html' }).end('<html>login</html>'),
  slow: () => {}, // never answers
  status: (_q, r) => r.writeHead(500, { 'Content-Type': 'text/plain' }).end('Cannot transcode image\nsecond line'),
  redirect: (_q, r) => r.writeHead(302, { Location: 'http://elsewhere.example/dicom-web/studies' }).end(),
  truncated: (_q, r) => {
    r.writeHead(200, { 'Content-Type': 'multipart/related; type="application/dicom"; boundary=XYZ' });
    r.end(Buffer.concat([Buffer.from('--XYZ\r\nContent-Type: application/dicom\r\n\r\n'), Buffer.alloc(1000, 7), Buffer.from('\r\n--XYZ\r\nContent-Type: application/dicom\r\n\r\n'), Buffer.alloc(500, 9)]));
  },
  // Declares 3 GB: refused before reading.
  declared: (_q, r) => {
    r.writeHead(200, { 'Content-Type': 'multipart/related; type="application/dicom"; boundary=XYZ', 'Content-Length': String(3 * 1024 ** 3) });
    r.write(Buffer.alloc(1024));
  },
  // Streams without end (chunked): refused once past the cap.
  endless: (req, r) => {
    r.writeHead(200, { 'Content-Type': 'multipart/related; type="application/dicom"; boundary=XYZ' });
    const chunk = Buffer.alloc(64 * 1024, 1);
    const push = () => {
      while (r.write(chunk));
    };
    r.on('drain', push);
    req.on('close', () => r.destroy());
    push();
  },
  // Metadata whose UIDs are paths: never used as file names.
  traversal: (_q, r) =>
    r.writeHead(200, { 'Content-Type': 'application/dicom+json' }).end(
      JSON.stringify([
        { '00080018': { vr: 'UI', Value: ['../../../escaped'] }, '0020000E': { vr: 'UI', Value: [SERIES] }, '0020000D': { vr: 'UI', Value: [STUDY] } },
        { '00080018': { vr: 'UI', Value: ['/etc/passwd'] }, '0020000E': { vr: 'UI', Value: [SERIES] }, '0020000D': { vr: 'UI', Value: [STUDY] } },
      ]),
    ),
  // STOW-RS: every instance refused (FailedSOPSequence, reason 0xC000 = 49152).
  refuse: (req, r) => {
    req.resume();
    req.on('end', () =>
      r.writeHead(409, { 'Content-Type': 'application/dicom+json' }).end(
        JSON.stringify({ '00081198': { vr: 'SQ', Value: [{ '00081155': { vr: 'UI', Value: ['1.2.3.4.5'] }, '00081197': { vr: 'US', Value: [49152] } }] } }),
      ),
    );
  },
  // STOW-RS answered as if stored, with the failure in the body (200 with a FailedSOPSequence).
  partial: (req, r) => {
    req.resume();
    req.on('end', () =>
      r.writeHead(200, { 'Content-Type': 'application/dicom+json' }).end(
        JSON.stringify({ '00081198': { vr: 'SQ', Value: [{ '00081155': { vr: 'UI', Value: ['1.2.3.4.5'] }, '00081197': { vr: 'US', Value: [272] } }] } }),
      ),
    );
  },
  // Hangs up mid-answer (declared length not reached).
  hangup: (req, r) => {
    r.writeHead(200, { 'Content-Type': 'application/dicom+json', 'Content-Length': '10000' });
    r.write('[{"00080018":');
    setTimeout(() => req.socket.destroy(), 20);
  },
};

let server: Server;
let origin = '';
let work = '';

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'paraspine-hostile-pacs-'));
  server = createServer((req, res) => {
    const name = (req.url ?? '/').split('/')[1] ?? '';
    const h = routes[name];
    if (h) h(req, res);
    else res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
  rmSync(work, { recursive: true, force: true });
});

/** The message of what `run` rejects with: one line, starting with the URL asked. */
async function oneLine(run: () => Promise<unknown>): Promise<string> {
  const e = await run().then(
    () => null,
    (x: unknown) => x as Error,
  );
  expect(e, 'expected a refusal').not.toBeNull();
  expect(e!.message).not.toContain('\n');
  return e!.message;
}

const client = (name: string, limits: { timeoutMs?: number; maxBytes?: number } = {}) =>
  new DicomWebClient(`${origin}/${name}`, { query: { timeoutMs: 2000, ...limits }, retrieve: { timeoutMs: 5000, ...limits } });

describe('a hostile DICOMweb server gives one clear line', () => {
  it('garbage, a wrong shape, a wrong content type, an error status, a redirect', async () => {
    expect(await oneLine(() => client('garbage').searchStudies())).toBe(`${origin}/garbage/studies?includefield=00081030%2C00080050: the answer is not valid JSON`);
    expect(await oneLine(() => client('shape').searchStudies())).toMatch(/^http:\S+\/shape\/studies\S*: the answer is not a list of DICOM JSON data sets \(.+\)$/);
    expect(await oneLine(() => client('html').seriesMetadata(STUDY, SERIES))).toBe(
      `${origin}/html/studies/${STUDY}/series/${SERIES}/metadata: the server answered with content type 'text/html', expected application/dicom+json or application/json (is this a DICOMweb URL?)`,
    );
    expect(await oneLine(() => client('status').retrieveSeries(STUDY, SERIES))).toBe(`${origin}/status/studies/${STUDY}/series/${SERIES}: the server answered 500 Internal Server Error: Cannot transcode image second line`);
    expect(await oneLine(() => client('redirect').searchSeries(STUDY))).toBe(
      `${origin}/redirect/studies/${STUDY}/series: the server redirects (302) to http://elsewhere.example/dicom-web/studies: redirects are not followed`,
    );
  });

  it('slow: stopped at the time limit', async () => {
    expect(await oneLine(() => client('slow', { timeoutMs: 300 }).studyMetadata(STUDY))).toBe(`${origin}/slow/studies/${STUDY}/metadata: no complete answer within 0.3 s (the server is too slow or stalled)`);
  });

  it('a truncated multipart body, a connection cut mid-answer', async () => {
    expect(await oneLine(() => client('truncated').retrieveSeries(STUDY, SERIES))).toBe(
      `${origin}/truncated/studies/${STUDY}/series/${SERIES}: multipart answer truncated after 1 complete part(s) (no closing boundary)`,
    );
    expect(await oneLine(() => client('hangup').studyMetadata(STUDY))).toMatch(new RegExp(`^${origin}/hangup/studies/${STUDY}/metadata: the server closed the connection before answering in full`));
  });

  it('a huge body: refused on its declared length, or once past the cap', async () => {
    expect(await oneLine(() => client('declared').retrieveSeries(STUDY, SERIES))).toBe(`${origin}/declared/studies/${STUDY}/series/${SERIES}: answer of 3072 MB is over the limit of 2048 MB`);
    expect(await oneLine(() => client('endless', { maxBytes: 4 * 1024 * 1024 }).retrieveSeries(STUDY, SERIES))).toBe(
      `${origin}/endless/studies/${STUDY}/series/${SERIES}: answer over the limit of 4.0 MB (stopped reading)`,
    );
  });

  it('the command line names a server that answers garbage in one line (exit 1)', async () => {
    const r = await cli('scan', `${origin}/garbage`);
    expect(r.code).toBe(1);
    expect(r.errors).toEqual([`${origin}/garbage/studies?includefield=00081030%2C00080050: the answer is not valid JSON`]);
    const m = await cli('measure', `${origin}/html/studies/${STUDY}/series/${SERIES}`, '--masks', work);
    expect(m.code).toBe(1);
    expect(m.errors).toHaveLength(1);
    expect(m.errors[0]).toContain(`${origin}/html/studies/${STUDY}/metadata: the server answered with content type 'text/html'`);
  });

  it('store: a file that is not DICOM is named, a refusal by the server is one line', async () => {
    const notDicom = join(mkdtempSync(join(tmpdir(), 'paraspine-store-')), 'notes.txt');
    writeFileSync(notDicom, 'not a DICOM file at all');
    const a = await cli('store', `${origin}/refuse`, notDicom);
    expect(a.code).toBe(1);
    expect(a.errors).toEqual([`${notDicom}: not a DICOM file`]);
    const ct = join(DATA, 'ct-abdomen-3mm/dicom', readdirSync(join(DATA, 'ct-abdomen-3mm/dicom')).sort()[0]!);
    const b = await cli('store', `${origin}/refuse`, ct);
    expect(b.code).toBe(1);
    expect(b.errors).toEqual([`${origin}/refuse: the server refused 1 of 1 instance(s), e.g. 1.2.3.4.5: failure reason 49152`]);
    const c = await cli('store', `${origin}/partial`, ct);
    expect(c.code).toBe(1);
    expect(c.errors).toEqual([`${origin}/partial: the server refused 1 of 1 instance(s), e.g. 1.2.3.4.5: failure reason 272`]);
    const d = await cli('store', `${origin}/html/studies/1.2.3`, ct);
    expect(d.code).toBe(1);
    expect(d.errors).toHaveLength(1);
    expect(d.errors[0]).toMatch(/^\S+: belongs to study [0-9.]+, not to 1\.2\.3 named by the URL$/);
  });

  it('UIDs from a server answer that are paths never become file names', async () => {
    const cacheDir = join(work, 'cache');
    const source = new DicomWebSeriesSource({ cacheDir });
    const msg = await oneLine(() => source.load({ kind: 'dicomweb', url: `${origin}/traversal`, studyUid: STUDY, seriesUid: SERIES }));
    expect(msg).toBe(`${origin}/traversal/studies/${STUDY}/series/${SERIES}: no image instance in the series: ${origin}/traversal/studies/${STUDY} (instance '../../../escaped'): no valid SOP Instance or Series Instance UID in the metadata`);
    // Nothing written but the metadata kept in the cache folder (named by the series UID the caller gave).
    expect(readdirSync(work)).toEqual(['cache']);
    expect(readdirSync(cacheDir)).toEqual([`series-${SERIES}.json`]);
    const cache = new InstanceCache(cacheDir);
    expect(() => cache.pathFor('../../x')).toThrow("SOP instance: '../../x' is not a DICOM UID");
    expect(() => cache.pathFor('1.2.3/..')).toThrow('is not a DICOM UID');
    expect(cache.pathFor('1.2.840.10008.1')).toBe(join(cacheDir, '1.2.840.10008.1.dcm'));
  });

  it('a server that is down', async () => {
    const port = await freePort();
    expect(await oneLine(() => new DicomWebClient(`http://127.0.0.1:${port}/dicom-web`).searchStudies({ patientId: 'X' }))).toBe(
      `http://127.0.0.1:${port}/dicom-web/studies?PatientID=X&includefield=00081030%2C00080050: server not reachable (connection refused: is it running?)`,
    );
  });
});

describe('addresses and framing', () => {
  it('only http and https, no credentials, no query', () => {
    expect(checkBaseUrl('http://pacs.example:8042/dicom-web/')).toBe('http://pacs.example:8042/dicom-web');
    expect(() => checkBaseUrl('ftp://pacs.example/dicom-web')).toThrow('ftp://pacs.example/dicom-web: only http and https DICOMweb servers are supported (got ftp)');
    expect(() => checkBaseUrl('file:///etc/passwd')).toThrow('only http and https');
    expect(() => checkBaseUrl('https://user:secret@pacs.example/dicom-web')).toThrow('https://pacs.example/dicom-web: no user name or password in the URL (credentials are never part of an address)');
    expect(() => checkBaseUrl('http://pacs.example/dicom-web?x=1')).toThrow('no query or fragment');
    expect(() => checkBaseUrl('not a url')).toThrow('not a url: not a valid URL');
    // The secret never appears in the refusal.
    try {
      checkBaseUrl('https://user:secret@pacs.example/dicom-web');
    } catch (e) {
      expect((e as Error).message).not.toContain('secret');
    }
  });

  it('a series URL splits into base, study and series; bad UIDs are refused', () => {
    expect(parseDicomWebUrl('http://h:1/dicom-web/studies/1.2.3/series/1.2.3.4')).toEqual({ base: 'http://h:1/dicom-web', studyUid: '1.2.3', seriesUid: '1.2.3.4' });
    expect(parseDicomWebUrl('http://h:1/dicom-web/studies/1.2.3')).toEqual({ base: 'http://h:1/dicom-web', studyUid: '1.2.3' });
    expect(parseDicomWebUrl('http://h:1/dicom-web')).toEqual({ base: 'http://h:1/dicom-web' });
    expect(() => parseDicomWebUrl('http://h:1/dicom-web/studies/1.2.03')).toThrow("http://h:1/dicom-web/studies/1.2.03: study: '1.2.03' is not a DICOM UID");
    expect(() => parseDicomWebUrl('http://h:1/dicom-web/studies/1.2.3/series/x%2F..%2Fy')).toThrow("series: 'x/../y' is not a DICOM UID");
  });

  it('multipart: parts back as sent; a missing closing boundary is an error', () => {
    const a = new Uint8Array([1, 2, 3, 13, 10, 45, 45]);
    const b = new Uint8Array(0);
    const { contentType, body } = buildMultipart([a, b]);
    const boundary = /boundary=(\S+)/.exec(contentType)![1]!;
    const parts = parseMultipart(body, boundary, 'test');
    expect(parts.map((p) => [...p.body])).toEqual([[...a], []]);
    expect(parts[0]!.headers['content-type']).toBe('application/dicom');
    expect(() => parseMultipart(body.subarray(0, body.length - 10), boundary, 'test')).toThrow('test: multipart answer truncated after 1 complete part(s) (no closing boundary)');
    expect(() => parseMultipart(body, 'other', 'test')).toThrow('test: multipart answer has no part (boundary not found)');
  });
});
