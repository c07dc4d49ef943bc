/**
 * Credentials of saved PACS servers (basic: user and password; bearer: a token), kept apart from
 * settings.json: in `secrets.json` beside it, mode 0600, one entry per server base URL. In Electron each
 * entry is encrypted with safeStorage (the OS keychain's key; src/main passes the codec), in browser mode
 * and on the command line it is the plain file, readable by its owner only. A secret is never in the
 * settings, in a log line, in an error message, in an export, and never reaches the renderer (which
 * sees whether a server has credentials, nothing more).
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { pacsCredentialsSchema, type PacsCredentials } from '../shared/contract';
import { oneLine, writeFileAtomic } from './atomicWrite';

export const credentialsSchema = pacsCredentialsSchema;
export type Credentials = PacsCredentials;

/** Looks up the credentials of a server by its (checked) base URL; null: none. */
export type CredentialsLookup = (base: string) => Promise<Credentials | null>;

/** The Authorization header of credentials (RFC 7617 basic, RFC 6750 bearer). */
export function authorizationHeader(c: Credentials): string {
  if (c.kind === 'bearer') return `Bearer ${c.token}`;
  return `Basic ${Buffer.from(`${c.user}:${c.password}`, 'utf8').toString('base64')}`;
}

/** Where secrets are kept. */
export interface SecretStore {
  get(base: string): Promise<Credentials | null>;
  /** Keeps (or with null forgets) the credentials of a server. */
  set(base: string, credentials: Credentials | null): Promise<void>;
  /** The servers that have credentials. */
  list(): Promise<string[]>;
}

/** Encrypts entries of the file (Electron's safeStorage); absent: kept as they are, the file mode 0600 guards them. */
export interface SecretCodec {
  encrypt(plain: string): string;
  decrypt(sealed: string): string;
}

const fileSchema = z.object({ version: z.literal(1), encrypted: z.boolean(), servers: z.record(z.string(), z.string()) });

/** `secrets.json` (mode 0600), each server's credentials as JSON, encrypted by the codec when given. */
export class FileSecretStore implements SecretStore {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly file: string,
    private readonly codec?: SecretCodec,
  ) {}

  static inDir(userDataDir: string, codec?: SecretCodec): FileSecretStore {
    return new FileSecretStore(path.join(userDataDir, 'secrets.json'), codec);
  }

  /** The entries of the file (none when it is absent); an unusable file is refused in one line naming it, never echoed. */
  private async read(): Promise<Record<string, string>> {
    let text: string;
    try {
      // Not a file (a folder, or a FIFO whose read would wait forever): refused, never read.
      if (!(await fs.stat(this.file)).isFile()) throw new Error('not a file');
      text = await fs.readFile(this.file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw new Error(`${this.file}: cannot read (${oneLine(e)})`);
    }
    let parsed: z.infer<typeof fileSchema>;
    try {
      parsed = fileSchema.parse(JSON.parse(text));
    } catch {
      throw new Error(`${this.file}: not a Paraspine secrets file (remove it and enter the credentials again)`);
    }
    if (parsed.encrypted !== Boolean(this.codec)) throw new Error(`${this.file}: written ${parsed.encrypted ? 'encrypted (by the app)' : 'unencrypted'} and read ${this.codec ? 'with' : 'without'} encryption: enter the credentials again`);
    return parsed.servers;
  }

  async get(base: string): Promise<Credentials | null> {
    const sealed = (await this.read())[base];
    if (sealed === undefined) return null;
    try {
      return credentialsSchema.parse(JSON.parse(this.codec ? this.codec.decrypt(sealed) : sealed));
    } catch {
      throw new Error(`${this.file}: the credentials of ${base} cannot be read (enter them again)`);
    }
  }

  async list(): Promise<string[]> {
    return Object.keys(await this.read());
  }

  set(base: string, credentials: Credentials | null): Promise<void> {
    const write = this.queue.then(async () => {
      // An unusable file is moved aside (`secrets.json.unreadable-<time>`), never overwritten: the
      // other servers' credentials in it may still be recovered by hand.
      const servers = await this.read().catch(async () => {
        const aside = `${this.file}.unreadable-${new Date().toISOString().replace(/[:.]/g, '-')}`;
        await fs.rename(this.file, aside);
        return {} as Record<string, string>;
      });
      if (credentials) {
        const plain = JSON.stringify(credentialsSchema.parse(credentials));
        servers[base] = this.codec ? this.codec.encrypt(plain) : plain;
      } else delete servers[base];
      await fs.mkdir(path.dirname(this.file), { recursive: true });
      await writeFileAtomic(this.file, JSON.stringify({ version: 1, encrypted: Boolean(this.codec), servers }, null, 2) + '\n', { mode: 0o600 });
      // An older file may have had wider rights: narrowed whatever the rename kept.
      await fs.chmod(this.file, 0o600);
    });
    this.queue = write.catch(() => undefined);
    return write;
  }
}

/** Credentials held in memory only (the command line's --user / --password-env / --token-env; tests). */
export class MemorySecretStore implements SecretStore {
  private readonly map = new Map<string, Credentials>();
  async get(base: string): Promise<Credentials | null> {
    return this.map.get(base) ?? null;
  }
  async set(base: string, credentials: Credentials | null): Promise<void> {
    if (credentials) this.map.set(base, credentials);
    else this.map.delete(base);
  }
  async list(): Promise<string[]> {
    return [...this.map.keys()];
  }
}
