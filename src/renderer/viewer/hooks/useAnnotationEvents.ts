/**
 * Cornerstone's annotation events -> the store: a finished outline is added (or refused and removed), an
 * edit changes its outline (one undo step per mouse gesture), the selection follows Cornerstone's. A press
 * near the first vertex of a polygon / livewire being drawn closes it at once (CLOSE_TOLERANCE_PX).
 */
import { eventTarget, type Types } from '@cornerstonejs/core';
import { annotation as csAnnotation, Enums as ToolEnums } from '@cornerstonejs/tools';
import { useEffect } from 'react';
import { annotationToPointsLps, isContourTool, type ContourAnnotationLike } from '../adapters';
import { closableDrawing, markFinished, setGestureActive } from '../annotationSync';
import type { ViewerHandles } from './viewerHandles';

/**
 * A press this close (CSS px) to the first vertex of a polygon or livewire being drawn closes it:
 * Cornerstone's own distance (a press this near the first vertex, and nearer to it than to any other,
 * closes), more than the handle drawn there (radius 6 px plus the line). The press is handed on exactly
 * on the vertex and at once: Cornerstone holds a press 400 ms to see whether a second one makes a double
 * click, so the outline stayed open for that long, a second press meanwhile (it looked as if nothing had
 * happened) was dropped and only a double-click seemed to close it, and keys typed meanwhile changed
 * the label the outline got.
 */
export const CLOSE_TOLERANCE_PX = 10;

export function useAnnotationEvents(h: ViewerHandles, onStrokeEnd: () => void): void {
  useEffect(() => {
    const element = h.elRef.current!;
    const { store, viewport } = h;
    let gesture = 0;
    const onDown = (e: MouseEvent) => {
      gesture++;
      setGestureActive(true);
      closeOnFirstPoint(e);
    };
    // A press near the first vertex of a polygon / livewire being drawn (at least 3 vertices) is handed
    // to Cornerstone exactly on that vertex, so it closes the outline every time.
    const closeOnFirstPoint = (e: MouseEvent) => {
      if (!e.isTrusted || e.button !== 0 || e.shiftKey || e.ctrlKey || e.altKey || e.metaKey) return;
      const d = closableDrawing();
      const vp = viewport();
      if (!d || d.vertices < 3 || !vp) return;
      const c = vp.worldToCanvas(d.first as Types.Point3);
      const r = element.getBoundingClientRect();
      const x = r.left + c[0];
      const y = r.top + c[1];
      const dist = Math.hypot(e.clientX - x, e.clientY - y);
      if (dist > CLOSE_TOLERANCE_PX) return;
      e.stopImmediatePropagation();
      e.preventDefault();
      const init = { bubbles: true, cancelable: true, clientX: x, clientY: y, screenX: e.screenX + (x - e.clientX), screenY: e.screenY + (y - e.clientY), button: 0, buttons: 1, view: window };
      const target = e.target instanceof Element ? e.target : element;
      target.dispatchEvent(new MouseEvent('mousedown', init));
      // The release goes where Cornerstone waits for it (the document), at the same point.
      const up = (ev: MouseEvent) => {
        if (!ev.isTrusted || ev.button !== 0) return;
        window.removeEventListener('mouseup', up, true);
        ev.stopImmediatePropagation();
        target.dispatchEvent(new MouseEvent('mouseup', { ...init, buttons: 0 }));
        // A move of more than 3 px ends Cornerstone's double-click wait: the outline closes now, not 400 ms later.
        element.dispatchEvent(new MouseEvent('mousemove', { ...init, buttons: 0, clientX: x + 4, clientY: y, screenX: init.screenX + 4 }));
        element.dispatchEvent(new MouseEvent('mousemove', { ...init, buttons: 0, clientX: ev.clientX, clientY: ev.clientY, screenX: ev.screenX, screenY: ev.screenY }));
      };
      window.addEventListener('mouseup', up, true);
    };
    const onUp = () => {
      setGestureActive(false);
      setTimeout(onStrokeEnd, 0);
    };
    const onCompleted = (evt: Event) => {
      const a = (evt as CustomEvent<{ annotation: ContourAnnotationLike }>).detail.annotation;
      if (!a || !isContourTool(a.metadata?.toolName)) return;
      const pts = annotationToPointsLps(a);
      const s = store.getState();
      if (!pts || s.doc?.rois.some((r) => r.id === a.annotationUID)) {
        if (!pts) csAnnotation.state.removeAnnotation(a.annotationUID!);
        return;
      }
      markFinished(a.annotationUID!);
      // Refused (drawn off its level's slice): the outline is not kept on screen either.
      if (s.addOutline(a.annotationUID!, pts) === 'refused') {
        csAnnotation.state.removeAnnotation(a.annotationUID!);
        // Gone from the screen at once, not at the next render (a scroll or a mouse move).
        viewport()?.render();
      }
      // The livewire leaves its finished outline highlighted (drawn white with its handles, as if
      // selected): it is an outline like the others now, in its muscle's colour.
      else if (a.highlighted === true) {
        a.highlighted = false;
        viewport()?.render();
      }
      onStrokeEnd();
    };
    const onModified = (evt: Event) => {
      const d = (evt as CustomEvent<{ annotation: ContourAnnotationLike; changeType?: string }>).detail;
      const a = d.annotation;
      if (!a || !isContourTool(a.metadata?.toolName) || d.changeType === ToolEnums.ChangeTypes.StatsUpdated) return;
      const s = store.getState();
      if (!s.doc?.rois.some((r) => r.id === a.annotationUID)) return;
      const pts = annotationToPointsLps(a);
      if (pts) s.editOutline(a.annotationUID!, pts, `g${gesture}:${a.annotationUID}`);
    };
    const onSelection = (evt: Event) => {
      const sel = (evt as CustomEvent<{ selection?: string[] }>).detail.selection ?? [];
      const ids = new Set(store.getState().doc?.rois.map((r) => r.id) ?? []);
      const last = [...sel].reverse().find((u) => ids.has(u)) ?? null;
      store.getState().selectRoi(last);
    };
    element.addEventListener('mousedown', onDown, true);
    window.addEventListener('mouseup', onUp);
    eventTarget.addEventListener(ToolEnums.Events.ANNOTATION_COMPLETED, onCompleted);
    eventTarget.addEventListener(ToolEnums.Events.ANNOTATION_MODIFIED, onModified);
    eventTarget.addEventListener(ToolEnums.Events.ANNOTATION_SELECTION_CHANGE, onSelection);
    return () => {
      element.removeEventListener('mousedown', onDown, true);
      window.removeEventListener('mouseup', onUp);
      eventTarget.removeEventListener(ToolEnums.Events.ANNOTATION_COMPLETED, onCompleted);
      eventTarget.removeEventListener(ToolEnums.Events.ANNOTATION_MODIFIED, onModified);
      eventTarget.removeEventListener(ToolEnums.Events.ANNOTATION_SELECTION_CHANGE, onSelection);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
}
