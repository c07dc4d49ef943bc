/**
 * The series on the viewport: a new volume's slices registered as images and shown (as soon as its first
 * slice is in), the store's slice index followed, a slice not loaded yet hidden until Cornerstone shows
 * it, and nothing of a closed series left on screen.
 */
import { cache, Enums as CoreEnums } from '@cornerstonejs/core';
import { useEffect, useState } from 'react';
import type { AppState } from '../../state/store';
import { SliceLoadStopped } from '../../state/progressiveVolume';
import { clearAllContours } from '../annotationSync';
import { registerVolume, unregisterVolume } from '../imageLoader';
import { applyPreset } from './useWindowLevel';
import type { ViewerHandles } from './viewerHandles';

export interface SliceStackInputs {
  shown: AppState['shown'];
  meta: AppState['meta'];
  sliceIndex: number;
  sliceLoad: AppState['sliceLoad'];
  ready: number;
}

/**
 * Returns the slice asked for that is not on screen yet because it is not loaded (null when none): the
 * image is hidden (never the last slice's image under this slice's number) until Cornerstone shows it.
 */
export function useSliceStack(h: ViewerHandles, { shown, meta, sliceIndex, sliceLoad, ready }: SliceStackInputs, clearError: () => void): number | null {
  const [pending, setPending] = useState<number | null>(null);
  const { store, stackRef } = h;

  // A new volume (shown as soon as its first slice is in): register its slices as images and show them.
  useEffect(() => {
    const vp = h.viewport();
    if (!vp || !shown || !meta) return;
    clearAllContours();
    cache.purgeCache();
    const ids = { seriesUid: meta.summary.seriesInstanceUid, studyUid: meta.summary.studyInstanceUid };
    const { volumeKey, imageIds } = registerVolume(shown.volume, ids, shown.slices);
    stackRef.current = { imageIds, volumeKey, frameOfReferenceUid: `paraspine-for-${ids.seriesUid}` };
    clearError();
    setPending(null);
    let cancelled = false;
    vp.setStack(imageIds, store.getState().sliceIndex)
      .then(() => {
        if (cancelled) return;
        applyPreset(vp, store.getState().preset);
        vp.render();
        h.bumpReady();
      })
      .catch((e: unknown) => {
        if (!cancelled && !(e instanceof SliceLoadStopped)) h.fail(e);
      });
    return () => {
      cancelled = true;
      unregisterVolume(volumeKey);
      stackRef.current = null;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [shown, meta]);

  useEffect(() => {
    const vp = h.viewport();
    if (!vp || !stackRef.current || vp.getCurrentImageIdIndex() === sliceIndex) return;
    vp.setImageIdIndex(sliceIndex).catch(h.failFor(stackRef.current));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [sliceIndex, ready]);

  // A slice not loaded yet: its image is hidden until Cornerstone shows that slice (STACK_NEW_IMAGE).
  useEffect(() => {
    if (shown && !shown.slices.has(sliceIndex)) setPending(sliceIndex);
  }, [shown, sliceIndex, sliceLoad]);
  useEffect(() => {
    const element = h.elRef.current!;
    const onNewImage = (evt: Event) => {
      const d = (evt as CustomEvent<{ imageIdIndex?: number; imageId?: string }>).detail;
      const st = stackRef.current;
      if (!st || d.imageId !== st.imageIds[d.imageIdIndex ?? -1]) return;
      if (d.imageIdIndex === store.getState().sliceIndex) setPending(null);
    };
    element.addEventListener(CoreEnums.Events.STACK_NEW_IMAGE, onNewImage);
    return () => element.removeEventListener(CoreEnums.Events.STACK_NEW_IMAGE, onNewImage);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  // No series (closed, or its loading failed): nothing of the last one stays on screen.
  useEffect(() => {
    if (shown) return;
    clearAllContours();
    setPending(null);
    store.getState().setVoi(null);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [shown]);

  return pending;
}
