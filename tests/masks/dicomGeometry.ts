/**
 * Test helper: build a VolumeGeometry for a DICOM folder from header fields only (dicom-parser),
 * independent of the project's DICOM loader. Slices are sorted along the slice normal.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import dicomParser from 'dicom-parser';
import { makeGeometry, type VolumeGeometry } from '../../src/core/geometry/volumeGeometry';
import { cross, dot, type Vec3 } from '../../src/core/geometry/vec3';

function numbers(ds: dicomParser.DataSet, tag: string): number[] {
  const s = ds.string(tag);
  if (!s) throw new Error(`missing ${tag}`);
  return s.split('\\').map(Number);
}

export function geometryFromDicomFolder(folder: string): VolumeGeometry {
  const files = readdirSync(folder).filter((f) => !f.startsWith('.')).sort();
  let orient: number[] | undefined;
  let spacing: number[] | undefined;
  let rows = 0;
  let columns = 0;
  const positions: Vec3[] = [];
  for (const f of files) {
    const bytes = readFileSync(join(folder, f));
    // Stop before pixel data: only the header is needed (works for JPEG 2000 files too).
    const ds = dicomParser.parseDicom(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), { untilTag: 'x7fe00010' });
    const ipp = numbers(ds, 'x00200032');
    positions.push([ipp[0]!, ipp[1]!, ipp[2]!]);
    orient ??= numbers(ds, 'x00200037');
    spacing ??= numbers(ds, 'x00280030');
    rows ||= ds.uint16('x00280010') ?? 0;
    columns ||= ds.uint16('x00280011') ?? 0;
  }
  if (!orient || !spacing) throw new Error(`no DICOM headers in ${folder}`);
  const r: Vec3 = [orient[0]!, orient[1]!, orient[2]!];
  const c: Vec3 = [orient[3]!, orient[4]!, orient[5]!];
  const n = cross(r, c);
  positions.sort((a, b) => dot(a, n) - dot(b, n));
  return makeGeometry({
    columns,
    rows,
    slices: positions.length,
    columnSpacingMm: spacing[1]!,
    rowSpacingMm: spacing[0]!,
    rowDirection: r,
    columnDirection: c,
    slicePositions: positions,
  });
}
