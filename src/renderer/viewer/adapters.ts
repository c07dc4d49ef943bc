/**
 * Cornerstone annotations <-> core ROI contours, through the ROI tool registry (tools/index.ts): each
 * tool module says which points of its annotations make the contour (toContour) and how it restores a
 * contour from the document (toAnnotation).
 *
 * Coordinate convention: our image loader puts imagePositionPatient at the centre of pixel (0, 0), as
 * core's VolumeGeometry does, so Cornerstone world coordinates ARE patient LPS mm — no half-pixel
 * shift. A world point p on slice k maps to core's continuous (i, j) with lpsToSliceIj, where integer
 * (i, j) is a pixel centre (the rasteriser's pixel-centre rule).
 *
 * Which points make the contour (see the tool modules):
 *  - polygon (SplineROITool, LINEAR): the control points — the polygon the user clicked, exactly;
 *  - spline (SplineROITool, CATMULLROM): the interpolated polyline Cornerstone keeps in data.contour;
 *  - freehand (PlanarFreehandROITool): data.contour.polyline.
 * A closing vertex equal to the first is dropped (core's contours do not repeat it).
 *
 * A contour restored from the document goes to the first tool in registry order that takes it: an
 * editable polygon (one handle per vertex) when it has at most MAX_POLYGON_HANDLES vertices, otherwise
 * a freehand outline.
 */
import type { Roi } from '../../core/annotations/document';
import type { Vec3 } from '../../core/geometry/vec3';
import { ROI_TOOL_LIST, ROI_TOOLS, roiToolByName, type ContourAnnotationLike, type PlaneInfo } from './tools';

export type { ContourAnnotationLike, PlaneInfo } from './tools';
export { MAX_POLYGON_HANDLES } from './tools';

export const POLYGON_TOOL = ROI_TOOLS.polygon.toolName;
export const SPLINE_TOOL = ROI_TOOLS.spline.toolName;
export const FREEHAND_TOOL = ROI_TOOLS.freehand.toolName;
/** Cornerstone tool names of every ROI tool in the registry. */
export const CONTOUR_TOOLS: readonly string[] = ROI_TOOL_LIST.map((t) => t.toolName);

export function isContourTool(toolName: string | undefined): boolean {
  return roiToolByName(toolName) !== undefined;
}

function toVec3(p: Vec3 | number[]): Vec3 | null {
  const x = Number(p[0]);
  const y = Number(p[1]);
  const z = Number(p[2]);
  if (!Number.isFinite(x) || !Number.isFinite(y) || !Number.isFinite(z)) return null;
  return [x, y, z];
}

/** The closed contour (LPS mm) an annotation outlines, or null when it is not a usable closed contour. */
export function annotationToPointsLps(a: ContourAnnotationLike): Vec3[] | null {
  const tool = roiToolByName(a.metadata?.toolName);
  const raw = tool?.toContour(a);
  if (!raw) return null;
  const pts: Vec3[] = [];
  for (const p of raw) {
    const v = toVec3(p);
    if (!v) return null;
    const prev = pts[pts.length - 1];
    if (prev && prev[0] === v[0] && prev[1] === v[1] && prev[2] === v[2]) continue; // duplicate vertex
    pts.push(v);
  }
  const first = pts[0];
  const last = pts[pts.length - 1];
  if (pts.length > 1 && first && last && first[0] === last[0] && first[1] === last[1] && first[2] === last[2]) pts.pop();
  return pts.length >= 3 ? pts : null;
}

/** A Cornerstone annotation for a core ROI, on the image of its slice. Its UID is the ROI id. */
export function roiToAnnotation(roi: Pick<Roi, 'id' | 'pointsLps'>, plane: PlaneInfo): ContourAnnotationLike {
  for (const tool of ROI_TOOL_LIST) {
    const a = tool.toAnnotation(roi, plane);
    if (a) return a;
  }
  throw new Error(`no ROI tool restores a contour of ${roi.pointsLps.length} vertices`);
}
