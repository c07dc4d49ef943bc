/**
 * The demo CT's anatomy and HU model (pure, no I/O): a synthetic lumbar CT from L1 to the sacrum, built
 * slice by slice as a label map (one structure per pixel, first match wins) and an HU image derived
 * from it, with the exact ground truth of every muscle at the four measured levels counted from the
 * same label map and HU (never by the app's measuring code).
 *
 * Grid: 256 x 256 pixels of 0.9 mm, 60 axial slices of 3 mm, slice k (feet to head) at z = 3k - 90 mm;
 * column i runs to the patient's left (+x), row j to the posterior (+y). Along z, from the feet:
 * sacrum (slices 1..6, soft tissue only on slice 0), then per segment a 3-slice disc and a 7-slice vertebral body (L5 .. L1),
 * and a last disc (T12/L1, slices 57..59). Each vertebral body is centred on its middle slice and
 * each disc has one middle slice, so the levels are: L5/S1 = 8, L4/L5 = 18, L3/L4 = 28, L3 = 33.
 *
 * Anatomy, front to back: the abdominal wall (a band of muscle inside the subcutaneous fat), the bowel and
 * mesentery (smooth blobs of bowel wall and contents, mesenteric fat and a few gas pockets: a seeded
 * smooth noise field, continuous across slices), the aorta and the inferior vena cava in front of the
 * spine (dividing into the iliac vessels below L4), the kidneys beside L1-L2, the retroperitoneal fat
 * around the psoas and quadratus lumborum, the vertebra, and behind it the multifidus and erector spinae
 * of each side with a 1-pixel fat plane between them (in the autochthon mask, as TotalSegmentator's masks
 * take in such planes; the muscle beside it lean) where the multifidus holds the
 * published share of the autochthon at that height (mfShareByLevel.ts: 0.2 at L3 .. 0.55 at L5/S1), so a
 * split of the autochthon along its fat plane gives the model's two muscles exactly (the plane going to the
 * erector spinae, as the split rule gives the cut pixel to the lateral part; the truth counts it there).
 *
 * HU (all integers, so every storage gives the same truth): air -1000; fat -100 (subcutaneous, retroperitoneal,
 * mesenteric, the intermuscular plane) and soft tissue 35 (bowel wall 30 and contents 12, vessels 40, kidney 30);
 * vertebral cortex 700 and trabecular bone 150 (sacrum 200 inside); posterior elements 700; discs 80; the
 * spinal canal (fluid) 10; each of these with a seeded jitter of -8..8 (image noise). Muscle pixels are lean (40..60 HU) or fat
 * (-110..-90 HU): on each slice exactly round(stated fraction x pixels) of a muscle's pixels are fat, those
 * where a seeded smooth noise field is lowest, so the fat lies in streaks and small patches spread
 * through the muscle (marbling, as fatty infiltration looks on CT), not in one cluster or as salt.
 */

export const DEMO_GRID = {
  columns: 256,
  rows: 256,
  slices: 60,
  pixelMm: 0.9,
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

const CX = 127.5;

/** Position from the head: 0 at the top slice, 1 at slice 0 (muscles grow or shrink along it). */
const caudal = (k: number) => (DEMO_GRID.slices - 1 - k) / (DEMO_GRID.slices - 1);

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

/** The bone, disc or canal label of pixel (i, j) on slice k, or null (soft tissue around the spine). */
function spineLabel(i: number, j: number, k: number): number | null {
  const seg = segmentAt(k);
  if (seg.kind === 'sacrum') {
    // slice 0 lies below the sacrum's tip (soft tissue): the sacrum does not touch the end of the scan
    if (k > 0 && inEllipse(i, j, CX, 180, 6, 6)) return LABEL.canal;
    if (k > 0 && inEllipse(i, j, CX, 158, 45, 20)) return inEllipse(i, j, CX, 158, 43, 18) ? LABEL.trabecular : LABEL.cortex;
    return null;
  }
  if (inEllipse(i, j, CX, 172, 9, 9)) return LABEL.canal;
  if (inEllipse(i, j, CX, 140, 20, 18)) {
    if (seg.kind === 'disc') return LABEL.disc;
    return inEllipse(i, j, CX, 140, 18, 16) ? LABEL.trabecular : LABEL.cortex;
  }
  if (seg.kind === 'body') {
    const ring = inEllipse(i, j, CX, 172, 14, 14);
    const spinous = i >= 125 && i <= 130 && j >= 186 && j <= 205;
    const transverse = Math.abs(i - CX) <= 40 && j >= 166 && j <= 171;
    if (ring || spinous || transverse) return LABEL.posteriorElements;
  }
  return null;
}

/** Whether (i, j) on slice k lies in the autochthon of the side whose lateral direction is s (+1: the patient's left, +i). */
function inAutochthon(i: number, j: number, k: number, s: 1 | -1): boolean {
  const c = caudal(k);
  return inEllipse(i, j, CX + s * 16, 196, 8 + 5 * c, 12) || inEllipse(i, j, CX + s * 42, 193, 22 - 6 * c, 15 - 3 * c);
}

/** The multifidus share of the autochthon (one side) the model aims at on slice k: the published shares at the four levels (mfShareByLevel.ts), linear between them. */
const MF_SHARE_AT: readonly [number, number][] = [
  [DEMO_LEVEL_SLICES['L5/S1'], 0.55],
  [DEMO_LEVEL_SLICES['L4/L5'], 0.37],
  [DEMO_LEVEL_SLICES['L3/L4'], 0.25],
  [DEMO_LEVEL_SLICES.L3, 0.2],
];
export function targetMfShare(k: number): number {
  if (k <= MF_SHARE_AT[0]![0]) return MF_SHARE_AT[0]![1];
  for (let n = 1; n < MF_SHARE_AT.length; n++) {
    const [k1, s1] = MF_SHARE_AT[n]!;
    const [k0, s0] = MF_SHARE_AT[n - 1]!;
    if (k <= k1) return s0 + ((s1 - s0) * (k - k0)) / (k1 - k0);
  }
  return MF_SHARE_AT[MF_SHARE_AT.length - 1]![1];
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
    for (let i = Math.ceil(CX); i < columns; i++) if (spineLabel(i, j, k) === null && inAutochthon(i, j, k, 1)) perColumn[Math.floor(i - CX)]!++;
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

/** The label of pixel (i, j) on slice k. */
export function labelAt(i: number, j: number, k: number): number {
  if (!inEllipse(i, j, CX, 128, 118, 98)) return LABEL.air;
  const seg = segmentAt(k);
  const c = caudal(k);
  // Bone, disc and canal first: the muscles lie around them.
  const spine = spineLabel(i, j, k);
  if (spine !== null) return spine;
  for (const side of DEMO_SIDES) {
    const s = side === 'left' ? 1 : -1; // the patient's left is the image's right (+i)
    if (inAutochthon(i, j, k, s)) {
      const u = fatPlaneAt(k);
      const off = Math.floor(s * (i - CX));
      return off < u ? muscleLabel('multifidus', side) : off === u ? fatPlaneLabel(side) : muscleLabel('erectorSpinae', side);
    }
    if (inEllipse(i, j, CX + s * (36 + 6 * c), 136, 7 + 9 * c, 9 + 6 * c)) return muscleLabel('psoas', side);
    if (seg.kind !== 'sacrum' && inEllipse(i, j, CX + s * 72, 160, 13 - 6 * c, 8 - 3 * c)) return muscleLabel('quadratusLumborum', side);
    // the kidneys beside L1 and L2, in front of the quadratus lumborum
    if (k >= 40 && inEllipse(i, j, CX + s * 64, 138, 13, 17)) return LABEL.kidney;
  }
  if (!inEllipse(i, j, CX, 128, 106, 86)) return LABEL.subcutaneousFat;
  // aorta (left of the midline) and inferior vena cava (right) in front of the spine; below L4 the iliac vessels
  if (k >= 20 ? inEllipse(i, j, CX + 13, 112, 8, 8) || inEllipse(i, j, CX - 15, 114, 10, 7) : inEllipse(i, j, CX + 22, 114, 6, 6) || inEllipse(i, j, CX - 22, 116, 7, 6) || inEllipse(i, j, CX + 10, 118, 5, 5) || inEllipse(i, j, CX - 8, 120, 6, 5)) return LABEL.vessel;
  if (j < 175 && !inEllipse(i, j, CX, 128, 99, 79)) return LABEL.abdominalWall;
  // The peritoneal cavity: in front of the retroperitoneum, whose front curves back laterally (around the psoas, to the kidneys).
  const d = (i - CX) / 10;
  if (j < 112 + 0.6 * d * d) {
    // bowel loops and mesentery: smooth blobs (two octaves of noise, continuous across slices); in a loop's
    // middle its contents (fluid, or gas in some), at its rim the wall
    const n = 0.75 * smoothNoise(DEMO_BOWEL_SEED, 1, i / 15, j / 15, k / 4) + 0.25 * smoothNoise(DEMO_BOWEL_SEED, 2, i / 6, j / 6, k / 2);
    if (n > 0.5) return LABEL.visceralFat;
    if (n < 0.36) return smoothNoise(DEMO_BOWEL_SEED, 3, i / 7, j / 7, k / 3) > 0.68 ? LABEL.bowelGas : LABEL.bowelContents;
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
    case LABEL.cortex:
    case LABEL.posteriorElements:
      return 700 + jitter;
    case LABEL.trabecular:
      return (segmentAt(k).kind === 'sacrum' ? 200 : 150) + jitter;
    case LABEL.disc:
      return 80 + jitter;
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
    const score = new Map<number, number>();
    for (const p of pixels) {
      const i = p % columns;
      const j = (p - i) / columns;
      // beside the fat plane the muscle is lean: the plane stays one clear line (the split follows it)
      const besidePlane = [p - 1, p + 1, p - columns, p + columns].some((q) => isFatPlane(slice.labels[q] ?? 0));
      score.set(p, besidePlane ? Infinity : smoothNoise(seed, 300 + label, i / 2, j / 2, k) + (0.2 * hash32(seed, i, j, k, label)) / 2 ** 32);
    }
    const ranked = [...pixels].sort((a, b) => (score.get(a)! === score.get(b)! ? a - b : score.get(a)! - score.get(b)!));
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
