/** Small helpers the slices share. */
import type { AnnotationDocument } from '../../core/annotations/document';
import type { Level } from '../../core/anatomy/anatomy';
import { firstOpenTarget } from './checklist';
import type { AnnotationSlice } from './types';

export function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** The checklist pointer for a level just opened or switched to: its first outline not done yet (unchanged when all are done). */
export function pointerFor(doc: AnnotationDocument | null, level: Level): Partial<Pick<AnnotationSlice, 'activeMuscle' | 'activeSide'>> {
  const t = firstOpenTarget(doc, level);
  return t ? { activeMuscle: t.muscle, activeSide: t.side } : {};
}

