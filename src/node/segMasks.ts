/**
 * A DICOM SEG (Paraspine's, or another tool's: TotalSegmentator, Slicer, Cornerstone) opened as named
 * masks on a CT grid, like the NIfTI masks of masks.ts.
 *
 * - BINARY and FRACTIONAL segmentations (FRACTIONAL: a pixel is set where value / MaximumFractionalValue
 *   >= the threshold, 0.5 unless given); native pixel data, or RLE for 8-bit frames.
 * - Each frame goes to the CT slice of the image it references (ReferencedSOPInstanceUID, and frame
 *   number), or else to the slice its position and orientation fall on in the CT's frame of
 *   reference; never by file order.
 * - Segment names: the SegmentLabel when it names a structure Paraspine knows (psoas_left ...), else
 *   the coded property type (+ laterality, inside the type item or beside it) mapped to those names
 *   (psoas_left, erector_spinae_right, autochthon_left, vertebrae_L3 ...), else the label.
 * - Refused with a one-line reason naming the file: not a SEG, another series, frame of reference or
 *   grid, a frame that matches no CT slice, pixel data that does not fit.
 */
import { stat, readFile } from 'node:fs/promises';
import type { NaturalDataset } from 'dcmjs';
import { muscleOfCode, sideOfCode, VERTEBRA_CODES } from '../core/anatomy/codes';
import type { Side } from '../core/anatomy/anatomy';
import { decodeRleFrame } from '../core/dicom/rle';
import type { SeriesReferences } from '../core/dicom/references';
import { UserError } from '../core/errors';
import { dot } from '../core/geometry/vec3';
import { lpsToIndex, type VolumeGeometry } from '../core/geometry/volumeGeometry';
import type { SourceMask, SourceProblem } from '../core/masks/pipeline';
import { identifyStructure } from '../core/metrics/records';

export const SEGMENTATION_SOP_CLASS_UID = '1.2.840.10008.5.1.4.1.1.66.4';
/** A SEG file larger than this is refused before it is read. */
export const MAX_SEG_FILE_BYTES = 1024 * 1024 * 1024;

/** Whether the first bytes of a file are a DICOM Part 10 header (preamble, then 'DICM'). */
export function isDicomPart10(head: Uint8Array): boolean {
  return head.length >= 132 && head[128] === 0x44 && head[129] === 0x49 && head[130] === 0x43 && head[131] === 0x4d;
}

interface SegFrame {
  readonly segment: number;
  /** The CT slice the frame lies on. */
  readonly k: number;
  /** Frame index in the pixel data (0-based). */
  readonly index: number;
}

export interface ParsedSeg {
  /** Segment number -> mask name. */
  readonly names: ReadonlyMap<number, string>;
  readonly frames: readonly SegFrame[];
  /**
   * Frame f's pixels (rows * columns, 1 = set), decoded when asked: a SEG of many segments on a large
   * CT (TotalSegmentator's) is never unpacked whole, only the frames of the masks and slices loaded.
   */
  readonly pixels: (index: number) => Uint8Array;
  readonly notes: SourceProblem[];
}

const muscleNames: Record<string, string> = { psoas: 'psoas', erectorSpinae: 'erector_spinae', multifidus: 'multifidus', quadratusLumborum: 'quadratus_lumborum', autochthon: 'autochthon' };

function first(seq: unknown): NaturalDataset | undefined {
  return Array.isArray(seq) ? (seq[0] as NaturalDataset | undefined) : undefined;
}

function numbers(v: unknown): number[] {
  const a = Array.isArray(v) ? v : v === undefined || v === null ? [] : [v];
  return a.map((x) => Number(x));
}

function str(v: unknown): string {
  return (Array.isArray(v) ? String(v[0] ?? '') : v === undefined || v === null ? '' : String(v)).trim();
}

/** The mask name of a segment. */
function segmentName(seg: NaturalDataset): string {
  const label = str(seg['SegmentLabel']);
  const sanitized = label.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_|_$/g, '');
  if (sanitized && identifyStructure(sanitized).muscle !== null) return sanitized;
  const type = first(seg['SegmentedPropertyTypeCodeSequence']);
  if (type) {
    const scheme = str(type['CodingSchemeDesignator']);
    const value = str(type['CodeValue']);
    const modifier = first(type['SegmentedPropertyTypeModifierCodeSequence']) ?? first(seg['SegmentedPropertyTypeModifierCodeSequence']) ?? first(seg['AnatomicRegionModifierSequence']);
    const side: Side | null = modifier ? sideOfCode(str(modifier['CodingSchemeDesignator']), str(modifier['CodeValue'])) : null;
    const muscle = muscleOfCode(scheme, value);
    if (muscle) return side ? `${muscleNames[muscle]}_${side}` : muscleNames[muscle]!;
    const vertebra = Object.entries(VERTEBRA_CODES).find(([, c]) => c.scheme === scheme && c.value === value);
    if (vertebra) return vertebra[0];
  }
  return sanitized || `segment_${str(seg['SegmentNumber'])}`;
}

/** Where each CT image is in the volume: SOPInstanceUID (+ frame number) -> slice k. */
function sliceIndexByImage(refs: SeriesReferences | undefined): Map<string, number> {
  const m = new Map<string, number>();
  refs?.slices.forEach((s, k) => {
    if (s.sopInstanceUid) m.set(`${s.sopInstanceUid}|${s.frameNumber ?? ''}`, k);
  });
  return m;
}

/** The pixel data's frames as bytes: native (bit-packed for BINARY) or RLE. */
function frameSource(ds: NaturalDataset, transferSyntax: string, file: string): (f: number) => Uint8Array {
  const rows = Number(ds['Rows']);
  const columns = Number(ds['Columns']);
  const bits = Number(ds['BitsAllocated']);
  const n = rows * columns;
  const pd = ds['PixelData'];
  const parts = (Array.isArray(pd) ? pd : [pd]).filter((x): x is ArrayBuffer => x instanceof ArrayBuffer);
  if (parts.length === 0) throw new UserError('input', `${file}: SEG has no pixel data`);
  if (transferSyntax === '1.2.840.10008.1.2.5') {
    if (bits !== 8) throw new UserError('input', `${file}: RLE SEG with ${bits}-bit frames is not supported (only 8-bit FRACTIONAL)`);
    return (f) => {
      const part = parts[f];
      if (!part) throw new UserError('input', `${file}: RLE pixel data holds fewer fragments than frames`);
      return decodeRleFrame(new Uint8Array(part), rows, columns, 8, false) as Uint8Array;
    };
  }
  if (!['1.2.840.10008.1.2', '1.2.840.10008.1.2.1', '1.2.840.10008.1.2.1.99', '1.2.840.10008.1.2.2'].includes(transferSyntax)) {
    throw new UserError('input', `${file}: SEG pixel data in transfer syntax ${transferSyntax} is not supported (native or RLE only)`);
  }
  const all = parts.length === 1 ? new Uint8Array(parts[0]!) : new Uint8Array(Buffer.concat(parts.map((p) => new Uint8Array(p))));
  if (bits === 1) {
    return (f) => {
      const out = new Uint8Array(n);
      const base = f * n;
      if (Math.ceil((base + n) / 8) > all.length) throw new UserError('input', `${file}: pixel data shorter than its frames`);
      for (let p = 0; p < n; p++) {
        const bit = base + p;
        out[p] = (all[bit >> 3]! >> (bit & 7)) & 1;
      }
      return out;
    };
  }
  if (bits === 8) {
    return (f) => {
      if ((f + 1) * n > all.length) throw new UserError('input', `${file}: pixel data shorter than its frames`);
      return all.subarray(f * n, (f + 1) * n);
    };
  }
  throw new UserError('input', `${file}: SEG with BitsAllocated ${bits} (expected 1 or 8)`);
}

/**
 * Read a SEG and map its frames onto the CT. `references` (the CT's) lets frames be matched by the image
 * they reference and a SEG of another series be refused; without it frames go by position only.
 */
export async function readSeg(file: string, geometry: VolumeGeometry, references?: SeriesReferences, threshold?: number): Promise<ParsedSeg> {
  const st = await stat(file).catch((e: NodeJS.ErrnoException) => {
    throw new UserError('input', `${file}: cannot read (${e.code ?? e.message})`);
  });
  if (!st.isFile()) throw new UserError('input', `${file}: not a regular file`);
  if (st.size > MAX_SEG_FILE_BYTES) throw new UserError('input', `${file}: ${st.size} bytes, larger than a SEG Paraspine reads (${MAX_SEG_FILE_BYTES})`);
  const bytes = await readFile(file);
  // dcmjs is loaded here, when a SEG is read: a measure with NIfTI masks never loads it.
  const { default: dcmjs } = await import('dcmjs');
  let ds: NaturalDataset;
  let transferSyntax: string;
  try {
    const dict = dcmjs.data.DicomMessage.readFile(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
    ds = dcmjs.data.DicomMetaDictionary.naturalizeDataset(dict.dict);
    transferSyntax = str(dcmjs.data.DicomMetaDictionary.naturalizeDataset(dict.meta)['TransferSyntaxUID']);
  } catch (e) {
    throw new UserError('input', `${file}: not a readable DICOM file (${(e as Error).message.split('\n')[0]})`);
  }
  const sopClass = str(ds['SOPClassUID']);
  if (sopClass !== SEGMENTATION_SOP_CLASS_UID) throw new UserError('input', `${file}: not a DICOM SEG (SOP class ${sopClass || 'none'}); --masks takes a SEG, a NIfTI file or a folder of NIfTI masks`);
  const g = geometry;
  const where = references ? `series ${references.seriesInstanceUid}` : 'this CT';

  // Same series (when the SEG names the series it was made from), same frame of reference, same grid.
  const segFor = ((ds['ReferencedSeriesSequence'] as NaturalDataset[] | undefined) ?? []).map((s) => str(s['SeriesInstanceUID'])).filter(Boolean);
  if (references && segFor.length > 0 && !segFor.includes(references.seriesInstanceUid)) {
    throw new UserError('input', `${file}: SEG is for series ${segFor.join(', ')}, not for ${where}`);
  }
  const segFor2 = str(ds['FrameOfReferenceUID']);
  if (references?.frameOfReferenceUid && segFor2 && segFor2 !== references.frameOfReferenceUid) {
    throw new UserError('input', `${file}: SEG frame of reference ${segFor2} is not the CT's (${references.frameOfReferenceUid})`);
  }
  const rows = Number(ds['Rows']);
  const columns = Number(ds['Columns']);
  if (rows !== g.rows || columns !== g.columns) throw new UserError('input', `${file}: SEG grid ${columns}x${rows} is not the CT's ${g.columns}x${g.rows}`);
  const shared = first(ds['SharedFunctionalGroupsSequence']) ?? {};
  const perFrame = (ds['PerFrameFunctionalGroupsSequence'] as NaturalDataset[] | undefined) ?? [];
  const frameCount = Number(str(ds['NumberOfFrames']) || '1');
  if (perFrame.length !== frameCount) throw new UserError('input', `${file}: ${frameCount} frames but ${perFrame.length} per-frame functional groups`);
  const measures = first(perFrame[0]?.['PixelMeasuresSequence']) ?? first(shared['PixelMeasuresSequence']);
  const spacing = numbers(measures?.['PixelSpacing']);
  if (spacing.length === 2 && (Math.abs(spacing[0]! - g.rowSpacingMm) > 1e-3 * g.rowSpacingMm || Math.abs(spacing[1]! - g.columnSpacingMm) > 1e-3 * g.columnSpacingMm)) {
    throw new UserError('input', `${file}: SEG pixel spacing ${spacing.join('\\')} mm is not the CT's ${g.rowSpacingMm}\\${g.columnSpacingMm} mm`);
  }

  const type = str(ds['SegmentationType']);
  if (type !== 'BINARY' && type !== 'FRACTIONAL') throw new UserError('input', `${file}: SegmentationType '${type}' (expected BINARY or FRACTIONAL)`);
  const maxFractional = type === 'FRACTIONAL' ? Number(ds['MaximumFractionalValue'] ?? 255) : 1;
  const cut = type === 'FRACTIONAL' ? (threshold ?? 0.5) * maxFractional : 1;
  const notes: SourceProblem[] = [];
  if (type === 'FRACTIONAL') notes.push({ path: file, reason: `FRACTIONAL SEG: a pixel is set where its value is at least ${threshold ?? 0.5} of ${maxFractional}` });

  const names = new Map<number, string>();
  const used = new Set<string>();
  for (const seg of (ds['SegmentSequence'] as NaturalDataset[] | undefined) ?? []) {
    let name = segmentName(seg);
    for (let i = 2; used.has(name); i++) name = `${segmentName(seg)}_${i}`;
    used.add(name);
    names.set(Number(seg['SegmentNumber']), name);
  }
  if (names.size === 0) throw new UserError('input', `${file}: SEG has no segments`);

  const byImage = sliceIndexByImage(references);
  const read = frameSource(ds, transferSyntax, file);
  const pixels = (index: number): Uint8Array => {
    const raw = read(index);
    const out = new Uint8Array(rows * columns);
    for (let p = 0; p < out.length; p++) if (raw[p]! >= cut && raw[p]! > 0) out[p] = 1;
    return out;
  };
  const frames: SegFrame[] = [];
  for (let f = 0; f < frameCount; f++) {
    const pf = perFrame[f]!;
    const group = (key: string) => first(pf[key]) ?? first(shared[key]);
    const segment = Number(group('SegmentIdentificationSequence')?.['ReferencedSegmentNumber']);
    if (!names.has(segment)) throw new UserError('input', `${file}: frame ${f + 1} names segment ${segment}, which the SEG does not define`);
    frames.push({ segment, k: frameSlice(file, f, pf, group, byImage, references, g), index: f });
  }
  // The pixel data must hold every frame (checked once, on the last).
  if (frameCount > 0) read(frameCount - 1);
  return { names, frames, pixels, notes };
}

/** The CT slice of a SEG frame: by the image it references, else by its position on the CT's grid. */
function frameSlice(
  file: string,
  f: number,
  pf: NaturalDataset,
  group: (key: string) => NaturalDataset | undefined,
  byImage: Map<string, number>,
  references: SeriesReferences | undefined,
  g: VolumeGeometry,
): number {
  const source = first(first(pf['DerivationImageSequence'])?.['SourceImageSequence']);
  const uid = source ? str(source['ReferencedSOPInstanceUID']) : '';
  if (uid) {
    const frameNo = str(source!['ReferencedFrameNumber']);
    const k = byImage.get(`${uid}|${frameNo}`) ?? (frameNo === '1' ? byImage.get(`${uid}|`) : undefined);
    if (k !== undefined) return k;
  }
  const pos = numbers(group('PlanePositionSequence')?.['ImagePositionPatient']);
  const ori = numbers(group('PlaneOrientationSequence')?.['ImageOrientationPatient']);
  const inSeries = references ? ` ${uid ? `references image ${uid}, which is not in ${`series ${references.seriesInstanceUid}`}, and` : ''}` : '';
  if (pos.length !== 3 || ori.length !== 6) {
    throw new UserError('input', `${file}: frame ${f + 1}${inSeries} has no plane position and orientation to place it on the CT`);
  }
  const row: [number, number, number] = [ori[0]!, ori[1]!, ori[2]!];
  const col: [number, number, number] = [ori[3]!, ori[4]!, ori[5]!];
  if (Math.abs(dot(row, g.rowDirection) - 1) > 1e-3 || Math.abs(dot(col, g.columnDirection) - 1) > 1e-3) {
    throw new UserError('input', `${file}: frame ${f + 1} orientation ${ori.join('\\')} is not the CT's`);
  }
  const [i, j, kf] = lpsToIndex(g, [pos[0]!, pos[1]!, pos[2]!]);
  const k = Math.round(kf);
  if (Math.abs(i) > 0.01 || Math.abs(j) > 0.01 || Math.abs(kf - k) > 0.05 || k < 0 || k >= g.slices) {
    throw new UserError('input', `${file}: frame ${f + 1}${inSeries} lies on no slice of the CT's grid (position ${pos.join('\\')})`);
  }
  return k;
}

/** The parsed SEG's segments as masks on the CT grid (whole grid, or only `slices` when compact). */
export function segMasks(
  parsed: ParsedSeg,
  geometry: VolumeGeometry,
  opts: { readonly include?: (name: string) => boolean; readonly slices?: readonly number[]; readonly compact?: boolean },
): SourceMask[] {
  const n = geometry.rows * geometry.columns;
  const slices = opts.compact ? opts.slices : undefined;
  const out: SourceMask[] = [];
  for (const [number, name] of parsed.names) {
    if (opts.include && !opts.include(name)) continue;
    const data = new Uint8Array(n * (slices ? slices.length : geometry.slices));
    for (const fr of parsed.frames) {
      if (fr.segment !== number) continue;
      if (opts.slices && !opts.slices.includes(fr.k)) continue;
      const at = (slices ? slices.indexOf(fr.k) : fr.k) * n;
      const px = parsed.pixels(fr.index);
      for (let p = 0; p < n; p++) if (px[p]) data[at + p] = 1;
    }
    out.push(slices ? { name, data, slices } : { name, data });
  }
  return out;
}
