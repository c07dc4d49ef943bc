/**
 * Window/level presets (centre/width, HU). Soft tissue is the default. "Muscle" is a narrow window
 * centred on muscle so fat streaks inside it stand out; "Fat" centres on fat (-100) so lean and fat
 * separate clearly at the muscle border. The one list for the viewers' buttons, the W key and the
 * application menu's View presets.
 */
export interface WindowPreset {
  id: 'soft' | 'muscle' | 'bone' | 'fat';
  label: string;
  center: number;
  width: number;
}

export const WINDOW_PRESETS: readonly WindowPreset[] = [
  { id: 'soft', label: 'Soft tissue', center: 40, width: 400 },
  { id: 'muscle', label: 'Muscle', center: 50, width: 250 },
  { id: 'bone', label: 'Bone', center: 400, width: 1800 },
  { id: 'fat', label: 'Fat', center: -100, width: 300 },
];
