/**
 * One zustand store made of typed slices (slices/*.ts, shapes in types.ts). It holds serialisable
 * domain data (the HU volume is a typed array: data, not a viewer object); actions call the services
 * through the api client. Narrow selectors in components (useApp(s => s.sliceIndex)).
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import { useStore } from 'zustand';
import { seriesIdentity } from '../../core/annotations/document';
import type { ParaspineApi } from '../../shared/contract';
import { createAnnotationSlice } from './slices/annotation';
import { createBoneSlice } from './slices/bone';
import { createImportExportSlice } from './slices/importExport';
import { createOutlineToolsSlice } from './slices/outlineTools';
import { createPacsSlice } from './slices/pacs';
import { createReadsSlice } from './slices/reads';
import { createSessionSlice } from './slices/session';
import { createUiSlice } from './slices/ui';
import { createViewSlice } from './slices/view';
import { createWorklistSlice } from './slices/worklist';
import type { AppState, StoreDeps } from './types';

export type * from './types';
export { attachAutosave } from './autosave';
export { seriesIdentity };

export function createAppStore(deps: StoreDeps): StoreApi<AppState> {
  return createStore<AppState>()((set, get) => ({
    ...createSessionSlice(set, get, deps),
    ...createViewSlice(set, get),
    ...createAnnotationSlice(set, get, deps),
    ...createUiSlice(set, get),
    ...createImportExportSlice(set, get, deps),
    ...createOutlineToolsSlice(set, get, deps),
    ...createBoneSlice(set, get, deps),
    ...createPacsSlice(set, get, deps),
    ...createWorklistSlice(set, get, deps),
    ...createReadsSlice(set, get, deps),
  }));
}

function defaultId(): string {
  const c = globalThis.crypto;
  if (c && 'randomUUID' in c) return c.randomUUID();
  return `roi-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
}

let appStore: StoreApi<AppState> | null = null;

export function getAppStore(api: () => ParaspineApi): StoreApi<AppState> {
  if (!appStore) {
    appStore = createAppStore({
      api,
      now: () => new Date().toISOString(),
      newId: defaultId,
      rater: () => {
        try {
          return typeof localStorage !== 'undefined' ? (localStorage.getItem('paraspine-rater') ?? '') : '';
        } catch {
          return '';
        }
      },
      persistRater: (name) => {
        try {
          localStorage.setItem('paraspine-rater', name);
        } catch {
          /* storage unavailable: the name still goes into the document */
        }
      },
    });
  }
  return appStore;
}

export function useApp<T>(selector: (s: AppState) => T): T {
  if (!appStore) throw new Error('store not created');
  return useStore(appStore, selector);
}

export { defaultId as newRoiId };
