/**
 * DICOMweb addresses: a server's base URL (http or https only, no credentials, no query or fragment)
 * and the study / series a URL names (`BASE/studies/STUDY[/series/SERIES]`).
 */
import { UserError } from '../../core/errors';

/** A DICOM UID as PS3.5 9.1 allows it: digits and dots, components without leading zeros, at most 64 characters. */
const UID = /^(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))*$/;

export function isUid(s: string): boolean {
  return s.length > 0 && s.length <= 64 && UID.test(s);
}

/** Throws a one-line 'input' error unless `s` is a UID; `what` names where it came from. */
export function checkUid(s: string, what: string): string {
  if (!isUid(s)) throw new UserError('input', `${what}: '${s.slice(0, 80)}' is not a DICOM UID`);
  return s;
}

/** Whether a command-line locator is a URL (rather than a folder path). */
export function looksLikeUrl(text: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(text);
}

/**
 * The base URL of a DICOMweb server, normalised (no trailing slash), or a one-line 'usage' error:
 * only http and https, no user name or password in the URL (credentials never travel in addresses
 * that end up in logs and exports), no query or fragment.
 */
export function checkBaseUrl(text: string): string {
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    throw new UserError('usage', `${text}: not a valid URL`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new UserError('usage', `${text}: only http and https DICOMweb servers are supported (got ${u.protocol.replace(/:$/, '')})`);
  if (u.username || u.password) throw new UserError('usage', `${u.protocol}//${u.host}${u.pathname}: no user name or password in the URL (credentials are never part of an address)`);
  if (u.search || u.hash) throw new UserError('usage', `${u.origin}${u.pathname}: a DICOMweb base URL has no query or fragment`);
  return `${u.origin}${u.pathname.replace(/\/+$/, '')}`;
}

/** What a DICOMweb URL names: the server's base URL, and a study and series when the path has them. */
export interface DicomWebAddress {
  readonly base: string;
  readonly studyUid?: string;
  readonly seriesUid?: string;
}

/**
 * Splits `BASE[/studies/STUDY[/series/SERIES]]` into its parts (checked: the base by checkBaseUrl, the
 * UIDs as UIDs). A URL without `/studies/` is a base URL.
 */
export function parseDicomWebUrl(text: string): DicomWebAddress {
  const clean = checkBaseUrl(text);
  const m = /^(.*?)\/studies(?:\/([^/]+)(?:\/series(?:\/([^/]+))?)?)?$/.exec(clean);
  if (!m) return { base: clean };
  const base = m[1]!;
  if (!m[2]) return { base };
  const studyUid = checkUid(decodeURIComponent(m[2]), `${text}: study`);
  if (!m[3]) return { base, studyUid };
  return { base, studyUid, seriesUid: checkUid(decodeURIComponent(m[3]), `${text}: series`) };
}
