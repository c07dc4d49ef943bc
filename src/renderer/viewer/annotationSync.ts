/** Keep Cornerstone's annotation state in step with the document (the document is the truth). */
import { annotation as csAnnotation, cancelActiveManipulations, ToolGroupManager } from '@cornerstonejs/tools';
import { TOOL_GROUP_ID } from './cornerstone';
import { ROI_TOOL_LIST } from './tools';
import { isProposal, type AnnotationDocument } from '../../core/annotations/document';
import { roiSlice } from '../../core/annotations/measureAnnotations';
import type { HuVolume } from '../../core/volume';
import { samePoints } from '../state/documentOps';
import { MUSCLE_COLORS } from '../state/checklist';
import { annotationToPointsLps, isContourTool, roiToAnnotation, type ContourAnnotationLike } from './adapters';
import type { Vec3 } from '../../core/geometry/vec3';

type CsAnnotation = Parameters<typeof csAnnotation.state.addAnnotation>[0];

/** UIDs that were ever in the document: only those are removed when the document drops them. */
const known = new Set<string>();
/** UIDs of outlines the user finished drawing (handed to the store): removed unless the document takes them or a question holds them. */
const finished = new Set<string>();
export function markFinished(uid: string): void {
  finished.add(uid);
}

/** Whether an ROI tool is in the middle of drawing an outline (test hook and guards). */
export function drawingInProgress(): boolean {
  const tg = ToolGroupManager.getToolGroup(TOOL_GROUP_ID);
  return ROI_TOOL_LIST.some((t) => (tg?.getToolInstance(t.toolName) as { isDrawing?: boolean } | undefined)?.isDrawing === true);
}

/** The number of vertices of the outline being drawn (0 when none): the clicks Cornerstone has taken so far. */
export function drawingVertexCount(): number {
  const tg = ToolGroupManager.getToolGroup(TOOL_GROUP_ID);
  for (const t of ROI_TOOL_LIST) {
    const tool = tg?.getToolInstance(t.toolName) as { isDrawing?: boolean; editData?: { annotation?: ContourAnnotationLike } | null } | undefined;
    if (tool?.isDrawing) return tool.editData?.annotation?.data.handles?.points?.length ?? tool.editData?.annotation?.data.contour?.polyline?.length ?? 0;
  }
  return 0;
}

/**
 * The outline being drawn by a tool that closes on a click on its first point (polygon, livewire):
 * its first vertex (world, mm) and how many vertices it has; null when none is being drawn.
 */
export function closableDrawing(): { first: Vec3; vertices: number } | null {
  const tg = ToolGroupManager.getToolGroup(TOOL_GROUP_ID);
  for (const t of ROI_TOOL_LIST) {
    if (t.id !== 'polygon' && t.id !== 'livewire') continue;
    const tool = tg?.getToolInstance(t.toolName) as { isDrawing?: boolean; editData?: { annotation?: ContourAnnotationLike } | null } | undefined;
    const pts = tool?.isDrawing ? tool.editData?.annotation?.data.handles?.points : undefined;
    if (pts && pts.length > 0) return { first: [...pts[0]!] as Vec3, vertices: pts.length };
  }
  return null;
}

/**
 * Cancel an outline being drawn (a slice change, a tool or level switch, Esc): the tool drops its
 * unfinished annotation, so an unfinished polygon never survives onto another slice or level.
 */
export function cancelDrawing(element: HTMLDivElement, docIds: ReadonlySet<string>, pendingId: string | null): void {
  const tg = ToolGroupManager.getToolGroup(TOOL_GROUP_ID);
  for (const t of ROI_TOOL_LIST) {
    const tool = tg?.getToolInstance(t.toolName) as { isDrawing?: boolean; cancel?(el: HTMLDivElement): unknown } | undefined;
    if (tool?.isDrawing) tool.cancel?.(element);
  }
  if (drawingInProgress()) cancelActiveManipulations(element);
  // Whatever the tool left behind (an unfinished contour it did not remove) goes too: with nothing being
  // drawn, every contour on screen is an outline of the document or the one a question is about.
  if (drawingInProgress()) return;
  for (const a of allContourAnnotations()) {
    if (!docIds.has(a.annotationUID!) && a.annotationUID !== pendingId) csAnnotation.state.removeAnnotation(a.annotationUID!);
  }
}

/**
 * True while a mouse button is down on the viewport: Cornerstone is then moving handles of an
 * annotation, whose points differ from the document until the gesture ends (and the modified event
 * updates the document). Reconciling must not replace it mid-gesture.
 */
let gestureActive = false;
export function setGestureActive(active: boolean): void {
  gestureActive = active;
}

export function allContourAnnotations(): ContourAnnotationLike[] {
  return (csAnnotation.state.getAllAnnotations() as unknown as ContourAnnotationLike[]).filter((a) => isContourTool(a.metadata?.toolName));
}

export function reconcile(
  element: HTMLDivElement,
  doc: AnnotationDocument | null,
  volume: HuVolume | null,
  imageIds: string[],
  frameOfReferenceUid: string,
  camera: { viewPlaneNormal: Vec3; viewUp: Vec3 },
  selectedId: string | null,
  /** A finished outline waiting for the user's answer (kept on screen). */
  pendingId: string | null = null,
): void {
  const existing = new Map(allContourAnnotations().map((a) => [a.annotationUID!, a]));
  const wanted = new Set<string>();
  if (doc && volume) {
    for (const roi of doc.rois) {
      wanted.add(roi.id);
      known.add(roi.id);
      const k = roiSlice(volume, roi);
      const imageId = imageIds[k];
      if (!imageId) continue;
      const a = existing.get(roi.id);
      const pts = a ? annotationToPointsLps(a) : null;
      const stale = !a || !pts || !samePoints(pts, roi.pointsLps) || a.metadata.referencedImageId !== imageId;
      if (stale && !(a && gestureActive && a.metadata.referencedImageId === imageId)) {
        if (a) csAnnotation.state.removeAnnotation(roi.id);
        const created = roiToAnnotation(roi, { referencedImageId: imageId, frameOfReferenceUid, viewPlaneNormal: camera.viewPlaneNormal, viewUp: camera.viewUp });
        csAnnotation.state.addAnnotation(created as unknown as CsAnnotation, element);
      }
      const color = MUSCLE_COLORS[roi.muscle];
      csAnnotation.config.style.setAnnotationStyles(roi.id, {
        color,
        colorHighlighted: '#ffffff',
        colorSelected: '#ffffff',
        lineWidth: roi.id === selectedId ? '3' : '2',
        // Proposals (multifidus / erector spinae split, propagated, mirrored) are dashed until confirmed.
        lineDash: isProposal(roi.source) ? '6,4' : '',
      } as unknown as Parameters<typeof csAnnotation.config.style.setAnnotationStyles>[1]);
    }
  }
  for (const [uid] of existing) {
    if (!wanted.has(uid) && uid !== pendingId && (known.has(uid) || finished.has(uid) || !doc)) csAnnotation.state.removeAnnotation(uid);
  }
}

export function clearAllContours(): void {
  for (const a of allContourAnnotations()) csAnnotation.state.removeAnnotation(a.annotationUID!);
}
