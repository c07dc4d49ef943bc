/**
 * What a DICOM SR (TID 1500) and a DICOM SEG of a measurement need, built from the measure pipeline's
 * data: per measured record its slice, its pixel mask (the pixels measured) and its closed outline(s)
 * in pixel coordinates of that slice.
 */
import type { Vec3 } from '../geometry/vec3';
import type { VolumeGeometry } from '../geometry/volumeGeometry';
import type { SeriesReferences } from '../dicom/references';
import type { MeasurementRecord } from '../metrics/records';
import { maskToContours } from '../roi/maskToContours';
import { lpsToSliceIj } from '../roi/contour';
import { rasterizePolygon, type PointIj } from '../roi/rasterize';

export interface DicomReportRoi {
  /** The numbers (area, mean, SD ...) as the JSON and CSV give them. */
  readonly record: MeasurementRecord;
  /** Slice k of the series (references.slices[k] is its image). */
  readonly sliceIndex: number;
  /**
   * Closed outlines (first vertex not repeated) in continuous pixel indices of slice k: i = column,
   * j = row, integer = pixel centre (the space of rasterizePolygon). The pixels measured are those whose
   * centre lies inside (even-odd over all outlines).
   */
  readonly outlines: readonly (readonly PointIj[])[];
  /** The pixels measured, rows * columns, 1 = inside. */
  readonly mask: Uint8Array;
}

export interface DicomReportInput {
  readonly references: SeriesReferences;
  readonly geometry: VolumeGeometry;
  readonly rois: readonly DicomReportRoi[];
}

export interface DicomReportSource {
  readonly references: SeriesReferences;
  readonly geometry: VolumeGeometry;
  readonly records: readonly MeasurementRecord[];
  /** The slice mask each mask record was measured on (records of an annotation document have none). */
  readonly recordMasks?: ReadonlyMap<MeasurementRecord, Uint8Array>;
  /** The annotation document's outlines (records with roiIds are drawn from them). */
  readonly outlines?: readonly { readonly id: string; readonly pointsLps: readonly Vec3[] }[];
}

/**
 * One DicomReportRoi per measured record with pixels: mask records get the outer outlines of their mask
 * (maskToContours: holes filled), outline records their document outlines projected on the slice.
 * Records recorded absent, empty ones and those without a mask or outline are left out.
 */
export function buildDicomReportInput(src: DicomReportSource): DicomReportInput {
  const g = src.geometry;
  const rois: DicomReportRoi[] = [];
  for (const record of src.records) {
    if (record.status === 'absent' || !((record.pixels ?? 0) > 0)) continue;
    const k = record.sliceIndex;
    if (record.roiIds) {
      const outlines = record.roiIds
        .map((id) => src.outlines?.find((o) => o.id === id))
        .filter((o) => o !== undefined)
        .map((o) => lpsToSliceIj(g, k, o.pointsLps));
      if (outlines.length === 0) continue;
      const mask = new Uint8Array(g.rows * g.columns);
      for (const o of outlines) rasterizePolygon(o, g.columns, g.rows, mask);
      rois.push({ record, sliceIndex: k, outlines, mask });
      continue;
    }
    const mask = src.recordMasks?.get(record);
    if (!mask) continue;
    rois.push({ record, sliceIndex: k, outlines: maskToContours(mask, g.columns, g.rows), mask });
  }
  return { references: src.references, geometry: g, rois };
}
