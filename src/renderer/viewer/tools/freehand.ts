/**
 * Freehand: Cornerstone's PlanarFreehandROITool; the contour is data.contour.polyline (an open
 * stroke is not an outline). Restores any contour (those with too many vertices for a polygon).
 */
import { PlanarFreehandROITool } from '@cornerstonejs/tools';
import type { Vec3 } from '../../../core/geometry/vec3';
import { ROI_TOOL_INFO } from '../../../shared/tools';
import { annotationBase, emptyTextBox, noText, type RoiToolModule } from './types';

export const freehand: RoiToolModule<'freehand'> = {
  ...ROI_TOOL_INFO.freehand,
  toolName: PlanarFreehandROITool.toolName,
  toolClass: PlanarFreehandROITool,
  configuration: { calculateStats: false, getTextLines: noText },
  toContour: (a) => (a.data.contour?.closed === false ? null : (a.data.contour?.polyline ?? null)),
  toAnnotation(roi, plane) {
    const points = roi.pointsLps.map((p) => [p[0], p[1], p[2]] as Vec3);
    return {
      ...annotationBase(roi, plane, freehand.toolName),
      data: {
        label: '',
        cachedStats: {},
        handles: { points: [], activeHandleIndex: null, textBox: emptyTextBox() },
        contour: { closed: true, polyline: points },
      },
    };
  },
};
