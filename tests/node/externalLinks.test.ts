import { describe, expect, it } from 'vitest';
import { isAllowedExternalLink } from '../../src/shared/externalLinks';

describe('openExternal allow-list', () => {
  it.each([
    ['https://github.com/wasserth/TotalSegmentator', true],
    ['https://dicom.nema.org/medical/dicom/current/output/html/part03.html', true],
    ['http://github.com/', false],
    ['https://github.com.evil.example/', false],
    ['https://user:pw@github.com/', false],
    ['https://github.com:8443/', false],
    ['file:///etc/passwd', false],
    ['ms-msdt:/id PCWDiagnostic', false],
    ['javascript:alert(1)', false],
    ['not a url', false],
  ])('%s -> %s', (url, ok) => {
    expect(isAllowedExternalLink(url)).toBe(ok);
  });
});
