/**
 * The ROI tool registry: one module per tool (polygon.ts, spline.ts, freehand.ts, livewire.ts; brush, region grow
 * and the like join here). Cornerstone set-up (cornerstone.ts), the annotation mapping (adapters.ts),
 * the document sync (annotationSync.ts) and the viewer iterate it.
 */
import { ROI_TOOL_IDS, type RoiToolId } from '../../../shared/tools';
import { freehand } from './freehand';
import { livewire } from './livewire';
import { polygon } from './polygon';
import { spline } from './spline';
import type { RoiToolModule } from './types';

export const ROI_TOOLS: { readonly [Id in RoiToolId]: RoiToolModule<Id> } = { polygon, spline, freehand, livewire };

/** In ROI_TOOL_IDS order, which is also the order contours from the document try to restore in. */
export const ROI_TOOL_LIST: readonly RoiToolModule[] = ROI_TOOL_IDS.map((id) => ROI_TOOLS[id]);

export function roiToolByName(toolName: string | undefined): RoiToolModule | undefined {
  return toolName ? ROI_TOOL_LIST.find((t) => t.toolName === toolName) : undefined;
}

export type { ContourAnnotationLike, PlaneInfo, RoiToolModule } from './types';
export { MAX_POLYGON_HANDLES } from './polygon';
