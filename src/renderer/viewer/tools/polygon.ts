/**
 * Polygon: Cornerstone's SplineROITool with LINEAR segments. The contour is the control points — the
 * polygon the user clicked, exactly. Restored contours with up to MAX_POLYGON_HANDLES vertices become
 * editable polygons (one handle per vertex).
 */
import { SplineROITool } from '@cornerstonejs/tools';
import type { Vec3 } from '../../../core/geometry/vec3';
import { ROI_TOOL_INFO } from '../../../shared/tools';
import { annotationBase, emptyTextBox, noText, type RoiToolModule } from './types';

export const MAX_POLYGON_HANDLES = 64;

export const polygon: RoiToolModule<'polygon'> = {
  ...ROI_TOOL_INFO.polygon,
  toolName: 'LinearSplineROI',
  toolClass: SplineROITool,
  configuration: {
    calculateStats: false,
    getTextLines: noText,
    spline: { type: SplineROITool.SplineTypes.Linear, drawPreviewEnabled: true, lastControlPointDeletionKeys: ['Backspace'] },
  },
  toContour: (a) => a.data.handles?.points ?? null,
  toAnnotation(roi, plane) {
    if (roi.pointsLps.length > MAX_POLYGON_HANDLES) return null;
    const points = roi.pointsLps.map((p) => [p[0], p[1], p[2]] as Vec3);
    return {
      ...annotationBase(roi, plane, polygon.toolName),
      data: {
        label: '',
        cachedStats: {},
        handles: { points, activeHandleIndex: null, textBox: emptyTextBox() },
        spline: { type: 'LINEAR' },
        contour: { closed: true, polyline: points.map((p) => [...p] as Vec3) },
      },
    };
  },
};
