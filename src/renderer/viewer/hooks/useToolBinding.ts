/**
 * The active tool on the viewport's tool group (view only while the slices load), and no unfinished
 * outline surviving a slice change, a tool or level switch, Esc or a question.
 */
import { useEffect } from 'react';
import type { Level } from '../../../core/anatomy/anatomy';
import type { ToolId } from '../../../shared/tools';
import type { AppState } from '../../state/store';
import { cancelDrawing } from '../annotationSync';
import { applyTool, applyViewOnly, createToolGroup } from '../cornerstone';
import type { ViewerHandles } from './viewerHandles';

export interface ToolBindingInputs {
  tool: ToolId;
  loading: boolean;
  sliceIndex: number;
  activeLevel: Level;
  cancelCounter: number;
  question: AppState['question'];
}

/** The cancel effect; call it before useSliceStack (it runs while the viewport still shows the slice the outline was drawn on). */
export function useCancelDrawing(h: ViewerHandles, { sliceIndex, tool, activeLevel, cancelCounter, question }: ToolBindingInputs): void {
  useEffect(() => {
    const s = h.store.getState();
    if (!h.elRef.current) return;
    cancelDrawing(h.elRef.current, new Set(s.doc?.rois.map((r) => r.id) ?? []), s.question?.kind === 'duplicate' ? s.question.outline.id : null);
    h.viewport()?.render();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [sliceIndex, tool, activeLevel, cancelCounter, question]);
}

export function useToolBinding(tool: ToolId, loading: boolean): void {
  useEffect(() => {
    const tg = createToolGroup();
    // While the slices load nothing may be drawn or edited: outlines are only shown.
    if (loading) applyViewOnly(tg);
    else applyTool(tg, tool);
  }, [tool, loading]);
}
