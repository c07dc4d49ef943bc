/** Transfer syntaxes Paraspine knows about, and how their pixel data is stored. */
export const TS = {
  implicitLE: '1.2.840.10008.1.2',
  explicitLE: '1.2.840.10008.1.2.1',
  deflatedLE: '1.2.840.10008.1.2.1.99',
  explicitBE: '1.2.840.10008.1.2.2',
  jpegBaseline: '1.2.840.10008.1.2.4.50',
  jpegExtended: '1.2.840.10008.1.2.4.51',
  jpegLossless57: '1.2.840.10008.1.2.4.57',
  jpegLossless70: '1.2.840.10008.1.2.4.70',
  jpegLsLossless: '1.2.840.10008.1.2.4.80',
  jpegLsNearLossless: '1.2.840.10008.1.2.4.81',
  j2kLossless: '1.2.840.10008.1.2.4.90',
  j2k: '1.2.840.10008.1.2.4.91',
  rle: '1.2.840.10008.1.2.5',
} as const;

export type PixelEncoding = 'native' | 'rle' | 'jpegLossless' | 'jpegLs' | 'j2k';

const ENCODING: Record<string, PixelEncoding> = {
  [TS.implicitLE]: 'native',
  [TS.explicitLE]: 'native',
  [TS.deflatedLE]: 'native',
  [TS.explicitBE]: 'native',
  [TS.jpegLossless57]: 'jpegLossless',
  [TS.jpegLossless70]: 'jpegLossless',
  [TS.jpegLsLossless]: 'jpegLs',
  [TS.jpegLsNearLossless]: 'jpegLs',
  [TS.j2kLossless]: 'j2k',
  [TS.j2k]: 'j2k',
  [TS.rle]: 'rle',
};

const NAMES: Record<string, string> = {
  [TS.implicitLE]: 'Implicit VR Little Endian',
  [TS.explicitLE]: 'Explicit VR Little Endian',
  [TS.deflatedLE]: 'Deflated Explicit VR Little Endian',
  [TS.explicitBE]: 'Explicit VR Big Endian',
  [TS.jpegBaseline]: 'JPEG Baseline (lossy)',
  [TS.jpegExtended]: 'JPEG Extended (lossy)',
  [TS.jpegLossless57]: 'JPEG Lossless',
  [TS.jpegLossless70]: 'JPEG Lossless SV1',
  [TS.jpegLsLossless]: 'JPEG-LS Lossless',
  [TS.jpegLsNearLossless]: 'JPEG-LS Near-Lossless',
  [TS.j2kLossless]: 'JPEG 2000 Lossless',
  [TS.j2k]: 'JPEG 2000',
  [TS.rle]: 'RLE Lossless',
  '1.2.840.10008.1.2.4.201': 'HTJ2K Lossless',
  '1.2.840.10008.1.2.4.202': 'HTJ2K Lossless RPCL',
  '1.2.840.10008.1.2.4.203': 'HTJ2K',
  '1.2.840.10008.1.2.4.110': 'JPEG XL Lossless',
  '1.2.840.10008.1.2.4.111': 'JPEG XL JPEG Recompression',
  '1.2.840.10008.1.2.4.112': 'JPEG XL',
  '1.2.840.10008.1.2.1.98': 'Encapsulated Uncompressed Explicit VR Little Endian',
};

/** How pixel data of this transfer syntax is decoded, or null when Paraspine cannot decode it. */
export function pixelEncoding(tsUid: string): PixelEncoding | null {
  return ENCODING[tsUid] ?? null;
}

export function transferSyntaxName(tsUid: string): string {
  return NAMES[tsUid] ?? 'unknown transfer syntax';
}

export function isEncapsulated(tsUid: string): boolean {
  const e = pixelEncoding(tsUid);
  return e !== null && e !== 'native';
}
