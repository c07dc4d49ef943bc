/**
 * Published bands and cut-offs Paraspine shows beside its numbers: data with their citations, in this
 * one file (never thresholds written into the code that draws them). Each source was checked against the
 * paper's abstract (see README, "Bands and cut-offs"). Nothing here is a diagnosis: the panels that use
 * these say so.
 */

export interface Citation {
  /** Short form, as a panel cites it ("Pickhardt et al. 2013"). */
  readonly short: string;
  /** Full reference. */
  readonly full: string;
  /** Where the title, authors, journal and the numbers used were checked (the page read). */
  readonly source: string;
}

export const PICKHARDT_2013: Citation = {
  short: 'Pickhardt et al. 2013, Ann Intern Med 158:588-595',
  full:
    'Pickhardt PJ, Pooler BD, Lauder T, Muñoz del Rio A, Bruce RJ, Binkley N. Opportunistic screening for osteoporosis ' +
    'using abdominal computed tomography scans obtained for other indications. Ann Intern Med. 2013;158(8):588-595.',
  source: 'abstract (PubMed text): https://stage.medifind.com/articles/publication/144146664; article: https://studylib.net/doc/5848165',
};

export const HAMAGUCHI_2016: Citation = {
  short: 'Hamaguchi et al. 2016, Nutrition 32:1200-1205',
  full:
    'Hamaguchi Y, Kaido T, Okumura S, et al. Proposal for new diagnostic criteria for low skeletal muscle mass based on ' +
    'computed tomography imaging in Asian adults. Nutrition. 2016;32(11-12):1200-1205.',
  source: 'abstract (PMID 27292773): https://www.readbyqxmd.com/read/27292773',
};

export const GONG_2022: Citation = {
  short: 'Gong et al. 2022, J Orthop Surg Res 17:490',
  full:
    'Gong et al. Low lumbar multifidus muscle status and bone mineral density are important risk factors for adjacent ' +
    'segment disease after lumbar fusion: a case-control study. J Orthop Surg Res. 2022;17:490.',
  source: 'article: https://josr-online.biomedcentral.com/articles/10.1186/s13018-022-03388-8',
};

/** A band of a value: `atMost` / `atLeast` inclusive (the paper's "or less" / "or more"). */
export interface Band {
  readonly atMost?: number;
  readonly atLeast?: number;
  readonly unit: string;
  /** What the paper found at that threshold, in its terms. */
  readonly meaning: string;
  readonly citation: Citation;
}

/**
 * L1 trabecular attenuation (Pickhardt 2013, L1, unenhanced or enhanced CT): 110 HU or less was more
 * than 90% specific for osteoporosis (DXA); a threshold of 160 HU was 90% sensitive, so values of 160 HU
 * or more make osteoporosis unlikely. Between: indeterminate. Measured at L1 in the paper (T12-L5 were
 * also measured there, but these bands are the L1 ones).
 */
export const L1_TRABECULAR_BANDS = {
  vertebra: 'L1',
  osteoporosisLikely: { atMost: 110, unit: 'HU', meaning: '≤110 HU: over 90% specific for osteoporosis', citation: PICKHARDT_2013 },
  normalLikely: { atLeast: 160, unit: 'HU', meaning: '≥160 HU: the 90% sensitive threshold (osteoporosis unlikely)', citation: PICKHARDT_2013 },
  caveat: 'opportunistic screening aid, not a diagnosis',
} as const satisfies { vertebra: string; osteoporosisLikely: Band; normalLikely: Band; caveat: string };

/**
 * Low psoas muscle index at L3 (Hamaguchi 2016: mean - 2 SD of young Japanese living liver donors):
 * below 6.36 cm²/m² in men, 3.92 cm²/m² in women. A cut-off for the psoas index only (never "SMI").
 */
export const PMI_CUTOFFS = {
  level: 'L3',
  unit: 'cm²/m²',
  men: 6.36,
  women: 3.92,
  meaning: 'low skeletal muscle mass below the cut-off (healthy young Asian adults, mean - 2 SD)',
  citation: HAMAGUCHI_2016,
} as const;
