/**
 * The pixel outline tools' registry: region grow, brush, eraser, scissors (ids, labels and keys in
 * src/shared/tools.ts; one module per tool in pixel/, which declares its options, size step, pointer
 * actions and commit step). No Cornerstone: PixelToolOverlay.tsx turns a primary-button gesture on the
 * axial viewport into slice pixel points (i column, j row) and drives the module's gesture; the tool-options
 * bar shows the module's options; the work is done by the store (src/renderer/state/slices/outlineTools.ts)
 * with core's src/core/roi functions. A new pixel tool: a module in pixel/ and its line here (and its
 * id, label and key in src/shared/tools.ts).
 */
import { PIXEL_TOOL_IDS, type PixelToolId } from '../../../shared/tools';
import { grow } from './pixel/grow';
import { oval } from './pixel/oval';
import { brush, eraser } from './pixel/paint';
import { scissors } from './pixel/scissors';
import type { PixelToolModule } from './pixel/types';

export const PIXEL_TOOLS: { readonly [Id in PixelToolId]: PixelToolModule<Id> } = { grow, brush, eraser, scissors, oval };

/** Tools registered at run time (registerPixelTool): tests, or a tool not in the built-in list. */
const registered = new Map<string, PixelToolModule>();

export function registerPixelTool(tool: PixelToolModule): () => void {
  registered.set(tool.id, tool);
  return () => void registered.delete(tool.id);
}

/** The pixel tool with this id, or undefined when the id is not a pixel tool's. */
export function pixelTool(id: string): PixelToolModule | undefined {
  return (PIXEL_TOOLS as Readonly<Record<string, PixelToolModule>>)[id] ?? registered.get(id);
}


export type { PixelGesture, PixelToolModule, PixelToolOption } from './pixel/types';
export { option, optionValue, setOptionValue } from './pixel/types';
