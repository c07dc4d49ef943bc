/**
 * A small DICOMweb client (PS3.18) over Node's fetch: QIDO-RS study and series search, WADO-RS
 * metadata and instances (always in their stored transfer syntax, `transfer-syntax=*`, decoded by our
 * own codecs: a server without a JPEG 2000 encoder cannot transcode), and STOW-RS. Chosen over
 * dicomweb-client, which needs an XMLHttpRequest polyfill in Node 20 and cannot ask for the stored
 * syntax of a whole series. Every answer is bounded in time and size (http.ts) and checked before use
 * (JSON shape with zod, multipart framing, UIDs).
 */
import { z } from 'zod';
import { UserError, oneLine } from '../../core/errors';
import type { DicomJsonDataSet } from '../../core/dicom/headerFields';
import { authorizationHeader, type CredentialsLookup } from '../secrets';
import { exchange, type Limits } from './http';
import { buildMultipart, mediaTypeParams, parseMultipart } from './multipart';
import { checkBaseUrl, checkUid } from './url';
import { getProcessCredentials } from './processCredentials';

export interface ClientOptions {
  /** Limits of a search or metadata answer (default 30 s, 64 MB). */
  readonly query?: Partial<Limits>;
  /** Limits of a retrieval of instances (default 10 min, 2 GB). */
  readonly retrieve?: Partial<Limits>;
  /** Limits of a STOW-RS exchange (default 5 min; the answer at most 16 MB). */
  readonly store?: Partial<Limits>;
  /** The server's credentials (sent as the Authorization header), looked up by its base URL at each exchange. */
  readonly credentials?: CredentialsLookup;
}

export { setProcessCredentials } from './processCredentials';

/** Search keys of QIDO-RS (each optional; wildcards `*` and `?` as the standard allows). */
export interface StudyQuery {
  patientName?: string;
  patientId?: string;
  /** A date (YYYYMMDD) or a range (YYYYMMDD-YYYYMMDD, either end may be left open). */
  studyDate?: string;
  accessionNumber?: string;
  studyDescription?: string;
  modality?: string;
  limit?: number;
}

export interface SeriesQuery {
  modality?: string;
  seriesDescription?: string;
}

const ACCEPT_DICOM = 'multipart/related; type="application/dicom"; transfer-syntax=*';
const jsonAttr = z.looseObject({ vr: z.string().max(2), Value: z.array(z.unknown()).optional() });
const jsonModel = z.array(z.record(z.string().regex(/^[0-9A-Fa-f]{8}$/), jsonAttr));

/** The first value of an attribute of a DICOM JSON data set as text ('' when absent); a PN's Alphabetic group. */
export function jsonText(ds: DicomJsonDataSet, tag: string): string {
  const v = ds[tag]?.Value?.[0] ?? ds[tag.toLowerCase()]?.Value?.[0];
  if (v === undefined || v === null) return '';
  if (typeof v === 'object') return String((v as { Alphabetic?: unknown }).Alphabetic ?? '');
  return String(v);
}

/** What a STOW-RS answer says. */
export interface StoreResult {
  readonly stored: string[];
  /** SOPInstanceUID and failure reason of each instance refused. */
  readonly failed: { sopInstanceUid: string; reason: string }[];
}

export class DicomWebClient {
  readonly base: string;
  private readonly query: Limits;
  private readonly retrieve: Limits;
  private readonly storeLimits: Limits;
  private readonly credentials: CredentialsLookup | null;

  constructor(base: string, opts: ClientOptions = {}) {
    this.base = checkBaseUrl(base);
    this.credentials = opts.credentials ?? getProcessCredentials();
    this.query = { timeoutMs: 30_000, maxBytes: 64 * 1024 * 1024, ...opts.query };
    this.retrieve = { timeoutMs: 600_000, maxBytes: 2 * 1024 * 1024 * 1024, ...opts.retrieve };
    this.storeLimits = { timeoutMs: 300_000, maxBytes: 16 * 1024 * 1024, ...opts.store };
  }

  private url(path: string, params: Record<string, string | number | undefined> = {}): string {
    const q = Object.entries(params).filter(([, v]) => v !== undefined && v !== '');
    const search = q.length ? `?${new URLSearchParams(q.map(([k, v]): [string, string] => [k, String(v)])).toString()}` : '';
    return `${this.base}${path}${search}`;
  }

  /** The headers of an exchange, with the Authorization header where the server has credentials. */
  private async headers(h: Record<string, string>): Promise<Record<string, string>> {
    const c = this.credentials ? await this.credentials(this.base) : null;
    return c ? { ...h, Authorization: authorizationHeader(c) } : h;
  }

  /** A DICOM JSON answer (QIDO-RS or metadata), checked for shape; 204 No Content is an empty list. */
  private async json(url: string, signal?: AbortSignal): Promise<DicomJsonDataSet[]> {
    const a = await exchange(url, { headers: await this.headers({ Accept: 'application/dicom+json' }), accept: ['application/dicom+json', 'application/json'], ...(signal ? { signal } : {}) }, this.query);
    if (a.status === 204 || a.body.byteLength === 0) return [];
    let parsed: unknown;
    try {
      parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(a.body));
    } catch {
      throw new UserError('input', `${url}: the answer is not valid JSON`);
    }
    const r = jsonModel.safeParse(parsed);
    if (!r.success) throw new UserError('input', oneLine(`${url}: the answer is not a list of DICOM JSON data sets (${r.error.issues[0]?.message ?? 'bad shape'})`));
    return r.data as DicomJsonDataSet[];
  }

  /** QIDO-RS: studies matching the query. */
  searchStudies(q: StudyQuery = {}, signal?: AbortSignal): Promise<DicomJsonDataSet[]> {
    return this.json(
      this.url('/studies', {
        PatientName: q.patientName,
        PatientID: q.patientId,
        StudyDate: q.studyDate,
        AccessionNumber: q.accessionNumber,
        StudyDescription: q.studyDescription,
        ModalitiesInStudy: q.modality,
        limit: q.limit,
        includefield: '00081030,00080050',
      }),
      signal,
    );
  }

  /** QIDO-RS: series of a study matching the query. */
  searchSeries(studyUid: string, q: SeriesQuery = {}, signal?: AbortSignal): Promise<DicomJsonDataSet[]> {
    return this.json(this.url(`/studies/${checkUid(studyUid, 'study')}/series`, { Modality: q.modality, SeriesDescription: q.seriesDescription }), signal);
  }

  /** WADO-RS: the metadata of every instance of a study. */
  studyMetadata(studyUid: string, signal?: AbortSignal): Promise<DicomJsonDataSet[]> {
    return this.json(this.url(`/studies/${checkUid(studyUid, 'study')}/metadata`), signal);
  }

  /** WADO-RS: the metadata of every instance of a series. */
  seriesMetadata(studyUid: string, seriesUid: string, signal?: AbortSignal): Promise<DicomJsonDataSet[]> {
    return this.json(this.url(`/studies/${checkUid(studyUid, 'study')}/series/${checkUid(seriesUid, 'series')}/metadata`), signal);
  }

  /** The URL of an instance (what messages name it by). */
  instanceUrl(studyUid: string, seriesUid: string, sopUid: string): string {
    return this.url(`/studies/${studyUid}/series/${seriesUid}/instances/${sopUid}`);
  }

  private async instances(url: string, signal?: AbortSignal): Promise<Uint8Array[]> {
    const a = await exchange(url, { headers: await this.headers({ Accept: ACCEPT_DICOM }), accept: ['multipart/related'], ...(signal ? { signal } : {}) }, this.retrieve);
    const { params } = mediaTypeParams(a.contentType);
    const type = (params.type ?? 'application/dicom').toLowerCase();
    if (type !== 'application/dicom') throw new UserError('input', `${url}: the parts are '${type}', expected application/dicom`);
    const parts = parseMultipart(a.body, params.boundary ?? '', url);
    for (const [i, p] of parts.entries()) {
      const pt = p.headers['content-type'];
      if (pt && mediaTypeParams(pt).type !== 'application/dicom') throw new UserError('input', `${url}: part ${i + 1} is '${pt}', expected application/dicom`);
    }
    return parts.map((p) => p.body);
  }

  /** WADO-RS: every instance of a series, as stored (Part-10 bytes each). */
  retrieveSeries(studyUid: string, seriesUid: string, signal?: AbortSignal): Promise<Uint8Array[]> {
    return this.instances(this.url(`/studies/${checkUid(studyUid, 'study')}/series/${checkUid(seriesUid, 'series')}`), signal);
  }

  /** WADO-RS: one instance, as stored. */
  async retrieveInstance(studyUid: string, seriesUid: string, sopUid: string, signal?: AbortSignal): Promise<Uint8Array> {
    const url = this.instanceUrl(checkUid(studyUid, 'study'), checkUid(seriesUid, 'series'), checkUid(sopUid, 'instance'));
    const parts = await this.instances(url, signal);
    if (parts.length !== 1) throw new UserError('input', `${url}: expected one instance, the answer has ${parts.length}`);
    return parts[0]!;
  }

  /** STOW-RS of Part-10 files into a study (or wherever their own Study UID says, without one). */
  async store(files: readonly Uint8Array[], studyUid?: string, signal?: AbortSignal): Promise<StoreResult> {
    const url = this.url(studyUid ? `/studies/${checkUid(studyUid, 'study')}` : '/studies');
    const { contentType, body } = buildMultipart(files);
    const a = await exchange(
      url,
      // 409 Conflict and 400 answer which instances failed and why (PS3.18 10.5.3): read, not refused.
      { method: 'POST', headers: await this.headers({ 'Content-Type': contentType, Accept: 'application/dicom+json' }), body, accept: ['application/dicom+json', 'application/json'], pass: [400, 409], ...(signal ? { signal } : {}) },
      this.storeLimits,
    );
    let parsed: unknown = {};
    try {
      if (a.body.byteLength) parsed = JSON.parse(new TextDecoder().decode(a.body));
    } catch {
      throw new UserError('input', `${url}: the STOW-RS answer is not valid JSON`);
    }
    const ds = (Array.isArray(parsed) ? parsed[0] : parsed) as DicomJsonDataSet | undefined;
    const items = (tag: string) => ((ds?.[tag]?.Value ?? []) as DicomJsonDataSet[]).filter((x) => x && typeof x === 'object');
    const result = {
      stored: items('00081199').map((x) => jsonText(x, '00081155')),
      failed: items('00081198').map((x) => ({ sopInstanceUid: jsonText(x, '00081155'), reason: `failure reason ${jsonText(x, '00081197') || 'unknown'}` })),
    };
    if (a.status >= 400 && result.failed.length === 0) throw new UserError('input', `${url}: the server answered ${a.status} without naming the instances refused`);
    return result;
  }
}
