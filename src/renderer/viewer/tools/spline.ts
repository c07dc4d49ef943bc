/**
 * Spline: Cornerstone's SplineROITool with CATMULLROM segments. The contour is the interpolated
 * polyline Cornerstone keeps in data.contour. Contours from the document are not restored as splines
 * (their vertices are not control points): polygon or freehand takes them.
 */
import { SplineROITool } from '@cornerstonejs/tools';
import { ROI_TOOL_INFO } from '../../../shared/tools';
import { noText, type RoiToolModule } from './types';

export const spline: RoiToolModule<'spline'> = {
  ...ROI_TOOL_INFO.spline,
  toolName: 'CatmullRomSplineROI',
  toolClass: SplineROITool,
  configuration: {
    calculateStats: false,
    getTextLines: noText,
    spline: { type: SplineROITool.SplineTypes.CatmullRom, drawPreviewEnabled: true, lastControlPointDeletionKeys: ['Backspace'] },
  },
  toContour: (a) => a.data.contour?.polyline ?? null,
  toAnnotation: () => null,
};
