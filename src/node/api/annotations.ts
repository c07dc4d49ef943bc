/** The annotation document channels: load and save the series' document (or a rater's blinded second read) in the workspace. */
import type { ParaspineApi } from '../../shared/contract';
import { loadDocument, saveDocument, saveDocumentCopy } from '../workspace';
import type { ApiContext } from './context';

export function annotationChannels(ctx: ApiContext): Pick<ParaspineApi, 'annotations:load' | 'annotations:save' | 'annotations:saveCopy'> {
  const { now, workspace } = ctx;
  return {
    async 'annotations:load'(seriesUid, read) {
      const ws = await workspace();
      const r = await loadDocument(ws, seriesUid, now, read ?? null);
      return { document: r.document, problem: r.problem, revision: r.revision };
    },

    async 'annotations:save'(document, opts, read) {
      const ws = await workspace();
      const which = read ? { read } : {}; // a blinded second read (its own file); left out: the first read
      return saveDocument(ws, document, now, opts ? { baseRevision: opts.baseRevision, ...(opts.reason !== undefined ? { reason: opts.reason } : {}), ...which } : which);
    },

    async 'annotations:saveCopy'(document) {
      const ws = await workspace();
      return saveDocumentCopy(ws, document, now);
    },
  };
}
