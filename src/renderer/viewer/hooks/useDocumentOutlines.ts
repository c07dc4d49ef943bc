/** Document -> Cornerstone annotations: the outlines of the document on the viewport, in their styles. */
import { useEffect } from 'react';
import type { Vec3 } from '../../../core/geometry/vec3';
import type { AppState } from '../../state/store';
import { reconcile } from '../annotationSync';
import type { ViewerHandles } from './viewerHandles';

export interface DocumentOutlineInputs {
  doc: AppState['doc'];
  shown: AppState['shown'];
  selectedRoiId: string | null;
  question: AppState['question'];
  ready: number;
}

export function useDocumentOutlines(h: ViewerHandles, { doc, shown, selectedRoiId, question, ready }: DocumentOutlineInputs): void {
  useEffect(() => {
    const vp = h.viewport();
    const st = h.stackRef.current;
    if (!vp || !st || !h.elRef.current) return;
    const cam = vp.getCamera();
    // The CPU path has no camera before its first image (setStack resolving bumps `ready`: this runs again then).
    if (!cam.viewPlaneNormal || !cam.viewUp) return;
    const pendingId = question?.kind === 'duplicate' ? question.outline.id : null;
    // The outlines' slices need the geometry only: they are shown while the slices load too.
    reconcile(h.elRef.current, doc, shown?.volume ?? null, st.imageIds, st.frameOfReferenceUid, { viewPlaneNormal: cam.viewPlaneNormal as Vec3, viewUp: cam.viewUp as Vec3 }, selectedRoiId, pendingId);
    vp.render();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [doc, shown, ready, selectedRoiId, question]);
}
