/**
 * A Cornerstone image loader for the scheme 'paraspine:' that builds images from the HuVolume the
 * store holds — the SAME HU pixels core measures — plus a metadata provider for them.
 *
 * imageId: `paraspine:<volumeKey>/<k>` (k = slice index in core order, feet to head).
 * Pixels are HU already: slope 1, intercept 0. imagePositionPatient is the centre of pixel (0, 0)
 * (as in DICOM and in core's geometry), so Cornerstone world coordinates are LPS mm exactly and a
 * world point maps to core's continuous (i, j) with integer = pixel centre.
 */
import { imageLoader, metaData, utilities, type Types } from '@cornerstonejs/core';
import type { HuVolume } from '../../core/volume';
import { WINDOW_PRESETS } from '../../shared/windowPresets';
import type { SliceAvailability } from '../state/progressiveVolume';

export const SCHEME = 'paraspine';

interface Registered {
  volume: HuVolume;
  /** Which slices are in while the series loads (absent: all of them); an image waits for its slice. */
  slices?: SliceAvailability;
  frameOfReferenceUid: string;
  seriesUid: string;
  studyUid: string;
}

const registry = new Map<string, Registered>();
let counter = 0;

export function imageIdFor(volumeKey: string, k: number): string {
  return `${SCHEME}:${volumeKey}/${k}`;
}

export function parseImageId(imageId: string): { volumeKey: string; k: number } | null {
  const m = /^paraspine:(.+)\/(\d+)$/.exec(imageId);
  if (!m) return null;
  return { volumeKey: m[1]!, k: Number(m[2]) };
}

/**
 * Make a volume available to Cornerstone; returns its key and one imageId per slice. With `slices`
 * (a volume still loading), the image of a slice not in yet is served once it is in, never before.
 */
export function registerVolume(
  volume: HuVolume,
  ids: { seriesUid: string; studyUid: string; frameOfReferenceUid?: string },
  slices?: SliceAvailability,
): { volumeKey: string; imageIds: string[] } {
  const volumeKey = `v${++counter}`;
  registry.set(volumeKey, {
    volume,
    ...(slices ? { slices } : {}),
    seriesUid: ids.seriesUid,
    studyUid: ids.studyUid,
    frameOfReferenceUid: ids.frameOfReferenceUid ?? `paraspine-for-${ids.seriesUid}`,
  });
  const imageIds = Array.from({ length: volume.geometry.slices }, (_, k) => imageIdFor(volumeKey, k));
  return { volumeKey, imageIds };
}

/**
 * Metadata of unregistered volumes (geometry and uids, no pixels): a load Cornerstone started before
 * its volume went away still finds its metadata when it completes (the CPU rendering path reads it
 * then and throws on none); the loader itself never serves them.
 */
const retired = new Map<string, Registered>();

export function unregisterVolume(volumeKey: string): void {
  const reg = registry.get(volumeKey);
  registry.delete(volumeKey);
  if (reg) {
    const hu = reg.volume.hu instanceof Int16Array ? new Int16Array(0) : new Float32Array(0);
    retired.set(volumeKey, { volume: { ...reg.volume, hu } as HuVolume, seriesUid: reg.seriesUid, studyUid: reg.studyUid, frameOfReferenceUid: reg.frameOfReferenceUid });
  }
}

function lookup(imageId: string, orRetired = false): { reg: Registered; k: number } | null {
  const p = parseImageId(imageId);
  if (!p) return null;
  const reg = registry.get(p.volumeKey) ?? (orRetired ? retired.get(p.volumeKey) : undefined);
  if (!reg || p.k < 0 || p.k >= reg.volume.geometry.slices) return null;
  return { reg, k: p.k };
}

/** Metadata for one of our images (exported for unit tests). */
export function paraspineMetadata(type: string, imageId: string): Record<string, unknown> | undefined {
  const found = lookup(imageId, true);
  if (!found) return undefined;
  const { reg, k } = found;
  const g = reg.volume.geometry;
  switch (type) {
    case 'imagePlaneModule':
      return {
        frameOfReferenceUID: reg.frameOfReferenceUid,
        rows: g.rows,
        columns: g.columns,
        imageOrientationPatient: [...g.rowDirection, ...g.columnDirection],
        rowCosines: [...g.rowDirection],
        columnCosines: [...g.columnDirection],
        imagePositionPatient: [...g.slicePositions[k]!],
        sliceLocation: g.slicePositions[k]![2],
        pixelSpacing: [g.rowSpacingMm, g.columnSpacingMm],
        rowPixelSpacing: g.rowSpacingMm,
        columnPixelSpacing: g.columnSpacingMm,
        usingDefaultValues: false,
      };
    case 'generalSeriesModule':
      return { modality: 'CT', seriesInstanceUID: reg.seriesUid, studyInstanceUID: reg.studyUid, seriesNumber: 1 };
    case 'imagePixelModule':
      return {
        samplesPerPixel: 1,
        photometricInterpretation: 'MONOCHROME2',
        rows: g.rows,
        columns: g.columns,
        bitsAllocated: reg.volume.hu instanceof Int16Array ? 16 : 32,
        bitsStored: reg.volume.hu instanceof Int16Array ? 16 : 32,
        highBit: reg.volume.hu instanceof Int16Array ? 15 : 31,
        pixelRepresentation: 1,
      };
    case 'voiLutModule':
      return { windowCenter: [40], windowWidth: [400] };
    case 'modalityLutModule':
      return { rescaleSlope: 1, rescaleIntercept: 0, rescaleType: 'HU' };
    case 'generalImageModule':
      return { instanceNumber: k + 1 };
    case 'sopCommonModule':
      return { sopClassUID: '1.2.840.10008.5.1.4.1.1.2', sopInstanceUID: `${reg.seriesUid}.${k + 1}` };
    default:
      return undefined;
  }
}

function loadParaspineImage(imageId: string): Types.IImageLoadObject {
  const promise = (async (): Promise<Types.IImage> => {
    const found = lookup(imageId);
    if (!found) throw new Error(`unknown image ${imageId}`);
    const { reg, k } = found;
    if (reg.slices && !reg.slices.has(k)) {
      // A series still loading: wait for this slice (its range is asked for first when it is the one shown).
      await reg.slices.whenLoaded(k);
      // Unregistered meanwhile (another series), or its array replaced (promoted to float32): not this image.
      if (lookup(imageId)?.reg !== reg || reg.slices.volume.hu !== reg.volume.hu) throw new Error(`image ${imageId} is no longer shown`);
    }
    const g = reg.volume.geometry;
    const n = g.rows * g.columns;
    // A view on the store's volume, not a copy: the store's HU array is the one copy in this window.
    // Cornerstone only reads it (the stack viewport copies the shown slice into its own one-slice vtk
    // array, updateVTKImageDataWithCornerstoneImage; no loader worker is involved for this scheme).
    const pixels = reg.volume.hu.subarray(k * n, (k + 1) * n);
    let min = Infinity;
    let max = -Infinity;
    for (let p = 0; p < n; p++) {
      const v = pixels[p]!;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    const voxelManager = utilities.VoxelManager.createImageVoxelManager({
      width: g.columns,
      height: g.rows,
      numberOfComponents: 1,
      scalarData: pixels,
      id: imageId,
    });
    const image = {
      imageId,
      minPixelValue: min,
      maxPixelValue: max,
      slope: 1,
      intercept: 0,
      windowCenter: WINDOW_PRESETS[0]!.center,
      windowWidth: WINDOW_PRESETS[0]!.width,
      voiLUTFunction: 'LINEAR',
      getPixelData: () => voxelManager.getScalarData(),
      getCanvas: undefined,
      rows: g.rows,
      columns: g.columns,
      height: g.rows,
      width: g.columns,
      color: false,
      rgba: false,
      numberOfComponents: 1,
      columnPixelSpacing: g.columnSpacingMm,
      rowPixelSpacing: g.rowSpacingMm,
      invert: false,
      photometricInterpretation: 'MONOCHROME2',
      sizeInBytes: pixels.byteLength,
      dataType: pixels instanceof Int16Array ? 'Int16Array' : 'Float32Array',
      voxelManager,
      FrameOfReferenceUID: reg.frameOfReferenceUid,
      isPreScaled: false,
    };
    return image as unknown as Types.IImage;
  })();
  return { promise };
}

let registered = false;

export function registerParaspineLoader(): void {
  if (registered) return;
  registered = true;
  imageLoader.registerImageLoader(SCHEME, loadParaspineImage as unknown as Types.ImageLoaderFn);
  metaData.addProvider((type: string, imageId: string) => paraspineMetadata(type, imageId), 10000);
}
