/** Undo/redo of the annotation document: snapshots of immutable documents, with gesture coalescing. */
import type { AnnotationDocument } from '../../core/annotations/document';

export interface History {
  past: AnnotationDocument[];
  future: AnnotationDocument[];
  /** Key of the last recorded change: a change with the same key (one drag gesture) is merged into it. */
  lastKey: string | null;
}

export const HISTORY_LIMIT = 200;

export function emptyHistory(): History {
  return { past: [], future: [], lastKey: null };
}

/** Record that `before` was replaced by a new document. */
export function record(h: History, before: AnnotationDocument, key: string | null = null): History {
  if (key !== null && key === h.lastKey) return { ...h, future: [] };
  const past = [...h.past, before];
  if (past.length > HISTORY_LIMIT) past.splice(0, past.length - HISTORY_LIMIT);
  return { past, future: [], lastKey: key };
}

export function undo(h: History, current: AnnotationDocument): { history: History; doc: AnnotationDocument } | null {
  const prev = h.past[h.past.length - 1];
  if (!prev) return null;
  return { history: { past: h.past.slice(0, -1), future: [current, ...h.future], lastKey: null }, doc: prev };
}

export function redo(h: History, current: AnnotationDocument): { history: History; doc: AnnotationDocument } | null {
  const next = h.future[0];
  if (!next) return null;
  return { history: { past: [...h.past, current], future: h.future.slice(1), lastKey: null }, doc: next };
}
