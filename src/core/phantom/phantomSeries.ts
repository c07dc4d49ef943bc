/**
 * A synthetic CT phantom written as DICOM by our own writer, with an exact ground-truth HU volume.
 *
 * Shapes (HU, in every slice): air -1000 outside an elliptical body of fat (-100 + 2*j, a gradient down
 * the rows), two 'muscle' discs (left one 40 + 3*k, right one 60 - 2*k, k = slice index feet to head)
 * and a 'bone' disc of 700 HU. Everything is an integer HU, so each storage gives the same truth.
 * Files come in shuffled order with deliberately wrong InstanceNumbers; positions alone give the order.
 */
import { add, cross, normalize, scale, type Vec3 } from '../geometry/vec3';
import { makeGeometry, type VolumeGeometry } from '../geometry/volumeGeometry';
import { writeDicom, type DicomElement, type PhantomEncoding } from './dicomWriter';

/**
 * How stored values encode HU (RescaleIntercept -1024 except int12):
 * - int16: signed 16-bit, BitsStored 16.
 * - uint12: unsigned 16-bit container, BitsStored 12, junk in the 4 unused high bits.
 * - int12: signed, BitsStored 12, intercept 0 (air is negative), junk in the high bits (must be
 *   sign-extended from bit 11).
 * - slopeHalf: unsigned 16-bit, RescaleSlope 0.5, intercept -1024 (stored = 2*(HU+1024)).
 */
export type PhantomStorage = 'int16' | 'uint12' | 'int12' | 'slopeHalf';

export interface PhantomOptions {
  readonly encoding?: PhantomEncoding;
  readonly storage?: PhantomStorage;
  readonly slices?: number;
  readonly rows?: number;
  readonly columns?: number;
  /** [row spacing, column spacing] mm (DICOM PixelSpacing order). */
  readonly pixelSpacing?: readonly [number, number];
  readonly sliceSpacingMm?: number;
  /** Rotation of the image plane about the patient x axis, degrees (0 = axial). */
  readonly obliqueDeg?: number;
  readonly seriesInstanceUid?: string;
  /** Write without preamble and file meta (Implicit VR LE only makes sense then). */
  readonly noFileMeta?: boolean;
}

export interface PhantomSeries {
  readonly files: { readonly name: string; readonly bytes: Uint8Array }[];
  readonly expected: { readonly hu: Float32Array; readonly geometry: VolumeGeometry };
}

/** Ground-truth HU at column i, row j, slice k. */
export function phantomHu(i: number, j: number, k: number, rows: number, columns: number): number {
  const cx = (columns - 1) / 2;
  const cy = (rows - 1) / 2;
  const dx = (i - cx) / (columns * 0.42);
  const dy = (j - cy) / (rows * 0.36);
  if (dx * dx + dy * dy > 1) return -1000;
  const r = Math.min(rows, columns) * 0.1;
  const inDisc = (x: number, y: number, rad: number): boolean => (i - x) ** 2 + (j - y) ** 2 <= rad * rad;
  if (inDisc(cx, cy + rows * 0.12, r * 1.2)) return 700;
  if (inDisc(cx - columns * 0.22, cy + rows * 0.05, r)) return 40 + 3 * k;
  if (inDisc(cx + columns * 0.2, cy + rows * 0.05, r)) return 60 - 2 * k;
  return -100 + 2 * j;
}

/** Deterministic shuffle of 0..n-1 (never the identity for n > 1). */
function shuffledOrder(n: number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  let seed = 12345;
  for (let i = n - 1; i > 0; i--) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    const j = seed % (i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  if (n > 1 && order.every((v, i) => v === i)) order.reverse();
  return order;
}

function stored(hu: number, storage: PhantomStorage, k: number, p: number): number {
  const junk = ((k * 7 + p * 13) % 16) << 12;
  switch (storage) {
    case 'int16':
      return (hu + 1024) & 0xffff;
    case 'uint12':
      return ((hu + 1024) & 0x0fff) | junk;
    case 'int12':
      return (hu & 0x0fff) | junk; // intercept 0: air is a negative 12-bit value
    case 'slopeHalf':
      return (2 * (hu + 1024)) & 0xffff;
  }
}

/** Makes the phantom series (see module comment). Defaults: Explicit VR LE, int16, 6 slices of 64 rows x 56 columns. */
export function makePhantomSeries(opts: PhantomOptions = {}): PhantomSeries {
  const encoding = opts.encoding ?? 'explicitLE';
  const storage = opts.storage ?? 'int16';
  const slices = opts.slices ?? 6;
  const rows = opts.rows ?? 64;
  const columns = opts.columns ?? 56;
  const pixelSpacing = opts.pixelSpacing ?? [0.75, 0.8];
  const sliceSpacing = opts.sliceSpacingMm ?? 2.5;
  const a = ((opts.obliqueDeg ?? 0) * Math.PI) / 180;
  const rowDirection: Vec3 = [1, 0, 0];
  const columnDirection: Vec3 = [0, Math.cos(a), Math.sin(a)];
  const normal = normalize(cross(rowDirection, columnDirection));
  const origin: Vec3 = [-20.5, -30.25, 101.5];
  const positions: Vec3[] = Array.from({ length: slices }, (_, k) => add(origin, scale(normal, k * sliceSpacing)));
  const seriesUid = opts.seriesInstanceUid ?? '1.2.826.0.1.3680043.10.1459.2.1';
  const studyUid = '1.2.826.0.1.3680043.10.1459.3.1';
  const n = rows * columns;

  const hu = new Float32Array(n * slices);
  for (let k = 0; k < slices; k++) {
    for (let j = 0; j < rows; j++) for (let i = 0; i < columns; i++) hu[k * n + j * columns + i] = phantomHu(i, j, k, rows, columns);
  }
  // Exact float formatting: positions are written with 6 decimals, so the truth uses the same numbers.
  const ds = (v: number): string => String(Number(v.toFixed(6)));
  const writtenPositions: Vec3[] = positions.map((p) => [Number(ds(p[0])), Number(ds(p[1])), Number(ds(p[2]))]);

  const order = shuffledOrder(slices);
  const files = order.map((k, fileIndex) => {
    const frame = new Uint8Array(n * 2);
    const dv = new DataView(frame.buffer);
    for (let p = 0; p < n; p++) dv.setUint16(p * 2, stored(hu[k * n + p]!, storage, k, p), true);
    const signed = storage === 'int16' || storage === 'int12';
    const pos = writtenPositions[k]!;
    const elements: DicomElement[] = [
      { tag: 0x00080016, vr: 'UI', value: '1.2.840.10008.5.1.4.1.1.2' },
      { tag: 0x00080018, vr: 'UI', value: `1.2.826.0.1.3680043.10.1459.4.${k + 1}` },
      { tag: 0x00080020, vr: 'DA', value: '20240102' },
      { tag: 0x00080060, vr: 'CS', value: 'CT' },
      { tag: 0x00081030, vr: 'LO', value: 'Paraspine phantom' },
      { tag: 0x0008103e, vr: 'LO', value: `phantom ${encoding} ${storage}` },
      { tag: 0x00100010, vr: 'PN', value: 'PHANTOM^PARASPINE' },
      { tag: 0x00100020, vr: 'LO', value: 'PHANTOM-1' },
      { tag: 0x00180050, vr: 'DS', value: ds(sliceSpacing) },
      { tag: 0x0020000d, vr: 'UI', value: studyUid },
      { tag: 0x0020000e, vr: 'UI', value: seriesUid },
      { tag: 0x00200011, vr: 'IS', value: '7' },
      // Deliberately wrong: counts down in file order, unrelated to position.
      { tag: 0x00200013, vr: 'IS', value: String(100 - 7 * fileIndex) },
      { tag: 0x00200032, vr: 'DS', value: pos.map(ds).join('\\') },
      { tag: 0x00200037, vr: 'DS', value: [...rowDirection, ...columnDirection].map(ds).join('\\') },
      { tag: 0x00280002, vr: 'US', value: 1 },
      { tag: 0x00280004, vr: 'CS', value: 'MONOCHROME2' },
      { tag: 0x00280010, vr: 'US', value: rows },
      { tag: 0x00280011, vr: 'US', value: columns },
      { tag: 0x00280030, vr: 'DS', value: `${ds(pixelSpacing[0])}\\${ds(pixelSpacing[1])}` },
      { tag: 0x00280100, vr: 'US', value: 16 },
      { tag: 0x00280101, vr: 'US', value: storage === 'int16' || storage === 'slopeHalf' ? 16 : 12 },
      { tag: 0x00280102, vr: 'US', value: storage === 'int16' || storage === 'slopeHalf' ? 15 : 11 },
      { tag: 0x00280103, vr: 'US', value: signed ? 1 : 0 },
      { tag: 0x00281052, vr: 'DS', value: storage === 'int12' ? '0' : '-1024' },
      { tag: 0x00281053, vr: 'DS', value: storage === 'slopeHalf' ? '0.5' : '1' },
    ];
    const bytes = writeDicom(elements, {
      encoding,
      framesLittleEndian: [frame],
      bitsAllocated: 16,
      noFileMeta: opts.noFileMeta,
    });
    return { name: `IM${String(fileIndex + 1).padStart(4, '0')}.dcm`, bytes };
  });

  const geometry = makeGeometry({
    columns,
    rows,
    slices,
    columnSpacingMm: pixelSpacing[1],
    rowSpacingMm: pixelSpacing[0],
    rowDirection,
    columnDirection: [Number(ds(columnDirection[0])), Number(ds(columnDirection[1])), Number(ds(columnDirection[2]))],
    slicePositions: writtenPositions,
  });
  return { files, expected: { hu, geometry } };
}
