/**
 * Credentials every DICOMweb client of this process uses when it is given none: the command line's
 * --user / --password-env / --token-env (set once by the command, before any exchange). Null: none.
 * Kept apart from client.ts so that a command reading a folder can clear them without loading the
 * client (and zod) at start-up.
 */
import type { CredentialsLookup } from '../secrets';

let processCredentials: CredentialsLookup | null = null;

export function setProcessCredentials(lookup: CredentialsLookup | null): void {
  processCredentials = lookup;
}

export function getProcessCredentials(): CredentialsLookup | null {
  return processCredentials;
}
