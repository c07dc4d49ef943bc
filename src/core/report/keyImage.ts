/**
 * A report's key image of one level: the HU slice at a window (the muscle window), every outline of
 * the level stroked in its muscle's colour, and where each outline's label goes. Rasterised here into
 * RGBA (pure: the PNG encoding is the caller's, fast-png in node), so every report format gets the
 * same pixels.
 *
 * The stroke is written by hand (a square brush stepped along each edge): it is a few lines, and a
 * canvas library in core would pull in native code or the DOM for drawing straight lines.
 *
 * Labels are not rasterised: a report draws them as text (vector, selectable, at print resolution) at
 * the positions given here, in image pixels, with a leader line to the outline. A label is placed
 * outside its outline, away from the middle of all outlines (the spine), so it never covers the muscle
 * it names; labels that would overlap are pushed further out.
 */
import type { Level, Side } from '../anatomy/anatomy';
import { MUSCLE_COLORS } from '../anatomy/muscleStyle';
import type { AnnotationDocument, RoiMuscle } from '../annotations/document';
import { roiSlice } from '../annotations/outlineFlags';
import { lpsToIndex, nearestSliceToZ } from '../geometry/volumeGeometry';
import type { Vec3 } from '../geometry/vec3';
import { maskToContours } from '../roi/maskToContours';
import { polygonArea, type PointIj } from '../roi/rasterize';
import { sliceView, type HuVolume } from '../volume';
import { rowTag } from './model';

export interface KeyImageOutline {
  readonly muscle: RoiMuscle | null;
  readonly side: Side | null;
  /** The structure's name (used as the label when it is no muscle). */
  readonly structure: string;
  /** Closed polygon in slice pixel coordinates (i = column, j = row, integers at pixel centres). */
  readonly points: readonly PointIj[];
}

export interface KeyImageInput {
  readonly level: Level | null;
  readonly sliceIndex: number;
  readonly columns: number;
  readonly rows: number;
  /** The slice's HU, rows x columns, row-major. */
  readonly hu: Int16Array | Float32Array;
  /** [distance between rows, distance between columns], mm: the image keeps the patient's aspect. */
  readonly pixelSpacing: readonly [number, number];
  readonly outlines: readonly KeyImageOutline[];
  /** ImageOrientationPatient's row and column directions (LPS): the image's edges are then labelled with the patient's sides. */
  readonly rowDirection?: Vec3;
  readonly columnDirection?: Vec3;
}

export interface KeyImageWindow {
  readonly center: number;
  readonly width: number;
}

export interface KeyImageLabel {
  readonly text: string;
  readonly color: string;
  /** Where the label's centre goes, image pixels. */
  readonly x: number;
  readonly y: number;
  /** The outline point the leader line goes to, image pixels. */
  readonly anchorX: number;
  readonly anchorY: number;
}

export interface KeyImage {
  readonly width: number;
  readonly height: number;
  /** width x height x 4 bytes, row-major, opaque. */
  readonly rgba: Uint8Array;
  /** The part of the slice shown (slice pixels): around the outlines, or the whole slice. */
  readonly crop: CropBox;
  /** Image pixels per slice pixel (an integer, nearest neighbour: the CT pixels stay visible as pixels). */
  readonly scale: number;
  /** Physical size of the slice, mm (columns x column spacing, rows x row spacing): draw at this aspect. */
  readonly widthMm: number;
  readonly heightMm: number;
  readonly labels: readonly KeyImageLabel[];
  /** The patient direction at each edge of the image ('R', 'A', ...; 'RA' when oblique), null when the orientation is unknown. */
  readonly edges: { readonly left: string; readonly right: string; readonly top: string; readonly bottom: string } | null;
}

/**
 * The patient direction a unit vector points to in LPS ('L', 'P', 'H' and their opposites), the
 * dominant axis first; an axis counts when its component is at least 0.3 (so an oblique direction
 * reads 'LA', a plain axial one 'L'), as DICOM's patient orientation letters are built.
 */
export function directionLetters(v: Vec3): string {
  const letters: [number, string][] = [
    [v[0], v[0] > 0 ? 'L' : 'R'],
    [v[1], v[1] > 0 ? 'P' : 'A'],
    [v[2], v[2] > 0 ? 'H' : 'F'],
  ];
  return letters
    .filter(([c]) => Math.abs(c) >= 0.3)
    .sort((a, b) => Math.abs(b[0]) - Math.abs(a[0]))
    .map(([, l]) => l)
    .join('');
}

function edgeLetters(row: Vec3 | undefined, col: Vec3 | undefined): KeyImage['edges'] {
  if (!row || !col) return null;
  const neg = (v: Vec3): Vec3 => [-v[0], -v[1], -v[2]];
  return { left: directionLetters(neg(row)), right: directionLetters(row), top: directionLetters(neg(col)), bottom: directionLetters(col) };
}

export interface CropBox {
  readonly i0: number;
  readonly j0: number;
  readonly columns: number;
  readonly rows: number;
}

/**
 * The part of the slice around its outlines: their bounding box grown by half its larger side and at
 * least `marginMm` each way, cut to the slice; the whole slice when there is no outline. So small
 * muscles on a large field of view (a 512² slice) are big enough to read, with their surroundings.
 */
export function cropBox(input: Pick<KeyImageInput, 'columns' | 'rows' | 'outlines' | 'pixelSpacing'>, marginMm: number): CropBox {
  let i0 = Infinity;
  let i1 = -Infinity;
  let j0 = Infinity;
  let j1 = -Infinity;
  for (const o of input.outlines) {
    for (const [i, j] of o.points) {
      i0 = Math.min(i0, i);
      i1 = Math.max(i1, i);
      j0 = Math.min(j0, j);
      j1 = Math.max(j1, j);
    }
  }
  if (!Number.isFinite(i0)) return { i0: 0, j0: 0, columns: input.columns, rows: input.rows };
  const [rowMm, colMm] = input.pixelSpacing;
  const halfMm = Math.max((i1 - i0) * colMm, (j1 - j0) * rowMm) / 2;
  const padI = Math.ceil(Math.max(marginMm, halfMm) / colMm);
  const padJ = Math.ceil(Math.max(marginMm, halfMm) / rowMm);
  const a = Math.max(0, Math.floor(i0) - padI);
  const b = Math.min(input.columns - 1, Math.ceil(i1) + padI);
  const c = Math.max(0, Math.floor(j0) - padJ);
  const d = Math.min(input.rows - 1, Math.ceil(j1) + padJ);
  return { i0: a, j0: c, columns: b - a + 1, rows: d - c + 1 };
}

export interface KeyImageOptions {
  /** Show only the part of the slice around the outlines (cropBox; default), or the whole slice (false). */
  readonly crop?: boolean;
  /** The least margin around the outlines when cropping, mm. Default 20. */
  readonly cropMarginMm?: number;
  /** The longer side of the image is at most this many pixels (and at least the slice's). Default 512. */
  readonly maxSide?: number;
  /** Size of a label's box in image pixels per character and its height, for keeping labels apart. Default 7 x 14 per 512. */
  readonly labelCharPx?: number;
  readonly labelHeightPx?: number;
}

function hexRgb(hex: string): [number, number, number] {
  const m = /^#?([0-9a-f]{6})$/i.exec(hex);
  const n = m ? parseInt(m[1]!, 16) : 0xcccccc;
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/** The key image of one level: the slice at the window, the outlines stroked in their muscles' colours, the labels' places. */
export function renderKeyImage(input: KeyImageInput, window: KeyImageWindow, options: KeyImageOptions = {}): KeyImage {
  const { columns, rows, hu } = input;
  if (!Number.isInteger(columns) || !Number.isInteger(rows) || columns < 1 || rows < 1) throw new Error(`key image: slice size must be positive integers (got ${columns}x${rows})`);
  if (hu.length !== columns * rows) throw new Error(`key image: slice has ${hu.length} values, expected ${columns}x${rows}`);
  if (!(window.width > 0)) throw new Error(`key image: window width must be positive (got ${window.width})`);
  const [rowMm, colMm] = input.pixelSpacing;
  const crop = options.crop === false ? { i0: 0, j0: 0, columns, rows } : cropBox(input, options.cropMarginMm ?? 20);
  const scale = Math.max(1, Math.floor((options.maxSide ?? 512) / Math.max(crop.columns, crop.rows)));
  const width = crop.columns * scale;
  const height = crop.rows * scale;
  const rgba = new Uint8Array(width * height * 4);

  // The window as the viewer applies it: lower edge black, upper edge white, linear between.
  const lo = window.center - window.width / 2;
  const k = 255 / window.width;
  // (i, j): pixel of the cropped part, which is slice pixel (crop.i0 + i, crop.j0 + j).
  for (let j = 0; j < crop.rows; j++) {
    for (let i = 0; i < crop.columns; i++) {
      const g = Math.max(0, Math.min(255, Math.round((hu[(crop.j0 + j) * columns + crop.i0 + i]! - lo) * k)));
      for (let dy = 0; dy < scale; dy++) {
        let p = ((j * scale + dy) * width + i * scale) * 4;
        for (let dx = 0; dx < scale; dx++, p += 4) {
          rgba[p] = g;
          rgba[p + 1] = g;
          rgba[p + 2] = g;
          rgba[p + 3] = 255;
        }
      }
    }
  }

  // Slice coordinate u (pixel centre at an integer) to image pixels: pixel i covers [i*scale, (i+1)*scale).
  const toImgX = (u: number) => (u - crop.i0 + 0.5) * scale;
  const toImgY = (u: number) => (u - crop.j0 + 0.5) * scale;
  const brush = Math.max(2, Math.round(scale / 2));
  const stamp = (x: number, y: number, c: readonly [number, number, number]) => {
    const x0 = Math.round(x - brush / 2);
    const y0 = Math.round(y - brush / 2);
    for (let yy = Math.max(0, y0); yy < Math.min(height, y0 + brush); yy++) {
      for (let xx = Math.max(0, x0); xx < Math.min(width, x0 + brush); xx++) {
        const p = (yy * width + xx) * 4;
        rgba[p] = c[0];
        rgba[p + 1] = c[1];
        rgba[p + 2] = c[2];
      }
    }
  };
  for (const o of input.outlines) {
    const c = hexRgb(o.muscle ? MUSCLE_COLORS[o.muscle] : '#cccccc');
    const pts = o.points;
    for (let n = 0; n < pts.length; n++) {
      const [ai, aj] = pts[n]!;
      const [bi, bj] = pts[(n + 1) % pts.length]!;
      const ax = toImgX(ai);
      const ay = toImgY(aj);
      const bx = toImgX(bi);
      const by = toImgY(bj);
      const steps = Math.max(1, Math.ceil(Math.hypot(bx - ax, by - ay) * 2));
      for (let s = 0; s <= steps; s++) stamp(ax + ((bx - ax) * s) / steps, ay + ((by - ay) * s) / steps, c);
    }
  }

  const labels = placeLabels(input.outlines, toImgX, toImgY, width, height, {
    charPx: options.labelCharPx ?? (7 * Math.max(width, height)) / 512,
    heightPx: options.labelHeightPx ?? (14 * Math.max(width, height)) / 512,
  });
  return { width, height, rgba, scale, crop, widthMm: crop.columns * colMm, heightMm: crop.rows * rowMm, labels, edges: edgeLetters(input.rowDirection, input.columnDirection) };
}

interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

function placeLabels(
  outlines: readonly KeyImageOutline[],
  toImgX: (u: number) => number,
  toImgY: (u: number) => number,
  width: number,
  height: number,
  size: { charPx: number; heightPx: number },
): KeyImageLabel[] {
  // One label per muscle and side (a mask in several pieces is one measurement): on its largest piece.
  const largest = new Map<string, KeyImageOutline>();
  for (const o of outlines) {
    if (o.points.length === 0) continue;
    const key = `${o.muscle}|${o.side}|${o.structure}`;
    const had = largest.get(key);
    if (!had || Math.abs(polygonArea(o.points)) > Math.abs(polygonArea(had.points))) largest.set(key, o);
  }
  const shapes = [...largest.values()]
    .map((o) => {
      const pts = o.points.map(([i, j]) => [toImgX(i), toImgY(j)] as const);
      const cx = pts.reduce((s, p) => s + p[0], 0) / pts.length;
      const cy = pts.reduce((s, p) => s + p[1], 0) / pts.length;
      return { o, pts, cx, cy };
    });
  if (shapes.length === 0) return [];
  const mx = shapes.reduce((s, p) => s + p.cx, 0) / shapes.length;
  const my = shapes.reduce((s, p) => s + p.cy, 0) / shapes.length;
  const placed: Box[] = [];
  const out: KeyImageLabel[] = [];
  const margin = size.heightPx * 0.6;
  for (const { o, pts, cx, cy } of shapes) {
    const text = rowTag(o.muscle, o.side, o.structure);
    let dx = cx - mx;
    let dy = cy - my;
    const len = Math.hypot(dx, dy);
    if (len < 1e-6) {
      dx = 0;
      dy = -1;
    } else {
      dx /= len;
      dy /= len;
    }
    // The outline's farthest point along the direction: the leader line's anchor.
    let anchor = pts[0]!;
    let reach = -Infinity;
    for (const p of pts) {
      const t = (p[0] - cx) * dx + (p[1] - cy) * dy;
      if (t > reach) {
        reach = t;
        anchor = p;
      }
    }
    const w = text.length * size.charPx + size.charPx;
    const h = size.heightPx;
    // Far enough that the box (half its extent along the direction) clears the anchor, then further while it overlaps.
    const half = Math.abs(dx) * (w / 2) + Math.abs(dy) * (h / 2);
    let t = reach + margin + half;
    let box: Box;
    let x: number;
    let y: number;
    for (let tries = 0; ; tries++) {
      x = Math.max(w / 2, Math.min(width - w / 2, cx + dx * t));
      y = Math.max(h / 2, Math.min(height - h / 2, cy + dy * t));
      box = { x0: x - w / 2, y0: y - h / 2, x1: x + w / 2, y1: y + h / 2 };
      const b = box;
      if (tries > 20 || !placed.some((q) => b.x0 < q.x1 && q.x0 < b.x1 && b.y0 < q.y1 && q.y0 < b.y1)) break;
      t += h * 0.8;
    }
    placed.push(box);
    out.push({ text, color: o.muscle ? MUSCLE_COLORS[o.muscle] : '#cccccc', x, y, anchorX: anchor[0], anchorY: anchor[1] });
  }
  return out;
}

/** A structure's mask on the slice of a level (what the mask pipeline measured). */
export interface LevelMask {
  readonly level: Level | null;
  readonly sliceIndex: number;
  readonly structure: string;
  readonly muscle: RoiMuscle | null;
  readonly side: Side | null;
  /** rows x columns, non-zero inside. */
  readonly mask: Uint8Array;
}

function levelKey(level: Level | null, sliceIndex: number): string {
  return level ?? `slice ${sliceIndex}`;
}

/** One key image input per level (slices without a level: per slice), outlines traced from the measured masks (every component). */
export function keyImageInputsFromMasks(volume: HuVolume, masks: readonly LevelMask[]): KeyImageInput[] {
  const g = volume.geometry;
  const byLevel = new Map<string, LevelMask[]>();
  for (const m of masks) {
    const key = levelKey(m.level, m.sliceIndex);
    byLevel.set(key, [...(byLevel.get(key) ?? []), m]);
  }
  return [...byLevel.values()].map((list) => {
    const k = list[0]!.sliceIndex;
    const outlines = list
      .filter((m) => m.sliceIndex === k)
      .flatMap((m) => maskToContours(m.mask, g.columns, g.rows).map((points) => ({ muscle: m.muscle, side: m.side, structure: m.structure, points })));
    return { level: list[0]!.level, sliceIndex: k, columns: g.columns, rows: g.rows, hu: sliceView(volume, k), pixelSpacing: [g.rowSpacingMm, g.columnSpacingMm], outlines, rowDirection: g.rowDirection, columnDirection: g.columnDirection };
  });
}

/** One key image input per level of an annotation document: the level's outlines on the level's slice (the slice most of its outlines lie on). */
export function keyImageInputsFromDocument(volume: HuVolume, doc: Pick<AnnotationDocument, 'rois' | 'levels'>): KeyImageInput[] {
  const g = volume.geometry;
  const levels = [...new Set([...doc.levels.map((l) => l.level), ...doc.rois.map((r) => r.level)])];
  return levels.map((level) => {
    const rois = doc.rois.filter((r) => r.level === level).map((r) => ({ r, k: roiSlice(volume, r) }));
    const mark = doc.levels.find((l) => l.level === level);
    const counts = new Map<number, number>();
    for (const { k } of rois) counts.set(k, (counts.get(k) ?? 0) + 1);
    const k = rois.length > 0 ? [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]![0] : mark ? nearestSliceToZ(g, mark.z) : 0;
    const outlines = rois
      .filter((x) => x.k === k)
      .map(({ r }) => ({
        muscle: r.muscle,
        side: r.side,
        structure: `${r.muscle}_${r.side}`,
        points: r.pointsLps.map((p) => {
          const [i, j] = lpsToIndex(g, p);
          return [i, j] as const;
        }),
      }));
    return { level, sliceIndex: k, columns: g.columns, rows: g.rows, hu: sliceView(volume, k), pixelSpacing: [g.rowSpacingMm, g.columnSpacingMm], outlines, rowDirection: g.rowDirection, columnDirection: g.columnDirection };
  });
}
