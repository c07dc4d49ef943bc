/** The PACS channel: a DICOMweb server's studies searched from the Node services (QIDO-RS). */
import type { ParaspineApi, PacsStudy } from '../../shared/contract';
import { DicomWebClient, jsonText } from '../dicomweb/client';
import type { ApiContext } from './context';

/** Most studies one search returns (a search is narrowed by its fields, not paged). */
const MAX_STUDIES = 200;

export function pacsChannels(_ctx: ApiContext): Pick<ParaspineApi, 'pacs:search'> {
  return {
    async 'pacs:search'(q) {
      // The client checks the address as the DICOMweb gate does (http or https, no credentials): a usage error.
      const found = await new DicomWebClient(q.url).searchStudies({
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
  };
}
