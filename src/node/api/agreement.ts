/**
 * The reads channels: what the open read may see of the other reads of its series (reads:status: the
 * hiding rule of a blinded second read, node/reads.ts), and their agreement once both are signed off
 * (agreement:reads: `paraspine agreement`'s code, node/agreement.ts, on the two saved documents).
 */
import { rootOf, type ParaspineApi, type SeriesLocator } from '../../shared/contract';
import { agreementJson, agreementOfDocuments, readAgreementDocuments } from '../agreement';
import type { SeriesRef } from '../measureSeries';
import { readsStatus } from '../reads';
import { ApiError, type ApiContext } from './context';

export function agreementChannels(ctx: ApiContext): Pick<ParaspineApi, 'reads:status' | 'agreement:reads'> {
  const { workspace } = ctx;
  return {
    async 'reads:status'(seriesUid, read) {
      const { paths: _paths, ...status } = await readsStatus(await workspace(), seriesUid, read ?? null);
      return status;
    },

    async 'agreement:reads'(series, read) {
      const st = await readsStatus(await workspace(), series.seriesUid, read ?? null);
      if (!st.mine || !st.paths.mine) throw new ApiError('agreement: this read is not saved in the workspace yet');
      if (!st.compare || !st.paths.compare) throw new ApiError(`agreement: ${st.hidden ?? 'no other read of this series in the workspace'}`);
      const docs = await readAgreementDocuments([st.paths.mine, st.paths.compare]);
      const { locator, source } = await ctx.resolve(series);
      const ref = (uid: string): SeriesRef<SeriesLocator> => ({
        source,
        root: ctx.gateFor(rootOf(locator)).label(rootOf(locator)),
        listRoot: rootOf(locator),
        seriesUid: uid,
        locate: (u) => ({ ...locator, seriesUid: u }),
      });
      return agreementJson(await agreementOfDocuments(ref, docs, () => {}));
    },
  };
}
