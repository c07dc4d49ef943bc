/**
 * Where the desktop app may send the user's browser (Electron's shell.openExternal). Everything else
 * is refused: a link in a DICOM text field, a document or a compromised page never opens an
 * arbitrary URL, a file:// path or a custom protocol handler on the hospital desktop.
 */
export const EXTERNAL_LINK_HOSTS: readonly string[] = ['github.com', 'totalsegmentator.com', 'www.totalsegmentator.com', 'dicom.nema.org'];

/** An https URL whose host (no user, no port) is on the list. Parsed by hand: src/shared has no URL class. */
export function isAllowedExternalLink(raw: string): boolean {
  const m = /^https:\/\/([^/?#]*)([/?#][^\s]*)?$/i.exec(raw.trim());
  if (!m) return false;
  const authority = m[1]!.toLowerCase();
  if (/[@:\\]/.test(authority)) return false; // no user info, no port, no backslash tricks
  return EXTERNAL_LINK_HOSTS.includes(authority);
}
