/** The axial viewer's corner readouts: slice and z, window and overlay legend, cursor HU, and the R / L sides. */
import { sliceZ, type VolumeGeometry } from '../../core/geometry/volumeGeometry';
import { WINDOW_PRESETS } from '../../shared/windowPresets';
import { FAT_RGBA, LEAN_RGBA } from '../overlay/leanFat';
import { presetById } from '../state/presets';
import { useApp } from '../state/store';
import type { Cursor } from './hooks/useCursorReadout';

export function ViewerCorners({ g, waiting, cursor }: { g: VolumeGeometry; waiting: boolean; cursor: Cursor | null }) {
  const sliceIndex = useApp((s) => s.sliceIndex);
  const sliceLoad = useApp((s) => s.sliceLoad);
  const preset = useApp((s) => s.preset);
  const voi = useApp((s) => s.voi);
  const showOverlay = useApp((s) => s.showOverlay);
  const ranges = useApp((s) => s.doc?.ranges);
  const win = voi ?? { center: presetById(preset).center, width: presetById(preset).width };
  const winPreset = WINDOW_PRESETS.find((p) => Math.abs(p.center - win.center) < 0.5 && Math.abs(p.width - win.width) < 0.5);
  const rgba = (c: readonly number[]) => `rgba(${c[0]},${c[1]},${c[2]},${(c[3]! / 255).toFixed(2)})`;
  return (
    <>
      <div className="vp-corner vp-tl" data-testid="slice-readout">
        <div>
          Slice <b data-testid="slice-number">{sliceIndex + 1}</b> / {g.slices}
          {g.instanceNumbers?.[sliceIndex] != null && (
            <span className="dim" data-testid="slice-instance" title="InstanceNumber (0020,0013) of this slice's file">
              {' '}
              (IN {g.instanceNumbers[sliceIndex]})
            </span>
          )}
        </div>
        <div>z = {sliceZ(g, sliceIndex).toFixed(1)} mm</div>
        {sliceLoad && (
          <div className="slice-load-line" data-testid="viewer-slice-load">
            Loading slices {sliceLoad.loaded} / {sliceLoad.total}
            {waiting && <span data-testid="slice-pending"> · this slice is loading…</span>}
          </div>
        )}
      </div>
      <div className="vp-corner vp-tr" data-testid="window-readout" data-center={Math.round(win.center)} data-width={Math.round(win.width)}>
        {winPreset ? winPreset.label : 'Custom'} · W {Math.round(win.width)} / L {Math.round(win.center)}
        {showOverlay && ranges && (
          <div className="overlay-legend" data-testid="overlay-legend">
            <span className="legend-swatch" style={{ background: rgba(LEAN_RGBA) }} data-testid="legend-lean" /> lean {ranges.muscleHu[0]}..{ranges.muscleHu[1]} HU{' '}
            <span className="legend-swatch" style={{ background: rgba(FAT_RGBA) }} data-testid="legend-fat" /> fat {ranges.fatHu[0]}..{ranges.fatHu[1]} HU
          </div>
        )}
      </div>
      <div className="vp-corner vp-bl" data-testid="cursor-readout">
        {cursor ? (
          <>
            <div>
              ({cursor.i}, {cursor.j}) · <b data-testid="cursor-hu">{cursor.hu === null ? '—' : `${cursor.hu} HU`}</b>
            </div>
            <div className="dim">
              LPS {cursor.lps[0].toFixed(1)}, {cursor.lps[1].toFixed(1)}, {cursor.lps[2].toFixed(1)} mm
            </div>
          </>
        ) : (
          <span className="dim">move over the image for HU</span>
        )}
      </div>
      <div className="vp-side vp-side-l" title="Patient right is on the image left (radiological view)">R</div>
      <div className="vp-side vp-side-r">L</div>
    </>
  );
}
