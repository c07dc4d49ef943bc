/**
 * Compare (SignOffBar): the other signed-off read's outlines on the slice shown, dashed in the compare
 * colour over the axial viewport, labelled with the rater. Shown only while the services give that read
 * (reads:status: both reads signed off) and the toggle is on; never editable (not a Cornerstone annotation).
 */
import type { Types } from '@cornerstonejs/core';
import { roiSlice } from '../../core/annotations/measureAnnotations';
import { lpsToSliceIj, sliceIjToLps } from '../../core/roi/contour';
import { axialViewport } from './cornerstone';
import { useAxialRenders } from './hooks/useAxialRenders';
import { useApp } from '../state/store';
import { COMPARE_COLOUR } from '../components/SignOffBar';

export function CompareOverlay() {
  const on = useApp((s) => s.compareOn);
  const compare = useApp((s) => s.reads?.compare ?? null);
  const volume = useApp((s) => s.volume);
  const sliceIndex = useApp((s) => s.sliceIndex);

  // Follow the viewport's renders (zoom, pan, resize, slice) so the outlines stay on the image.
  useAxialRenders(volume, on);

  const vp = axialViewport();
  if (!on || !compare || !vp || !volume || vp.getCurrentImageIdIndex() !== sliceIndex) return null;
  const g = volume.geometry;
  const rois = compare.document.rois.filter((r) => roiSlice(volume, r) === sliceIndex);
  return (
    <svg className="bone-roi-overlay" data-testid="compare-overlay" data-rater={compare.info.rater} data-outlines={rois.length}>
      {rois.map((r) => {
        const pts = sliceIjToLps(g, sliceIndex, lpsToSliceIj(g, r.sliceIndex, r.pointsLps)).map((p) => vp.worldToCanvas(p as Types.Point3));
        const path = pts.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(' ');
        return (
          <g key={r.id} data-testid={`compare-${r.level}-${r.muscle}-${r.side}`}>
            <polygon points={path} fill="none" stroke="#000" strokeOpacity={0.6} strokeWidth={3} />
            <polygon points={path} fill="none" stroke={COMPARE_COLOUR} strokeWidth={1.5} strokeDasharray="6,4" />
          </g>
        );
      })}
    </svg>
  );
}
