/**
 * The PACS channels: a DICOMweb server's studies searched from the Node services (QIDO-RS), the saved
 * servers (settings), and Export > Send to PACS (the SR and SEG of the open document STOWed into its study).
 */
import { exportFormat } from '../../core/export/formats';
import type { ParaspineApi, PacsServerInfo, PacsStudy } from '../../shared/contract';
import { DicomWebClient, jsonText } from '../dicomweb/client';
import { DicomWebSeriesSource } from '../dicomweb/source';
import { checkBaseUrl } from '../dicomweb/url';
import { ApiError, type ApiContext } from './context';
import { makeReports } from './export';

/** Most studies one search returns (a search is narrowed by its fields, not paged). */
const MAX_STUDIES = 200;

export function pacsChannels(ctx: ApiContext): Pick<ParaspineApi, 'pacs:search' | 'pacs:servers' | 'pacs:saveServers' | 'pacs:store' | 'pacs:setCredentials' | 'pacs:progress' | 'pacs:cancel'> {
  const { settings, secrets } = ctx;
  /** A client of a server sending its saved credentials (looked up at each exchange, never returned). */
  const clientOf = (url: string) => new DicomWebClient(url, { credentials: (base) => secrets.get(base) });
  /** The saved servers as the renderer sees them: whether each has credentials, nothing of them. */
  const listed = async (): Promise<PacsServerInfo[]> => {
    const kept = new Set(await secrets.list().catch(() => []));
    return settings.get().pacsServers.map((s) => ({ ...s, hasCredentials: kept.has(s.url) }));
  };
  /** The DICOMweb source, when it tracks retrievals (progress and cancel). */
  const webSource = () => (ctx.sources.dicomweb instanceof DicomWebSeriesSource ? ctx.sources.dicomweb : null);
  return {
    async 'pacs:search'(q) {
      // The client checks the address as the DICOMweb gate does (http or https, no credentials): a usage error.
      const found = await clientOf(q.url).searchStudies({
        ...(q.patientName !== undefined ? { patientName: q.patientName } : {}),
        ...(q.patientId !== undefined ? { patientId: q.patientId } : {}),
        ...(q.studyDate !== undefined ? { studyDate: q.studyDate } : {}),
        ...(q.accessionNumber !== undefined ? { accessionNumber: q.accessionNumber } : {}),
        ...(q.studyDescription !== undefined ? { studyDescription: q.studyDescription } : {}),
        ...(q.modality !== undefined ? { modality: q.modality } : {}),
        limit: MAX_STUDIES,
      });
      return found.slice(0, MAX_STUDIES).map(
        (s): PacsStudy => ({
          studyInstanceUid: jsonText(s, '0020000D'),
          patientName: jsonText(s, '00100010'),
          patientId: jsonText(s, '00100020'),
          studyDate: jsonText(s, '00080020'),
          studyDescription: jsonText(s, '00081030'),
          accessionNumber: jsonText(s, '00080050'),
          modalities: (s['00080061']?.Value ?? []).map(String).join('\\'),
        }),
      );
    },

    async 'pacs:servers'() {
      return listed();
    },

    async 'pacs:setCredentials'({ url, credentials }) {
      let base: string;
      try {
        base = checkBaseUrl(url.trim());
      } catch (e) {
        throw new ApiError(e instanceof Error ? e.message : String(e));
      }
      if (!settings.get().pacsServers.some((s) => s.url === base)) throw new ApiError(`${base}: save the server before its credentials`);
      await secrets.set(base, credentials);
      return listed();
    },

    async 'pacs:progress'(locator) {
      return webSource()?.progress({ ...locator, url: checkBaseUrl(locator.url) }) ?? null;
    },

    async 'pacs:cancel'(locator) {
      return webSource()?.cancel({ ...locator, url: checkBaseUrl(locator.url) }) ?? false;
    },

    async 'pacs:saveServers'(list) {
      const servers = list.map((s) => {
        let url: string;
        try {
          url = checkBaseUrl(s.url.trim());
        } catch (e) {
          throw new ApiError(`PACS server '${s.name}': ${e instanceof Error ? e.message : String(e)}`);
        }
        return { name: s.name.trim() || url, url };
      });
      await settings.update((st) => {
        st.pacsServers = servers;
      });
      // A server no longer saved keeps no credentials.
      const urls = new Set(servers.map((s) => s.url));
      for (const base of await secrets.list().catch(() => [])) if (!urls.has(base)) await secrets.set(base, null);
      return listed();
    },

    async 'pacs:store'({ series, document, heightM, sex }) {
      const leftOut: string[] = [];
      const made = await makeReports(ctx, { formats: ['sr', 'seg'], series, document, heightM, sex }, (l) => leftOut.push(l));
      const client = clientOf(series.url);
      // Into the study the series came from: the server's own study UID, as the locator names it.
      const r = await client.store(
        made.map((m) => m.body),
        series.studyUid,
      );
      const sent = made.map((m) => exportFormat(m.format).label);
      return {
        studyUid: series.studyUid,
        sent: [`${sent.join(' and ')} sent to ${client.base}: ${r.stored.length} stored, ${r.failed.length} refused`],
        stored: r.stored,
        failed: r.failed,
        leftOut,
      };
    },
  };
}
