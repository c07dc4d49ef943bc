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

/** What `paraspine COMMAND --help` says of an option (src/cli/help.ts): its text, its default and the name of its value. */
export interface OptionHelp {
  readonly text: string;
  /** The default in words ('none' when there is none; a flag is off unless given). */
  readonly default?: string;
  /** The value's placeholder, e.g. 'FILE' or 'LO,HI' (string options). */
  readonly value?: string;
}
/** One option of a command's table: what parseArgs reads (type, short) and its help (ignored by parseArgs). */
export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  readonly help: OptionHelp;
}
export type OptionTable = Readonly<Record<string, OptionSpec>>;

/**
 * Edit distance between two short option names: insertions, deletions, substitutions and swaps of two
 * neighbouring letters ('pfd' is one edit from 'pdf'). Written here: a dozen lines, no package needed.
 */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * The known option nearest to an unknown one ('mask' -> 'masks'), or undefined when none is close: at most
 * a third of the name's letters (at least 1, at most 3) edited, or the one known option it is a prefix of.
 */
export function nearestOption(unknown: string, known: readonly string[]): string | undefined {
  const name = unknown.replace(/^-+/, '').split('=')[0]!;
  if (!name) return undefined;
  const prefixed = known.filter((k) => k.startsWith(name));
  if (prefixed.length === 1) return prefixed[0];
  let best: string | undefined;
  let bestD = Math.min(3, Math.max(1, Math.floor(name.length / 3))) + 1;
  for (const k of known) {
    const d = editDistance(name, k);
    if (d < bestD) [best, bestD] = [k, d];
  }
  return best;
}
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
    const unknown = /^unknown option '(-[^']*)'/.exec(msg)?.[1];
    const near = unknown !== undefined ? nearestOption(unknown, Object.keys(options)) : undefined;
    throw new UsageError(unknown !== undefined ? `unknown option '${unknown}'${near !== undefined ? `; did you mean '--${near}'?` : ''}` : msg);
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
