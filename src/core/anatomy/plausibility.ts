/**
 * Plausibility ranges of a muscle outline: DATA only (with its sources), read by
 * core/annotations/plausibility.ts. Change the numbers here, not in code.
 *
 * What the bands are: GENEROUS per-side limits of the cross-sectional area (mm²) of each muscle at each
 * measured level, and of the mean HU of an outline, outside of which an outline is clearly not (only) the
 * muscle it is labelled as: a region grown into the neighbours, an outline dragged onto bone or fat, a
 * muscle outlined at the wrong level. They are NOT normal ranges: a flag asks the reader to look, and an
 * outline that is right (a very large or very atrophic muscle) can be accepted with a reason.
 *
 * How they were set: the typical per-side CSAs reported by the sources below (adults, CT and MRI) were
 * widened to about a third of their lowest reported means (atrophy, small women, the elderly) and to about
 * one and a half times their highest (large men, hypertrophy), and rounded. Limits of the sources: MRI
 * and CT slices are placed differently (mid-disc vs. mid-body, perpendicular to the disc vs. axial to the
 * table), most samples are small and from one country, the erector spinae/multifidus border is drawn
 * differently between studies, and the quadratus lumborum is rarely reported below L4 (it ends on the iliac
 * crest at about L4/L5; at L5/S1 any "QL" larger than a thin slip is suspect, and "absent" is the common truth there).
 */
import type { Level } from './anatomy';

/** The muscles an outline can be labelled with (anatomy.ts MUSCLES plus the undivided autochthon of mask import). */
export type PlausibilityMuscle = 'psoas' | 'erectorSpinae' | 'multifidus' | 'quadratusLumborum' | 'autochthon';

export interface PlausibilitySource {
  /** A short citation. */
  cite: string;
  /** What was taken from it, and its limits. */
  used: string;
}

/** The references the bands rest on, by key (a flag names the key). */
export const PLAUSIBILITY_SOURCES = {
  derstine2018: {
    cite: 'Derstine BA et al. Skeletal muscle cutoff values for sarcopenia diagnosis using T10 to L5 measurements in a healthy US population. Sci Rep 2018;8:11369',
    used: 'CT, healthy kidney donors: skeletal muscle area per vertebral level (T10-L5) by sex; used for the psoas at L3 (about a tenth of the L3 skeletal muscle area, per side about 4-12 cm²) and the spread between small women and large men. Whole-muscle areas, not per muscle.',
  },
  ivanac2026: {
    cite: 'Ivanac D et al. MRI-based assessment of trunk and hip muscle morphology and strength in chronic low back pain. Med Sci Monit 2026;32:e951651 (Table 2)',
    used: 'MRI, 50 patients and 30 controls, CSA per side in mm² (mean ± SD) per disc level: psoas major about 1160-1470 at L3/L4, 1460-1790 at L4/L5, 1320-1590 at L5/S1 (SD about 400-500); quadratus lumborum about 570-730 at L3/L4 (SD about 230-320); erector spinae about 2100-2140 at L3/L4 (SD about 380-560). One centre, middle-aged adults.',
  },
  crawford2016: {
    cite: 'Crawford RJ et al. Age- and level-dependence of fatty infiltration in lumbar paravertebral muscles of healthy volunteers. AJNR Am J Neuroradiol 2016;37:742-748',
    used: 'MRI, healthy volunteers 20-62 y: multifidus and erector spinae CSA and fat per level L1-L5; the multifidus grows and the erector spinae shrinks caudally. Mid-disc MRI slices.',
  },
  fortin2013: {
    cite: 'Fortin M, Macedo LG. Multifidus and paraspinal muscle group cross-sectional areas of patients with low back pain and control patients: a systematic review. Phys Ther 2013;93:873-888',
    used: 'Multifidus per side about 2-5 cm² at L3/L4 to 5-10 cm² at L5/S1; paraspinal (ES + MF) group about 15-30 cm² per side at L3/L4-L4/L5. Study means, MRI and CT mixed.',
  },
  kamaz2007: {
    cite: 'Kamaz M et al. CT measurement of trunk muscle areas in patients with chronic low back pain. Diagn Interv Radiol 2007;13:144-148',
    used: 'CT, women 30-61 y, patients and controls: multifidus, paraspinal, quadratus lumborum and psoas CSA at the upper and lower endplates of L4 (the QL is small there and ends on the iliac crest below). Women only, one centre.',
  },
  aubrey2014: {
    cite: 'Aubrey J et al. Measurement of skeletal muscle radiation attenuation and basis of its biological variation. Acta Physiol 2014;210:489-497; Goodpaster BH et al. J Appl Physiol 2000;89:104-110',
    used: 'Skeletal muscle is -29..150 HU, its mean about 30-60 HU, lower with fat infiltration (means near 0 or below in a severely fat-infiltrated multifidus). Fat -190..-30 HU; cortical and trabecular bone above about 200 HU.',
  },
} as const satisfies Record<string, PlausibilitySource>;

export type PlausibilitySourceKey = keyof typeof PLAUSIBILITY_SOURCES;

/** The measured levels a band is given for (other levels: no area check). */
export type PlausibilityLevel = Extract<Level, 'L3' | 'L3/L4' | 'L4/L5' | 'L5/S1'>;

export interface AreaBand {
  /** Per side, mm². */
  minMm2: number;
  maxMm2: number;
  source: PlausibilitySourceKey;
}

/** Area bands per muscle and level, per side, in mm² (1 cm² = 100 mm²). */
export const AREA_BANDS_MM2: Record<PlausibilityMuscle, Record<PlausibilityLevel, AreaBand>> = {
  psoas: {
    L3: { minMm2: 150, maxMm2: 2500, source: 'derstine2018' },
    'L3/L4': { minMm2: 200, maxMm2: 3000, source: 'ivanac2026' },
    'L4/L5': { minMm2: 250, maxMm2: 3500, source: 'ivanac2026' },
    'L5/S1': { minMm2: 250, maxMm2: 3500, source: 'ivanac2026' },
  },
  multifidus: {
    L3: { minMm2: 80, maxMm2: 1200, source: 'fortin2013' },
    'L3/L4': { minMm2: 100, maxMm2: 1500, source: 'fortin2013' },
    'L4/L5': { minMm2: 150, maxMm2: 1800, source: 'fortin2013' },
    'L5/S1': { minMm2: 150, maxMm2: 2000, source: 'fortin2013' },
  },
  erectorSpinae: {
    L3: { minMm2: 300, maxMm2: 4000, source: 'crawford2016' },
    'L3/L4': { minMm2: 250, maxMm2: 4000, source: 'ivanac2026' },
    'L4/L5': { minMm2: 100, maxMm2: 3000, source: 'crawford2016' },
    'L5/S1': { minMm2: 20, maxMm2: 2000, source: 'crawford2016' },
  },
  quadratusLumborum: {
    L3: { minMm2: 50, maxMm2: 1800, source: 'ivanac2026' },
    'L3/L4': { minMm2: 50, maxMm2: 1800, source: 'ivanac2026' },
    // Below L3/L4 the QL tapers to its insertion on the iliac crest and iliolumbar ligament: at L4/L5 about
    // the L3/L4 mean plus one SD at most, at L5/S1 (where it is usually absent) a thin slip at most.
    'L4/L5': { minMm2: 10, maxMm2: 1000, source: 'kamaz2007' },
    'L5/S1': { minMm2: 0, maxMm2: 300, source: 'kamaz2007' },
  },
  autochthon: {
    L3: { minMm2: 600, maxMm2: 5500, source: 'fortin2013' },
    'L3/L4': { minMm2: 600, maxMm2: 5500, source: 'fortin2013' },
    'L4/L5': { minMm2: 500, maxMm2: 5000, source: 'fortin2013' },
    'L5/S1': { minMm2: 300, maxMm2: 4500, source: 'fortin2013' },
  },
};

/** Mean HU of an outline: outside this band it is mostly not muscle (below: fat; above: bone, contrast, metal). */
export const MEAN_HU_BAND = { min: -50, max: 100, source: 'aubrey2014' as PlausibilitySourceKey } as const;

/** Bone: a pixel at or above boneHu; an outline with more than maxShare of its pixels bone lies on bone. */
export const BONE_SHARE = { boneHu: 200, maxShare: 0.05, source: 'aubrey2014' as PlausibilitySourceKey } as const;

/**
 * Position rules (mm), relative to the vertebra found on the slice: its back (the spinous process tip,
 * the 98th percentile of its bone pixels front to back) and its midline. Set from adult lumbar anatomy
 * (vertebral body plus arch about 70-100 mm front to back; transverse process tips about 35-50 mm off the
 * midline) and checked on the real 3 mm CT of ../shared/data (TotalSegmentator masks, split): psoas
 * centres 45-90 mm in front of the back and 34-57 mm off the midline, multifidus centres 10 mm behind to
 * 2 mm in front and 9-28 mm off, erector spinae 8 mm behind to 4 mm in front and 22-54 mm off, QL
 * outlines at L3 33-57 mm in front and 58-84 mm off. Each bound leaves a margin of 10 mm or more.
 */
export const POSITION_RULES = {
  /** A psoas centre lies at least this far in front of the back of the vertebra, and at least psoasMinOffMidlineMm off the midline. */
  psoasFrontOfBackMm: 25,
  psoasMinOffMidlineMm: 10,
  /** A multifidus centre lies at most this far in front of the back of the vertebra (behind the body), and at most multifidusMaxOffMidlineMm off the midline. */
  multifidusMaxFrontOfBackMm: 45,
  multifidusMaxOffMidlineMm: 40,
  /** An erector spinae (or autochthon) centre lies at most this far in front of the back of the vertebra. */
  erectorMaxFrontOfBackMm: 55,
  /** A QL centre lies at least this far off the midline (beyond the transverse process tips), and at least qlFrontOfBackMm in front of the back of the vertebra (at the transverse processes, in front of the back muscles). */
  qlMinOffMidlineMm: 30,
  qlFrontOfBackMm: 20,
  /**
   * With the psoas of its side outlined, a QL centre lies at least this much farther off the midline
   * than the psoas centre (the QL lies lateral to the psoas, behind the transverse process tip; on the
   * real 3 mm CT the QL centres lie 58-84 mm off at L3 and the psoas centres 34-57 mm, and the demo's QL lie
   * over 20 mm lateral to its psoas). A QL drawn on the psoas passed the 30 mm rule: psoas centres lie
   * 30 mm or more off the midline too.
   */
  qlMinLateralToPsoasMm: 10,
} as const;

/**
 * Finding the vertebra on a slice (core/annotations/plausibility.ts findVertebra): bone pixels within
 * bandMm of the midline, cut into clusters front to back at gaps of gapMm or more (longer than the
 * spinal canal, about 15-20 mm, shorter than the soft tissue between the spinous process and a table);
 * none when the slice's bone or the cluster covers less than minMm2.
 */
export const VERTEBRA_FINDER = { bandMm: 25, gapMm: 25, minMm2: 60 } as const;
