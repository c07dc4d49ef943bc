/** Cornerstone3D start-up: core + tools, our image loader, and the tool group of the axial viewport. */
import { getRenderingCapabilities, init as csInit, RenderingEngine, setUseCPURendering, type Types } from '@cornerstonejs/core';
import {
  addTool,
  annotation as csAnnotation,
  Enums as ToolEnums,
  init as toolsInit,
  PanTool,
  ToolGroupManager,
  WindowLevelTool,
  ZoomTool,
  type Types as ToolTypes,
} from '@cornerstonejs/tools';
import { isRoiToolId } from '../../shared/tools';
import { pixelTool } from './tools/pixelTools';
import type { Tool } from '../state/store';
import { registerParaspineLoader } from './imageLoader';
import { ROI_TOOLS, ROI_TOOL_LIST } from './tools';

export const RENDERING_ENGINE_ID = 'paraspine-engine';
export const AXIAL_VIEWPORT_ID = 'axial';
export const TOOL_GROUP_ID = 'paraspine-axial-tools';

let initialised = false;
let engine: RenderingEngine | null = null;

export function initCornerstone(): void {
  if (initialised) return;
  initialised = true;
  csInit();
  // WebGL on a software rasterizer (SwiftShader, llvmpipe: no GPU, or the GPU disabled): every frame
  // Cornerstone renders the slice with WebGL off screen and reads it back into the viewport's 2D
  // canvas, about 40 ms a 512² slice on such a rasterizer. Its CPU path (the slice through a LUT into
  // a 2D canvas) takes a few ms, so scrolling keeps up; with a real GPU nothing changes.
  if (getRenderingCapabilities().softwareRasterizer) setUseCPURendering(true, false);
  toolsInit();
  registerParaspineLoader();
  addTool(PanTool);
  addTool(ZoomTool);
  addTool(WindowLevelTool);
  for (const toolClass of new Set(ROI_TOOL_LIST.map((t) => t.toolClass))) addTool(toolClass);
  // Labels are drawn by our overlay; numbers come from core, so Cornerstone's text boxes stay hidden.
  const style = csAnnotation.config.style;
  style.setDefaultToolStyles({ ...style.getDefaultToolStyles(), textBoxVisibility: false, lineWidth: '2' } as unknown as Parameters<typeof style.setDefaultToolStyles>[0]);
}

export function getEngine(): RenderingEngine {
  if (!engine) engine = new RenderingEngine(RENDERING_ENGINE_ID);
  return engine;
}

/** The axial stack viewport, or null while the engine has none (not enabled yet, or torn down). */
export function axialViewport(): Types.IStackViewport | null {
  try {
    return (getEngine().getViewport(AXIAL_VIEWPORT_ID) as Types.IStackViewport | undefined) ?? null;
  } catch {
    return null;
  }
}

export function createToolGroup(): ToolTypes.IToolGroup {
  const existing = ToolGroupManager.getToolGroup(TOOL_GROUP_ID);
  if (existing) return existing;
  const tg = ToolGroupManager.createToolGroup(TOOL_GROUP_ID)!;
  tg.addTool(PanTool.toolName);
  tg.addTool(ZoomTool.toolName);
  tg.addTool(WindowLevelTool.toolName);
  for (const t of ROI_TOOL_LIST) {
    if (t.toolName === t.toolClass.toolName) tg.addTool(t.toolName, t.configuration);
    else tg.addToolInstance(t.toolName, t.toolClass.toolName, t.configuration);
  }
  return tg;
}

const { MouseBindings } = ToolEnums;

/** Primary button drives the chosen tool; middle pans and right zooms always; other contour tools stay passive (editable). */
export function applyTool(tg: ToolTypes.IToolGroup, tool: Tool): void {
  const viewTools = { pan: PanTool.toolName, zoom: ZoomTool.toolName, window: WindowLevelTool.toolName };
  // A pixel tool (region grow, brush, ...) takes the primary button on its own overlay: every Cornerstone tool stays passive.
  const primary = isRoiToolId(tool) ? ROI_TOOLS[tool].toolName : pixelTool(tool) ? null : (viewTools[tool as keyof typeof viewTools] ?? null);
  for (const name of [...ROI_TOOL_LIST.map((t) => t.toolName), WindowLevelTool.toolName]) {
    if (name !== primary) tg.setToolPassive(name);
  }
  const pan = [{ mouseButton: MouseBindings.Auxiliary }];
  const zoom = [{ mouseButton: MouseBindings.Secondary }];
  tg.setToolActive(PanTool.toolName, { bindings: primary === PanTool.toolName ? [...pan, { mouseButton: MouseBindings.Primary }] : pan });
  tg.setToolActive(ZoomTool.toolName, { bindings: primary === ZoomTool.toolName ? [...zoom, { mouseButton: MouseBindings.Primary }] : zoom });
  if (primary && primary !== PanTool.toolName && primary !== ZoomTool.toolName) {
    tg.setToolActive(primary, { bindings: [{ mouseButton: MouseBindings.Primary }] });
  }
}

/**
 * While a series' slices load: outlines are drawn but none can be drawn or edited (nothing in the
 * document changes until every slice is in); the middle button pans and the right one zooms.
 */
export function applyViewOnly(tg: ToolTypes.IToolGroup): void {
  for (const t of ROI_TOOL_LIST) tg.setToolEnabled(t.toolName);
  tg.setToolPassive(WindowLevelTool.toolName);
  tg.setToolActive(PanTool.toolName, { bindings: [{ mouseButton: MouseBindings.Auxiliary }] });
  tg.setToolActive(ZoomTool.toolName, { bindings: [{ mouseButton: MouseBindings.Secondary }] });
}
