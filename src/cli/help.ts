/**
 * The `paraspine --help` text. The metric keys each command writes and the default ranges are read from
 * their homes (the metric registry, DEFAULT_RANGES), never listed by hand.
 */
import { DEFAULT_REGISTRY, type MetricRegistry } from '../core/metrics/definitions';
import { DEFAULT_RANGES, type HuRanges } from '../core/metrics/ranges';
import { DEFAULT_LEVELS } from '../core/anatomy/anatomy';
import { EXPORT_FORMATS, TEXT_FORMATS } from '../core/export/formats';
import { AGREEMENT_METRICS } from '../core/agreement/agreement';

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
      '--split-autochthon maps TotalSegmentator classes to Paraspine muscles: iliopsoas -> the psoas component nearest the spine, ' +
      "autochthon -> multifidus + erector spinae (fat-plane split); records get 'source'. " +
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
      "relative paths from the manifest's folder) measured as measure measures that series alone, with measure's options for every row. " +
      "FILE: the manifest's id as the first column, then measure's columns; FILE.status.csv: row,id,series,state (done|failed),reason. " +
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
${measure}
  paraspine stats <series-folder> --masks <folder|file> [--labels totalsegmentator]
                  [--series UID] [--format ${TEXT_FORMATS.join('|')}] [--out FILE]
${stats}
  paraspine batch <MANIFEST.csv> --out FILE [--jobs N] [--shard I/N] [--resume] [--format csv|json]
                  [measure's options but --masks, --annotations, --series]
${batch}
  paraspine merge <OUT> <SHARD_RESULT>...
${merge}
  paraspine agreement DOC DOC... --series <series-folder> [--format json|csv] [--out FILE] [--pdf FILE]
${agreement}
  paraspine demo <DIR> [--seed N]
      Write a synthetic lumbar CT (DIR/dicom), its TotalSegmentator-style masks (DIR/masks,
      DIR/segmentations.nii.gz) and its ground truth (DIR/truth.json); npm run demo writes ./demo.

Defaults: muscle range ${range(ranges.muscleHu)} HU, fat range ${range(ranges.fatHu)} HU (both inclusive).
Exit codes: 0 ok, 1 unusable input, missing file or refused access (one line on stderr), 2 usage error,
3 internal error (a bug: please report it with the command line); for batch, 3 means some rows failed.
`;
}
