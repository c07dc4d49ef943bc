/** Enable the axial viewport once (Cornerstone engine, tool group) and follow its size. */
import { Enums as CoreEnums } from '@cornerstonejs/core';
import { useEffect } from 'react';
import { applyTool, AXIAL_VIEWPORT_ID, createToolGroup, getEngine, initCornerstone } from '../cornerstone';
import type { ViewerHandles } from './viewerHandles';

export function useViewportSetup(h: ViewerHandles): void {
  useEffect(() => {
    const element = h.elRef.current!;
    initCornerstone();
    const engine = getEngine();
    engine.enableElement({ viewportId: AXIAL_VIEWPORT_ID, type: CoreEnums.ViewportType.STACK, element, defaultOptions: { background: [0, 0, 0] } });
    const tg = createToolGroup();
    tg.addViewport(AXIAL_VIEWPORT_ID, engine.id);
    applyTool(tg, h.store.getState().tool);
    const ro = new ResizeObserver(() => {
      engine.resize(true, false);
      h.bumpReady();
    });
    ro.observe(element);
    h.bumpReady();
    return () => {
      ro.disconnect();
      tg.removeViewports(engine.id, AXIAL_VIEWPORT_ID);
      engine.disableElement(AXIAL_VIEWPORT_ID);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
}
