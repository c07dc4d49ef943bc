/**
 * The `paraspine` command line: core + Node only (never Electron, React or Cornerstone).
 * Every failure is one line on stderr and a non-zero exit; results go to stdout or --out.
 */
import { writeFile } from 'node:fs/promises';
import { CLI_EXIT_CODES, toUserError } from '../core/errors';
import { CliError, UsageError } from './args';
// Commands are imported when run, so that start-up loads only what the command needs (`info` never
// loads the mask readers or zod; the bundle is split into chunks, see scripts/build-cli.mjs).

export const VERSION = '0.1.0';

export const HELP = `paraspine ${VERSION} — paraspinal muscle metrics on lumbar CT

Usage:
  paraspine scan <folder> [--json]
      List the studies and series under a folder (headers only) and every unusable file with a reason.
  paraspine info <series-folder> [--series UID] [--hu-stats] [--json]
      Summary of the CT series; --hu-stats loads every pixel and prints HU min, max and mean.
  paraspine measure <series-folder> [--masks <folder|file>] [--labels totalsegmentator]
                    [--annotations FILE] [--levels auto|L3,L4/L5,...] [--z MM,MM,...]
                    [--structures muscles|all|NAME,NAME] [--muscle-hu LO,HI] [--fat-hu LO,HI]
                    [--split-autochthon] [--mask-threshold T] [--series UID] [--format json|csv] [--out FILE]
      Per structure and slice: pixels, areaMm2, leanAreaMm2, fatAreaMm2, fatFraction, meanHu,
      sdHu (population), leanMeanHu. Slices come from --z (nearest slice to each patient z, mm),
      from --levels (found from vertebra masks: 'auto' = L3, L3/L4, L4/L5, L5/S1), or from the
      level marks of --annotations, whose outlines are measured as well. --split-autochthon maps
      TotalSegmentator classes to Paraspine muscles: iliopsoas -> the psoas component nearest the
      spine, autochthon -> multifidus + erector spinae (fat-plane split); records get 'source'.
      A mask whose values are not whole numbers (a probability map) is refused unless
      --mask-threshold T (0 < T <= 1) is given: a voxel is then set where its value >= T, and its
      records get 'maskThreshold'.
  paraspine stats <series-folder> --masks <folder|file> [--labels totalsegmentator]
                  [--series UID] [--format json|csv] [--out FILE]
      Per mask over the whole volume: voxels, volumeMm3 (spacing between slice positions), meanHu.

Defaults: muscle range -29..150 HU, fat range -190..-30 HU (both inclusive).
Exit codes: 0 ok, 1 unusable input, missing file or refused access (one line on stderr), 2 usage error,
3 internal error (a bug: please report it with the command line).
`;

export interface Output {
  /** Write a command's result to stdout or to a file. */
  emit(text: string, outFile?: string): Promise<void>;
  /** One-line notes to stderr (warnings, chosen levels). */
  note(line: string): void;
  /** The one-line error of a failed command, to stderr. */
  error(line: string): void;
}

const defaultOutput: Output = {
  async emit(text, outFile) {
    if (outFile) {
      try {
        await writeFile(outFile, text);
      } catch (e) {
        throw new CliError(`cannot write ${outFile}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      }
    } else process.stdout.write(text);
  },
  note(line) {
    process.stderr.write(`paraspine: ${line}\n`);
  },
  error(line) {
    process.stderr.write(`paraspine: ${line}\n`);
  },
};

/**
 * The command line is a batch process with nothing else to do while it reads: DICOM files are read with
 * blocking system calls (no thread-pool round trip per open, stat, read and close).
 */
async function batchFileReads(): Promise<void> {
  (await import('../node/dicomFiles')).useBlockingFileReads(true);
}

export async function main(argv: string[], out: Output = defaultOutput): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === 'scan' || command === 'info' || command === 'measure' || command === 'stats') await batchFileReads();
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
      case 'stats':
        await (await import('./commands/stats')).runStats(rest, out);
        return 0;
      default:
        throw new UsageError(`unknown command '${command}' (try: scan, info, measure, stats, --help)`);
    }
  } catch (e) {
    const err = toUserError(e);
    out.error(err.kind === 'internal' ? `internal error: ${err.message}` : err.message);
    return CLI_EXIT_CODES[err.kind];
  }
}
