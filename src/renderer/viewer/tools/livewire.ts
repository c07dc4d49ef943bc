/**
 * Livewire: Cornerstone's LivewireContourTool (intelligent scissors). Between the last click and the
 * pointer the line follows the cheapest path on the slice as shown (the window's grey levels: strong
 * edges are cheap), so each click fixes a stretch of boundary that runs along the muscle's fascia or fat
 * plane; clicks snap to the strongest edge within 2 px; clicking the first point (or a double click)
 * closes it. Dragging a handle later re-traces the two stretches beside it.
 *
 * The contour is data.contour.polyline: the traced path through pixel centres (one vertex per pixel
 * step). Whether a pixel on the path counts follows core's pixel-centre rule (half-open: the path's
 * pixels on its left / upper side count, those on its right / lower side do not), as for any outline
 * whose vertices lie on pixel centres. Contours from the document are not restored as livewires (their
 * vertices are not its anchors): polygon or freehand takes them.
 */
import { LivewireContourTool } from '@cornerstonejs/tools';
import { ROI_TOOL_INFO } from '../../../shared/tools';
import { noText, type RoiToolModule } from './types';

export const livewire: RoiToolModule<'livewire'> = {
  ...ROI_TOOL_INFO.livewire,
  toolName: LivewireContourTool.toolName,
  toolClass: LivewireContourTool,
  // Esc is the app's (it cancels whatever is being drawn, for every tool, through cancelDrawing): the
  // tool's own Esc action (which undoes Cornerstone's last edit when nothing is being drawn) does nothing.
  configuration: { calculateStats: false, getTextLines: noText, snapHandleNearby: 2, actions: { cancelInProgress: { method: () => undefined } } },
  toContour: (a) => (a.data.contour?.closed === true ? (a.data.contour.polyline ?? null) : null),
  toAnnotation: () => null,
};
