import type { RoiMuscle } from '../annotations/document';

/**
 * How each muscle is shown: its outline colour, its short tag and its name. One home for the viewer,
 * the checklist, the metrics table and the reports (the PDF's key images draw each outline in this
 * colour), so an outline has the same colour on screen and on paper.
 */
export const MUSCLE_COLORS: Record<RoiMuscle, string> = {
  psoas: '#ff6b6b',
  quadratusLumborum: '#ffd43b',
  erectorSpinae: '#4dabf7',
  multifidus: '#69db7c',
  autochthon: '#da77f2',
};

export const MUSCLE_SHORT: Record<RoiMuscle, string> = {
  psoas: 'PS',
  quadratusLumborum: 'QL',
  erectorSpinae: 'ES',
  multifidus: 'MF',
  autochthon: 'AU',
};

export const MUSCLE_NAMES: Record<RoiMuscle, string> = {
  psoas: 'Psoas',
  quadratusLumborum: 'Quadratus lumborum',
  erectorSpinae: 'Erector spinae',
  multifidus: 'Multifidus',
  autochthon: 'Autochthon (ES+MF)',
};
