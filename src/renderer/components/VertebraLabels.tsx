/**
 * Vertebra names (from the last mask import of this series) on the sagittal reformat, at each mask's
 * centroid (slice and row), so the level count can be checked and a transitional vertebra is seen.
 */
import type { HuVolume } from '../../core/volume';
import { sliceLabel } from '../../core/geometry/sliceNumber';
import { reformatWidth } from '../state/reformat';
import { useApp } from '../state/store';

export function VertebraLabels({ volume, layout }: { volume: HuVolume; layout: { x: number; y: number; w: number; h: number } }) {
  const vertebrae = useApp((s) => (s.vertebrae && s.doc && s.vertebrae.seriesUid === s.doc.series.seriesInstanceUid ? s.vertebrae.list : null));
  if (!vertebrae?.length) return null;
  const n = volume.geometry.slices;
  const w = reformatWidth(volume, 'sagittal');
  return (
    <div className="vertebra-labels" data-testid="vertebra-labels">
      {vertebrae.map((v) => (
        <span
          key={v.name}
          className="vertebra-label"
          style={{ left: layout.x + ((v.row + 0.5) / w) * layout.w, top: layout.y + ((n - 1 - v.sliceIndex + 0.5) / n) * layout.h }}
          title={`${v.name}: centroid of its mask at slice ${sliceLabel(volume.geometry, v.sliceIndex)}, row ${v.row}, column ${v.column}`}
          data-testid={`vertebra-${v.name}`}
          data-slice={v.sliceIndex}
        >
          {v.name}
        </span>
      ))}
    </div>
  );
}
