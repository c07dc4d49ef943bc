import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UserError, type ErrorKind } from '../core/errors';

/** A usage error (kind 'usage'): one line, exit code 2. */
export class UsageError extends UserError {
  constructor(message: string) {
    super('usage', message);
    this.name = 'UsageError';
  }
}
/** A run-time error the user can act on (kind 'input' unless given): one line, exit code per core/errors.ts CLI_EXIT_CODES. */
export class CliError extends UserError {
  constructor(message: string, kind: ErrorKind = 'input') {
    super(kind, message);
    this.name = 'CliError';
  }
}

type Options = NonNullable<ParseArgsConfig['options']>;
type Parsed<O extends Options> = ReturnType<typeof parseArgs<{ args: string[]; options: O; allowPositionals: true; strict: true }>>;

export function parse<const O extends Options>(argv: string[], options: O, positionals: number): Parsed<O> {
  // Let option values start with a minus sign ('--fat-hu -190,-30'), which parseArgs would take for an option.
  const args: string[] = [];
  for (let a = 0; a < argv.length; a++) {
    const name = argv[a]!.startsWith('--') ? argv[a]!.slice(2) : undefined;
    const next = argv[a + 1];
    if (name && options[name]?.type === 'string' && next !== undefined && /^-\d|^-\.\d/.test(next)) {
      args.push(`--${name}=${next}`);
      a++;
    } else args.push(argv[a]!);
  }
  let parsed: Parsed<O>;
  try {
    parsed = parseArgs({ args, options, allowPositionals: true as const, strict: true as const });
  } catch (e) {
    // node's messages are multi-line with hints; keep the first line
    const msg = (e as Error).message.split('\n')[0]!.replace(/^Unknown option/, 'unknown option');
    throw new UsageError(msg);
  }
  if (parsed.positionals.length > positionals) {
    throw new UsageError(`unexpected argument '${parsed.positionals[positionals]}'`);
  }
  return parsed;
}

export function parseRange(s: string, name: string): [number, number] {
  const parts = s.split(',').map((p) => Number(p.trim()));
  if (parts.length !== 2 || parts.some((p) => !Number.isFinite(p)) || parts[0]! > parts[1]!) {
    throw new UsageError(`${name} must be LO,HI with LO <= HI (got '${s}')`);
  }
  return [parts[0]!, parts[1]!];
}

export function parseNumberList(s: string, name: string): number[] {
  const parts = s.split(',').map((p) => Number(p.trim()));
  if (parts.length === 0 || parts.some((p) => !Number.isFinite(p))) throw new UsageError(`${name} must be numbers separated by commas (got '${s}')`);
  return parts;
}

export function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], name: string, fallback: T): T {
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`${name} must be one of ${allowed.join(', ')} (got '${value}')`);
  return value as T;
}
