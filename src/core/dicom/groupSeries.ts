import type { Vec3 } from '../geometry/vec3';
import { cross, dot, norm, normalize, scale, sub } from '../geometry/vec3';
import { fitSliceLine, offLineMm, tiltDeg, type SlicePoint } from '../geometry/sliceLine';
import { makeGeometry, type VolumeGeometry } from '../geometry/volumeGeometry';
import { UserError } from '../errors';
import { derivedUid } from './derivedUid';
import { derivedImagesNote, leaveOutRescaleOutliers } from './seriesChecks';
import type { DicomHeader, FileProblem, ScanResult, SeriesSummary } from './types';

/** One frame of the volume: which file and frame it comes from and where it lies. */
export interface FrameRef {
  readonly header: DicomHeader;
  readonly frameIndex: number;
  readonly position: Vec3;
  /** Position along the slice normal, mm. */
  readonly offsetMm: number;
}

/** The frames of one series, sorted feet to head (by position along the normal), with their geometry. */
export interface SeriesLayout {
  readonly frames: readonly FrameRef[];
  readonly geometry: VolumeGeometry;
  /** The files' SeriesInstanceUID, or one derived from header fields and positions when that is empty. */
  readonly seriesInstanceUid: string;
  /** Files kept, in slice order of their first frame. */
  readonly headers: readonly DicomHeader[];
  readonly warnings: readonly string[];
  /** Files of this series left out (inconsistent size/orientation, duplicate positions). */
  readonly problems: readonly FileProblem[];
}

/** Thrown by layoutSeries when every file was left out: the problems say why (an 'input' UserError). */
export class NoUsableSlice extends UserError {
  constructor(
    readonly problems: readonly FileProblem[],
    message: string,
  ) {
    super('input', message);
    this.name = 'NoUsableSlice';
  }
}

/** Positions closer than this along the normal are the same slice, mm. */
const SAME_POSITION_MM = 0.01;
/** Gantry tilt below this is rounding in the positions, degrees. */
const TILT_DEG = 0.1;
/** In-plane distance beyond which a slice is off the line of the others, mm (on top of a 45° tilt). */
const OFF_LINE_MM = 50;
/**
 * A slice whose in-plane position lies more than this fraction of a pixel (the smaller pixel spacing) to
 * the side of the line the other slices follow has jumped (see leaveOutJumps). Half a pixel: a smaller
 * shift moves a mask mapped by nearest voxel centre by at most one pixel at its edges, as the mapping's own
 * rounding may; scanners write positions to micrometres (a gantry tilt's shear included), far below it.
 */
const JUMP_PIXELS = 0.5;
/** Gaps differing from the median by more than this fraction make spacing irregular. */
const GAP_TOLERANCE = 0.01;

function fmt(v: number, digits = 2): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(digits);
}

function orientationText(h: DicomHeader): string {
  return h.imageOrientation.map((v) => (Math.round(v * 1000) / 1000 + 0).toFixed(3)).join('\\');
}

function spacingText(h: DicomHeader): string {
  return h.pixelSpacing.map((v) => v.toPrecision(5)).join('\\');
}

function consistencyKey(h: DicomHeader): string {
  return `${h.columns}x${h.rows}, orientation ${orientationText(h)}, spacing ${spacingText(h)}`;
}

/** How a file disagrees with the series it was grouped with: size, orientation and/or pixel spacing. */
function conflict(h: DicomHeader, series: DicomHeader): string {
  const orientation = (x: DicomHeader): string => x.imageOrientation.map((v) => String(Math.round(v * 1000) / 1000 + 0)).join('\\');
  const spacing = (x: DicomHeader): string => x.pixelSpacing.map((v) => String(Number(v.toPrecision(5)))).join('\\');
  const parts: string[] = [];
  if (h.rows !== series.rows || h.columns !== series.columns) {
    parts.push(`${h.rows}x${h.columns} while the series is ${series.rows}x${series.columns} (rows x columns)`);
  }
  if (orientationText(h) !== orientationText(series)) {
    parts.push(`orientation differs from the series: ${orientation(h)} vs ${orientation(series)}`);
  }
  if (spacingText(h) !== spacingText(series)) {
    parts.push(`pixel spacing ${spacing(h)} mm while the series has ${spacing(series)} mm`);
  }
  return parts.join('; ');
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/**
 * Leaves out (as problems) the files of frames whose in-plane position is far off the line of the other
 * slices: more than OFF_LINE_MM from the median in-plane position beyond what a gantry tilt of up to 45°
 * gives over their distance along the normal. Removes them from `frames` in place.
 */
function leaveOutOffLine(frames: FrameRef[], normal: Vec3, problems: FileProblem[]): void {
  if (frames.length < 3) return;
  const inPlane = frames.map((f) => sub(f.position, scale(normal, f.offsetMm)));
  const mid = [0, 1, 2].map((i) => median(inPlane.map((p) => p[i]!))) as unknown as Vec3;
  const midOffset = median(frames.map((f) => f.offsetMm));
  const off = new Map<DicomHeader, number>();
  frames.forEach((f, k) => {
    const d = norm(sub(inPlane[k]!, mid));
    const allowed = OFF_LINE_MM + Math.abs(f.offsetMm - midOffset);
    if (d > allowed && !off.has(f.header)) off.set(f.header, d);
  });
  if (off.size === 0 || off.size * 2 >= new Set(frames.map((f) => f.header)).size) return;
  for (const [h, d] of off) {
    problems.push({ path: h.path, reason: `not part of a consistent volume (position ${fmt(Math.round(d))} mm off the line of the other slices)` });
  }
  const keep = frames.filter((f) => !off.has(f.header));
  frames.length = 0;
  frames.push(...keep);
}

/** Millimetres for a reason: whole numbers as they are, else one decimal. */
function mmText(d: number): string {
  return fmt(Math.round(d * 10) / 10, 1);
}

/**
 * Leaves out frames whose position jumps sideways off the line the other slices follow (core/geometry/
 * sliceLine: a gantry tilt shears every slice by the same in-plane step per mm along the normal, so a
 * tilted series is a line too) by more than JUMP_PIXELS of a pixel. A file all of whose frames jump is a
 * problem naming it and how far it lies off; a multi-frame file that keeps some frames gets a warning
 * naming the frames. The line is fitted again without them until no frame jumps (so laying out the kept
 * frames again leaves out nothing more). When half the slices or more would go, the positions do not lie
 * on one line: nothing is left out and a warning says so. `frames` must be sorted along the normal; they
 * are removed in place. Needs 4 slices (with 3, which one jumped is ambiguous).
 */
function leaveOutJumps(frames: FrameRef[], rowDirection: Vec3, columnDirection: Vec3, pixelMm: number, problems: FileProblem[], warnings: string[]): void {
  if (frames.length < 4) return;
  const r = normalize(rowDirection);
  const c = normalize(columnDirection);
  const point = (f: FrameRef): SlicePoint => ({ u: dot(f.position, r), v: dot(f.position, c), s: f.offsetMm });
  const tolerance = JUMP_PIXELS * pixelMm;
  const jumped = new Map<FrameRef, number>();
  let kept = frames;
  for (let round = 0; round < 4; round++) {
    const line = fitSliceLine(kept.map(point));
    const off = kept.filter((f) => offLineMm(line, point(f)) > tolerance);
    if (off.length === 0) break;
    if ((jumped.size + off.length) * 2 >= frames.length) {
      const first = fitSliceLine(frames.map(point));
      const worst = Math.max(...frames.map((f) => offLineMm(first, point(f))));
      warnings.push(`slice positions do not lie on one line (up to ${mmText(worst)} mm to the side of it): volume kept as acquired, check the series`);
      return;
    }
    for (const f of off) jumped.set(f, offLineMm(line, point(f)));
    kept = kept.filter((f) => !jumped.has(f));
  }
  if (jumped.size === 0) return;
  const byFile = new Map<DicomHeader, FrameRef[]>();
  for (const f of frames) {
    const list = byFile.get(f.header);
    if (list) list.push(f);
    else byFile.set(f.header, [f]);
  }
  for (const [h, list] of byFile) {
    const off = list.filter((f) => jumped.has(f));
    if (off.length === 0) continue;
    const mm = mmText(Math.max(...off.map((f) => jumped.get(f)!)));
    if (off.length === list.length) {
      problems.push({ path: h.path, reason: `not part of a consistent volume (position ${mm} mm off the line of the other slices)` });
    } else {
      const which = off.map((f) => f.frameIndex + 1).sort((a, b) => a - b);
      const named = which.length > 10 ? `${which.slice(0, 10).join(', ')} and ${which.length - 10} more` : which.join(', ');
      warnings.push(`${h.path}: frame(s) ${named} left out: position up to ${mm} mm off the line of the other slices`);
    }
  }
  const keep = frames.filter((f) => !jumped.has(f));
  frames.length = 0;
  frames.push(...keep);
}

/**
 * Header fields shared by every file of one series, used to group files that have no
 * SeriesInstanceUID and hashed into their derived identifier. Changing what goes in here changes the
 * derived identifiers, and annotation documents saved under the old ones are no longer found.
 */
function identityFields(h: DicomHeader): string {
  return JSON.stringify([
    h.patientName,
    h.patientId,
    h.studyInstanceUid,
    h.studyDate,
    h.studyTime,
    h.seriesDate,
    h.seriesTime,
    h.seriesNumber,
    h.seriesDescription,
    h.modality,
    h.frameOfReferenceUid,
    h.rows,
    h.columns,
    orientationText(h),
    spacingText(h),
  ]);
}

/**
 * Which series a file belongs to: its SeriesInstanceUID, or for files without one, the header fields
 * a series shares plus size and orientation (so separate anonymised stacks stay apart).
 */
export function seriesGroupKey(h: DicomHeader): string {
  return h.seriesInstanceUid ? `uid ${h.seriesInstanceUid}` : `no uid ${identityFields(h)}`;
}

/** The identifier of a series without SeriesInstanceUID: '2.25.' + a hash of its identity fields and slice positions. */
function deriveSeriesUid(first: DicomHeader, frames: readonly FrameRef[]): string {
  const mm = (v: number): string => (Math.round(v * 1000) / 1000 + 0).toFixed(3);
  const positions = frames.map((f) => f.position.map(mm).join('\\')).join(';');
  return derivedUid(`paraspine derived SeriesInstanceUID v1\n${identityFields(first)}\n${positions}`);
}

/**
 * Orders the frames of one series (headers that share a SeriesInstanceUID) along the slice normal.
 * Files that disagree with the majority (by frames; ties to the first file by path) on rows/columns,
 * orientation or pixel spacing, and files whose frames repeat a position already taken, are left out
 * as problems whose reason names the conflict (they are not made a series of their own: it would share
 * the UID, and annotation documents are keyed by it), as are files whose slices lie far off the line
 * of the others (see leaveOutOffLine) or jump sideways off it (see leaveOutJumps; a frame of a
 * multi-frame file that jumps is left out with a warning), and files whose rescale is unlike the
 * series' (seriesChecks.ts). Gantry tilt, irregular spacing and images that are not ORIGINAL become
 * warnings. Throws Error
 * when no header is given, NoUsableSlice when every file was left out.
 */
export function layoutSeries(input: readonly DicomHeader[]): SeriesLayout {
  if (input.length === 0) throw new Error('layoutSeries: no headers');
  const headers = [...input].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const problems: FileProblem[] = [];

  // Majority by frame count of (size, orientation, spacing).
  const groups = new Map<string, DicomHeader[]>();
  for (const h of headers) {
    const k = consistencyKey(h);
    const g = groups.get(k);
    if (g) g.push(h);
    else groups.set(k, [h]);
  }
  let bestKey = '';
  let bestCount = -1;
  for (const [k, g] of groups) {
    const c = g.reduce((s, h) => s + h.numberOfFrames, 0);
    if (c > bestCount) {
      bestCount = c;
      bestKey = k;
    }
  }
  const consistent = groups.get(bestKey)!;
  for (const [k, g] of groups) {
    if (k === bestKey) continue;
    for (const h of g) problems.push({ path: h.path, reason: `not part of a consistent volume (${conflict(h, consistent[0]!)})` });
  }
  // A lone slice with another rescale than the rest is left out (seriesChecks.ts).
  const kept = leaveOutRescaleOutliers(consistent, problems);
  const first = kept[0]!;
  const o = first.imageOrientation;
  const rowDirection: Vec3 = [o[0], o[1], o[2]];
  const columnDirection: Vec3 = [o[3], o[4], o[5]];
  const normal = normalize(cross(normalize(rowDirection), normalize(columnDirection)));

  // Frames, rejecting whole files that repeat a position. Positions are bucketed by SAME_POSITION_MM, so
  // each frame is compared with the few in its own and the neighbouring buckets (linear in frames).
  const taken = new Map<number, { offsetMm: number; path: string }[]>();
  const bucket = (offsetMm: number): number => Math.floor(offsetMm / SAME_POSITION_MM);
  const near = <T extends { offsetMm: number }>(map: Map<number, T[]>, offsetMm: number): T | undefined => {
    const b = bucket(offsetMm);
    for (let d = -1; d <= 1; d++) {
      const hit = map.get(b + d)?.find((t) => Math.abs(t.offsetMm - offsetMm) < SAME_POSITION_MM);
      if (hit) return hit;
    }
    return undefined;
  };
  const put = <T extends { offsetMm: number }>(map: Map<number, T[]>, entry: T): void => {
    const b = bucket(entry.offsetMm);
    const list = map.get(b);
    if (list) list.push(entry);
    else map.set(b, [entry]);
  };
  const frames: FrameRef[] = [];
  for (const h of kept) {
    const own: FrameRef[] = [];
    const ownMap = new Map<number, FrameRef[]>();
    let clash: string | null = null;
    for (let f = 0; f < h.numberOfFrames && clash === null; f++) {
      const position = h.framePositions[f]!;
      const offsetMm = dot(position, normal);
      const other = near(taken, offsetMm);
      const self = near(ownMap, offsetMm);
      if (other) {
        clash = `same position as ${other.path} (${fmt(offsetMm, 3)} mm along the slice normal)`;
        if (!first.seriesInstanceUid) clash += '; without SeriesInstanceUID, files of another series with the same header fields cannot be told apart';
      }
      else if (self) clash = `not part of a consistent volume (frames ${self.frameIndex + 1} and ${f + 1} share a position)`;
      else {
        const fr = { header: h, frameIndex: f, position, offsetMm };
        own.push(fr);
        put(ownMap, fr);
      }
    }
    if (clash !== null) {
      problems.push({ path: h.path, reason: clash });
      continue;
    }
    for (const fr of own) {
      frames.push(fr);
      put(taken, { offsetMm: fr.offsetMm, path: h.path });
    }
  }
  leaveOutOffLine(frames, normal, problems);
  frames.sort((a, b) => a.offsetMm - b.offsetMm);

  const warnings: string[] = [];
  leaveOutJumps(frames, rowDirection, columnDirection, Math.min(first.pixelSpacing[0], first.pixelSpacing[1]), problems, warnings);
  if (frames.length > 1) {
    // The tilt from the shear of the line all slices follow (not from two slices, which may be the odd ones).
    const r = normalize(rowDirection);
    const c = normalize(columnDirection);
    const tilt = tiltDeg(fitSliceLine(frames.map((f) => ({ u: dot(f.position, r), v: dot(f.position, c), s: f.offsetMm }))));
    if (tilt > TILT_DEG) {
      warnings.push(
        `gantry tilt ${fmt(tilt, 1)}°: slice positions are sheared relative to the slice normal (volume kept as acquired, not resampled)`,
      );
    }
    const gaps: number[] = [];
    for (let k = 1; k < frames.length; k++) gaps.push(frames[k]!.offsetMm - frames[k - 1]!.offsetMm);
    const sorted = [...gaps].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)]!;
    const irregular = gaps.some((g) => Math.abs(g - median) > GAP_TOLERANCE * median);
    if (irregular) {
      const missing = gaps.reduce((s, g) => s + Math.max(0, Math.round(g / median) - 1), 0);
      warnings.push(
        `irregular slice spacing: gaps from ${fmt(sorted[0]!, 3)} to ${fmt(sorted[sorted.length - 1]!, 3)} mm (median ${fmt(median, 3)} mm)` +
          (missing > 0 ? `, about ${missing} missing slice(s)` : ''),
      );
    }
  }

  const derived = derivedImagesNote([...new Set(frames.map((f) => f.header))]);
  if (derived) warnings.push(derived);

  if (frames.length === 0) {
    const p = problems[0]!;
    throw new NoUsableSlice(problems, `no usable slice: ${p.path}: ${p.reason}${problems.length > 1 ? ` (and ${problems.length - 1} more file(s))` : ''}`);
  }

  let seriesInstanceUid = first.seriesInstanceUid;
  if (!seriesInstanceUid) {
    seriesInstanceUid = deriveSeriesUid(first, frames);
    warnings.unshift(
      `SeriesInstanceUID is empty; using derived identifier ${seriesInstanceUid} (from header fields and slice positions: adding or removing slices changes it)`,
    );
  }

  const geometry = makeGeometry({
    columns: first.columns,
    rows: first.rows,
    slices: frames.length,
    columnSpacingMm: first.pixelSpacing[1],
    rowSpacingMm: first.pixelSpacing[0],
    rowDirection,
    columnDirection,
    slicePositions: frames.map((f) => f.position),
    // A file's InstanceNumber names its slice only when the file holds that one slice.
    instanceNumbers: frames.map((f) => (f.header.numberOfFrames <= 1 ? f.header.instanceNumber : null)),
  });
  const seen = new Set<DicomHeader>();
  const orderedHeaders: DicomHeader[] = [];
  for (const f of frames) {
    if (!seen.has(f.header)) {
      seen.add(f.header);
      orderedHeaders.push(f.header);
    }
  }
  return { frames, geometry, seriesInstanceUid, headers: orderedHeaders, warnings, problems };
}

/** The SeriesSummary of a laid-out series. */
export function summarise(layout: SeriesLayout): SeriesSummary {
  const h = layout.headers[0]!;
  const g = layout.geometry;
  const gaps: number[] = [];
  for (let k = 1; k < layout.frames.length; k++) gaps.push(layout.frames[k]!.offsetMm - layout.frames[k - 1]!.offsetMm);
  gaps.sort((a, b) => a - b);
  return {
    patientName: h.patientName,
    patientId: h.patientId,
    studyInstanceUid: h.studyInstanceUid,
    studyDate: h.studyDate,
    studyDescription: h.studyDescription,
    seriesInstanceUid: layout.seriesInstanceUid,
    seriesDescription: h.seriesDescription,
    seriesNumber: h.seriesNumber,
    modality: h.modality,
    slices: g.slices,
    rows: g.rows,
    columns: g.columns,
    pixelSpacing: [h.pixelSpacing[0], h.pixelSpacing[1]],
    sliceSpacingMm: gaps.length > 0 ? gaps[Math.floor(gaps.length / 2)]! : null,
    sliceThickness: h.sliceThickness,
    imageOrientation: [...h.imageOrientation],
    transferSyntaxUids: [...new Set(layout.headers.map((x) => x.transferSyntaxUid))],
    files: layout.headers.map((x) => x.path),
    warnings: layout.warnings,
  };
}

/**
 * Groups headers into series by SeriesInstanceUID, orders each along its slice normal (never by file
 * name or InstanceNumber) and reports files left out. Files with an empty SeriesInstanceUID are grouped
 * by the header fields a series shares (see seriesGroupKey) and get a derived identifier with a
 * warning. Pure and deterministic; never throws for any list of valid headers.
 */
export function groupSeries(headers: readonly DicomHeader[]): ScanResult {
  const byUid = new Map<string, DicomHeader[]>();
  for (const h of headers) {
    const key = seriesGroupKey(h);
    const list = byUid.get(key);
    if (list) list.push(h);
    else byUid.set(key, [h]);
  }
  const series: SeriesSummary[] = [];
  const problems: FileProblem[] = [];
  for (const list of byUid.values()) {
    let layout: SeriesLayout;
    try {
      layout = layoutSeries(list);
    } catch (e) {
      // Every file of this series was left out: its problems are listed, the other series stand.
      if (e instanceof NoUsableSlice) {
        problems.push(...e.problems);
        continue;
      }
      throw e;
    }
    series.push(summarise(layout));
    problems.push(...layout.problems);
  }
  series.sort(
    (a, b) =>
      a.studyInstanceUid.localeCompare(b.studyInstanceUid) ||
      (a.seriesNumber ?? Infinity) - (b.seriesNumber ?? Infinity) ||
      a.seriesInstanceUid.localeCompare(b.seriesInstanceUid),
  );
  problems.sort((a, b) => a.path.localeCompare(b.path));
  return { series, problems };
}
