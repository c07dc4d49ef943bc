/**
 * A panel of a report beside the muscle table (bone density, muscle indices, the adjacent-segment
 * factors): a titled list of rows, each a label, a value as text and an optional note, with the
 * citation and the caveat it must carry. Made by the domain code (core/bone, core/indices); drawn by
 * every report format (PDF, and the SR's text where one applies) without knowing what it holds.
 */
export interface ReportPanel {
  /** Stable key ('boneDensity', 'muscleIndex', 'asdFactors', ...). */
  readonly id: string;
  readonly title: string;
  /** A line under the title (what the panel shows, how). */
  readonly subtitle?: string;
  readonly rows: readonly ReportPanelRow[];
  /** Sources the panel cites, as a reader would cite them ("Pickhardt et al. 2013, Ann Intern Med 158:588-595"). */
  readonly citations: readonly string[];
  /** What the numbers are not ("opportunistic screening aid, not a diagnosis"). */
  readonly caveat: string;
}

export interface ReportPanelRow {
  readonly label: string;
  /** The value as printed, with its unit ('142 HU', '5.12 cm²/m²', 'height unknown'). */
  readonly value: string;
  /** The number behind `value` (null when unknown), for machine-readable exports. */
  readonly number: number | null;
  readonly unit: string;
  /** A band, cut-off or source beside the value ("above the 160 HU band: normal BMD likely"). */
  readonly note?: string;
}
