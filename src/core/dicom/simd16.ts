/**
 * WebAssembly SIMD kernels for 16-bit pixels: the stored-value -> HU rescale of a frame (slope 1, integer
 * intercept) and the min / max / sum of an Int16Array. A V8 loop over Int16Array elements costs 2-3 ns a
 * pixel; these run at a small fraction of that, including the copies in and out of the module's memory.
 *
 * The module (about 300 bytes) is assembled below and instantiated on first use; where WebAssembly or its
 * SIMD instructions are missing (or refused, e.g. by a content security policy), or the module's self-test
 * disagrees with plain JavaScript, every function returns null and callers use their JavaScript loops.
 * Results are the same bits either way (integer arithmetic only).
 */

// src/core sees no DOM or Node types: the little of the WebAssembly JS API used here.
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface Kernels {
  readonly memory: WasmMemory;
  /** Signed: v = (v << sh) >> sh per 16-bit lane; min/max of v to bytes 0/16; v + c stored in place. */
  readonly s: (ptr: number, vectors: number, sh: number, c: number) => void;
  /** Unsigned: v = v & mask; min/max (unsigned) of v to bytes 0/16; v + c stored in place. */
  readonly u: (ptr: number, vectors: number, mask: number, c: number) => void;
  /** Signed min / max / pairwise sums (i32x4) of the lanes to bytes 0 / 16 / 32; nothing written back. */
  readonly t: (ptr: number, vectors: number) => void;
}
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports?: object) => { exports: Record<string, unknown> };
};

/** Pixel data starts here in the module's memory; bytes 0..47 hold the results. */
const DATA = 64;
/** Vectors (8 pixels) per stats call: each i32 lane sums 2 x 16384 values of at most 2^15, below 2^31. */
const STATS_VECTORS = 16384;

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}
const simd = (op: number): number[] => [0xfd, ...uleb(op)];
const vec = (b: number[]): number[] => [0xfd, 0x0c, ...Array.from({ length: 16 }, (_, i) => b[i % b.length]!)];
const LOCAL_GET = 0x20;
const LOCAL_SET = 0x21;
const I32_CONST = 0x41;
const I32_ADD = 0x6a;
const I32_SHL = 0x74;
const I32_GE_U = 0x4f;
const V128 = 0x7b;
const I32 = 0x7f;
const LOAD = [...simd(0x00), 4, 0];
const store = (offset: number): number[] => [...simd(0x0b), 4, ...uleb(offset)];
const OP = {
  and: 0x4e,
  splat16: 0x10,
  shl16: 139,
  shrS16: 140,
  add16: 142,
  minS16: 150,
  minU16: 151,
  maxS16: 152,
  maxU16: 153,
  extaddS16: 0x7e,
  add32: 174,
};

/** for (; ptr < end; ptr += 16) { body }  with ptr local 0 and end local `end`. */
function loop(end: number, body: number[]): number[] {
  return [
    0x02, 0x40, 0x03, 0x40, // block, loop
    LOCAL_GET, 0, LOCAL_GET, end, I32_GE_U, 0x0d, 1, // br_if (ptr >= end) out
    ...body,
    LOCAL_GET, 0, I32_CONST, 16, I32_ADD, LOCAL_SET, 0,
    0x0c, 0, 0x0b, 0x0b, // br loop, end, end
  ];
}
/** end = ptr + vectors * 16 into local `end`. */
const setEnd = (end: number): number[] => [LOCAL_GET, 1, I32_CONST, 4, I32_SHL, LOCAL_GET, 0, I32_ADD, LOCAL_SET, end];

function funcBody(locals: number[][], code: number[]): number[] {
  const body = [...uleb(locals.length), ...locals.flatMap(([n, t]) => [...uleb(n!), t!]), ...code, 0x0b];
  return [...uleb(body.length), ...body];
}

function section(id: number, content: number[]): number[] {
  return [id, ...uleb(content.length), ...content];
}

function moduleBytes(): Uint8Array {
  // rescale, signed: params ptr 0, vectors 1, sh 2, c 3; locals end 4, C 5, mn 6, mx 7, v 8
  const rescaleS = funcBody(
    [[1, I32], [4, V128]],
    [
      ...setEnd(4),
      LOCAL_GET, 3, ...simd(OP.splat16), LOCAL_SET, 5,
      ...vec([0xff, 0x7f]), LOCAL_SET, 6,
      ...vec([0x00, 0x80]), LOCAL_SET, 7,
      ...loop(4, [
        LOCAL_GET, 0, ...LOAD, LOCAL_GET, 2, ...simd(OP.shl16), LOCAL_GET, 2, ...simd(OP.shrS16), LOCAL_SET, 8,
        LOCAL_GET, 6, LOCAL_GET, 8, ...simd(OP.minS16), LOCAL_SET, 6,
        LOCAL_GET, 7, LOCAL_GET, 8, ...simd(OP.maxS16), LOCAL_SET, 7,
        LOCAL_GET, 0, LOCAL_GET, 8, LOCAL_GET, 5, ...simd(OP.add16), ...store(0),
      ]),
      I32_CONST, 0, LOCAL_GET, 6, ...store(0),
      I32_CONST, 0, LOCAL_GET, 7, ...store(16),
    ],
  );
  // rescale, unsigned: params ptr 0, vectors 1, mask 2, c 3; locals end 4, C 5, mn 6, mx 7, v 8, M 9
  const rescaleU = funcBody(
    [[1, I32], [5, V128]],
    [
      ...setEnd(4),
      LOCAL_GET, 3, ...simd(OP.splat16), LOCAL_SET, 5,
      LOCAL_GET, 2, ...simd(OP.splat16), LOCAL_SET, 9,
      ...vec([0xff]), LOCAL_SET, 6,
      ...vec([0x00]), LOCAL_SET, 7,
      ...loop(4, [
        LOCAL_GET, 0, ...LOAD, LOCAL_GET, 9, ...simd(OP.and), LOCAL_SET, 8,
        LOCAL_GET, 6, LOCAL_GET, 8, ...simd(OP.minU16), LOCAL_SET, 6,
        LOCAL_GET, 7, LOCAL_GET, 8, ...simd(OP.maxU16), LOCAL_SET, 7,
        LOCAL_GET, 0, LOCAL_GET, 8, LOCAL_GET, 5, ...simd(OP.add16), ...store(0),
      ]),
      I32_CONST, 0, LOCAL_GET, 6, ...store(0),
      I32_CONST, 0, LOCAL_GET, 7, ...store(16),
    ],
  );
  // stats, signed: params ptr 0, vectors 1; locals end 2, mn 3, mx 4, sum 5, v 6
  const stats = funcBody(
    [[1, I32], [4, V128]],
    [
      ...setEnd(2),
      ...vec([0xff, 0x7f]), LOCAL_SET, 3,
      ...vec([0x00, 0x80]), LOCAL_SET, 4,
      ...loop(2, [
        LOCAL_GET, 0, ...LOAD, LOCAL_SET, 6,
        LOCAL_GET, 3, LOCAL_GET, 6, ...simd(OP.minS16), LOCAL_SET, 3,
        LOCAL_GET, 4, LOCAL_GET, 6, ...simd(OP.maxS16), LOCAL_SET, 4,
        LOCAL_GET, 5, LOCAL_GET, 6, ...simd(OP.extaddS16), ...simd(OP.add32), LOCAL_SET, 5,
      ]),
      I32_CONST, 0, LOCAL_GET, 3, ...store(0),
      I32_CONST, 0, LOCAL_GET, 4, ...store(16),
      I32_CONST, 0, LOCAL_GET, 5, ...store(32),
    ],
  );
  const name = (s: string): number[] => [...uleb(s.length), ...Array.from(s, (ch) => ch.charCodeAt(0))];
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [2, 0x60, 4, I32, I32, I32, I32, 0, 0x60, 2, I32, I32, 0]), // types
    ...section(3, [3, 0, 0, 1]), // functions
    ...section(5, [1, 0x00, 1]), // memory: min 1 page
    ...section(7, [4, ...name('m'), 2, 0, ...name('s'), 0, 0, ...name('u'), 0, 1, ...name('t'), 0, 2]), // exports
    ...section(10, [3, ...rescaleS, ...rescaleU, ...stats]), // code
  ];
  return new Uint8Array(bytes);
}

let kernels: Kernels | null | undefined;

function instantiate(): Kernels | null {
  try {
    if (typeof WebAssembly === 'undefined') return null;
    const e = new WebAssembly.Instance(new WebAssembly.Module(moduleBytes())).exports;
    const k = { memory: e.m as WasmMemory, s: e.s as Kernels['s'], u: e.u as Kernels['u'], t: e.t as Kernels['t'] };
    return selfTest(k) ? k : null;
  } catch {
    return null;
  }
}

let fallbackForced = false;

function get(): Kernels | null {
  if (fallbackForced) return null;
  if (kernels === undefined) kernels = instantiate();
  return kernels;
}

/**
 * Makes every function here answer null (callers take their JavaScript loops) until called with false:
 * how the tests run the JavaScript fallback as well as the kernels.
 */
export function forceSimd16Fallback(forced: boolean): void {
  fallbackForced = forced;
}

/** Makes room for `bytes` of pixels after DATA; false when the memory cannot grow. */
function room(k: Kernels, bytes: number): boolean {
  const need = DATA + bytes;
  const have = k.memory.buffer.byteLength;
  if (need <= have) return true;
  try {
    k.memory.grow(Math.ceil((need - have) / 65536));
    return true;
  } catch {
    return false;
  }
}

function lanes16(k: Kernels, signed: boolean): { lo: number; hi: number } {
  const r = signed ? new Int16Array(k.memory.buffer, 0, 16) : new Uint16Array(k.memory.buffer, 0, 16);
  let lo = r[0]!;
  let hi = r[8]!;
  for (let i = 1; i < 8; i++) {
    if (r[i]! < lo) lo = r[i]!;
    if (r[8 + i]! > hi) hi = r[8 + i]!;
  }
  return { lo, hi };
}

function runRescale(k: Kernels, raw: Int16Array | Uint16Array, n: number, signed: boolean, bits: number, intercept: number): { lo: number; hi: number } {
  const vectors = Math.ceil(n / 8);
  const mem = new Uint16Array(k.memory.buffer, DATA, vectors * 8);
  mem.set(new Uint16Array(raw.buffer, raw.byteOffset, n));
  mem.fill(mem[0]!, n); // padding lanes repeat a real value: min and max stay those of the frame
  if (signed) k.s(DATA, vectors, 16 - bits, intercept);
  else k.u(DATA, vectors, bits >= 16 ? 0xffff : 2 ** bits - 1, intercept);
  return lanes16(k, signed);
}

/**
 * Writes n HU values out[o + p] = stored(raw[p]) + intercept, where stored() reads the low `bits` bits of
 * each 16-bit value as signed (sign-extended) or unsigned (masked). Returns true when written; false when
 * some value falls outside -32768..32767 (nothing written: the caller promotes or wraps as it would);
 * null when the kernels are not available or the sizes are out of their reach (use JavaScript).
 */
export function rescaleInt16(out: Int16Array, o: number, raw: Int16Array | Uint16Array, n: number, signed: boolean, bits: number, intercept: number): boolean | null {
  if (n <= 0 || raw.length < n || bits < 1 || bits > 16 || !Number.isInteger(intercept) || Math.abs(intercept) >= 2 ** 31) return null;
  const k = get();
  if (!k || !room(k, Math.ceil(n / 8) * 16)) return null;
  const { lo, hi } = runRescale(k, raw, n, signed, bits, intercept | 0);
  if (lo + intercept < -32768 || hi + intercept > 32767) return false;
  out.set(new Int16Array(k.memory.buffer, DATA, n), o);
  return true;
}

/** Min, max and sum of an Int16Array (null: kernels not available). The sum is exact (integers below 2^53). */
export function int16Stats(values: Int16Array): { min: number; max: number; sum: number } | null {
  if (values.length === 0) return null;
  const k = get();
  if (!k || !room(k, STATS_VECTORS * 16)) return null;
  let min = 32767;
  let max = -32768;
  let sum = 0;
  const whole = values.length - (values.length % 8);
  const chunk = STATS_VECTORS * 8;
  for (let s = 0; s < whole; s += chunk) {
    const len = Math.min(chunk, whole - s);
    new Int16Array(k.memory.buffer, DATA, len).set(values.subarray(s, s + len));
    k.t(DATA, len / 8);
    const { lo, hi } = lanes16(k, true);
    if (lo < min) min = lo;
    if (hi > max) max = hi;
    const sums = new Int32Array(k.memory.buffer, 32, 4);
    sum += sums[0]! + sums[1]! + sums[2]! + sums[3]!;
  }
  for (let p = whole; p < values.length; p++) {
    const v = values[p]!;
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
  }
  return { min, max, sum };
}

/** The kernels against plain JavaScript on values that exercise every lane, sign and the overflow test. */
function selfTest(k: Kernels): boolean {
  const n = 37;
  const raw = new Uint16Array(n);
  for (let i = 0; i < n; i++) raw[i] = (i * 7919 + (i % 3 === 0 ? 40000 : 0)) & 0xffff;
  for (const [signed, bits, c] of [[true, 16, -1024], [true, 12, 5], [false, 16, -1024], [false, 12, -2000]] as const) {
    if (!room(k, 64 * 16)) return false;
    const { lo, hi } = runRescale(k, raw, n, signed, bits, c);
    const got = new Int16Array(k.memory.buffer, DATA, n);
    let jlo = Infinity;
    let jhi = -Infinity;
    for (let i = 0; i < n; i++) {
      const r = raw[i]!;
      const v = signed ? (r << (32 - bits)) >> (32 - bits) : r & (2 ** bits - 1);
      jlo = Math.min(jlo, v);
      jhi = Math.max(jhi, v);
      if (got[i] !== ((v + c) << 16) >> 16) return false;
    }
    if (lo !== jlo || hi !== jhi) return false;
  }
  const vals = new Int16Array(raw.buffer);
  new Int16Array(k.memory.buffer, DATA, 32).set(vals.subarray(0, 32));
  k.t(DATA, 4);
  const { lo, hi } = lanes16(k, true);
  const s = new Int32Array(k.memory.buffer, 32, 4);
  let jsum = 0;
  for (let i = 0; i < 32; i++) jsum += vals[i]!;
  return lo === Math.min(...vals.subarray(0, 32)) && hi === Math.max(...vals.subarray(0, 32)) && s[0]! + s[1]! + s[2]! + s[3]! === jsum;
}

/** Whether the kernels run here (tests and the benchmark). */
export function simd16Available(): boolean {
  return get() !== null;
}
