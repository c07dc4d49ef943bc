/** Propagated and mirrored outlines are proposals: their origin, in the document and the exports' `origin`. */
import { describe, expect, it } from 'vitest';
import { isProposal, ROI_SOURCES } from '../../src/core/annotations/document';
import { groupOrigin, originHasProposal, roiOrigin } from '../../src/core/annotations/outlineFlags';

const at = (source: (typeof ROI_SOURCES)[number], edited = false) => ({ source, createdAt: '2024-01-01T00:00:00Z', modifiedAt: edited ? '2024-01-01T00:00:05Z' : '2024-01-01T00:00:00Z' });

describe('proposal origins', () => {
  it('proposals keep their own origin until confirmed, edited or not; the others read edited once changed', () => {
    expect(ROI_SOURCES.filter(isProposal)).toEqual(['proposed', 'propagated', 'mirrored']);
    for (const s of ['proposed', 'propagated', 'mirrored'] as const) {
      expect(roiOrigin(at(s))).toBe(s);
      expect(roiOrigin(at(s, true))).toBe(s);
    }
    for (const s of ['drawn', 'imported', 'confirmed'] as const) {
      expect(roiOrigin(at(s))).toBe(s);
      expect(roiOrigin(at(s, true))).toBe('edited');
    }
  });

  it('a group measured together joins its origins; any proposal among them marks the row', () => {
    expect(groupOrigin([at('drawn'), at('propagated'), at('propagated', true)])).toBe('drawn+propagated');
    expect(originHasProposal('drawn+propagated')).toBe(true);
    expect(originHasProposal('mirrored')).toBe(true);
    expect(originHasProposal('confirmed+edited')).toBe(false);
    expect(originHasProposal('')).toBe(false);
    expect(originHasProposal(undefined)).toBe(false);
  });
});
