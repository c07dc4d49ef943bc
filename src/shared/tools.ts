/**
 * The viewer's tools as data: ids, labels, keys. The Cornerstone side of each ROI tool (tool class,
 * configuration, annotation <-> contour mapping) lives in src/renderer/viewer/tools/, one module per
 * tool, and spreads its entry from ROI_TOOL_INFO; this file has no Cornerstone (nor DOM) import so the
 * shortcuts table, the toolbar and the store can use it.
 *
 * A new ROI tool (brush, region grow, ...) gets an entry here and a module in viewer/tools/.
 */

export const ROI_TOOL_IDS = ['polygon', 'spline', 'freehand', 'livewire'] as const;
export type RoiToolId = (typeof ROI_TOOL_IDS)[number];

/**
 * Pixel outline tools: not Cornerstone tools. While one is active the viewport's Cornerstone tools are
 * passive and an overlay (src/renderer/viewer/PixelToolOverlay.tsx) takes the primary button, turns the
 * mouse path into slice pixels and calls the store (src/renderer/state/slices/outlineTools.ts), which
 * runs core's src/core/roi functions. One module per tool in src/renderer/viewer/tools/pixel/ (its options,
 * size step, pointer actions and commit step), listed in src/renderer/viewer/tools/pixelTools.ts.
 */
export const PIXEL_TOOL_IDS = ['grow', 'brush', 'eraser', 'scissors', 'oval'] as const;
export type PixelToolId = (typeof PIXEL_TOOL_IDS)[number];

export const VIEW_TOOL_IDS = ['pan', 'zoom', 'window'] as const;
export type ViewToolId = (typeof VIEW_TOOL_IDS)[number];

export type ToolId = RoiToolId | PixelToolId | ViewToolId;

export interface ToolInfo<Id extends string = ToolId> {
  id: Id;
  /** Toolbar label. */
  label: string;
  /** The key that selects the tool (KeyboardEvent.key, lower case), or null when it has none. */
  key: string | null;
  /** What the tool does, for the help overlay. */
  hint: string;
}

export const ROI_TOOL_INFO: { readonly [Id in RoiToolId]: ToolInfo<Id> } = {
  polygon: { id: 'polygon', label: 'Polygon', key: 'g', hint: 'polygon (click points, click the first to close)' },
  spline: { id: 'spline', label: 'Spline', key: 's', hint: 'spline' },
  freehand: { id: 'freehand', label: 'Freehand', key: 'f', hint: 'freehand' },
  livewire: { id: 'livewire', label: 'Livewire', key: 'v', hint: 'livewire (the line follows edges between clicks; click the first point to close)' },
};

export const PIXEL_TOOL_INFO: { readonly [Id in PixelToolId]: ToolInfo<Id> } = {
  grow: { id: 'grow', label: 'Grow', key: 't', hint: 'region grow (click inside a muscle; Shift+drag draws a limit)' },
  brush: { id: 'brush', label: 'Brush', key: 'b', hint: 'brush (adds pixels in the muscle range to the outline)' },
  eraser: { id: 'eraser', label: 'Eraser', key: 'x', hint: 'eraser (removes pixels from the outline)' },
  scissors: { id: 'scissors', label: 'Scissors', key: 'k', hint: 'scissors (drag a line across the outline: it splits in two)' },
  // Every letter is taken: the bone oval is picked from the toolbar.
  oval: { id: 'oval', label: 'L1 oval', key: null, hint: 'trabecular bone oval (drag from its centre; drag inside it to move it, [ / ] to resize)' },
};

export const VIEW_TOOL_INFO: { readonly [Id in ViewToolId]: ToolInfo<Id> } = {
  pan: { id: 'pan', label: 'Pan', key: 'a', hint: 'pan' },
  zoom: { id: 'zoom', label: 'Zoom', key: 'z', hint: 'zoom' },
  window: { id: 'window', label: 'W/L drag', key: null, hint: 'window/level drag' },
};

/** Toolbar order: the ROI tools, the pixel tools, then the view tools. */
export const TOOLS: readonly ToolInfo[] = [...ROI_TOOL_IDS.map((id) => ROI_TOOL_INFO[id]), ...PIXEL_TOOL_IDS.map((id) => PIXEL_TOOL_INFO[id]), ...VIEW_TOOL_IDS.map((id) => VIEW_TOOL_INFO[id])];

export function isRoiToolId(id: string): id is RoiToolId {
  return (ROI_TOOL_IDS as readonly string[]).includes(id);
}

export function isPixelToolId(id: string): id is PixelToolId {
  return (PIXEL_TOOL_IDS as readonly string[]).includes(id);
}

/**
 * One-shot commands on outlines (tool-options bar buttons and shortcuts). Mirror and propagate make new
 * outlines as proposals (Roi.source 'mirrored' / 'propagated': dashed, not done in the checklist until
 * confirmed); the others change the outline in place.
 */
export const OUTLINE_COMMANDS = ['smooth', 'simplify', 'snap', 'mirror', 'propagate'] as const;
export type OutlineCommand = (typeof OUTLINE_COMMANDS)[number];
