/**
 * The L1 trabecular oval in the app (issue 16): placed with the oval tool (its module's gesture, as the
 * viewer's overlay drives it), moved, resized, redrawn, undone, confirmed when proposed by a mask import,
 * saved (the document read back has it) and measured; the typed height and sex in the document and the
 * panels that use them. The phantom: a round vertebral body of known trabecular HU inside a cortex ring
 * of another HU, in soft tissue. Expected values come from the phantom's definition (the body's HU, the
 * lattice points of a circle), never from the app's code.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { parseAnnotationDocument, type AnnotationDocument, type BoneRoi } from '../../src/core/annotations/document';
import { measureAnnotations } from '../../src/core/annotations/measureAnnotations';
import { lpsToSliceIj, sliceIjToLps } from '../../src/core/roi/contour';
import type { PointIj } from '../../src/core/roi/rasterize';
import type { LoadedSeriesMeta, MaskImportResult, ParaspineApi } from '../../src/shared/contract';
import { panelsFor } from '../../src/renderer/components/BonePanels';
import { attachAutosave, createAppStore, type AppState } from '../../src/renderer/state/store';
import { oval } from '../../src/renderer/viewer/tools/pixel/oval';
import { pixelTool } from '../../src/renderer/viewer/tools/pixelTools';
import { phantomSeries } from './phantomStore';
import { slicesFrom } from './sliceApi';

const N = 64;
const SPACING = 0.8; // mm: pixels and mm differ, so a mix-up shows
const CENTRE: PointIj = [32, 32];
const TRABECULAR_HU = 137;
const CORTEX_HU = 600;
const SOFT_HU = 30;
/** Body radius (trabecular bone inside, px) and the cortex ring's outer radius. */
const BODY_R = 12;
const CORTEX_R = 15;
const SLICE = 1;

const series = phantomSeries({
  columns: N,
  rows: N,
  slices: 3,
  columnSpacingMm: SPACING,
  rowSpacingMm: SPACING,
  huOf: (i, j) => {
    const r = Math.hypot(i - CENTRE[0], j - CENTRE[1]);
    return r <= BODY_R ? TRABECULAR_HU : r <= CORTEX_R ? CORTEX_HU : SOFT_HU;
  },
});

/** Pixel centres strictly inside a circle of radius r px about (ci, cj): the phantom's own count. */
function latticeInCircle(ci: number, cj: number, r: number): number {
  let n = 0;
  for (let j = 0; j < N; j++) for (let i = 0; i < N; i++) if ((i - ci) ** 2 + (j - cj) ** 2 < r * r) n++;
  return n;
}
/** No pixel centre lies within `tol` px of the circle (so the oval's 48-gon and the circle hold the same pixels). */
function clearOfCentres(ci: number, cj: number, r: number, tol = 0.05): boolean {
  for (let j = 0; j < N; j++) for (let i = 0; i < N; i++) if (Math.abs(Math.hypot(i - ci, j - cj) - r) < tol) return false;
  return true;
}

const stores: { dispose(): void }[] = [];
afterEach(() => {
  while (stores.length) stores.pop()!.dispose();
});

async function open(meta: LoadedSeriesMeta = series.meta, importResult?: MaskImportResult) {
  const saved: AnnotationDocument[] = [];
  const api = {
    'app:info': async () => ({ version: '1', workspace: '/ws', recentFolders: [], mode: 'web' as const }),
    'series:scan': async () => ({ series: [meta.summary], problems: [] }),
    'series:load': async () => meta,
    'series:slices': slicesFrom(series.volumeBytes, meta),
    'annotations:load': async () => ({ document: null, problem: null }),
    'annotations:save': async (doc: AnnotationDocument) => {
      saved.push(JSON.parse(JSON.stringify(doc)) as AnnotationDocument);
      return { path: '/ws/se.json' };
    },
    'masks:import': async () => importResult,
  } as unknown as ParaspineApi;
  let n = 0;
  const store = createAppStore({ api: () => api, now: () => `2024-01-01T00:00:${String(n++).padStart(2, '0')}Z`, newId: () => `id${++n}`, rater: () => 'tester' });
  const autosave = attachAutosave(store, () => api, 1);
  stores.push(autosave);
  await store.getState().init();
  await store.getState().openFolder('/data');
  await store.getState().selectSeries('se');
  store.getState().setSlice(SLICE);
  store.getState().setTool('oval');
  return { store, st: store.getState, saved, autosave };
}

/** A drag of the oval tool from `from` through `path` (slice pixels), as the viewer's overlay drives it. */
function drag(st: () => AppState, from: PointIj, path: readonly PointIj[]) {
  const g = oval.start(st, from, false);
  let prev = from;
  for (const p of path) {
    g.move?.(prev, p);
    prev = p;
  }
  g.end([from, ...path]);
  return g;
}

const l1 = (st: () => AppState): BoneRoi | undefined => st().doc?.boneRois?.find((b) => b.vertebra === 'L1');
const boneRecord = (st: () => AppState, doc: AnnotationDocument = st().doc!) => measureAnnotations(st().volume!, doc).find((r) => r.muscle === 'trabecularBone');
const centreIj = (st: () => AppState, b: BoneRoi): PointIj => {
  const ij = lpsToSliceIj(st().volume!.geometry, b.sliceIndex, b.pointsLps);
  return [ij.reduce((a, p) => a + p[0], 0) / ij.length, ij.reduce((a, p) => a + p[1], 0) / ij.length];
};

describe('the oval tool', () => {
  it('is a registered pixel tool: L1 by default, in the bone vertebrae', () => {
    expect(pixelTool('oval')).toBe(oval);
    const sel = oval.options.find((o) => o.id === 'vertebra');
    expect(sel && sel.kind === 'select' ? sel.choices.map((c) => c.label) : []).toEqual(['T12', 'L1', 'L2', 'L3', 'L4', 'L5']);
  });

  it('places the L1 oval by a drag from the body centre: the document has it on the slice shown, measured at the trabecular HU', async () => {
    const { st } = await open();
    const r = 5.5; // px: pointer at the bounding box corner (5.5, 5.5) from the centre
    expect(clearOfCentres(CENTRE[0], CENTRE[1], r)).toBe(true);
    drag(st, CENTRE, [
      [35, 35],
      [CENTRE[0] + r, CENTRE[1] + r],
    ]);
    const b = l1(st)!;
    expect(b).toBeDefined();
    expect(b.source).toBe('drawn');
    expect(b.sliceIndex).toBe(SLICE);
    expect(st().doc!.version).toBe(2);
    const rec = boneRecord(st)!;
    expect(rec.structure).toBe('L1 trabecular');
    expect(rec.sliceIndex).toBe(SLICE);
    expect(rec.pixels).toBe(latticeInCircle(CENTRE[0], CENTRE[1], r));
    expect(rec.meanHu).toBe(TRABECULAR_HU);
    expect(rec.sdHu).toBe(0);
    // the area in mm², not in pixels
    expect(rec.areaMm2).toBeCloseTo(latticeInCircle(CENTRE[0], CENTRE[1], r) * SPACING * SPACING, 9);
  });

  it('a click without a drag places nothing and says why', async () => {
    const { st } = await open();
    drag(st, CENTRE, []);
    expect(l1(st)).toBeUndefined();
    expect(st().toast?.text).toMatch(/Drag to size the oval/);
  });

  it('a drag inside the oval moves it (one undo step for the whole drag); over the cortex the mean rises', async () => {
    const { st } = await open();
    drag(st, CENTRE, [[CENTRE[0] + 4.5, CENTRE[1] + 4.5]]);
    const placed = l1(st)!;
    const pixels = boneRecord(st)!.pixels;
    const undoDepth = st().history.past.length;
    // move by (+3, -2) px in three segments
    drag(st, [33, 32], [
      [34, 31],
      [35, 31],
      [36, 30],
    ]);
    const moved = l1(st)!;
    expect(moved.id).toBe(placed.id);
    const c = centreIj(st, moved);
    expect(c[0]).toBeCloseTo(CENTRE[0] + 3, 6);
    expect(c[1]).toBeCloseTo(CENTRE[1] - 2, 6);
    expect(st().history.past.length).toBe(undoDepth + 1);
    // a whole-pixel shift keeps the pixel count; still inside the body (radius 4.5 + shift 3.6 < 12)
    expect(boneRecord(st)!.pixels).toBe(pixels);
    expect(boneRecord(st)!.meanHu).toBe(TRABECULAR_HU);
    // undo: back where it was placed
    st().undo();
    expect(l1(st)!.pointsLps).toEqual(placed.pointsLps);
    // moved onto the cortex ring (centre 10 px right: the oval reaches 14.5 px out), the mean is no longer the body's
    drag(st, [32, 32], [[42, 32]]);
    expect(boneRecord(st)!.meanHu!).toBeGreaterThan(TRABECULAR_HU);
  });

  it('[ / ] resize it about its centre; a new drag outside it redraws it (still one L1 ROI)', async () => {
    const { st } = await open();
    drag(st, CENTRE, [[CENTRE[0] + 4.5, CENTRE[1] + 4.5]]);
    const before = boneRecord(st)!.pixels;
    // 4.5 px x 1.05⁴ = 5.47 px: the lattice points at distance 5 come in
    for (let n = 0; n < 4; n++) oval.adjustSize!(st(), 1);
    expect(boneRecord(st)!.pixels).toBeGreaterThan(before);
    const c = centreIj(st, l1(st)!);
    expect(c[0]).toBeCloseTo(CENTRE[0], 6);
    expect(c[1]).toBeCloseTo(CENTRE[1], 6);
    // redraw elsewhere in the body (a press outside the oval): the L1 ROI is replaced, its id kept
    const id = l1(st)!.id;
    drag(st, [40, 32], [[42.5, 34.5]]);
    expect(st().doc!.boneRois).toHaveLength(1);
    expect(l1(st)!.id).toBe(id);
    expect(boneRecord(st)!.pixels).toBe(latticeInCircle(40, 32, 2.5));
  });

  it('another vertebra picked in the options gets its own ROI', async () => {
    const { st } = await open();
    drag(st, CENTRE, [[CENTRE[0] + 3.5, CENTRE[1] + 3.5]]);
    st().setBoneVertebra('L2');
    drag(st, [24, 32], [[26.5, 34.5]]);
    expect(st().doc!.boneRois!.map((b) => b.vertebra).sort()).toEqual(['L1', 'L2']);
    expect(measureAnnotations(st().volume!, st().doc!).filter((r) => r.muscle === 'trabecularBone').map((r) => r.structure).sort()).toEqual(['L1 trabecular', 'L2 trabecular']);
  });

  it('undo removes a placed oval, redo puts it back; delete is one undo step too', async () => {
    const { st } = await open();
    drag(st, CENTRE, [[CENTRE[0] + 4.5, CENTRE[1] + 4.5]]);
    const placed = l1(st)!;
    st().undo();
    expect(l1(st)).toBeUndefined();
    st().redo();
    expect(l1(st)).toEqual(placed);
    st().deleteBoneRoi('L1');
    expect(l1(st)).toBeUndefined();
    st().undo();
    expect(l1(st)).toEqual(placed);
  });

  it('is saved: the document written and read back holds the oval, measured at the trabecular HU', async () => {
    const { st, saved, autosave } = await open();
    drag(st, CENTRE, [[CENTRE[0] + 5.5, CENTRE[1] + 5.5]]);
    await autosave.flush();
    const last = saved[saved.length - 1]!;
    const back = parseAnnotationDocument(JSON.parse(JSON.stringify(last)));
    expect(back.ok).toBe(true);
    if (!back.ok) return;
    expect(back.document.version).toBe(2);
    expect(back.document.boneRois).toHaveLength(1);
    expect(back.document.boneRois![0]!.vertebra).toBe('L1');
    const rec = boneRecord(st, back.document)!;
    expect(rec.meanHu).toBe(TRABECULAR_HU);
    expect(rec.pixels).toBe(latticeInCircle(CENTRE[0], CENTRE[1], 5.5));
  });
});

describe('a proposed oval (mask import)', () => {
  /** The proposal as the node side sends it: a circle of radius 6 px about the centre on SLICE. */
  const proposal = (): BoneRoi => {
    const ij = Array.from({ length: 48 }, (_, t) => [CENTRE[0] + 6 * Math.cos((2 * Math.PI * t) / 48), CENTRE[1] + 6 * Math.sin((2 * Math.PI * t) / 48)] as const);
    return { id: 'b1', vertebra: 'L1', sliceIndex: SLICE, z: 3 * SLICE, pointsLps: sliceIjToLps(series.geometry, SLICE, ij), source: 'proposed', createdAt: 't', modifiedAt: 't', note: 'proposed from the L1 mask' };
  };
  const result = (): MaskImportResult => ({ proposedLevels: [], rois: [], problems: [], boneRoi: proposal() });

  it('comes in as a proposal, is confirmed in one step, and an import never replaces an oval the user drew', async () => {
    const { st } = await open(series.meta, result());
    st().applyMaskImport(result());
    expect(l1(st)!.source).toBe('proposed');
    expect(st().toast?.text).toMatch(/L1 trabecular oval proposed on slice 2\b/);
    expect(boneRecord(st)!.meanHu).toBe(TRABECULAR_HU);
    st().confirmBoneRoi('L1');
    expect(l1(st)!.source).toBe('confirmed');
    st().undo();
    expect(l1(st)!.source).toBe('proposed');
    // the user redraws it: a later import leaves the drawn one
    drag(st, [42, 32], [[44.5, 34.5]]);
    expect(l1(st)!.source).toBe('drawn');
    const drawn = l1(st)!;
    st().applyMaskImport(result());
    expect(l1(st)).toEqual(drawn);
    expect(st().toast?.text).toMatch(/the one you placed stays/);
  });
});

describe('height and sex for the indices', () => {
  /** Psoas squares of side `s` px (odd: edges between pixel centres) at L3 on SLICE, centred on (ci, 50): s² pixels each. */
  const square = (ci: number, s: number): PointIj[] => {
    const h = s / 2;
    return [
      [ci - h, 50 - h],
      [ci + h, 50 - h],
      [ci + h, 50 + h],
      [ci - h, 50 + h],
    ];
  };

  it('typed height and sex go into the document (saved); the PMI is psoas L+R / height², "height unknown" without one', async () => {
    const { st, saved, autosave } = await open();
    st().markLevel('L3');
    st().setActiveMuscle('psoas');
    for (const [side, ci] of [
      ['left', 12],
      ['right', 52],
    ] as const) {
      st().setActiveSide(side);
      st().addOutline(`p-${side}`, sliceIjToLps(series.geometry, SLICE, square(ci, 7)));
    }
    const recs = () => measureAnnotations(st().volume!, st().doc!);
    const pmiRow = () => panelsFor(recs(), st().doc!, st().meta).find((p) => p.id === 'muscleIndex')!.rows[0]!;
    expect(pmiRow().value).toContain('height unknown');
    expect(pmiRow().number).toBeNull();
    // an implausible height is refused with a reason, nothing stored
    expect(st().setPatientInfo({ heightM: 175 })).toMatch(/outside/);
    expect(st().doc!.patient).toBeUndefined();
    expect(st().setPatientInfo({ heightM: 1.6, sex: 'F' })).toBeNull();
    expect(st().doc!.patient).toEqual({ heightM: 1.6, sex: 'F' });
    // by hand: 2 x 49 px x 0.64 mm² = 62.72 mm² = 0.6272 cm²; / 1.6² = 0.245 cm²/m²
    const expected = (2 * 49 * SPACING * SPACING) / 100 / (1.6 * 1.6);
    expect(expected).toBeCloseTo(0.245, 12);
    expect(pmiRow().number).toBeCloseTo(expected, 12);
    expect(pmiRow().value).toBe(`${expected.toFixed(2)} cm²/m²`);
    expect(pmiRow().note).toMatch(/women 3\.92/);
    // never called an SMI
    for (const p of panelsFor(recs(), st().doc!, st().meta)) expect(p.title).not.toMatch(/\bSMI\b/);
    await autosave.flush();
    const back = parseAnnotationDocument(JSON.parse(JSON.stringify(saved[saved.length - 1])));
    expect(back.ok && back.document.patient).toEqual({ heightM: 1.6, sex: 'F' });
    // undo takes the typed values back out
    st().undo();
    expect(st().doc!.patient).toBeUndefined();
  });

  it("the DICOM's PatientSize and PatientSex are used first (series:load's patient)", async () => {
    const meta: LoadedSeriesMeta = { ...series.meta, patient: { sizeM: 1.8, sex: 'M' } };
    const { st } = await open(meta);
    const panel = panelsFor([], st().doc!, st().meta).find((p) => p.id === 'muscleIndex')!;
    const height = panel.rows.find((r) => r.label === 'Height')!;
    expect(height.value).toBe('1.80 m');
    expect(height.note).toBe('from the DICOM');
    expect(panel.rows.find((r) => r.label === 'Sex')!.value).toBe('M');
  });

  it('the bone panel shows the L1 mean against the Pickhardt bands as a screening aid, not a diagnosis', async () => {
    const { st } = await open();
    drag(st, CENTRE, [[CENTRE[0] + 5.5, CENTRE[1] + 5.5]]);
    const bone = panelsFor(measureAnnotations(st().volume!, st().doc!), st().doc!, st().meta).find((p) => p.id === 'boneDensity')!;
    expect(bone.caveat).toBe('opportunistic screening aid, not a diagnosis');
    expect(bone.rows[0]!.value).toBe(`${TRABECULAR_HU.toFixed(1)} HU`);
    // 137 HU lies between the bands (≤110, ≥160)
    expect(bone.rows[0]!.note).toMatch(/in neither band/);
  });
});
