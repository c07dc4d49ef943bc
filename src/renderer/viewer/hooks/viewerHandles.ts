/**
 * What the axial viewer's hooks share: the viewport element, the stack shown on it (its image ids,
 * volume key and frame of reference), the Cornerstone viewport, the store and the viewer's error.
 */
import type { Types } from '@cornerstonejs/core';
import type { RefObject } from 'react';
import type { StoreApi } from 'zustand/vanilla';
import type { AppState } from '../../state/store';
import { SliceLoadStopped } from '../../state/progressiveVolume';

export interface ShownStack {
  imageIds: string[];
  volumeKey: string;
  frameOfReferenceUid: string;
}

export interface ViewerHandles {
  elRef: RefObject<HTMLDivElement | null>;
  stackRef: { current: ShownStack | null };
  store: StoreApi<AppState>;
  /** The axial Cornerstone viewport, or null before it is enabled (or once it is gone). */
  viewport(): Types.IStackViewport | null;
  /** The viewer could not show the series (Cornerstone failed): the image is hidden, never left stale under a message. */
  fail(e: unknown): void;
  /** A failure of an image of the stack that is shown (a wait for a slice of a load that stopped, or of a stack gone, is no failure). */
  failFor(stack: ShownStack | null): (e: unknown) => void;
  /** Count a change the effects wait for (viewport enabled or resized, stack shown): their `ready` dependency. */
  bumpReady(): void;
}

export function failureFilter(stackRef: ViewerHandles['stackRef'], fail: (e: unknown) => void) {
  return (stack: ShownStack | null) => (e: unknown) => {
    if (e instanceof SliceLoadStopped || stackRef.current !== stack) return;
    fail(e);
  };
}
