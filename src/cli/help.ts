/**
 * The `paraspine --help` text. The metric keys each command writes and the default ranges are read from
 * their homes (the metric registry, DEFAULT_RANGES), never listed by hand.
 */
import { DEFAULT_REGISTRY, type MetricRegistry } from '../core/metrics/definitions';
import { DEFAULT_RANGES, type HuRanges } from '../core/metrics/ranges';
import { DEFAULT_LEVELS } from '../core/anatomy/anatomy';
import { EXPORT_FORMATS, TEXT_FORMATS } from '../core/export/formats';
import { AGREEMENT_METRICS } from '../core/agreement/agreement';
import type { OptionTable } from './args';

const WIDTH = 98;
const INDENT = '      ';

/** Words of `text` on lines of at most WIDTH characters (a longer word stands alone), each indented. */
export function wrapParagraph(text: string, indent = INDENT, width = WIDTH): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && indent.length + line.length + 1 + word.length > width) {
      lines.push(indent + line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(indent + line);
  return lines.join('\n');
}

const range = ([lo, hi]: readonly [number, number]) => `${lo}..${hi}`;

export function helpText(version: string, registry: MetricRegistry = DEFAULT_REGISTRY, ranges: HuRanges = DEFAULT_RANGES): string {
  const measure = wrapParagraph(
    `Per structure and slice: ${registry.keys('slice').join(', ')}. ` +
      `Slices come from --z (nearest slice to each patient z, mm), from --levels (found from vertebra masks: 'auto' = ${DEFAULT_LEVELS.join(', ')}), ` +
      'or from the level marks of --annotations, whose outlines are measured as well. ' +
      "Masks' TotalSegmentator classes are mapped to Paraspine muscles as the app's import does (the default; --split-autochthon says so): iliopsoas -> the psoas component nearest the spine, " +
      "autochthon -> multifidus + erector spinae (fat-plane split); --no-split measures every mask raw. Every record's 'source' names the mask and rule (or 'outline'), its 'sourceKind' the kind (outline, mask, mask-split, label, ...), the JSON's 'mapping' which mapping was used. " +
      'A mask whose values are not whole numbers (a probability map) is refused unless --mask-threshold T (0 < T <= 1) is given: ' +
      "a voxel is then set where its value >= T, and its records get 'maskThreshold'. " +
      '--format pdf|sr|seg writes the report (PDF), a DICOM SR (TID 1500) or a DICOM SEG of the outlines (binary: needs --out, or a pipe); ' +
      '--height-m and --sex are used for the muscle indices where the DICOM has no PatientSize / PatientSex; ' +
      '--bone L1 (T12..L5) proposes and measures the trabecular ROI from the vertebra mask (a record, the reports\' bone panel); ' +
      "--date sets the report's date (default: the annotation document's last change, else now).",
  );
  const formats = EXPORT_FORMATS.join('|');
  const batch = wrapParagraph(
    'Every row of MANIFEST.csv (header row; columns series, and optionally id, masks, annotations, levels, series_uid, height_m, sex; ' +
      "relative paths from the manifest's folder; series may be a DICOMweb series URL) measured as measure measures that series alone, with measure's options for every row. " +
      "FILE: the manifest's id as the first column, then measure's columns; FILE.status.csv: row,id,series,state (done|failed),reason[,reports]. " +
      '--reports writes per done row the reports measure --format pdf|sr|seg writes, named after the id. ' +
      'Finished rows are kept in FILE.parts/ as they end: --resume measures only the rest. --shard I/N takes every N-th row from I (0-based). ' +
      'Exit 0 every row done, 3 some failed, 1 none could be measured.',
  );
  const merge = wrapParagraph("The shards' results and status files joined in manifest order: what one batch of the whole manifest writes.");
  const agreement = wrapParagraph(
    "Inter-rater agreement of two or more raters' annotation documents of one series (each names its rater): " +
      'per ROI (level, muscle, side) the Dice coefficient and Hausdorff distance (mm) of each pair of raters; ' +
      `per metric (${AGREEMENT_METRICS.map((m) => m.key).join(', ')}, measured on the series HU) the ICC(2,1) with its 95% CI ` +
      'and Bland-Altman bias and 95% limits of agreement; --pdf FILE adds a PDF with the Bland-Altman plots.',
  );
  const stats = wrapParagraph(`Per mask over the whole volume: ${registry.keys('volume').join(', ')}.`);
  return `paraspine ${version} — paraspinal muscle metrics on lumbar CT

Usage:
  paraspine scan <folder> [--json]
      List the studies and series under a folder (headers only) and every unusable file with a reason.
  paraspine info <series-folder> [--series UID] [--hu-stats] [--json]
      Summary of the CT series; --hu-stats loads every pixel and prints HU min, max and mean.
  paraspine measure <series-folder> [--masks <folder|file>] [--labels totalsegmentator]
                    [--annotations FILE] [--levels auto|L3,L4/L5,...] [--z MM,MM,...]
                    [--structures muscles|all|NAME,NAME] [--muscle-hu LO,HI] [--fat-hu LO,HI]
                    [--split-autochthon] [--mask-threshold T] [--series UID] [--format ${formats}] [--out FILE]
                    [--height-m M] [--sex M|F] [--paper a4|letter] [--bone L1|T12..L5|none] [--date ISO]
                    [--store DICOMweb-URL (with --format sr|seg)]
${measure}
  paraspine stats <series-folder> --masks <folder|file> [--labels totalsegmentator]
                  [--series UID] [--format ${TEXT_FORMATS.join('|')}] [--out FILE]
${stats}
  paraspine batch <MANIFEST.csv> --out FILE [--jobs N] [--shard I/N] [--resume] [--format csv|json]
                  [--reports pdf,sr,seg [--reports-dir DIR] [--paper a4|letter] [--date ISO] [--store URL]]
                  [measure's options but --masks, --annotations, --series]
${batch}
  paraspine merge <OUT> <SHARD_RESULT>...
${merge}
  paraspine agreement DOC DOC... --series <series-folder> [--format json|csv] [--out FILE] [--pdf FILE [--date ISO]]
${agreement}
  paraspine demo <DIR> [--seed N]
      Write a synthetic lumbar CT (DIR/dicom), its TotalSegmentator-style masks (DIR/masks,
      DIR/segmentations.nii.gz) and its ground truth (DIR/truth.json); npm run demo writes ./demo.
  paraspine store <DICOMweb-URL> <FILE>...
      Send DICOM files (an SR or SEG written by measure) to a DICOMweb server (STOW-RS).
  paraspine help [COMMAND]    (or paraspine COMMAND --help, -h)
      Every option of a command with its default, and an example.

Defaults: muscle range ${range(ranges.muscleHu)} HU, fat range ${range(ranges.fatHu)} HU (both inclusive).
Exit codes: 0 ok, 1 unusable input, missing file or refused access (one line on stderr), 2 usage error,
3 internal error (a bug: please report it with the command line); for batch, 3 means some rows failed.
`;
}

/** What `paraspine help COMMAND` says of a command, besides its options (read from the table its parser uses). */
export interface CommandHelp {
  /** The positional arguments, e.g. '<series-folder>'. */
  readonly args: string;
  readonly summary: string;
  readonly example: string;
  /** The option table the command parses with (loaded when asked: the command's module is imported). */
  readonly options: () => Promise<OptionTable>;
}

/** Every command of `paraspine` with its help; main.ts dispatches `help COMMAND`, `COMMAND --help` and `-h` from it. */
export const COMMANDS: Readonly<Record<string, CommandHelp>> = {
  scan: {
    args: '<folder|DICOMweb-URL>',
    summary: 'List the studies and series under a folder (headers only) and every unusable file with a reason; on a DICOMweb URL, the studies the server finds.',
    example: 'paraspine scan ~/ct --json',
    options: async () => (await import('./commands/series')).SCAN_OPTIONS,
  },
  info: {
    args: '<series-folder>',
    summary: 'Summary of the CT series.',
    example: 'paraspine info ~/ct/series1 --hu-stats',
    options: async () => (await import('./commands/series')).INFO_OPTIONS,
  },
  measure: {
    args: '<series-folder|DICOMweb-URL>',
    summary: 'Per-level muscle metrics (CSA, functional CSA, fat, HU) from masks or annotations, as CSV, JSON, a PDF report, a DICOM SR or SEG.',
    example: 'paraspine measure ~/ct/series1 --masks ~/ct/segmentations --format json --out result.json',
    options: async () => (await import('./commands/measure')).MEASURE_COMMAND_OPTIONS,
  },
  stats: {
    args: '<series-folder>',
    summary: 'Per mask over the whole volume: voxels, volume and mean HU.',
    example: 'paraspine stats ~/ct/series1 --masks ~/ct/segmentations --format csv',
    options: async () => (await import('./commands/stats')).STATS_OPTIONS,
  },
  batch: {
    args: '<MANIFEST.csv>',
    summary: "Every row of a manifest (columns series, and optionally id, masks, annotations, levels, series_uid, height_m, sex) measured as measure measures one series; a status file names each row's state.",
    example: 'paraspine batch cohort.csv --out results.csv --jobs 4',
    options: async () => (await import('./commands/batch')).BATCH_OPTIONS,
  },
  merge: {
    args: '<OUT> <SHARD_RESULT>...',
    summary: "The results and status files of `batch --shard` runs joined in manifest order.",
    example: 'paraspine merge results.csv results-0.csv results-1.csv',
    options: async () => (await import('./commands/merge')).MERGE_OPTIONS,
  },
  agreement: {
    args: '<DOC> <DOC>...',
    summary: "Inter-rater agreement of two or more raters' annotation documents of one series: Dice, Hausdorff, ICC(2,1), Bland-Altman.",
    example: 'paraspine agreement rater-a.json rater-b.json --series ~/ct/series1 --pdf agreement.pdf',
    options: async () => (await import('./commands/agreement')).AGREEMENT_OPTIONS,
  },
  store: {
    args: '<DICOMweb-URL> <FILE>...',
    summary: 'Send DICOM files (e.g. an SR or SEG written by measure) to a DICOMweb server (STOW-RS), into BASE or BASE/studies/STUDY_UID.',
    example: 'paraspine store http://localhost:8042/dicom-web report-sr.dcm',
    options: async () => (await import('./commands/store')).STORE_OPTIONS,
  },
  demo: {
    args: '<DIR>',
    summary: 'Write a synthetic lumbar CT (DIR/dicom), its TotalSegmentator-style masks (DIR/masks, DIR/segmentations.nii.gz) and its exact ground truth (DIR/truth.json).',
    example: 'paraspine demo ~/paraspine-demo',
    options: async () => (await import('./commands/demo')).DEMO_OPTIONS,
  },
};

/** `paraspine help COMMAND`: usage, summary, every option of the table with its default, and an example. */
export function commandHelpText(name: string, help: CommandHelp, options: OptionTable): string {
  const lines = [`Usage: paraspine ${name} ${help.args}${Object.keys(options).length > 0 ? ' [options]' : ''}`, wrapParagraph(help.summary, '  '), ''];
  const entries = Object.entries(options);
  if (entries.length === 0) lines.push('Options: none', '');
  else {
    lines.push('Options:');
    for (const [option, spec] of entries) {
      const short = spec.short !== undefined ? `-${spec.short}, ` : '';
      lines.push(`  ${short}--${option}${spec.type === 'string' ? ` ${spec.help.value ?? 'VALUE'}` : ''}`);
      lines.push(wrapParagraph(`${spec.help.text} (default: ${spec.help.default ?? (spec.type === 'boolean' ? 'off' : 'none')})`));
    }
    lines.push('');
  }
  lines.push('  -h, --help', wrapParagraph('Print this help.'), '', 'Example:', `  ${help.example}`, '');
  return lines.join('\n');
}

/** The help of one command, or undefined for a name that is no command. */
export async function commandHelp(name: string): Promise<string | undefined> {
  const help = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  return help ? commandHelpText(name, help, await help.options()) : undefined;
}
