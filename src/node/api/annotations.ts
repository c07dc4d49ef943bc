/** The annotation document channels: load and save the series' document in the workspace. */
import type { ParaspineApi } from '../../shared/contract';
import { loadDocument, saveDocument, saveDocumentCopy } from '../workspace';
import type { ApiContext } from './context';

export function annotationChannels(ctx: ApiContext): Pick<ParaspineApi, 'annotations:load' | 'annotations:save' | 'annotations:saveCopy'> {
  const { now, workspace } = ctx;
  return {
    async 'annotations:load'(seriesUid) {
      const ws = await workspace();
      const r = await loadDocument(ws, seriesUid, now);
      return { document: r.document, problem: r.problem, revision: r.revision };
    },

    async 'annotations:save'(document, opts) {
      const ws = await workspace();
      return saveDocument(ws, document, now, opts ? { baseRevision: opts.baseRevision, ...(opts.reason !== undefined ? { reason: opts.reason } : {}) } : {});
    },

    async 'annotations:saveCopy'(document) {
      const ws = await workspace();
      return saveDocumentCopy(ws, document, now);
    },
  };
}
