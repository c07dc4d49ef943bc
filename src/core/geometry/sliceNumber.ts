import type { VolumeGeometry } from './volumeGeometry';

/**
 * The one slice numbering people see (dialogs, levels panel, viewer, table, reports): the slice's
 * position n of N counted from the feet, 1-based (slice index k is n - 1), with the file's
 * InstanceNumber beside it where the file has one. Exports keep `sliceIndex` (0-based) and add
 * `slicePosition` (n) and `instanceNumber`.
 */
export interface SliceNumber {
  /** 1-based position from the feet end. */
  position: number;
  /** Number of slices in the volume. */
  of: number;
  /** InstanceNumber (0020,0013) of the slice's file, null when the file has none (or holds several frames). */
  instanceNumber: number | null;
}

export function sliceNumber(g: Pick<VolumeGeometry, 'slices' | 'instanceNumbers'>, k: number): SliceNumber {
  return { position: k + 1, of: g.slices, instanceNumber: g.instanceNumbers?.[k] ?? null };
}

/** "74 / 150 (IN 77)", or "74 / 150" without an InstanceNumber. */
export function sliceLabel(g: Pick<VolumeGeometry, 'slices' | 'instanceNumbers'>, k: number): string {
  const s = sliceNumber(g, k);
  return `${s.position} / ${s.of}${s.instanceNumber === null ? '' : ` (IN ${s.instanceNumber})`}`;
}

/** The short form for lists ("74 (IN 77)"): the position and the InstanceNumber, without the count. */
export function sliceShort(g: Pick<VolumeGeometry, 'slices' | 'instanceNumbers'>, k: number): string {
  const s = sliceNumber(g, k);
  return `${s.position}${s.instanceNumber === null ? '' : ` (IN ${s.instanceNumber})`}`;
}
