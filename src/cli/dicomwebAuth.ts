/**
 * Credentials of a DICOMweb server on the command line (scan, measure and store with a URL): a user
 * name with the environment variable holding the password, or the variable holding a bearer token.
 * Never a password or a token in argv (other users see it in the process list, shells keep it in history).
 */
import { setProcessCredentials } from '../node/dicomweb/processCredentials';
import type { Credentials } from '../node/secrets';
import { UsageError, type OptionTable } from './args';

export const DICOMWEB_AUTH_OPTIONS = {
  user: { type: 'string', help: { value: 'NAME', text: 'User name for a DICOMweb server asking for basic authentication (the password from --password-env).', default: 'none' } },
  'password-env': { type: 'string', help: { value: 'VAR', text: 'The environment variable holding the password of --user (never the password itself).', default: 'none' } },
  'token-env': { type: 'string', help: { value: 'VAR', text: 'The environment variable holding a bearer token for the DICOMweb server.', default: 'none' } },
} as const satisfies OptionTable;

export interface AuthValues {
  user?: string;
  'password-env'?: string;
  'token-env'?: string;
}

/** The value of an environment variable an option names, or a one-line usage error (naming the variable, never its value). */
function fromEnv(option: string, name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new UsageError(`--${option} takes the name of an environment variable, got '${name.slice(0, 40)}'`);
  const v = process.env[name];
  if (v === undefined || v === '') throw new UsageError(`--${option} ${name}: that environment variable is not set`);
  return v;
}

/** The credentials the options give (null: none), checked: a user needs --password-env, a token excludes a user. */
export function credentialsFrom(values: AuthValues): Credentials | null {
  const { user } = values;
  const passwordEnv = values['password-env'];
  const tokenEnv = values['token-env'];
  if (tokenEnv !== undefined && (user !== undefined || passwordEnv !== undefined)) throw new UsageError('--token-env (bearer) and --user/--password-env (basic) exclude each other');
  if (tokenEnv !== undefined) return { kind: 'bearer', token: fromEnv('token-env', tokenEnv) };
  if (passwordEnv !== undefined && user === undefined) throw new UsageError('--password-env needs --user');
  if (user !== undefined) {
    if (passwordEnv === undefined) throw new UsageError('--user needs --password-env VAR (the environment variable holding the password; never the password on the command line)');
    if (!user) throw new UsageError('--user is empty');
    return { kind: 'basic', user, password: fromEnv('password-env', passwordEnv) };
  }
  return null;
}

/**
 * Makes every DICOMweb exchange of this command send the credentials the options give; `url` says
 * whether the input is a server (credentials with a folder are a usage error).
 */
export function useDicomWebCredentials(values: AuthValues, isUrl: boolean): void {
  const c = credentialsFrom(values);
  if (c && !isUrl) throw new UsageError('--user, --password-env and --token-env are for a DICOMweb URL, not a folder');
  // Set (or cleared) at every command: one run in-process never inherits the credentials of the one before.
  setProcessCredentials(c ? async () => c : null);
}
