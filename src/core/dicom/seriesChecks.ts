/**
 * Checks across the files of one series that are about what their pixels mean (not where they lie):
 * a slice whose rescale is unlike the one the rest of the series shares, and images that are not
 * ORIGINAL (ImageType). Used by layoutSeries.
 */
import { CT_VALUE_HU } from './parseHeader';
import type { DicomHeader, FileProblem } from './types';

/** Share of the frames that must hold one rescale for it to be the series' rescale. */
const DOMINANT_SHARE = 0.75;
/** Rescales that give HU this close over the whole CT range are the same rescale. */
const SAME_HU = 0.5;

interface Rescale {
  readonly slope: number;
  readonly intercept: number;
}

/** The one rescale of every frame of a file, or null when its frames differ. */
function fileRescale(h: DicomHeader): Rescale | null {
  const r = h.frameRescale[0]!;
  return h.frameRescale.every((x) => x.slope === r.slope && x.intercept === r.intercept) ? r : null;
}

/** Whether two rescales give the same HU (within SAME_HU) for every stored value that a maps into CT_VALUE_HU. */
function sameHu(a: Rescale, b: Rescale): boolean {
  return CT_VALUE_HU.every((hu) => {
    const stored = (hu - a.intercept) / a.slope;
    return Math.abs(stored * b.slope + b.intercept - hu) < SAME_HU;
  });
}

function text(r: Rescale): string {
  return `RescaleSlope ${r.slope}, RescaleIntercept ${r.intercept}`;
}

/**
 * Leaves out (as problems naming the rescale) the files whose rescale is unlike the one at least 3/4 of
 * the series' frames share: a CT series is one reconstruction with one rescale, so a lone slice with
 * another (RescaleIntercept +20000 among -1024s) would put its HU far from its neighbours' (psoas at
 * 21,000 HU). A series whose rescale varies from slice to slice (no rescale shared by 3/4 of the frames)
 * is left as it is; so is a multi-frame file whose own frames differ. Returns the files kept.
 */
export function leaveOutRescaleOutliers(headers: readonly DicomHeader[], problems: FileProblem[]): DicomHeader[] {
  const frames = headers.reduce((s, h) => s + h.numberOfFrames, 0);
  const counts = new Map<string, { rescale: Rescale; frames: number }>();
  for (const h of headers) {
    for (const r of h.frameRescale) {
      const key = `${r.slope} ${r.intercept}`;
      const c = counts.get(key);
      if (c) c.frames++;
      else counts.set(key, { rescale: r, frames: 1 });
    }
  }
  if (counts.size < 2) return [...headers];
  const dominant = [...counts.values()].sort((a, b) => b.frames - a.frames)[0]!;
  if (dominant.frames < 2 || dominant.frames < DOMINANT_SHARE * frames) return [...headers];
  const kept: DicomHeader[] = [];
  for (const h of headers) {
    const r = fileRescale(h);
    if (r === null || sameHu(dominant.rescale, r)) {
      kept.push(h);
      continue;
    }
    problems.push({
      path: h.path,
      reason:
        `rescale unlike the rest of the series: ${text(r)} where ${dominant.frames} other slice(s) have ${text(dominant.rescale)} ` +
        `(its HU would not match its neighbours')`,
    });
  }
  return kept;
}

/**
 * A note for a series whose images are not ORIGINAL (ImageType DERIVED: reformatted, filtered, or
 * computed such as a perfusion map): they may not be the acquired CT the measurement means. Null when
 * every file is ORIGINAL or says nothing.
 */
export function derivedImagesNote(headers: readonly DicomHeader[]): string | null {
  const derived = headers.filter((h) => h.imageType !== '' && h.imageType.split('\\')[0] !== 'ORIGINAL');
  if (derived.length === 0) return null;
  const types = [...new Set(derived.map((h) => h.imageType))];
  const count = derived.length === headers.length ? (headers.length === 1 ? 'the file' : `all ${headers.length} files`) : `${derived.length} of ${headers.length} files`;
  return (
    `ImageType ${types.slice(0, 2).join(', ')}${types.length > 2 ? ` and ${types.length - 2} more` : ''} (${count}): ` +
    'not ORIGINAL images (reformatted, filtered or computed from others); check this is the series to measure'
  );
}
