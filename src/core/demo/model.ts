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
 * HU (all integers, so every storage gives the same truth): air -1000; subcutaneous fat -100;
 * visceral fat -100 in 16-pixel blocks in front of the spine, other soft tissue 35; vertebral cortex
 * 700 and trabecular bone 150 (sacrum 200 inside); posterior elements 700; discs 80; the spinal canal
 * (fluid) 10. Muscle pixels are lean (40..60 HU) or fat (-110..-90 HU): a pixel is fat when its hash
 * (seeded, deterministic) falls below the stated fat fraction of that muscle, side and slice.
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
  psoasLeft: 10,
  psoasRight: 11,
  quadratusLumborumLeft: 12,
  quadratusLumborumRight: 13,
  erectorSpinaeLeft: 14,
  erectorSpinaeRight: 15,
  multifidusLeft: 16,
  multifidusRight: 17,
} as const;

export function muscleLabel(m: DemoMuscle, side: DemoSide): number {
  const base = m === 'psoas' ? LABEL.psoasLeft : m === 'quadratusLumborum' ? LABEL.quadratusLumborumLeft : m === 'erectorSpinae' ? LABEL.erectorSpinaeLeft : LABEL.multifidusLeft;
  return side === 'left' ? base : base + 1;
}

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
  for (const v of [i, j, k, salt]) {
    h = Math.imul(h ^ v, 0x85ebca6b) >>> 0;
    h = (h ^ (h >>> 13)) >>> 0;
  }
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

const inEllipse = (i: number, j: number, cx: number, cy: number, rx: number, ry: number) => ((i - cx) / rx) ** 2 + ((j - cy) / ry) ** 2 <= 1;

/** One slice: the label of every pixel (i + columns * j), and the vertebra whose mask each bone pixel belongs to. */
export interface DemoSlice {
  readonly labels: Uint8Array;
  /** The vertebra mask a pixel belongs to (body and posterior elements, or the sacrum), else null. */
  readonly vertebra: DemoVertebra | null;
}

/** The label of pixel (i, j) on slice k. */
export function labelAt(i: number, j: number, k: number): number {
  if (!inEllipse(i, j, CX, 128, 118, 98)) return LABEL.air;
  const seg = segmentAt(k);
  const c = caudal(k);
  // Bone, disc and canal first: the muscles lie around them.
  if (seg.kind === 'sacrum') {
    // slice 0 lies below the sacrum's tip (soft tissue): the sacrum does not touch the end of the scan
    if (k > 0 && inEllipse(i, j, CX, 180, 6, 6)) return LABEL.canal;
    if (k > 0 && inEllipse(i, j, CX, 158, 45, 20)) return inEllipse(i, j, CX, 158, 43, 18) ? LABEL.trabecular : LABEL.cortex;
  } else {
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
  }
  for (const side of DEMO_SIDES) {
    const s = side === 'left' ? 1 : -1; // the patient's left is the image's right (+i)
    if (inEllipse(i, j, CX + s * 16, 196, 8 + 5 * c, 12)) return muscleLabel('multifidus', side);
    if (inEllipse(i, j, CX + s * 42, 193, 22 - 6 * c, 15 - 3 * c)) return muscleLabel('erectorSpinae', side);
    if (inEllipse(i, j, CX + s * (36 + 6 * c), 136, 7 + 9 * c, 9 + 6 * c)) return muscleLabel('psoas', side);
    if (seg.kind !== 'sacrum' && inEllipse(i, j, CX + s * 72, 160, 13 - 6 * c, 8 - 3 * c)) return muscleLabel('quadratusLumborum', side);
  }
  if (!inEllipse(i, j, CX, 128, 106, 86)) return LABEL.subcutaneousFat;
  if (j < 112 && ((i >> 4) + (j >> 4)) % 2 === 0) return LABEL.visceralFat;
  return LABEL.softTissue;
}

export function demoSlice(k: number): DemoSlice {
  const { columns, rows } = DEMO_GRID;
  const labels = new Uint8Array(columns * rows);
  for (let j = 0; j < rows; j++) for (let i = 0; i < columns; i++) labels[i + columns * j] = labelAt(i, j, k);
  const seg = segmentAt(k);
  return { labels, vertebra: seg.kind === 'sacrum' && k > 0 ? 'sacrum' : seg.kind === 'body' ? seg.vertebra : null };
}

/** Is a label part of its slice's vertebra mask (body and posterior elements; the whole sacrum)? */
export const isVertebraLabel = (label: number) => label === LABEL.cortex || label === LABEL.trabecular || label === LABEL.posteriorElements;

/** The HU of a pixel and whether it is one of a muscle's fat pixels. */
export function huAt(label: number, i: number, j: number, k: number, seed: number): { hu: number; fat: boolean } {
  const m = labelMuscle(label);
  if (m) {
    const fat = hash32(seed, i, j, k, label) / 2 ** 32 < statedFatFraction(m.muscle, m.side, k);
    const jitter = (hash32(seed, i, j, k, label + 100) % 21) - 10; // -10..10
    return { hu: fat ? -100 + jitter : 50 + jitter, fat };
  }
  switch (label) {
    case LABEL.air:
      return { hu: -1000, fat: false };
    case LABEL.subcutaneousFat:
    case LABEL.visceralFat:
      return { hu: -100, fat: false };
    case LABEL.cortex:
    case LABEL.posteriorElements:
      return { hu: 700, fat: false };
    case LABEL.trabecular:
      return { hu: segmentAt(k).kind === 'sacrum' ? 200 : 150, fat: false };
    case LABEL.disc:
      return { hu: 80, fat: false };
    case LABEL.canal:
      return { hu: 10, fat: false };
    default:
      return { hu: 35, fat: false };
  }
}

/** The HU image of slice k (int16, i + columns * j) and its fat flags. */
export function demoHu(slice: DemoSlice, k: number, seed: number): { hu: Int16Array; fat: Uint8Array } {
  const { columns, rows } = DEMO_GRID;
  const hu = new Int16Array(columns * rows);
  const fat = new Uint8Array(columns * rows);
  for (let j = 0; j < rows; j++) {
    for (let i = 0; i < columns; i++) {
      const p = i + columns * j;
      const v = huAt(slice.labels[p]!, i, j, k, seed);
      hu[p] = v.hu;
      fat[p] = v.fat ? 1 : 0;
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
  /** The model's fat fraction at this slice (the realised one, fatFraction, is drawn pixel by pixel); null for the autochthon. */
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
      for (const m of DEMO_MUSCLES) out.push(rec(m, side, [muscleLabel(m, side)], statedFatFraction(m, side, k)));
      out.push(rec('autochthon', side, [muscleLabel('erectorSpinae', side), muscleLabel('multifidus', side)], null));
    }
  }
  return out;
}
