/**
 * The demo CT's anatomy and HU model (pure, no I/O): a synthetic lumbar CT from L1 to the sacrum, built
 * slice by slice as a label map (one structure per pixel, first match wins) and an HU image derived
 * from it, with the exact ground truth of every muscle at the four measured levels counted from the
 * same label map and HU (never by the app's measuring code).
 *
 * Grid: 320 x 320 pixels of 1.2 mm (a 384 mm field of view), 60 axial slices of 3 mm, slice k (feet to head) at z = 3k - 90 mm;
 * column i runs to the patient's left (+x), row j to the posterior (+y). Along z, from the feet:
 * sacrum (slices 1..6, soft tissue only on slice 0), then per segment a 3-slice disc and a 7-slice vertebral body (L5 .. L1),
 * and a last disc (T12/L1, slices 57..59). Each vertebral body is centred on its middle slice and
 * each disc has one middle slice, so the levels are: L5/S1 = 8, L4/L5 = 18, L3/L4 = 28, L3 = 33.
 *
 * Anatomy of an average adult (sizes in mm below, at spineLabel and the muscles), front to back: a trunk
 * 340 mm wide and 240 mm deep with 15-20 mm of subcutaneous fat; the abdominal wall (the rectus abdominis
 * parted at the linea alba, the three flank layers with thin fat between, thinning behind the flank); the
 * bowel and mesentery (smooth blobs of bowel wall and contents, mesenteric fat and a few gas pockets: a seeded
 * smooth noise field, continuous across slices) and the colon in each flank; the aorta and the inferior vena
 * cava in front of the spine (dividing into the iliac vessels below L4), the kidneys beside L1-L2, the tips
 * of the liver and spleen beside L1, the retroperitoneal fat, the iliac wings beside the sacrum and their
 * crests at L5/S1 with the gluteal muscles and iliacus beside them; the vertebra: a kidney-shaped body
 * (cortical rim, trabecular centre), pedicles, the canal, articular processes, laminae, the spinous process and, on each body's middle three slices, the
 * transverse processes; at a disc the disc (nucleus and annulus), the facet joints and the upper spinous
 * process, no ring; the sacrum with its alae. The psoas lies against the body's anterolateral surface
 * reaching back to the transverse process and grows caudally; the quadratus lumborum lies lateral to it
 * behind the transverse process tip, thinning to a small slip at L5/S1; behind the laminae the paraspinal
 * mass of each side, the multifidus medial (in the laminar groove, against the spinous process) and the
 * erector spinae lateral, with a 1-pixel fat plane between them (in the autochthon mask, as TotalSegmentator's masks
 * take in such planes; the muscle beside it lean) where the multifidus holds the
 * published share of the autochthon at that height (mfShareByLevel.ts: 0.2 at L3 .. 0.55 at L5/S1), so a
 * split of the autochthon along its fat plane gives the model's two muscles exactly (the plane going to the
 * erector spinae, as the split rule gives the cut pixel to the lateral part; the truth counts it there).
 * Areas per side (published adult ranges at the muscles): psoas about 8.7 cm² at L3 to 13.5 at L5/S1,
 * quadratus lumborum 4.1 to 2.0, erector spinae 21 to 7.3, multifidus 5.2 to 9.3.
 *
 * HU (all integers, so every storage gives the same truth): air -1000; fat -100 (subcutaneous, retroperitoneal,
 * mesenteric, the intermuscular plane) and soft tissue 35 (bowel wall 30 and contents 12, vessels 40, kidney 30, liver and spleen 55);
 * vertebral cortex 700 and trabecular bone 150 (sacrum 200 inside); posterior elements 700; the ilium 450; discs 75 (nucleus) and 92 (annulus); the
 * spinal canal (fluid) 10; each of these with a seeded jitter of -8..8 (image noise). Muscle pixels are lean (40..60 HU) or fat
 * (-110..-90 HU): on each slice exactly round(stated fraction x pixels) of a muscle's pixels are fat, those
 * where a seeded smooth noise field is lowest, so the fat lies in streaks and small patches spread
 * through the muscle (marbling, as fatty infiltration looks on CT), not in one cluster or as salt.
 */

export const DEMO_GRID = {
  columns: 320,
  rows: 320,
  slices: 60,
  pixelMm: 1.2,
  sliceMm: 3,
  /** z of slice 0 (mm); slice k lies at firstZ + 3k. */
  firstZ: -90,
} as const;

export const DEMO_MUSCLES = ['psoas', 'quadratusLumborum', 'erectorSpinae', 'multifidus'] as const;
export type DemoMuscle = (typeof DEMO_MUSCLES)[number];
export type DemoSide = 'left' | 'right';
export const DEMO_SIDES: readonly DemoSide[] = ['left', 'right'];
export const DEMO_LEVELS = ['L3', 'L3/L4', 'L4/L5', 'L5/S1'] as const;
export type DemoLevel = (typeof DEMO_LEVELS)[number];

/** The slice of each measured level (see the layout above). */
export const DEMO_LEVEL_SLICES: Readonly<Record<DemoLevel, number>> = { L3: 33, 'L3/L4': 28, 'L4/L5': 18, 'L5/S1': 8 };

export type DemoVertebra = 'L1' | 'L2' | 'L3' | 'L4' | 'L5' | 'sacrum';

/** What lies along z at slice k. */
export type Segment = { kind: 'sacrum' } | { kind: 'body'; vertebra: Exclude<DemoVertebra, 'sacrum'> } | { kind: 'disc' };

const BODIES = ['L5', 'L4', 'L3', 'L2', 'L1'] as const;

export function segmentAt(k: number): Segment {
  if (k < 7) return { kind: 'sacrum' };
  const r = k - 7;
  const seg = Math.floor(r / 10);
  if (seg >= BODIES.length || r % 10 < 3) return { kind: 'disc' };
  return { kind: 'body', vertebra: BODIES[seg]! };
}

/** Labels of the label map. Muscle labels come in left/right pairs. */
export const LABEL = {
  air: 0,
  subcutaneousFat: 1,
  visceralFat: 2,
  softTissue: 3,
  cortex: 4,
  trabecular: 5,
  posteriorElements: 6,
  disc: 7,
  canal: 8,
  /** The fat plane between multifidus and erector spinae, one pixel wide (in the autochthon mask of its side). */
  fatPlaneLeft: 9,
  psoasLeft: 10,
  psoasRight: 11,
  quadratusLumborumLeft: 12,
  quadratusLumborumRight: 13,
  erectorSpinaeLeft: 14,
  erectorSpinaeRight: 15,
  multifidusLeft: 16,
  multifidusRight: 17,
  abdominalWall: 18,
  bowel: 19,
  bowelGas: 20,
  vessel: 21,
  kidney: 22,
  retroperitonealFat: 23,
  bowelContents: 24,
  fatPlaneRight: 25,
  /** The iliac bones (in no mask): beside the sacrum and, as the iliac crests, at L5/S1. */
  ilium: 26,
  /** The gluteal muscles and the iliacus beside the iliac wings (in no mask: the model's psoas is the psoas alone). */
  pelvicMuscle: 27,
  /** The liver's inferior tip (right) and the spleen's (left) beside L1. */
  liver: 28,
} as const;

export function muscleLabel(m: DemoMuscle, side: DemoSide): number {
  const base = m === 'psoas' ? LABEL.psoasLeft : m === 'quadratusLumborum' ? LABEL.quadratusLumborumLeft : m === 'erectorSpinae' ? LABEL.erectorSpinaeLeft : LABEL.multifidusLeft;
  return side === 'left' ? base : base + 1;
}

/** The fat plane between multifidus and erector spinae of a side. */
export const fatPlaneLabel = (side: DemoSide) => (side === 'left' ? LABEL.fatPlaneLeft : LABEL.fatPlaneRight);
const isFatPlane = (label: number) => label === LABEL.fatPlaneLeft || label === LABEL.fatPlaneRight;

/** The muscle and side of a label, or null for a label that is not a muscle. */
export function labelMuscle(label: number): { muscle: DemoMuscle; side: DemoSide } | null {
  if (label < LABEL.psoasLeft || label > LABEL.multifidusRight) return null;
  const n = label - LABEL.psoasLeft;
  return { muscle: DEMO_MUSCLES[n >> 1]!, side: n % 2 === 0 ? 'left' : 'right' };
}

const CX = (DEMO_GRID.columns - 1) / 2;
const CY = (DEMO_GRID.rows - 1) / 2;
/** Patient x (mm, + to the patient's left) and y (mm, + posterior) of pixel (i, j), from the grid's centre. */
const mmX = (i: number) => (i - CX) * DEMO_GRID.pixelMm;
const mmY = (j: number) => (j - CY) * DEMO_GRID.pixelMm;

/** Position from the head: 0 at the top slice, 1 at slice 0 (muscles grow or shrink along it). */
const caudal = (k: number) => (DEMO_GRID.slices - 1 - k) / (DEMO_GRID.slices - 1);

type ZTable = readonly (readonly [number, number])[];
const zCache = new Map<ZTable, Float64Array>();
/** Piecewise linear in the slice index through (slice, value) points given feet to head (tabulated per slice once: it is asked for every pixel). */
function alongZ(points: ZTable, k: number): number {
  let t = zCache.get(points);
  if (!t) {
    t = new Float64Array(DEMO_GRID.slices);
    for (let n = 0; n < t.length; n++) t[n] = interpolateZ(points, n);
    zCache.set(points, t);
  }
  return t[k] ?? interpolateZ(points, k);
}
function interpolateZ(points: ZTable, k: number): number {
  if (k <= points[0]![0]) return points[0]![1];
  for (let n = 1; n < points.length; n++) {
    const [k1, v1] = points[n]!;
    const [k0, v0] = points[n - 1]!;
    if (k <= k1) return v0 + ((v1 - v0) * (k - k0)) / (k1 - k0);
  }
  return points[points.length - 1]![1];
}

/**
 * The stated fat fraction of a muscle on one side at slice k: a base per muscle, more caudally and
 * more on the left (so it differs by side and level).
 */
export function statedFatFraction(m: DemoMuscle, side: DemoSide, k: number): number {
  const base = m === 'psoas' ? 0.03 : m === 'quadratusLumborum' ? 0.06 : m === 'erectorSpinae' ? 0.1 : 0.14;
  return base + 0.12 * caudal(k) + (side === 'left' ? 0.05 : 0);
}

/** A 32-bit integer hash of (seed, i, j, k, salt) (murmur3's finaliser on a mixed key). */
export function hash32(seed: number, i: number, j: number, k: number, salt: number): number {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  h = Math.imul(h ^ i, 0x85ebca6b) >>> 0;
  h = (h ^ (h >>> 13)) >>> 0;
  h = Math.imul(h ^ j, 0x85ebca6b) >>> 0;
  h = (h ^ (h >>> 13)) >>> 0;
  h = Math.imul(h ^ k, 0x85ebca6b) >>> 0;
  h = (h ^ (h >>> 13)) >>> 0;
  h = Math.imul(h ^ salt, 0x85ebca6b) >>> 0;
  h = (h ^ (h >>> 13)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

const inEllipse = (i: number, j: number, cx: number, cy: number, rx: number, ry: number) => ((i - cx) / rx) ** 2 + ((j - cy) / ry) ** 2 <= 1;

const fade = (t: number) => t * t * (3 - 2 * t);

/**
 * Seeded smooth value noise in 0..1 at (x, y, z) in lattice units: a hashed value (hash32) at each lattice
 * point, interpolated with smoothstep weights (trilinear). Written here: a few lines, and no library we use
 * has one.
 */
export function smoothNoise(seed: number, salt: number, x: number, y: number, z: number): number {
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  const z0 = Math.floor(z);
  const fx = fade(x - x0);
  const fy = fade(y - y0);
  const fz = fade(z - z0);
  const S = 2 ** -32;
  const a = hash32(seed, x0, y0, z0, salt) * S;
  const b = hash32(seed, x0 + 1, y0, z0, salt) * S;
  const c = hash32(seed, x0, y0 + 1, z0, salt) * S;
  const d = hash32(seed, x0 + 1, y0 + 1, z0, salt) * S;
  const top = a + (b - a) * fx;
  const p0 = top + (c + (d - c) * fx - top) * fy;
  if (fz === 0) return p0;
  const e = hash32(seed, x0, y0, z0 + 1, salt) * S;
  const f = hash32(seed, x0 + 1, y0, z0 + 1, salt) * S;
  const g = hash32(seed, x0, y0 + 1, z0 + 1, salt) * S;
  const h = hash32(seed, x0 + 1, y0 + 1, z0 + 1, salt) * S;
  const top1 = e + (f - e) * fx;
  const p1 = top1 + (g + (h - g) * fx - top1) * fy;
  return p0 + (p1 - p0) * fz;
}

/** One slice: the label of every pixel (i + columns * j), and the vertebra whose mask each bone pixel belongs to. */
export interface DemoSlice {
  readonly labels: Uint8Array;
  /** The vertebra mask a pixel belongs to (body and posterior elements, or the sacrum), else null. */
  readonly vertebra: DemoVertebra | null;
}

/*
 * The anatomy in millimetres (x to the patient's left, y posterior, from the grid's centre). Sizes of an
 * average adult (lumbar vertebral body 40-50 mm wide and 30-35 mm deep, canal about 22 x 16 mm,
 * transverse process tips 35-50 mm off the midline, spinous process tip about 70 mm behind the body's
 * front), the trunk 340 mm wide and 240 mm deep with 15-20 mm of subcutaneous fat.
 */
/** The vertebral body's (or disc's) centre y; its half width and half depth along z (L1 small, L5 and S1 large). */
const BODY_Y = 5;
const BODY_HALF_WIDTH: readonly (readonly [number, number])[] = [
  [0, 26],
  [13, 25.5],
  [33, 24],
  [52, 21.5],
  [59, 21],
];
const BODY_HALF_DEPTH: readonly (readonly [number, number])[] = [
  [0, 17],
  [13, 17.5],
  [33, 17],
  [52, 15.5],
  [59, 15],
];
/** Transverse process tip, mm off the midline (L3's the longest). */
const TP_TIP: Readonly<Record<Exclude<DemoVertebra, 'sacrum'>, number>> = { L1: 34, L2: 42, L3: 48, L4: 45, L5: 41 };

/** Point (x, y) within `hw` of the segment (x0, y0)-(x1, y1). */
function nearSegment(x: number, y: number, x0: number, y0: number, x1: number, y1: number, hw: number): boolean {
  const dx = x1 - x0;
  const dy = y1 - y0;
  const t = Math.min(1, Math.max(0, ((x - x0) * dx + (y - y0) * dy) / (dx * dx + dy * dy)));
  return (x - x0 - t * dx) ** 2 + (y - y0 - t * dy) ** 2 <= hw * hw;
}

/** |dx/ax|^p + |dy/ay|^p: below 1 inside a superellipse (a rounded rectangle for p > 2). */
const superNorm = (x: number, y: number, cx: number, cy: number, ax: number, ay: number, p: number) => Math.abs((x - cx) / ax) ** p + Math.abs((y - cy) / ay) ** p;

/** The kidney-shaped body outline (an ellipse with the posterior border drawn in at the midline), shrunk by `inset` mm. */
function inBody(x: number, y: number, a: number, b: number, inset: number): boolean {
  return inEllipse(x, y, 0, BODY_Y, a - inset, b - inset) && !inEllipse(x, y, 0, BODY_Y + b + 4, 0.4 * a + inset, 6.5 + inset);
}

/** The bone, disc or canal label at (x, y) mm on slice k, or null (soft tissue around the spine). */
function spineLabel(x: number, y: number, k: number): number | null {
  const seg = segmentAt(k);
  const a = alongZ(BODY_HALF_WIDTH, k);
  const b = alongZ(BODY_HALF_DEPTH, k);
  const back = BODY_Y + b; // the body's posterior border at the midline
  const ax = Math.abs(x);
  const CORTEX_MM = 2.4; // two pixels of cortex
  // the iliac wings beside the sacrum (at the sacroiliac joints) and their crests up to the lower L5 body
  if (k <= 6 ? nearSegment(ax, y, 74, 28, 118, -22, 5) : k <= 10 && nearSegment(ax, y, 102, 24, 124, -6, 4)) return LABEL.ilium;
  if (seg.kind === 'sacrum') {
    // slice 0 lies below the sacrum's tip (soft tissue): the sacrum does not touch the end of the scan
    if (k === 0) return null;
    if (inEllipse(x, y, 0, back + 6, 13, 6)) return LABEL.canal;
    // S1: the body, the alae spreading laterally, the fused laminae and the median sacral crest
    if (inBody(x, y, a, b, 0)) return inBody(x, y, a, b, CORTEX_MM) ? LABEL.trabecular : LABEL.cortex;
    if (inEllipse(ax, y, a + 16, BODY_Y + 8, 26, 13)) return inEllipse(ax, y, a + 16, BODY_Y + 8, 26 - CORTEX_MM, 13 - CORTEX_MM) ? LABEL.trabecular : LABEL.cortex;
    if (inEllipse(ax, y, 14, back + 13, 15, 6) || (ax <= 3 && y >= back + 12 && y <= back + 26)) return LABEL.posteriorElements;
    return null;
  }
  if (inEllipse(x, y, 0, back + 7, 11, 8)) return LABEL.canal;
  if (seg.kind === 'disc') {
    if (inBody(x, y, a + 1, b + 1, 0)) return LABEL.disc; // the disc bulges a little beyond the bodies
    // the facet joints (the articular processes of the two vertebrae with the joint space between) and the
    // upper vertebra's spinous process reach down to the disc; no pedicles, laminae or transverse processes
    if (inEllipse(ax, y, 18, back + 14, 5.5, 6.5)) return Math.abs(ax - 18 - 0.5 * (y - back - 14)) < 0.7 ? LABEL.softTissue : LABEL.posteriorElements; // the joint space: cartilage
    // (the spinous process on the disc's upper two slices: the interspinous gap below it, as a sagittal view shows)
    if ((k - 7) % 10 > 0 && ax <= 3 && y >= back + 24 && y <= back + 48) return LABEL.posteriorElements;
    return null;
  }
  if (inBody(x, y, a, b, 0)) return inBody(x, y, a, b, CORTEX_MM) ? LABEL.trabecular : LABEL.cortex;
  const pedicle = inEllipse(ax, y, 15, back + 4, 4.5, 7);
  const articular = inEllipse(ax, y, 18, back + 14, 5.5, 6);
  const lamina = nearSegment(ax, y, 16, back + 14, 3, back + 21, 3);
  const spinous = y >= back + 17 && y <= back + 50 && ax <= 3.6 - (1.4 * (y - back - 17)) / 33;
  // the transverse processes on the body's middle three slices (its mask stays symmetric along z, so its centroid stays on the middle slice)
  const transverse = Math.abs(((k - 7) % 10) - 6) <= 1 && nearSegment(ax, y, 14, back + 4, TP_TIP[seg.vertebra], back + 1, 3);
  return pedicle || articular || lamina || spinous || transverse ? LABEL.posteriorElements : null;
}

/**
 * The autochthon's (one side's) half width and half depth along z (mm): erector spinae and multifidus together,
 * 26 cm² at L3 to 17 cm² at L5/S1. Published adult ranges per side (Crawford 2016, Fortin 2013): erector spinae
 * about 15-25 cm² at L3-L4, 5-15 cm² at L4/L5-L5/S1; multifidus about 4-7 cm² at L3, 7-11 cm² at L4/L5-L5/S1;
 * the model's erector spinae 21.0, 19.1, 12.8, 7.3 cm² and multifidus 5.2, 6.1, 7.3, 9.3 cm² (L3 .. L5/S1).
 */
const AUTOCHTHON_HALF_WIDTH: readonly (readonly [number, number])[] = [
  [0, 24],
  [8, 25],
  [18, 28],
  [28, 32],
  [33, 33],
  [59, 31],
];
const AUTOCHTHON_HALF_DEPTH: readonly (readonly [number, number])[] = [
  [0, 18],
  [8, 19],
  [18, 21],
  [28, 23],
  [33, 23],
  [59, 22],
];
const AUTOCHTHON_Y = 60;

/** Whether (i, j) on slice k lies in the autochthon of the side whose lateral direction is s (+1: the patient's left, +i): a rounded rectangle from the spinous process outwards, behind the laminae and transverse processes. */
function inAutochthon(i: number, j: number, k: number, s: 1 | -1): boolean {
  const ax = alongZ(AUTOCHTHON_HALF_WIDTH, k);
  const x = s * mmX(i);
  const y = mmY(j);
  if (x < 2.5 || x > 2.5 + 2 * ax || Math.abs(y - AUTOCHTHON_Y) > 30) return false;
  // the block behind the laminae and transverse processes, and the laminar groove beside the spinous process (the multifidus' deepest part)
  return superNorm(x, y, 2.5 + ax, AUTOCHTHON_Y, ax, alongZ(AUTOCHTHON_HALF_DEPTH, k), 2.8) <= 1 || (x > 2.5 && inEllipse(x, y, 9, AUTOCHTHON_Y - 10, 6.5, 8.5));
}

/**
 * The psoas of the side with lateral direction s at (x, y) mm on slice k: an ovoid, wider behind (a teardrop
 * pointing forwards and medially), set against the vertebral body's anterolateral surface (its medial part
 * lies where the body is, which the body keeps) and reaching back to the transverse process; its area grows
 * caudally. Published adult psoas CSA per side: about 6-12 cm² at L3 (Derstine 2018 and others), larger at
 * L4/L5 and L5/S1 (about 10-20 cm²); the model's measure about 8.7 cm² at L3, 10.1 at L3/L4, 12.3 at L4/L5 and 13.5 at L5/S1.
 */
const PSOAS_ELLIPSE_MM2: readonly (readonly [number, number])[] = [
  [0, 1550],
  [8, 1450],
  [18, 1330],
  [28, 1100],
  [33, 930],
  [47, 500],
  [59, 220],
];
function inPsoas(x: number, y: number, k: number, s: 1 | -1): boolean {
  const area = alongZ(PSOAS_ELLIPSE_MM2, k);
  const pa = Math.sqrt(area / (1.15 * Math.PI));
  const pb = 1.15 * pa;
  const sacral = segmentAt(k).kind === 'sacrum';
  // beside the sacrum in front of the ala; above it against the body
  const cx = alongZ(BODY_HALF_WIDTH, k) + (sacral ? 16 : 0.7 * pa);
  const cy = sacral ? BODY_Y - 16 : BODY_Y - 2 - 5 * caudal(k);
  const dy = (y - cy) / pb;
  return ((s * x - cx) / (pa * (1 + 0.2 * dy))) ** 2 + dy * dy <= 1;
}

/**
 * The quadratus lumborum: a lens lateral to the psoas, behind the transverse process tip, largest at L3 and
 * thinning caudally to a small slip at L5/S1 (it inserts on the iliac crest), absent on the sacrum's slices.
 * Published adult QL CSA per side about 3-8 cm² at L3-L4 (Kamaz 2007, Ivanac 2026), little below L4/L5; the
 * model's: about 4.1 cm² at L3, 3.7 at L3/L4, 2.7 at L4/L5, 2.0 at L5/S1.
 */
const QL_SCALE: readonly (readonly [number, number])[] = [
  [8, 0.69],
  [18, 0.8],
  [28, 0.93],
  [33, 1],
  [47, 0.92],
  [59, 0.75],
];
function inQuadratus(x: number, y: number, k: number, s: 1 | -1): boolean {
  if (segmentAt(k).kind === 'sacrum') return false;
  const q = alongZ(QL_SCALE, k);
  return inEllipse(s * x, y, 51 + 15 * q, BODY_Y + alongZ(BODY_HALF_DEPTH, k) + 2, 15 * q, 9 * q);
}

/** The multifidus share of the autochthon (one side) the model aims at on slice k: the published shares at the four levels (mfShareByLevel.ts), linear between them. */
const MF_SHARE_AT: readonly (readonly [number, number])[] = [
  [DEMO_LEVEL_SLICES['L5/S1'], 0.55],
  [DEMO_LEVEL_SLICES['L4/L5'], 0.37],
  [DEMO_LEVEL_SLICES['L3/L4'], 0.25],
  [DEMO_LEVEL_SLICES.L3, 0.2],
];
export function targetMfShare(k: number): number {
  return alongZ(MF_SHARE_AT, k);
}

const planeCache = new Map<number, number>();

/**
 * The fat plane between multifidus and erector spinae on slice k: the pixel column whose distance from the
 * midline, floor(|i - CX|), is `u` is fat (it lies in the autochthon mask, as TotalSegmentator's masks
 * take in the thin planes); nearer is multifidus, farther erector spinae. `u` is the one whose multifidus
 * share of the autochthon mask comes nearest targetMfShare(k) (both sides alike: the model is symmetric).
 */
export function fatPlaneAt(k: number): number {
  const cached = planeCache.get(k);
  if (cached !== undefined) return cached;
  const { columns, rows } = DEMO_GRID;
  const perColumn = new Array<number>(columns).fill(0);
  for (let j = 0; j < rows; j++)
    for (let i = Math.ceil(CX); i < columns; i++) if (spineLabel(mmX(i), mmY(j), k) === null && inAutochthon(i, j, k, 1)) perColumn[Math.floor(i - CX)]!++;
  const total = perColumn.reduce((t, n) => t + n, 0);
  const want = targetMfShare(k);
  let best = 0;
  let bestErr = Infinity;
  let medial = 0;
  for (let u = 0; u < columns; u++) {
    const err = total > 0 ? Math.abs(medial / total - want) : Infinity;
    if (err < bestErr) {
      bestErr = err;
      best = u;
    }
    medial += perColumn[u]!;
  }
  planeCache.set(k, best);
  return best;
}

/** The skin (|x|/170)^2.4 + (|y+12|/120)^2.4 = 1 and the inner border of the subcutaneous fat (15-20 mm in): a trunk 340 mm wide and 240 mm deep. */
const SKIN = { cy: -12, ax: 170, ay: 120, p: 2.4 } as const;
const FAT = { cy: -10, ax: 150, ay: 103, p: 2.4 } as const;

/** Beside an iliac wing (the segment (x0, y0)-(x1, y1), posteromedial to anterolateral): the gluteal muscles behind and lateral to it, the iliacus in front and medial. */
function inPelvicMuscle(ax: number, y: number, k: number): boolean {
  if (k > 10) return false;
  const [x0, y0, x1, y1] = k <= 6 ? [74, 28, 118, -22] : [102, 24, 124, -6];
  const len = Math.hypot(x1 - x0, y1 - y0);
  const t = ((ax - x0) * (x1 - x0) + (y - y0) * (y1 - y0)) / (len * len);
  const d = ((ax - x0) * (y0 - y1) + (y - y0) * (x1 - x0)) / len; // > 0: behind and lateral
  if (t < 0 || t > 1) return false;
  return (d > 4 && d < 22) || (k <= 6 && t > 0.25 && d < -4 && d > -16);
}

let trunkR: Float64Array | null = null;
let skinR: Float64Array | null = null;

/** The label of pixel (i, j) on slice k. */
export function labelAt(i: number, j: number, k: number): number {
  const x = mmX(i);
  const y = mmY(j);
  const p = i + DEMO_GRID.columns * j;
  if (!trunkR) {
    // the same on every slice: computed once
    trunkR = new Float64Array(DEMO_GRID.columns * DEMO_GRID.rows);
    skinR = new Float64Array(trunkR.length);
    for (let q = 0; q < trunkR.length; q++) {
      const qx = mmX(q % DEMO_GRID.columns);
      const qy = mmY(Math.floor(q / DEMO_GRID.columns));
      skinR[q] = superNorm(qx, qy, 0, SKIN.cy, SKIN.ax, SKIN.ay, SKIN.p);
      trunkR[q] = superNorm(qx, qy, 0, FAT.cy, FAT.ax, FAT.ay, FAT.p) ** (1 / FAT.p);
    }
  }
  if (skinR![p]! > 1) return LABEL.air;
  // Bone, disc and canal first: the muscles lie around them.
  const spine = spineLabel(x, y, k);
  if (spine !== null) return spine;
  for (const side of DEMO_SIDES) {
    const s = side === 'left' ? 1 : -1; // the patient's left is the image's right (+i)
    if (inAutochthon(i, j, k, s)) {
      const u = fatPlaneAt(k);
      const off = Math.floor(s * (i - CX));
      return off < u ? muscleLabel('multifidus', side) : off === u ? fatPlaneLabel(side) : muscleLabel('erectorSpinae', side);
    }
    if (inPsoas(x, y, k, s)) return muscleLabel('psoas', side);
    if (inQuadratus(x, y, k, s)) return muscleLabel('quadratusLumborum', side);
    // the kidneys beside L1 and L2, in front of the quadratus lumborum and lateral to the psoas
    if (k >= 40 && inEllipse(s * x, y, 84, 2, 20, 28)) return LABEL.kidney;
  }
  const r = trunkR[p]!;
  if (r > 1) return LABEL.subcutaneousFat;
  if (inPelvicMuscle(Math.abs(x), y, k)) return LABEL.pelvicMuscle;
  // aorta (left of the midline) and inferior vena cava (right) in front of the spine; below L4 the iliac vessels
  if (k >= 20 ? inEllipse(x, y, 13, -27, 10, 10) || inEllipse(x, y, -19, -25, 12, 8) : inEllipse(x, y, 22, -24, 6, 6) || inEllipse(x, y, -22, -24, 6, 6) || inEllipse(x, y, 15, -17, 5, 4.5) || inEllipse(x, y, -14, -17, 6, 4.5)) return LABEL.vessel;
  // The abdominal wall, from the rectus abdominis in front (parted at the linea alba) round to the flanks,
  // where the external and internal obliques and the transversus lie in three layers with thin fat between.
  // Behind the flank it thins and ends at the thoracolumbar fascia beside the erector spinae.
  const ax = Math.abs(x);
  if (r > (y < 10 ? 0.9 : 0.9 + 0.0025 * (y - 10)) && y < 52) {
    if (ax < 2.5 || (ax > 62 && ax < 67 && y < -60)) return LABEL.subcutaneousFat;
    if (ax > 90 && ((r > 0.964 && r < 0.973) || (r > 0.93 && r < 0.939))) return LABEL.subcutaneousFat;
    return LABEL.abdominalWall;
  }
  // the inferior tips of the liver (the patient's right) and the spleen (left) beside L1, shrinking to nothing at L1/L2
  if (k >= 46) {
    const g = (k - 45) / 14; // 0..1 up to the top slice
    if (inEllipse(x, y, -100, -20, 20 + 35 * g, 25 + 45 * g) || inEllipse(x, y, 100, 25, 8 + 22 * g, 10 + 25 * g)) return LABEL.liver;
  }
  // the ascending (right) and descending (left) colon in the flanks: wall, contents, gas along the top
  // (in front of the kidneys higher up, in front of the iliac wings lower down)
  const colonX = k < 12 ? 92 : 106;
  const colonY = k < 12 || k >= 40 ? -24 : 8;
  if (inEllipse(ax, y, colonX, colonY, 19, 16)) return inEllipse(ax, y, colonX, colonY, 16, 13) ? (y < colonY - 6 ? LABEL.bowelGas : LABEL.bowelContents) : LABEL.bowel;
  // The peritoneal cavity: in front of the retroperitoneum, whose front curves back laterally (around the psoas, to the kidneys).
  if (y < -32 + 0.0045 * x * x) {
    // bowel loops and mesentery: smooth blobs (two octaves of noise, continuous across slices); in a loop's
    // middle its contents (fluid, or gas in some), at its rim the wall
    const n = 0.75 * smoothNoise(DEMO_BOWEL_SEED, 1, x / 13.5, y / 13.5, k / 4) + 0.25 * smoothNoise(DEMO_BOWEL_SEED, 2, x / 5.4, y / 5.4, k / 2);
    if (n > 0.5) return LABEL.visceralFat;
    if (n < 0.36) return smoothNoise(DEMO_BOWEL_SEED, 3, x / 6.3, y / 6.3, k / 3) > 0.68 ? LABEL.bowelGas : LABEL.bowelContents;
    return LABEL.bowel;
  }
  return LABEL.retroperitonealFat;
}

/** The bowel pattern's own seed: the anatomy (label map, masks) is the same for every seed; the seed draws the HU. */
const DEMO_BOWEL_SEED = 0x5eed;

export function demoSlice(k: number): DemoSlice {
  const { columns, rows } = DEMO_GRID;
  const labels = new Uint8Array(columns * rows);
  for (let j = 0; j < rows; j++) for (let i = 0; i < columns; i++) labels[i + columns * j] = labelAt(i, j, k);
  const seg = segmentAt(k);
  return { labels, vertebra: seg.kind === 'sacrum' && k > 0 ? 'sacrum' : seg.kind === 'body' ? seg.vertebra : null };
}

/** Is a label part of its slice's vertebra mask (body and posterior elements; the whole sacrum)? */
export const isVertebraLabel = (label: number) => label === LABEL.cortex || label === LABEL.trabecular || label === LABEL.posteriorElements;

/** The HU of a pixel that is not muscle (muscle pixels are drawn in demoHu). */
export function tissueHu(label: number, i: number, j: number, k: number, seed: number): number {
  const jitter = (hash32(seed, i, j, k, label + 100) % 17) - 8; // -8..8
  switch (label) {
    case LABEL.air:
      return -1000;
    case LABEL.bowelGas:
      return -990 + jitter;
    case LABEL.subcutaneousFat:
    case LABEL.visceralFat:
    case LABEL.retroperitonealFat:
    case LABEL.fatPlaneLeft:
    case LABEL.fatPlaneRight:
      return -100 + jitter;
    case LABEL.ilium:
      return 450 + jitter;
    case LABEL.liver:
      return 55 + jitter;
    case LABEL.cortex:
    case LABEL.posteriorElements:
      return 700 + jitter;
    case LABEL.trabecular:
      return (segmentAt(k).kind === 'sacrum' ? 200 : 150) + jitter;
    case LABEL.disc: {
      // the nucleus (inner half) 75, the annulus around it 92
      const x = mmX(i) / (alongZ(BODY_HALF_WIDTH, k) + 1);
      const y = (mmY(j) - BODY_Y) / (alongZ(BODY_HALF_DEPTH, k) + 1);
      return (x * x + y * y < 0.3 ? 75 : 92) + jitter;
    }
    case LABEL.canal:
      return 10 + jitter;
    case LABEL.bowel:
    case LABEL.kidney:
      return 30 + jitter;
    case LABEL.vessel:
      return 40 + jitter;
    case LABEL.bowelContents:
      return 12 + jitter;
    default:
      return 35 + jitter;
  }
}

/**
 * The HU image of slice k (int16, i + columns * j) and its fat flags. A muscle's fat pixels on the slice
 * are exactly round(statedFatFraction x its pixels), those with the lowest marbling score (smooth noise
 * at a 2-pixel lattice, ties by a hash, then by pixel): streaks and patches, as fatty infiltration looks.
 * Lean pixels are 40..60 HU, fat pixels -110..-90 HU.
 */
export function demoHu(slice: DemoSlice, k: number, seed: number): { hu: Int16Array; fat: Uint8Array } {
  const { columns, rows } = DEMO_GRID;
  const hu = new Int16Array(columns * rows);
  const fat = new Uint8Array(columns * rows);
  const muscles = new Map<number, number[]>();
  for (let j = 0; j < rows; j++) {
    for (let i = 0; i < columns; i++) {
      const p = i + columns * j;
      const label = slice.labels[p]!;
      if (labelMuscle(label)) {
        const list = muscles.get(label) ?? [];
        list.push(p);
        muscles.set(label, list);
      } else {
        hu[p] = tissueHu(label, i, j, k, seed);
        if (isFatPlane(label)) fat[p] = 1; // the plane's pixels are fat, in the erector spinae's truth (the split gives them to it)
      }
    }
  }
  for (const [label, pixels] of muscles) {
    const m = labelMuscle(label)!;
    const score = new Float64Array(pixels.length);
    for (const [n, p] of pixels.entries()) {
      const i = p % columns;
      const j = (p - i) / columns;
      // beside the fat plane the muscle is lean: the plane stays one clear line (the split follows it)
      const besidePlane = isFatPlane(slice.labels[p - 1] ?? 0) || isFatPlane(slice.labels[p + 1] ?? 0) || isFatPlane(slice.labels[p - columns] ?? 0) || isFatPlane(slice.labels[p + columns] ?? 0);
      score[n] = besidePlane ? Infinity : smoothNoise(seed, 300 + label, i / 2, j / 2, k) + (0.2 * hash32(seed, i, j, k, label)) / 2 ** 32;
    }
    // pixels are in increasing order, so ties go to the lower pixel index
    const order = Array.from(pixels.keys()).sort((a, b) => (score[a] === score[b] ? a - b : score[a]! - score[b]!));
    const ranked = order.map((n) => pixels[n]!);
    const nFat = Math.round(statedFatFraction(m.muscle, m.side, k) * pixels.length);
    for (const [r, p] of ranked.entries()) {
      const i = p % columns;
      const j = (p - i) / columns;
      const jitter = (hash32(seed, i, j, k, label + 100) % 21) - 10; // -10..10
      fat[p] = r < nFat ? 1 : 0;
      hu[p] = r < nFat ? -100 + jitter : 50 + jitter;
    }
  }
  return { hu, fat };
}

/** The truth of one muscle (or the autochthon: erector spinae and multifidus) on one side at one level. */
export interface DemoTruthRecord {
  level: DemoLevel;
  sliceIndex: number;
  z: number;
  muscle: DemoMuscle | 'autochthon';
  side: DemoSide;
  /** The mask file it is measured from (without .nii.gz). */
  mask: string;
  pixels: number;
  areaMm2: number;
  /** Lean pixels (all in -29..150 HU by construction) and their area: the functional CSA. */
  leanPixels: number;
  leanAreaMm2: number;
  /** Fat pixels (all in -190..-30 HU by construction). */
  fatPixels: number;
  fatAreaMm2: number;
  fatFraction: number;
  fatPercent: number;
  meanHu: number;
  /** The model's fat fraction of the muscle at this slice (its fat pixels are round(stated x its muscle pixels); the erector spinae's fat plane, all fat, comes on top); null for the autochthon. */
  statedFatFraction: number | null;
}

/** The mask file name of a muscle on one side (TotalSegmentator's classes where it has one). */
export function demoMaskName(m: DemoMuscle | 'autochthon', side: DemoSide): string {
  if (m === 'psoas') return `iliopsoas_${side}`;
  if (m === 'quadratusLumborum') return `quadratus_lumborum_${side}`;
  return `autochthon_${side}`;
}

/** The ground truth at the four levels, counted from the label map and the HU of each level slice. */
export function demoTruth(seed: number): DemoTruthRecord[] {
  const { columns, rows, pixelMm, sliceMm, firstZ } = DEMO_GRID;
  const pixelArea = pixelMm * pixelMm;
  const out: DemoTruthRecord[] = [];
  for (const level of DEMO_LEVELS) {
    const k = DEMO_LEVEL_SLICES[level];
    const slice = demoSlice(k);
    const { hu, fat } = demoHu(slice, k, seed);
    const count = (labels: readonly number[]) => {
      let n = 0;
      let nFat = 0;
      let sum = 0;
      for (let p = 0; p < columns * rows; p++) {
        if (!labels.includes(slice.labels[p]!)) continue;
        n++;
        nFat += fat[p]!;
        sum += hu[p]!;
      }
      return { n, nFat, sum };
    };
    const rec = (muscle: DemoMuscle | 'autochthon', side: DemoSide, labels: number[], stated: number | null): DemoTruthRecord => {
      const { n, nFat, sum } = count(labels);
      return {
        level,
        sliceIndex: k,
        z: firstZ + sliceMm * k,
        muscle,
        side,
        mask: demoMaskName(muscle, side),
        pixels: n,
        areaMm2: n * pixelArea,
        leanPixels: n - nFat,
        leanAreaMm2: (n - nFat) * pixelArea,
        fatPixels: nFat,
        fatAreaMm2: nFat * pixelArea,
        fatFraction: nFat / n,
        fatPercent: (100 * nFat) / n,
        meanHu: sum / n,
        statedFatFraction: stated,
      };
    };
    for (const side of DEMO_SIDES) {
      // the erector spinae with the fat plane (the split gives the plane to it: the cut pixel and what lies lateral)
      for (const m of DEMO_MUSCLES) out.push(rec(m, side, m === 'erectorSpinae' ? [muscleLabel(m, side), fatPlaneLabel(side)] : [muscleLabel(m, side)], statedFatFraction(m, side, k)));
      out.push(rec('autochthon', side, [muscleLabel('erectorSpinae', side), muscleLabel('multifidus', side), fatPlaneLabel(side)], null));
    }
  }
  return out;
}
