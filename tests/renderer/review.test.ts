/**
 * Findings of a first user's review of the app (the demo and the 3 mm CT in Chromium), each fixed here:
 * - the reformat views wrote a level label over the left orientation letter when the level lay near mid
 *   height ("A3/L4" on the sagittal, "R L3/L4" on the coronal);
 * - after confirming every proposal, Masks & export still said "16 proposed ...: check and confirm them,
 *   4 proposed level(s)": the import's report now says what the import did, and what is left to confirm is
 *   said from the document;
 * - the help listed the groups "Outlines" and "Tools" twice each (the table's rows are not in group order);
 * - the PACS panel with no server saved: Search greyed out, Save server doing nothing on an empty URL,
 *   neither saying why.
 */
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { AnnotationDocument, Roi } from '../../src/core/annotations/document';
import { levelLabelX, orientationLetterRight } from '../../src/renderer/viewer/reformatLabels';
import { proposalsLeft } from '../../src/renderer/state/slices/importExport';
import { ShortcutsTable } from '../../src/renderer/components/HelpOverlay';
import { PacsPanel } from '../../src/renderer/components/PacsPanel';
import { helpRows, SHORTCUTS } from '../../src/shared/shortcuts';

/** The boxes as drawn: the letter right-aligned at its x, 8 px wide, centred on midY; a label 11 px high above its baseline, 30 px wide. */
const overlap = (a: { x0: number; x1: number; y0: number; y1: number }, b: typeof a) => a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;

describe('reformat labels', () => {
  it('a level label near mid height is written clear of the left orientation letter when the image fills the view', () => {
    const midY = 130;
    for (const layoutX of [-20, 0, 5]) {
      const right = orientationLetterRight(layoutX);
      const letter = { x0: right - 8, x1: right, y0: midY - 6, y1: midY + 6 };
      for (let baseline = midY - 20; baseline <= midY + 20; baseline++) {
        const x = levelLabelX(layoutX, baseline, midY);
        expect(overlap(letter, { x0: x, x1: x + 30, y0: baseline - 11, y1: baseline }), `x ${layoutX}, baseline ${baseline}`).toBe(false);
      }
      // away from the letter the label stays at the image's left edge
      expect(levelLabelX(layoutX, midY - 40, midY)).toBe(Math.max(0, layoutX) + 3);
    }
    // an image narrower than the view: the letter lies left of it, the label at the image's edge
    expect(levelLabelX(60, 130, 130)).toBe(63);
    expect(orientationLetterRight(60)).toBe(56);
  });
});

const T0 = '2024-01-01T00:00:00Z';
const roi = (id: string, source: Roi['source']): Roi => ({ id, level: 'L3', muscle: 'multifidus', side: 'left', sliceIndex: 0, z: 0, pointsLps: [], source, createdAt: T0, modifiedAt: T0 });
const doc = (rois: Roi[], levels: ('proposed' | 'confirmed' | 'manual')[]) => ({ rois, levels: levels.map((source, n) => ({ level: 'L3', sliceIndex: n, z: n, source })) }) as unknown as AnnotationDocument;

describe('what is left to confirm after a mask import', () => {
  it('counts the proposed outlines and levels of the document, and says when none is left', () => {
    expect(proposalsLeft(doc([roi('a', 'proposed'), roi('b', 'propagated'), roi('c', 'imported'), roi('d', 'mirrored')], ['proposed', 'confirmed']))).toBe('Still to check and confirm: 3 outline(s) and 1 level(s)');
    expect(proposalsLeft(doc([roi('a', 'confirmed')], ['proposed']))).toBe('Still to check and confirm: 1 level(s)');
    expect(proposalsLeft(doc([roi('a', 'confirmed'), roi('b', 'imported'), roi('c', 'drawn')], ['confirmed', 'manual']))).toBe('✓ nothing left to confirm');
    expect(proposalsLeft(null)).toBe('');
  });
});

describe('help', () => {
  it('names each group of shortcuts once, every row under its own group', () => {
    const html = renderToStaticMarkup(createElement(ShortcutsTable, { rows: helpRows() }));
    const groups = [...new Set(SHORTCUTS.map((r) => r.group))];
    for (const g of groups) expect(html.split(`>${g}</th>`).length - 1, g).toBe(1);
    // the rows under each heading: exactly that group's rows
    const order = [...html.matchAll(/<th colSpan="2">([^<]*)<\/th>|data-testid="shortcut-([^"]+)"/g)];
    let group = '';
    for (const m of order) {
      if (m[1] !== undefined) group = m[1];
      else expect(SHORTCUTS.find((r) => r.id === m[2])!.group, m[2]).toBe(group);
    }
    expect(order.filter((m) => m[2] !== undefined)).toHaveLength(SHORTCUTS.length);
  });
});

describe('PACS panel before any server is saved', () => {
  it('Search and Save server are disabled and say why', () => {
    const html = renderToStaticMarkup(createElement(PacsPanel));
    const button = (id: string) => new RegExp(`<button[^>]*data-testid="${id}"[^>]*>`).exec(html)?.[0] ?? '';
    expect(button('pacs-search')).toContain('disabled=""');
    expect(button('pacs-search')).toContain('title="Save a server first: its name and DICOMweb URL in the row above"');
    expect(button('pacs-add')).toContain('disabled=""');
    expect(button('pacs-add')).toContain('title="Type the server&#x27;s DICOMweb base URL first"');
  });
});
