/**
 * The reads channels: what the open read may see of the other reads of its series (reads:status: the
 * hiding rule of a blinded second read, node/reads.ts), and their agreement once both are signed off
 * (agreement:reads: `paraspine agreement`'s code, node/agreement.ts, on the two saved documents;
 * agreement:pdf: its PDF, `paraspine agreement --pdf`'s code, into the workspace's exports folder).
 */
import { rootOf, type ParaspineApi, type ReadRef, type SeriesLocator } from '../../shared/contract';
import { APP_VERSION } from '../appVersion';
import { agreementJson, agreementOfDocuments, readAgreementDocuments, type AgreementOutcome } from '../agreement';
import type { SeriesRef } from '../measureSeries';
import { readsStatus } from '../reads';
import { renderAgreementPdf } from '../reports/agreementPdf';
import { documentStem } from '../workspace';
import { ApiError, type ApiContext } from './context';
import { writeWorkspaceExport } from './export';

export function agreementChannels(ctx: ApiContext): Pick<ParaspineApi, 'reads:status' | 'agreement:reads' | 'agreement:pdf'> {
  const { workspace } = ctx;
  /** The agreement of the read named and the other signed-off read (refused with one line until both are signed off). */
  const outcomeOf = async (series: SeriesLocator, read: ReadRef | null): Promise<AgreementOutcome> => {
    const st = await readsStatus(await workspace(), series.seriesUid, read);
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
    return agreementOfDocuments(ref, docs, () => {});
  };
  return {
    async 'reads:status'(seriesUid, read) {
      const { paths: _paths, ...status } = await readsStatus(await workspace(), seriesUid, read ?? null);
      return status;
    },

    async 'agreement:reads'(series, read) {
      return agreementJson(await outcomeOf(series, read ?? null));
    },

    async 'agreement:pdf'(series, read) {
      const { report, series: s, documents } = await outcomeOf(series, read ?? null);
      // What `paraspine agreement MINE OTHER --pdf FILE --date NOW` writes (cli/commands/agreement.ts), byte for byte.
      const pdf = await renderAgreementPdf({ report, seriesLabel: s.seriesDescription || s.seriesInstanceUid, documents, madeAt: ctx.now().toISOString(), softwareVersion: APP_VERSION });
      return { path: await writeWorkspaceExport(ctx, `${documentStem(s.seriesInstanceUid)}.agreement.pdf`, pdf) };
    },
  };
}
