/**
 * DATA: the multifidus share of the autochthon (multifidus CSA / (multifidus + erector spinae CSA), one
 * side) per level, from published CT/MRI cross-sectional areas. Nothing but data and its sources: the
 * split rule that uses it is in autochthonSplit.ts (README, Definitions).
 *
 * Per level: `share`, the share the split aims at where the image shows no fat plane; `band`, the
 * shares a cut may give at all (a fat plane wins anywhere inside it; a fat line that would give a share
 * outside it is taken for fat inside a muscle, not the plane between them). The bands are the published
 * mean ± 1 SD of both areas combined the unfavourable way ((MF - SD) / (MF - SD + ES + SD) and
 * (MF + SD) / (MF + SD + ES - SD)), rounded outwards to 0.01.
 *
 * The multifidus grows caudally and the erector spinae shrinks into its aponeurosis, so the share rises
 * from about 0.2 at L3 to the bulk of the autochthon at L5/S1.
 */
import type { Level } from '../anatomy/anatomy';

export interface MfShareSource {
  /** Short citation. */
  readonly ref: string;
  /** What the source gives for this level (cm², mean ± SD, one side). */
  readonly values: string;
}

export interface MfShareAtLevel {
  readonly share: number;
  readonly band: readonly [number, number];
  readonly sources: readonly MfShareSource[];
  /** How share and band follow from the sources. */
  readonly derivation: string;
}

/** The review whose Table 1 (CSA of back muscles) gives the Fortin and Danneels values below: https://www.hindawi.com/journals/bmri/2017/2562957/tab1 */
const REVIEW_2017 = 'The association between imaging parameters of the paraspinal muscles, spinal degeneration, and low back pain. BioMed Res Int 2017:2562957, Table 1';
const FORTIN_2016 = `Fortin et al. (MRI, 33 patients with posterolateral disc herniation at L4-L5, centre of each disc; identified as Fortin M, Lazáry Á, Varga PP, McCall I, Battié MC, Eur Spine J 2016;25:1452-1459), as tabulated in ${REVIEW_2017}`;
const NIEMELAINEN_2011 =
  'Niemeläinen R, Briand MM, Battié MC. Substantial asymmetry in paraspinal muscle cross-sectional area in healthy adults questions its value as a marker of low back pain and pathology. Spine 2011;36(25):2152-2157 (MRI, 126 men without LBP, mid-disc L3-L4, L4-L5, L5-S1; PMID 21343855)';
const DANNEELS_2000 = `Danneels et al. (CT, 23 healthy volunteers, supine, adjacent to the endplate; Danneels LA et al., Eur Spine J 2000;9:266-272), as tabulated in ${REVIEW_2017}`;

export const MF_SHARE_BY_LEVEL: { readonly [L in 'L3' | 'L3/L4' | 'L4/L5' | 'L5/S1']: MfShareAtLevel } = {
  L3: {
    share: 0.2,
    band: [0.12, 0.34],
    sources: [
      { ref: DANNEELS_2000, values: 'multifidus 4.7 ± 1.4 at the L3 superior endplate' },
      { ref: FORTIN_2016, values: 'erector spinae 20.0 ± 4.4 at L3-L4 (the erector spinae is largest at L2-L3, so at least this at L3)' },
    ],
    derivation: '4.7 / (4.7 + 20.0) = 0.19; ±1 SD: 3.3 / 27.7 = 0.12; the upper end is the L3/L4 band\'s (the share does not fall caudally)',
  },
  'L3/L4': {
    share: 0.25,
    band: [0.17, 0.34],
    sources: [
      { ref: FORTIN_2016, values: 'multifidus 6.5 ± 1.4, erector spinae 20.0 ± 4.4' },
      { ref: NIEMELAINEN_2011, values: 'means over L3-L4..L5-S1: multifidus 7.3-11.1 (right) / 6.9-10.8 (left), erector spinae 9.4-19.6 / 10.4-19.7; the smallest multifidus with the largest erector spinae (L3-L4) gives 0.26-0.27' },
    ],
    derivation: '6.5 / 26.5 = 0.245; ±1 SD: 5.1 / 29.5 = 0.17 .. 7.9 / 23.5 = 0.34',
  },
  'L4/L5': {
    share: 0.37,
    band: [0.27, 0.49],
    sources: [{ ref: FORTIN_2016, values: 'multifidus 9.6 ± 2.1, erector spinae 16.3 ± 4.1' }],
    derivation: '9.6 / 25.9 = 0.37; ±1 SD: 7.5 / 27.9 = 0.27 .. 11.7 / 23.9 = 0.49',
  },
  'L5/S1': {
    share: 0.55,
    band: [0.5, 0.66],
    sources: [
      { ref: NIEMELAINEN_2011, values: 'the largest multifidus with the smallest erector spinae (L5-S1): 11.1 / 9.4 (right), 10.8 / 10.4 (left)' },
    ],
    derivation:
      'means: 11.1 / 20.5 = 0.54 (right), 10.8 / 21.2 = 0.51 (left); no SD in the abstract: the relative SDs of L4/L5 (22% multifidus, 25% erector spinae) give 0.41 .. 0.66; the lower end is raised to 0.50 because the multifidus is the bulk of the autochthon at the lumbosacral junction',
  },
};

/** The share and band for a level, or null for a level without published values here (T12/L1 .. L2/L3, L4, L5, ...: the split then uses the level-free prior). */
export function mfShareAt(level: Level | null | undefined): MfShareAtLevel | null {
  if (!level) return null;
  return (MF_SHARE_BY_LEVEL as Partial<Record<Level, MfShareAtLevel>>)[level] ?? null;
}
