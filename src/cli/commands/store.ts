/**
 * `paraspine store URL FILE...`: sends DICOM files (the SR and SEG `measure --format sr|seg` wrote) to a
 * DICOMweb server by STOW-RS, into the study the URL names (`BASE/studies/STUDY_UID`) or, with a base
 * URL, the study each file names. Every file is checked first (a Part-10 file with SOP Instance, Series
 * and Study UIDs: servers refuse instances without them); a file that is not is named, and nothing is sent.
 */
import { readFile, stat } from 'node:fs/promises';
import { parseDataSet } from '../../core/dicom/parseHeader';
import { DicomWebClient } from '../../node/dicomweb/client';
import { isUid, parseDicomWebUrl } from '../../node/dicomweb/url';
import { CliError, parse, UsageError, type OptionTable } from '../args';
import { DICOMWEB_AUTH_OPTIONS, useDicomWebCredentials } from '../dicomwebAuth';
import type { Output } from '../main';

/** Largest file sent (bytes): far above any SR or SEG Paraspine writes. */
const MAX_FILE_BYTES = 512 * 1024 * 1024;

/** The UIDs of a Part-10 file, or a one-line reason naming it. */
async function checkFile(path: string): Promise<{ bytes: Uint8Array; study: string; sop: string }> {
  let size: number;
  try {
    const st = await stat(path);
    if (!st.isFile()) throw new CliError(`${path}: not a file`);
    size = st.size;
  } catch (e) {
    if (e instanceof CliError) throw e;
    throw new CliError(`${path}: no such file`, 'notFound');
  }
  if (size > MAX_FILE_BYTES) throw new CliError(`${path}: ${Math.round(size / 1024 / 1024)} MB is over the ${MAX_FILE_BYTES / 1024 / 1024} MB limit of a file to send`);
  return checkBytes(path, new Uint8Array(await readFile(path)));
}

/** The UIDs of a Part-10 file's bytes (`path` names it in messages), or a one-line reason. */
function checkBytes(path: string, bytes: Uint8Array): { bytes: Uint8Array; study: string; sop: string } {
  let text: (tag: string) => string;
  try {
    const ds = parseDataSet(bytes, bytes.byteLength, true).dataSet;
    text = (tag) => (ds.string(tag) ?? '').replace(/\0/g, '').trim();
  } catch {
    throw new CliError(`${path}: not a DICOM file`);
  }
  for (const [tag, name] of [
    ['x00080018', 'SOP Instance UID'],
    ['x0020000e', 'Series Instance UID'],
    ['x0020000d', 'Study Instance UID'],
  ] as const) {
    const v = text(tag);
    if (!isUid(v)) throw new CliError(`${path}: ${v ? `invalid ${name} '${v.slice(0, 70)}'` : `no ${name}`} (a DICOMweb server refuses it: give the file UIDs first)`);
  }
  return { bytes, study: text('x0020000d'), sop: text('x00080018') };
}

/**
 * STOW-RS of checked files to `url` (BASE, or BASE/studies/STUDY_UID: then every file must be of that
 * study); a refusal by the server is one line naming the URL (CliError). Shared by `store` and
 * `measure --store`. Returns what was stored.
 */
async function send(url: string, files: readonly { path: string; bytes: Uint8Array; study: string; sop: string }[]): Promise<{ base: string; studyUid?: string; stored: number }> {
  const addr = parseDicomWebUrl(url);
  if (addr.seriesUid) throw new UsageError(`${url}: store sends into a study: BASE/studies/STUDY_UID (or BASE)`);
  for (const f of files) {
    if (addr.studyUid && f.study !== addr.studyUid) throw new CliError(`${f.path}: belongs to study ${f.study}, not to ${addr.studyUid} named by the URL`);
  }
  const client = new DicomWebClient(addr.base);
  const result = await client.store(
    files.map((f) => f.bytes),
    addr.studyUid,
  );
  if (result.failed.length > 0) {
    const f = result.failed[0]!;
    throw new CliError(`${url}: the server refused ${result.failed.length} of ${files.length} instance(s), e.g. ${f.sopInstanceUid}: ${f.reason}`);
  }
  return { base: addr.base, ...(addr.studyUid ? { studyUid: addr.studyUid } : {}), stored: result.stored.length };
}

/**
 * `measure --store URL`: the object just written (`path` names it, `bytes` its content) sent by STOW-RS;
 * the one line saying what was stored where (for stderr), or a CliError of one line.
 */
export async function storeMade(url: string, path: string, bytes: Uint8Array, label: string): Promise<string> {
  const f = checkBytes(path, bytes);
  const r = await send(url, [{ path, ...f }]);
  return `stored ${label} ${f.sop} (${path}) on ${r.base} in study ${f.study}`;
}

/** Every option of `store` (its parser and its help): the server's credentials. */
export const STORE_OPTIONS = { ...DICOMWEB_AUTH_OPTIONS } as const satisfies OptionTable;

export async function runStore(argv: string[], out: Output): Promise<void> {
  const { values, positionals } = parse(argv, STORE_OPTIONS, 10_000);
  const [url, ...paths] = positionals;
  if (!url) throw new UsageError('missing DICOMweb URL (BASE or BASE/studies/STUDY_UID)');
  if (paths.length === 0) throw new UsageError('missing file(s) to send');
  // The URL checked before any file (a usage error first).
  const addr = parseDicomWebUrl(url);
  useDicomWebCredentials(values, true);
  if (addr.seriesUid) throw new UsageError(`${url}: store sends into a study: BASE/studies/STUDY_UID (or BASE)`);
  const files = [];
  for (const p of paths) {
    const f = await checkFile(p);
    if (addr.studyUid && f.study !== addr.studyUid) throw new CliError(`${p}: belongs to study ${f.study}, not to ${addr.studyUid} named by the URL`);
    files.push({ path: p, ...f });
  }
  const result = await send(url, files);
  await out.emit(`stored ${result.stored} instance(s) on ${addr.base}${addr.studyUid ? ` in study ${addr.studyUid}` : ''}\n`);
}
