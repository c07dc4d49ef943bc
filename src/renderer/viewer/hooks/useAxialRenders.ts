/** Re-render an SVG overlay on every render of the axial viewport (zoom, pan, resize, slice), so what it draws stays on the image. */
import { Enums as CoreEnums } from '@cornerstonejs/core';
import { useEffect, useState } from 'react';
import { axialViewport } from '../cornerstone';

/** Follows the viewport's renders while `active`; `volume` re-attaches the listener when the viewport is set up for a new series. */
export function useAxialRenders(volume: unknown, active = true): void {
  const [, setFrame] = useState(0);
  useEffect(() => {
    const el = axialViewport()?.element;
    if (!el || !active) return;
    const onRendered = () => setFrame((f) => f + 1);
    el.addEventListener(CoreEnums.Events.IMAGE_RENDERED, onRendered);
    return () => el.removeEventListener(CoreEnums.Events.IMAGE_RENDERED, onRendered);
  }, [volume, active]);
}
