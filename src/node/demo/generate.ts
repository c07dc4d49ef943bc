/**
 * Writes the demo CT (src/core/demo/model.ts) to a folder:
 * - dicom/: one CT image per slice (IM0001.dcm ...), Explicit VR Little Endian, int16 HU (slope 1,
 *   intercept 0), written with dcmjs (reports/dicomWrite.ts's writeDataset);
 * - masks/: TotalSegmentator-style binary masks on the CT grid (.nii.gz): vertebrae_L1..L5, sacrum,
 *   iliopsoas_left/right, autochthon_left/right (erector spinae and multifidus together, as
 *   TotalSegmentator has them), and quadratus_lumborum_left/right (not a TotalSegmentator class: written
 *   under the name the mask loader maps to the quadratus lumborum);
 * - segmentations.nii.gz: the same structures as one multilabel image with TotalSegmentator v2's label
 *   numbers (no quadratus lumborum there: TotalSegmentator has no label for it);
 * - truth.json: the ground truth (core/demo demoTruth) of every muscle and side at L3 and the three discs.
 * Bytes depend on the seed only: UIDs are derived from it, dates are fixed, gzip writes no time.
 */
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DEMO_GRID, DEMO_LEVEL_SLICES, DEMO_LEVELS, DEMO_SIDES, demoHu, demoSlice, demoTruth, fatPlaneLabel, isVertebraLabel, LABEL, muscleLabel, type DemoSlice, type DemoVertebra } from '../../core/demo/model';
import type { Affine4x4 } from '../../core/masks/nifti';
import { writeDataset } from '../reports/dicomWrite';
import { writeNifti1 } from './writeNifti';

export const DEFAULT_DEMO_SEED = 1;

/** A UID under 2.25 derived from the seed and a role (a SHA-256 prefix as a 128-bit integer: fixed, unique per role). */
export function demoUid(seed: number, role: string): string {
  const hex = createHash('sha256').update(`paraspine-demo:${seed}:${role}`).digest('hex').slice(0, 32);
  return `2.25.${BigInt(`0x${hex}`).toString()}`;
}

/** TotalSegmentator v2 'total' label numbers of the structures written (core/masks/labels.ts has the table). */
const TS_LABELS: Readonly<Record<string, number>> = {
  sacrum: 25,
  vertebrae_L5: 27,
  vertebrae_L4: 28,
  vertebrae_L3: 29,
  vertebrae_L2: 30,
  vertebrae_L1: 31,
  autochthon_left: 86,
  autochthon_right: 87,
  iliopsoas_left: 88,
  iliopsoas_right: 89,
};

export interface DemoResult {
  readonly dir: string;
  readonly dicom: string;
  readonly masks: string;
  readonly multilabel: string;
  readonly truth: string;
  readonly files: number;
  readonly bytes: number;
}

const pad = (n: number) => String(n).padStart(4, '0');

function ctDataset(seed: number, k: number, hu: Int16Array): Record<string, unknown> {
  const { columns, rows, pixelMm, sliceMm, firstZ, slices } = DEMO_GRID;
  const x0 = -((columns - 1) / 2) * pixelMm;
  const y0 = -((rows - 1) / 2) * pixelMm;
  return {
    SpecificCharacterSet: 'ISO_IR 100',
    // ORIGINAL as a phantom's images are (no other image was reformatted or filtered to make them): DERIVED would
    // flag every record of the walkthrough; SeriesDescription and the file names say the series is synthetic.
    ImageType: ['ORIGINAL', 'PRIMARY', 'AXIAL'],
    SOPClassUID: '1.2.840.10008.5.1.4.1.1.2',
    SOPInstanceUID: demoUid(seed, `image ${k}`),
    StudyDate: '20260101',
    SeriesDate: '20260101',
    StudyTime: '120000',
    SeriesTime: '120000',
    AccessionNumber: 'DEMO',
    Modality: 'CT',
    Manufacturer: 'Paraspine',
    ManufacturerModelName: 'Paraspine demo generator',
    ReferringPhysicianName: '',
    StudyDescription: 'Paraspine demo (synthetic lumbar CT)',
    SeriesDescription: `Synthetic lumbar CT, L1 to sacrum, ${sliceMm} mm (seed ${seed})`,
    PatientName: 'Demo^Paraspine',
    PatientID: 'PARASPINE-DEMO',
    PatientBirthDate: '19600101',
    PatientSex: 'O',
    BodyPartExamined: 'LSPINE',
    SliceThickness: String(sliceMm),
    KVP: '120',
    PatientPosition: 'FFS',
    StudyInstanceUID: demoUid(seed, 'study'),
    SeriesInstanceUID: demoUid(seed, 'series'),
    StudyID: '1',
    SeriesNumber: '1',
    InstanceNumber: String(slices - k), // numbered head to feet, as scanners often do; positions give the order
    ImagePositionPatient: [String(x0), String(y0), String(firstZ + sliceMm * k)],
    ImageOrientationPatient: ['1', '0', '0', '0', '1', '0'],
    FrameOfReferenceUID: demoUid(seed, 'frame of reference'),
    PositionReferenceIndicator: '',
    AcquisitionNumber: '1',
    SliceLocation: String(firstZ + sliceMm * k),
    SamplesPerPixel: 1,
    PhotometricInterpretation: 'MONOCHROME2',
    Rows: rows,
    Columns: columns,
    PixelSpacing: [String(pixelMm), String(pixelMm)],
    BitsAllocated: 16,
    BitsStored: 16,
    HighBit: 15,
    PixelRepresentation: 1,
    WindowCenter: '40',
    WindowWidth: '400',
    RescaleIntercept: '0',
    RescaleSlope: '1',
    RescaleType: 'HU',
    PixelData: hu.buffer.slice(hu.byteOffset, hu.byteOffset + hu.byteLength),
    _vrMap: { PixelData: 'OW' },
  };
}

/** The NIfTI affine putting voxel (i, j, k) on CT voxel (i, j, k): RAS = (-x, -y, z) of the DICOM position. */
function demoAffine(): Affine4x4 {
  const { columns, rows, pixelMm, sliceMm, firstZ } = DEMO_GRID;
  const x0 = -((columns - 1) / 2) * pixelMm;
  const y0 = -((rows - 1) / 2) * pixelMm;
  return [-pixelMm, 0, 0, -x0, 0, -pixelMm, 0, -y0, 0, 0, sliceMm, firstZ, 0, 0, 0, 1];
}

/** Writes the demo into `dir` (created; existing demo files are overwritten). */
export async function writeDemo(dir: string, seed = DEFAULT_DEMO_SEED): Promise<DemoResult> {
  const { columns, rows, slices } = DEMO_GRID;
  const plane = columns * rows;
  const dicom = path.join(dir, 'dicom');
  const masks = path.join(dir, 'masks');
  await mkdir(dicom, { recursive: true });
  await mkdir(masks, { recursive: true });
  let files = 0;
  let bytes = 0;
  const put = async (file: string, data: Uint8Array | string) => {
    await writeFile(file, data);
    files++;
    bytes += typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength;
  };

  const maskNames = [...Object.keys(TS_LABELS), 'quadratus_lumborum_left', 'quadratus_lumborum_right'];
  const volumes = new Map(maskNames.map((n) => [n, new Uint8Array(plane * slices)]));
  const multilabel = new Uint8Array(plane * slices);
  const muscleMasks: [string, number[]][] = DEMO_SIDES.flatMap((side): [string, number[]][] => [
    [`iliopsoas_${side}`, [muscleLabel('psoas', side)]],
    [`autochthon_${side}`, [muscleLabel('erectorSpinae', side), muscleLabel('multifidus', side), fatPlaneLabel(side)]],
    [`quadratus_lumborum_${side}`, [muscleLabel('quadratusLumborum', side)]],
  ]);
  const maskOfLabel: (string | undefined)[] = [];
  for (const [n, labels] of muscleMasks) for (const l of labels) maskOfLabel[l] = n;
  for (let k = 0; k < slices; k++) {
    const slice: DemoSlice = demoSlice(k);
    const { hu } = demoHu(slice, k, seed);
    await put(path.join(dicom, `IM${pad(k + 1)}.dcm`), writeDataset(ctDataset(seed, k, hu)));
    const vertebraName = slice.vertebra ? vertebraMask(slice.vertebra) : null;
    for (let p = 0; p < plane; p++) {
      const label = slice.labels[p]!;
      const o = p + plane * k;
      let name: string | null = null;
      if (vertebraName && isVertebraLabel(label)) name = vertebraName;
      else name = maskOfLabel[label] ?? null;
      if (!name) continue;
      volumes.get(name)![o] = 1;
      multilabel[o] = TS_LABELS[name] ?? 0;
    }
  }
  const affine = demoAffine();
  for (const [name, data] of volumes) await put(path.join(masks, `${name}.nii.gz`), writeNifti1({ dims: [columns, rows, slices], datatype: 2, data, affine, gzip: true }));
  const multilabelFile = path.join(dir, 'segmentations.nii.gz');
  await put(multilabelFile, writeNifti1({ dims: [columns, rows, slices], datatype: 2, data: multilabel, affine, gzip: true }));
  const truthFile = path.join(dir, 'truth.json');
  await put(truthFile, `${JSON.stringify(truthDocument(seed), null, 2)}\n`);
  return { dir, dicom, masks, multilabel: multilabelFile, truth: truthFile, files, bytes };
}

const vertebraMask = (v: DemoVertebra) => (v === 'sacrum' ? 'sacrum' : `vertebrae_${v}`);

/** truth.json: how the demo was made and what every muscle measures at each level. */
export function truthDocument(seed: number) {
  const { columns, rows, slices, pixelMm, sliceMm, firstZ } = DEMO_GRID;
  return {
    description:
      'Ground truth of the Paraspine demo CT, counted from the model that made it (src/core/demo/model.ts): ' +
      'per level, muscle and side the pixels of its mask on the level slice, their area, the lean (functional) pixels, ' +
      'the fat pixels, the fat fraction and the mean HU. Lean muscle is 40..60 HU, fat -110..-90 HU, so with the ' +
      'default ranges (muscle -29..150, fat -190..-30 HU) every lean pixel is in the muscle range and every fat pixel in the fat range. ' +
      'The fat infiltration is marbling: on each slice exactly round(statedFatFraction x pixels) of a muscle\'s pixels are fat, ' +
      'in streaks and patches through the muscle (statedFatFraction differs by muscle, side and level). ' +
      'The autochthon records are erector spinae and multifidus together (the autochthon masks); a 1-pixel fat plane (in the autochthon mask) ' +
      'parts the two where the multifidus holds the published share of the autochthon, so the fat-plane split ' +
      '(the app\'s import and measure\'s default mapping) gives the erector spinae and multifidus records exactly; the plane\'s pixels (fat) ' +
      'are counted in the erector spinae, as the split gives the cut pixel to the lateral part.',
    anatomy: {
      trunk: 'an adult trunk 340 mm wide and 240 mm deep, 15-20 mm of subcutaneous fat, abdominal wall muscles, bowel, colon, aorta, vena cava, kidneys beside L1-L2, the tips of the liver and spleen beside L1, the iliac wings with the gluteal muscles and iliacus beside the sacrum and the iliac crests at L5/S1 (ilium and those muscles in no mask)',
      vertebrae: 'kidney-shaped bodies (cortex 700 HU, trabecular 150 HU) with pedicles, laminae, spinous process and (on the middle three slices of each body) transverse processes; discs 75-92 HU with the facet joints and no posterior ring',
      psoas: 'against the anterolateral vertebral body, growing caudally (L3 < L3/L4 < L4/L5 < L5/S1)',
      quadratusLumborum: 'lateral to the psoas behind the transverse process tip, largest at L3 and thinning caudally to a small slip at L5/S1 (measured there, about 2 cm²); absent on the sacrum\'s slices',
      paraspinal: 'multifidus medial (laminar groove, against the spinous process), erector spinae lateral, a 1-pixel fat plane between them where the multifidus holds the published share of the autochthon (0.2 at L3 .. 0.55 at L5/S1)',
    },
    seed,
    grid: { columns, rows, slices, pixelSpacingMm: [pixelMm, pixelMm], sliceSpacingMm: sliceMm, firstZ },
    seriesInstanceUid: demoUid(seed, 'series'),
    labels: { ...LABEL },
    levels: DEMO_LEVELS.map((level) => ({ level, sliceIndex: DEMO_LEVEL_SLICES[level], z: firstZ + sliceMm * DEMO_LEVEL_SLICES[level] })),
    measurements: demoTruth(seed),
  };
}
