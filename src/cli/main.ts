/**
 * The `paraspine` command line: core + Node only (never Electron, React or Cornerstone).
 * Every failure is one line on stderr and a non-zero exit; results go to stdout or --out.
 */
import { writeFile } from 'node:fs/promises';
import { CLI_EXIT_CODES, toUserError } from '../core/errors';
import { CliError, UsageError } from './args';
import { commandHelp, helpText } from './help';
import { APP_VERSION } from '../node/appVersion';
// Commands are imported when run, so that start-up loads only what the command needs (`info` never
// loads the mask readers or zod; the bundle is split into chunks, see scripts/build-cli.mjs).

export const VERSION: string = APP_VERSION;

export const HELP = helpText(VERSION);

export interface Output {
  /** Write a command's result (text, or bytes written as they are: never converted to text) to stdout or to a file. */
  emit(content: string | Uint8Array, outFile?: string): Promise<void>;
  /** One-line notes to stderr (warnings, chosen levels). */
  note(line: string): void;
  /** The one-line error of a failed command, to stderr. */
  error(line: string): void;
  /** Progress as a bar on stderr (a terminal) rather than one line per step. */
  readonly progressBar?: boolean;
}

export const defaultOutput: Output = {
  async emit(content, outFile) {
    if (outFile) {
      try {
        await writeFile(outFile, content);
      } catch (e) {
        throw new CliError(`cannot write ${outFile}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      }
    } else await writeStdout(content);
  },
  note(line) {
    process.stderr.write(`paraspine: ${line}\n`);
  },
  error(line) {
    process.stderr.write(`paraspine: ${line}\n`);
  },
  progressBar: process.stderr.isTTY === true,
};

/**
 * Write to stdout and wait until it is handed to the system (a large binary export to a pipe must not
 * be cut short when the process exits). Bytes go as they are; a string as UTF-8.
 */
function writeStdout(content: string | Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    process.stdout.write(content, (e) => (e ? reject(e) : resolve()));
  });
}

/**
 * The command line is a batch process with nothing else to do while it reads: DICOM files are read with
 * blocking system calls (no thread-pool round trip per open, stat, read and close).
 */
async function batchFileReads(): Promise<void> {
  (await import('../node/dicomFiles')).useBlockingFileReads(true);
}

function wantsHelp(args: readonly string[]): boolean {
  const end = args.indexOf('--');
  return (end < 0 ? args : args.slice(0, end)).some((a) => a === '--help' || a === '-h');
}

export async function main(argv: string[], out: Output = defaultOutput): Promise<number> {
  const [command, ...rest] = argv;
  try {
    // `paraspine help COMMAND`, `paraspine COMMAND --help` / `-h` (before a `--`): the command's help (help.ts COMMANDS).
    const helpOf = command === 'help' ? rest[0] : command !== undefined && wantsHelp(rest) ? command : undefined;
    if (helpOf !== undefined) {
      const text = await commandHelp(helpOf);
      if (text === undefined) throw new UsageError(`unknown command '${helpOf}' (paraspine --help lists the commands)`);
      await out.emit(text);
      return 0;
    }
    if (command === 'scan' || command === 'info' || command === 'measure' || command === 'stats' || command === 'batch') await batchFileReads();
    switch (command) {
      case undefined:
      case '-h':
      case '--help':
      case 'help':
        await out.emit(HELP);
        return 0;
      case '-v':
      case '--version':
        await out.emit(`${VERSION}\n`);
        return 0;
      case 'scan':
        await (await import('./commands/series')).runScan(rest, out);
        return 0;
      case 'info':
        await (await import('./commands/series')).runInfo(rest, out);
        return 0;
      case 'measure':
        await (await import('./commands/measure')).runMeasure(rest, out);
        return 0;
      case 'store':
        await (await import('./commands/store')).runStore(rest, out);
        return 0;
      case 'stats':
        await (await import('./commands/stats')).runStats(rest, out);
        return 0;
      case 'batch':
        return await (await import('./commands/batch')).runBatchCommand(rest, out);
      case 'merge':
        return await (await import('./commands/merge')).runMerge(rest, out);
      case 'agreement':
        await (await import('./commands/agreement')).runAgreement(rest, out);
        return 0;
      case 'demo':
        await (await import('./commands/demo')).runDemo(rest, out);
        return 0;
      default:
        throw new UsageError(`unknown command '${command}' (try: scan, info, measure, stats, batch, merge, agreement, demo, --help)`);
    }
  } catch (e) {
    const err = toUserError(e);
    out.error(err.kind === 'internal' ? `internal error: ${err.message}` : err.message);
    return CLI_EXIT_CODES[err.kind];
  }
}
