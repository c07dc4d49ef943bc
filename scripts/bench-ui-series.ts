/**
 * A large compressed CT series for `npm run bench:ui` (bundled by scripts/bench-ui.mjs): the test
 * phantom (tests/fixtures/phantomSeries.ts: phantomHu) written slice by slice as DICOM RLE Lossless
 * (tests/fixtures: the DICOM writer and its RLE encoder), 512 x 512, int16, intercept -1024. Written once
 * into a folder and reused while its marker file says it is complete.
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeDicom, type DicomElement } from '../tests/fixtures/dicomWriter';
import { phantomHu } from '../tests/fixtures/phantomSeries';

export function writeRleSeries(dir: string, slices: number, rows = 512, columns = 512): { dir: string; written: boolean } {
  const marker = `${dir}.complete`;
  if (existsSync(marker) && existsSync(dir)) return { dir, written: false };
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const n = rows * columns;
  const spacing = 0.8;
  const ds = (v: number): string => String(Number(v.toFixed(6)));
  for (let k = 0; k < slices; k++) {
    const frame = new Uint8Array(n * 2);
    const dv = new DataView(frame.buffer);
    for (let j = 0; j < rows; j++) for (let i = 0; i < columns; i++) dv.setUint16((j * columns + i) * 2, (phantomHu(i, j, k, rows, columns) + 1024) & 0xffff, true);
    const elements: DicomElement[] = [
      { tag: 0x00080016, vr: 'UI', value: '1.2.840.10008.5.1.4.1.1.2' },
      { tag: 0x00080018, vr: 'UI', value: `1.2.826.0.1.3680043.10.1459.9.${k + 1}` },
      { tag: 0x00080020, vr: 'DA', value: '20240102' },
      { tag: 0x00080060, vr: 'CS', value: 'CT' },
      { tag: 0x0008103e, vr: 'LO', value: `bench RLE ${slices} x ${columns}x${rows}` },
      { tag: 0x00100010, vr: 'PN', value: 'BENCH^PARASPINE' },
      { tag: 0x00100020, vr: 'LO', value: 'BENCH-1' },
      { tag: 0x00180050, vr: 'DS', value: '1' },
      { tag: 0x0020000d, vr: 'UI', value: '1.2.826.0.1.3680043.10.1459.9.0.1' },
      { tag: 0x0020000e, vr: 'UI', value: `1.2.826.0.1.3680043.10.1459.9.0.2.${slices}` },
      { tag: 0x00200011, vr: 'IS', value: '9' },
      { tag: 0x00200013, vr: 'IS', value: String(k + 1) },
      { tag: 0x00200032, vr: 'DS', value: [-200, -200, 100 + k].map(ds).join('\\') },
      { tag: 0x00200037, vr: 'DS', value: '1\\0\\0\\0\\1\\0' },
      { tag: 0x00280002, vr: 'US', value: 1 },
      { tag: 0x00280004, vr: 'CS', value: 'MONOCHROME2' },
      { tag: 0x00280010, vr: 'US', value: rows },
      { tag: 0x00280011, vr: 'US', value: columns },
      { tag: 0x00280030, vr: 'DS', value: `${ds(spacing)}\\${ds(spacing)}` },
      { tag: 0x00280100, vr: 'US', value: 16 },
      { tag: 0x00280101, vr: 'US', value: 16 },
      { tag: 0x00280102, vr: 'US', value: 15 },
      { tag: 0x00280103, vr: 'US', value: 1 },
      { tag: 0x00281052, vr: 'DS', value: '-1024' },
      { tag: 0x00281053, vr: 'DS', value: '1' },
    ];
    writeFileSync(join(dir, `IM${String(k + 1).padStart(4, '0')}.dcm`), writeDicom(elements, { encoding: 'rle', framesLittleEndian: [frame], bitsAllocated: 16 }));
  }
  writeFileSync(marker, `${slices} slices\n`);
  return { dir, written: true };
}
