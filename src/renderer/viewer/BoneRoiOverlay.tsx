/**
 * The trabecular bone ROIs (document.boneRois) on the slice shown: an SVG outline over the axial viewport
 * in the bone colour (no muscle uses it), dashed while it is a proposal, labelled "L1 trabecular". Not a
 * Cornerstone annotation: the oval tool (tools/pixel/oval.ts) places, moves and resizes it.
 */
import type { Types } from '@cornerstonejs/core';
import { trabecularStructure } from '../../core/bone/measureBone';
import { lpsToSliceIj, sliceIjToLps } from '../../core/roi/contour';
import { useApp } from '../state/store';
import { axialViewport } from './cornerstone';
import { useAxialRenders } from './hooks/useAxialRenders';

/** The bone ROI's colour (white-blue: apart from every muscle's colour and the yellow cut line). */
export const BONE_ROI_COLOUR = '#7fdcff';

export function BoneRoiOverlay() {
  const doc = useApp((s) => s.doc);
  const volume = useApp((s) => s.volume);
  const sliceIndex = useApp((s) => s.sliceIndex);

  // Follow the viewport's renders (zoom, pan, resize, slice) so the oval stays on the image.
  useAxialRenders(volume);

  const vp = axialViewport();
  const rois = (doc?.boneRois ?? []).filter((b) => b.sliceIndex === sliceIndex);
  if (!vp || !volume || rois.length === 0 || vp.getCurrentImageIdIndex() !== sliceIndex) return null;
  const g = volume.geometry;
  return (
    <svg className="bone-roi-overlay" data-testid="bone-roi-overlay">
      {rois.map((b) => {
        // Through the slice's pixel grid so the outline lies on the plane shown.
        const pts = sliceIjToLps(g, sliceIndex, lpsToSliceIj(g, b.sliceIndex, b.pointsLps)).map((p) => vp.worldToCanvas(p as Types.Point3));
        const path = pts.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(' ');
        const top = pts.reduce((a, p) => (p[1] < a[1] ? p : a), pts[0]!);
        const proposed = b.source === 'proposed';
        const label = `${trabecularStructure(b.vertebra)}${proposed ? ' (proposed)' : ''}`;
        return (
          <g key={b.id} data-testid={`bone-roi-${b.vertebra}`} data-source={b.source}>
            <polygon points={path} fill="none" stroke="#000" strokeOpacity={0.7} strokeWidth={3} />
            <polygon points={path} fill="none" stroke={BONE_ROI_COLOUR} strokeWidth={1.5} strokeDasharray={proposed ? '5,3' : undefined} />
            <text x={top[0]} y={top[1] - 6} textAnchor="middle" className="bone-roi-label" fill={BONE_ROI_COLOUR}>
              {label}
            </text>
          </g>
        );
      })}
    </svg>
  );
}
