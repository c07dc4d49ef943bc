/**
 * Where the reformat views draw their level labels (L3, L3/L4, ...) beside the left orientation letter
 * (A on the sagittal, R on the coronal), in CSS pixels of the view. The letter is written right-aligned
 * at `orientationLetterRight`, centred on the image's mid height; a level label is written from its left
 * end at the image's left edge, its baseline 3 px above the level's line. When the image fills the view
 * the letter falls on the image, and a level near mid height was written over it ("A3/L4"): such a label
 * moves right of the letter.
 */

/** The font height of both texts (11px), with a pixel of margin. */
const TEXT_H = 12;
/** The x where the left orientation letter ends (it is right-aligned there). */
export function orientationLetterRight(layoutX: number): number {
  return Math.max(14, layoutX - 4);
}

/** The x where a level label with its baseline at `baseline` starts, clear of the left letter at `midY`. */
export function levelLabelX(layoutX: number, baseline: number, midY: number): number {
  const x = Math.max(0, layoutX) + 3;
  const right = orientationLetterRight(layoutX);
  const overlapsY = baseline > midY - TEXT_H / 2 && baseline - TEXT_H < midY + TEXT_H / 2;
  const overlapsX = x < right; // the label starts left of where the letter ends (it runs on to the right)
  return overlapsY && overlapsX ? right + 4 : x;
}
