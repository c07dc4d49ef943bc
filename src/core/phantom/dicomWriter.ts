/**
 * A small DICOM Part 10 writer for synthetic test data: Explicit VR Little Endian, Implicit VR Little
 * Endian, Explicit VR Big Endian, and RLE Lossless (encapsulated, one fragment per frame).
 * Enough for phantoms; not a general-purpose DICOM encoder.
 */
import { TS } from '../dicom/transferSyntax';
import { encodeRleFrame } from '../dicom/rle';

export type PhantomEncoding = 'explicitLE' | 'implicitLE' | 'explicitBE' | 'rle';

export const ENCODING_TS: Record<PhantomEncoding, string> = {
  explicitLE: TS.explicitLE,
  implicitLE: TS.implicitLE,
  explicitBE: TS.explicitBE,
  rle: TS.rle,
};

/** One data element: tag as 0xGGGGEEEE, its VR, and a value (strings joined with \\ for multiple values). */
export interface DicomElement {
  readonly tag: number;
  readonly vr: string;
  readonly value: string | number | readonly number[] | Uint8Array;
}

const LONG_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'UC', 'UN', 'UR', 'UT', 'SV', 'UV']);

class ByteWriter {
  private buf = new Uint8Array(4096);
  length = 0;
  constructor(public littleEndian: boolean) {}
  private ensure(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + n) size *= 2;
    const b = new Uint8Array(size);
    b.set(this.buf.subarray(0, this.length));
    this.buf = b;
  }
  u16(v: number, le = this.littleEndian): void {
    this.ensure(2);
    new DataView(this.buf.buffer).setUint16(this.length, v, le);
    this.length += 2;
  }
  u32(v: number, le = this.littleEndian): void {
    this.ensure(4);
    new DataView(this.buf.buffer).setUint32(this.length, v >>> 0, le);
    this.length += 4;
  }
  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }
  result(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

function ascii(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 0xff;
  return out;
}

/** The value bytes of an element in the given byte order, padded to even length. */
function valueBytes(el: DicomElement, littleEndian: boolean): Uint8Array {
  const { vr, value } = el;
  if (value instanceof Uint8Array) {
    if (value.length % 2 === 0) return value;
    const padded = new Uint8Array(value.length + 1);
    padded.set(value);
    return padded;
  }
  const nums = typeof value === 'number' ? [value] : Array.isArray(value) ? (value as number[]) : null;
  if (nums && (vr === 'US' || vr === 'SS' || vr === 'UL' || vr === 'SL' || vr === 'FL' || vr === 'FD')) {
    const size = vr === 'US' || vr === 'SS' ? 2 : vr === 'FD' ? 8 : 4;
    const out = new Uint8Array(size * nums.length);
    const dv = new DataView(out.buffer);
    nums.forEach((v, i) => {
      const o = i * size;
      if (vr === 'US') dv.setUint16(o, v, littleEndian);
      else if (vr === 'SS') dv.setInt16(o, v, littleEndian);
      else if (vr === 'UL') dv.setUint32(o, v, littleEndian);
      else if (vr === 'SL') dv.setInt32(o, v, littleEndian);
      else if (vr === 'FL') dv.setFloat32(o, v, littleEndian);
      else dv.setFloat64(o, v, littleEndian);
    });
    return out;
  }
  let s = nums ? nums.map((v) => String(v)).join('\\') : String(value);
  if (s.length % 2 === 1) s += vr === 'UI' ? '\0' : ' ';
  return ascii(s);
}

function writeElement(w: ByteWriter, el: DicomElement, explicit: boolean, undefinedLength = false): void {
  const group = el.tag >>> 16;
  const element = el.tag & 0xffff;
  // Group 0002 is always Explicit VR Little Endian.
  const le = group === 0x0002 ? true : w.littleEndian;
  const exp = group === 0x0002 ? true : explicit;
  const v = undefinedLength ? (el.value as Uint8Array) : valueBytes(el, le);
  w.u16(group, le);
  w.u16(element, le);
  const len = undefinedLength ? 0xffffffff : v.length;
  if (exp) {
    w.bytes(ascii(el.vr));
    if (LONG_VRS.has(el.vr)) {
      w.u16(0, le);
      w.u32(len, le);
    } else {
      w.u16(len, le);
    }
  } else {
    w.u32(len, le);
  }
  w.bytes(v);
}

/** Encapsulated pixel data: empty Basic Offset Table, one fragment per frame, sequence delimiter. */
function encapsulate(frames: readonly Uint8Array[]): Uint8Array {
  const w = new ByteWriter(true);
  w.u16(0xfffe);
  w.u16(0xe000);
  w.u32(0);
  for (const f of frames) {
    const even = f.length % 2 === 0 ? f : (() => { const p = new Uint8Array(f.length + 1); p.set(f); return p; })();
    w.u16(0xfffe);
    w.u16(0xe000);
    w.u32(even.length);
    w.bytes(even);
  }
  w.u16(0xfffe);
  w.u16(0xe0dd);
  w.u32(0);
  return w.result();
}

export interface WriteOptions {
  readonly encoding: PhantomEncoding;
  /** Pixel values of each frame as little-endian bytes (BitsAllocated/8 bytes per pixel). */
  readonly framesLittleEndian: readonly Uint8Array[];
  readonly bitsAllocated: number;
  /** Leave out the 128-byte preamble, "DICM" and the file meta group. */
  readonly noFileMeta?: boolean;
}

/**
 * Writes a DICOM file from data elements (without Pixel Data, which comes from `framesLittleEndian`).
 * Elements are sorted by tag; group 0002 is generated from (0008,0016)/(0008,0018) and the encoding.
 */
export function writeDicom(elements: readonly DicomElement[], opts: WriteOptions): Uint8Array {
  const ts = ENCODING_TS[opts.encoding];
  const littleEndian = opts.encoding !== 'explicitBE';
  const explicit = opts.encoding !== 'implicitLE';
  const find = (tag: number): string => String(elements.find((e) => e.tag === tag)?.value ?? '');
  const out = new ByteWriter(littleEndian);
  if (!opts.noFileMeta) {
    const meta = new ByteWriter(true);
    const metaEls: DicomElement[] = [
      { tag: 0x00020001, vr: 'OB', value: new Uint8Array([0, 1]) },
      { tag: 0x00020002, vr: 'UI', value: find(0x00080016) },
      { tag: 0x00020003, vr: 'UI', value: find(0x00080018) },
      { tag: 0x00020010, vr: 'UI', value: ts },
      { tag: 0x00020012, vr: 'UI', value: '1.2.826.0.1.3680043.10.1459.1' },
      { tag: 0x00020013, vr: 'SH', value: 'PARASPINE' },
    ];
    for (const el of metaEls) writeElement(meta, el, true);
    const metaBytes = meta.result();
    out.bytes(new Uint8Array(128));
    out.bytes(ascii('DICM'));
    writeElement(out, { tag: 0x00020000, vr: 'UL', value: metaBytes.length }, true);
    out.bytes(metaBytes);
  }
  const sorted = [...elements].filter((e) => e.tag >>> 16 !== 0x0002).sort((a, b) => a.tag - b.tag);
  for (const el of sorted) writeElement(out, el, explicit);
  // Pixel Data
  const bpp = opts.bitsAllocated / 8;
  if (opts.encoding === 'rle') {
    const frames = opts.framesLittleEndian.map((f) => encodeRleFrame(f, bpp));
    writeElement(out, { tag: 0x7fe00010, vr: 'OB', value: encapsulate(frames) }, explicit, true);
  } else {
    const total = opts.framesLittleEndian.reduce((s, f) => s + f.length, 0);
    const data = new Uint8Array(total);
    let o = 0;
    for (const f of opts.framesLittleEndian) {
      data.set(f, o);
      o += f.length;
    }
    if (!littleEndian && bpp > 1) {
      for (let p = 0; p < data.length; p += bpp) data.subarray(p, p + bpp).reverse();
    }
    writeElement(out, { tag: 0x7fe00010, vr: bpp > 1 ? 'OW' : 'OB', value: data }, explicit);
  }
  return out.result();
}
