import { Tensor, tensor } from '@eddy/autograd';
import { describe, fail } from './errors.js';
import { define } from './module.js';

// The safetensors format (huggingface/safetensors, safetensors/src/tensor.rs), byte for byte:
//
//   [8 bytes]  N, the header's length, unsigned 64-bit little-endian
//   [N bytes]  UTF-8 JSON: { "__metadata__"?: { string: string }, name: { "dtype", "shape",
//              "data_offsets": [begin, end] }, … }, padded with spaces to a multiple of 8
//   [rest]     the tensors' bytes, little-endian, row-major; offsets count from the header's end
//
// The writer orders tensors by descending dtype alignment, then by name (so every tensor starts
// aligned to its element size, since the header ends on a multiple of 8), and writes the JSON
// compactly in that order with "__metadata__" first: the Python library's exact bytes.

/** Largest header accepted, as the reference implementation's MAX_HEADER_SIZE (100 MB). */
export const MAX_HEADER_BYTES = 100_000_000;

/**
 * Most tensors a file may hold. Large checkpoints hold at most a few thousand; the bound keeps
 * what a hostile file can make the loader do (a million zero-size tensors took 20 s and 2 GB).
 */
export const MAX_TENSORS = 1 << 14;

/**
 * Deepest nesting a valid header has: the header object, a tensor's object, its shape array.
 * Anything deeper is malformed, and the pre-parse scan refuses it before JSON.parse sees it.
 */
const MAX_HEADER_DEPTH = 3;

/**
 * Most JSON values (counted by their `,` and `:` separators) a header may hold: MAX_TENSORS
 * tensors take about ten each, and the bound keeps JSON.parse's work and memory small whatever the
 * file (a metadata map of millions of keys included).
 */
const MAX_HEADER_VALUES = 1 << 18;

/** Largest dimension a tensor may have (autograd's limit: sizes are 32-bit signed). */
const MAX_DIMENSION = 0x7fffffff;

/**
 * Every safetensors dtype in the reference's enum order, which is increasing alignment: the writer
 * sorts by it (descending). Newer library versions append more; anything not here is unknown.
 */
const DTYPE_ORDER = ['BOOL', 'U8', 'I8', 'F8_E5M2', 'F8_E4M3', 'I16', 'U16', 'F16', 'BF16', 'I32', 'U32', 'F32', 'F64', 'I64', 'U64'];

/** The dtypes Eddy reads (F16, BF16, F64 become float32; I64 becomes int32), with element sizes. */
const READABLE: Readonly<Record<string, number>> = Object.freeze({ F32: 4, I32: 4, F16: 2, BF16: 2, F64: 8, I64: 8 });

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** What a safetensors file holds: its tensors (in file order) and its `__metadata__`, if any. */
export interface SafetensorsContents {
  tensors: Record<string, Tensor>;
  metadata: Record<string, string> | null;
}

/**
 * Serialises tensors to the safetensors format, byte-identical to Python's
 * `safetensors.torch.save_file` / `save` for the same names, shapes and values (float32 → F32,
 * int32 → I32). `metadata` becomes `__metadata__` (string values only; its keys are written in
 * sorted order, where the Python library's order follows a hash map).
 *
 * @example
 * const bytes = saveSafetensors(model.stateDict(), { format: 'pt' });
 * await fs.writeFile('model.safetensors', bytes);
 */
export function saveSafetensors(dict: Record<string, Tensor>, metadata?: Record<string, string>): Uint8Array {
  const op = 'saveSafetensors';
  if (dict === null || typeof dict !== 'object' || Array.isArray(dict)) throw fail('E_ARGUMENT', `${op}: dict must be an object of name → Tensor, got ${describe(dict)}`);
  const entries = Object.keys(dict).map((name) => {
    const t = dict[name];
    if (!(t instanceof Tensor)) throw fail('E_ARGUMENT', `${op}: entry ${JSON.stringify(name)} must be a Tensor, got ${describe(t)}`);
    t.check(op);
    if (name === '__metadata__') throw fail('E_ARGUMENT', `${op}: "__metadata__" is reserved for the metadata and cannot name a tensor`);
    checkWellFormed(op, 'tensor name', name);
    return { name, tensor: t, dtype: t.dtype === 'float32' ? 'F32' : 'I32', key: utf8(name) };
  });
  entries.sort((a, b) => DTYPE_ORDER.indexOf(b.dtype) - DTYPE_ORDER.indexOf(a.dtype) || compareBytes(a.key, b.key));

  const parts: string[] = [];
  if (metadata !== undefined) parts.push(`"__metadata__":${metadataJson(op, metadata)}`);
  let offset = 0;
  for (const e of entries) {
    const end = offset + e.tensor.size * 4;
    parts.push(`${JSON.stringify(e.name)}:{"dtype":"${e.dtype}","shape":[${e.tensor.shape.join(',')}],"data_offsets":[${offset},${end}]}`);
    offset = end;
  }
  const json = utf8(`{${parts.join(',')}}`);
  const headerLength = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + headerLength + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(headerLength), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLength); // spaces, as the reference pads
  let at = 8 + headerLength;
  for (const e of entries) {
    const values = e.tensor.toArray();
    if (LITTLE_ENDIAN) out.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength), at);
    else if (values instanceof Float32Array) values.forEach((v, i) => view.setFloat32(at + 4 * i, v, true));
    else values.forEach((v, i) => view.setInt32(at + 4 * i, v, true));
    at += values.byteLength;
  }
  return out;
}

/**
 * Reads a safetensors file into tensors (float32 for F32, F16, BF16 and F64; int32 for I32 and
 * I64), created in the current autograd scope. The bytes are untrusted: see
 * `loadSafetensorsWithMetadata` for every check. Throws E_FORMAT for a malformed file and E_DTYPE
 * for a dtype Eddy does not read or an I64 value outside int32.
 *
 * @example
 * const dict = loadSafetensors(await fs.readFile('model.safetensors'));
 * model.loadStateDict(dict);
 */
export function loadSafetensors(bytes: Uint8Array): Record<string, Tensor> {
  return loadSafetensorsWithMetadata(bytes).tensors;
}

/**
 * `loadSafetensors` that also returns the `__metadata__` map (null when the file has none).
 *
 * The file is treated as untrusted, and every check runs before any tensor is allocated: at least
 * 8 bytes; header length N ≤ 100 MB and ≤ file size − 8; the header valid UTF-8, starting with
 * `{`, nested at most 3 deep with at most 2¹⁸ values and {@link MAX_TENSORS} entries (a scan of
 * the bytes checks these before JSON.parse runs), parsed with JSON.parse (never evaluated) into an
 * object; `__metadata__` an object of strings; each entry exactly { dtype, shape, data_offsets }
 * with a known, readable dtype (own keys only: `"constructor"` is no dtype), a shape of integers
 * in [0, 2³¹ − 1], and 0 ≤ begin ≤ end with end − begin = product(shape) · dtype size (no
 * overflow); sorted by offset, the tensors tile the payload exactly (no overlap, no gap, nothing
 * past or left after the end), as the reference implementation requires. Should creating a tensor
 * still fail (linear memory exhausted), those already created are freed before the error is thrown.
 */
export function loadSafetensorsWithMetadata(bytes: Uint8Array): SafetensorsContents {
  const op = 'loadSafetensors';
  if (!(bytes instanceof Uint8Array)) throw fail('E_ARGUMENT', `${op}: expected the file's bytes as a Uint8Array, got ${describe(bytes)}`);
  if (bytes.length < 8) throw fail('E_FORMAT', `${op}: the file has ${bytes.length} bytes, fewer than the 8 of its header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n64 = view.getBigUint64(0, true);
  if (n64 > BigInt(MAX_HEADER_BYTES)) throw fail('E_FORMAT', `${op}: header length ${n64} exceeds the ${MAX_HEADER_BYTES}-byte limit`);
  const n = Number(n64);
  if (n > bytes.length - 8) throw fail('E_FORMAT', `${op}: header length ${n} runs past the end of the ${bytes.length}-byte file`);
  const payload = bytes.length - 8 - n;

  scanHeader(op, bytes.subarray(8, 8 + n));
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes.subarray(8, 8 + n));
  } catch {
    throw fail('E_FORMAT', `${op}: the header is not valid UTF-8`);
  }
  if (!text.startsWith('{')) throw fail('E_FORMAT', `${op}: the header must be a JSON object starting with "{", got ${JSON.stringify(text.slice(0, 16))}`);
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (e) {
    throw fail('E_FORMAT', `${op}: the header is not valid JSON (${(e as Error).message})`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) throw fail('E_FORMAT', `${op}: the header must be a JSON object`);

  let metadata: Record<string, string> | null = null;
  const infos: Array<{ name: string; dtype: string; shape: number[]; begin: number; end: number }> = [];
  for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      metadata = readMetadata(op, raw);
      continue;
    }
    infos.push({ name, ...readInfo(op, name, raw) });
  }
  if (infos.length > MAX_TENSORS) throw fail('E_FORMAT', `${op}: the header lists ${infos.length} tensors, more than ${MAX_TENSORS} tensors`);
  infos.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let at = 0;
  for (const t of infos) {
    const where = `tensor ${JSON.stringify(t.name)} (data_offsets [${t.begin}, ${t.end}])`;
    if (t.end > payload) throw fail('E_FORMAT', `${op}: ${where} lies outside the ${payload}-byte payload`);
    if (t.begin < at) throw fail('E_FORMAT', `${op}: ${where} overlaps the previous tensor, which ends at ${at}`);
    if (t.begin > at) throw fail('E_FORMAT', `${op}: ${where} leaves a gap after byte ${at} of the payload`);
    at = t.end;
  }
  if (at !== payload) throw fail('E_FORMAT', `${op}: the tensors end at byte ${at} but the payload has ${payload} bytes`);

  // Decode everything before allocating anything, so a bad I64 leaves no tensor behind.
  const base = 8 + n;
  const decoded = infos.map((t) => ({ ...t, values: decode(op, t.name, t.dtype, view, base + t.begin, (t.end - t.begin) / READABLE[t.dtype]) }));
  const tensors: Record<string, Tensor> = {};
  try {
    for (const d of decoded) {
      define(tensors, d.name, tensor(d.values, d.shape, { dtype: d.values instanceof Int32Array ? 'int32' : 'float32' }));
    }
  } catch (e) {
    for (const t of Object.values(tensors)) t.dispose();
    throw e;
  }
  return { tensors, metadata };
}

/**
 * Refuses, before JSON.parse allocates anything, a header nested deeper than a valid one can be or
 * holding more values or entries than the bounds allow (a 99 MB header of "[" took JSON.parse
 * 20 s and 5.5 GB). Works on the UTF-8 bytes: the structural characters are ASCII and never occur
 * inside a multi-byte sequence. Unbalanced brackets are left for JSON.parse to report.
 */
function scanHeader(op: string, header: Uint8Array): void {
  let depth = 0;
  let values = 0;
  let entries = 1;
  let inString = false;
  for (let i = 0; i < header.length; i++) {
    const c = header[i];
    if (inString) {
      if (c === 0x5c) i++; // backslash: the next byte is escaped
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > MAX_HEADER_DEPTH) throw fail('E_FORMAT', `${op}: the header nests deeper than ${MAX_HEADER_DEPTH} levels (at byte ${i}); a valid header never does`);
    } else if (c === 0x7d || c === 0x5d) depth--;
    else if (c === 0x2c || c === 0x3a) {
      if (++values > MAX_HEADER_VALUES) throw fail('E_FORMAT', `${op}: the header holds more than ${MAX_HEADER_VALUES} values`);
      // One entry may be "__metadata__", hence the + 1.
      if (c === 0x2c && depth === 1 && ++entries > MAX_TENSORS + 1) throw fail('E_FORMAT', `${op}: the header lists more than ${MAX_TENSORS} tensors`);
    }
  }
}

function readMetadata(op: string, raw: unknown): Record<string, string> {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw fail('E_FORMAT', `${op}: "__metadata__" must be an object of strings, got ${describe(raw)}`);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (typeof v !== 'string') throw fail('E_FORMAT', `${op}: "__metadata__" value ${JSON.stringify(k)} must be a string, got ${describe(v)}`);
    define(out, k, v);
  }
  return out;
}

function readInfo(op: string, name: string, raw: unknown): { dtype: string; shape: number[]; begin: number; end: number } {
  const what = `${op}: tensor ${JSON.stringify(name)}`;
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw fail('E_FORMAT', `${what}: expected { dtype, shape, data_offsets }, got ${describe(raw)}`);
  const info = raw as Record<string, unknown>;
  const extra = Object.keys(info).filter((k) => k !== 'dtype' && k !== 'shape' && k !== 'data_offsets');
  if (extra.length > 0) throw fail('E_FORMAT', `${what}: unknown field ${extra.map((k) => JSON.stringify(k)).join(', ')}; expected only dtype, shape, data_offsets`);
  const { dtype, shape, data_offsets: offsets } = info;
  if (typeof dtype !== 'string') throw fail('E_FORMAT', `${what}: dtype must be a string, got ${describe(dtype)}`);
  if (!Object.hasOwn(READABLE, dtype)) {
    const kind = DTYPE_ORDER.includes(dtype) ? 'is not supported' : 'is not a safetensors dtype Eddy knows';
    throw fail('E_DTYPE', `${what}: dtype ${JSON.stringify(dtype)} ${kind}; Eddy reads F32, I32, F16, BF16, F64 and I64`);
  }
  if (!Array.isArray(shape) || !shape.every(isCount)) throw fail('E_FORMAT', `${what}: shape must be an array of non-negative integers, got ${describe(shape)}`);
  const tooLarge = shape.find((d) => d > MAX_DIMENSION);
  if (tooLarge !== undefined) throw fail('E_FORMAT', `${what}: dimension ${tooLarge} of shape [${shape.join(', ')}] is too large; each must be at most ${MAX_DIMENSION}`);
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount) || offsets[0] > offsets[1]) {
    throw fail('E_FORMAT', `${what}: data_offsets must be [begin, end] with 0 <= begin <= end, got ${describe(offsets)}`);
  }
  let bytes = READABLE[dtype];
  for (const d of shape as number[]) {
    bytes *= d;
    if (!Number.isSafeInteger(bytes)) throw fail('E_FORMAT', `${what}: shape [${shape.join(', ')}] overflows`);
  }
  const [begin, end] = offsets as number[];
  if (end - begin !== bytes) {
    throw fail('E_FORMAT', `${what}: data_offsets [${begin}, ${end}] hold ${end - begin} bytes but shape [${shape.join(', ')}] of ${dtype} needs ${bytes}`);
  }
  return { dtype, shape: shape as number[], begin, end };
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

/** `count` elements of `dtype` at byte `at`, as float32 or int32. */
function decode(op: string, name: string, dtype: string, view: DataView, at: number, count: number): Float32Array | Int32Array {
  switch (dtype) {
    case 'F32': {
      if (LITTLE_ENDIAN) return new Float32Array(copyBytes(view, at, count * 4));
      return Float32Array.from({ length: count }, (_, i) => view.getFloat32(at + 4 * i, true));
    }
    case 'I32': {
      if (LITTLE_ENDIAN) return new Int32Array(copyBytes(view, at, count * 4));
      return Int32Array.from({ length: count }, (_, i) => view.getInt32(at + 4 * i, true));
    }
    case 'F64': {
      // NOTE: rounds to nearest float32; magnitudes beyond float32's range become ±Infinity.
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(at + 8 * i, true);
      return out;
    }
    case 'F16': {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = halfToFloat(view.getUint16(at + 2 * i, true));
      return out;
    }
    case 'BF16': {
      // bfloat16 is the top half of a float32: shifting its bits up is exact.
      const bits = new Uint32Array(count);
      for (let i = 0; i < count; i++) bits[i] = view.getUint16(at + 2 * i, true) << 16;
      return new Float32Array(bits.buffer);
    }
    case 'I64': {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) {
        const v = view.getBigInt64(at + 8 * i, true);
        if (v < -2147483648n || v > 2147483647n) {
          throw fail('E_DTYPE', `${op}: tensor ${JSON.stringify(name)}: I64 value ${v} at index ${i} does not fit int32 (Eddy reads I64 as int32)`);
        }
        out[i] = Number(v);
      }
      return out;
    }
    default:
      throw fail('E_DTYPE', `${op}: tensor ${JSON.stringify(name)}: dtype ${JSON.stringify(dtype)} is not supported`);
  }
}

/** An aligned copy of `length` bytes at `at` (a typed array over the file may be misaligned). */
function copyBytes(view: DataView, at: number, length: number): ArrayBuffer {
  const out = new Uint8Array(length);
  out.set(new Uint8Array(view.buffer, view.byteOffset + at, length));
  return out.buffer;
}

/** IEEE 754 binary16 → number (exact: every half is a float32). */
function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >>> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24; // zero and subnormals
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : NaN;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

function metadataJson(op: string, metadata: Record<string, string>): string {
  if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata)) {
    throw fail('E_ARGUMENT', `${op}: metadata must be an object of strings, got ${describe(metadata)}`);
  }
  const keys = Object.keys(metadata).sort((a, b) => compareBytes(utf8(a), utf8(b)));
  const fields = keys.map((k) => {
    const v = metadata[k];
    if (typeof v !== 'string') throw fail('E_ARGUMENT', `${op}: metadata value ${JSON.stringify(k)} must be a string, got ${describe(v)}`);
    checkWellFormed(op, 'metadata key', k);
    checkWellFormed(op, 'metadata value', v);
    return `${JSON.stringify(k)}:${JSON.stringify(v)}`;
  });
  return `{${fields.join(',')}}`;
}

/**
 * Rejects lone UTF-16 surrogates: they have no UTF-8 form, so the Python library cannot hold
 * them, and JSON.stringify would escape them where serde_json cannot.
 */
function checkWellFormed(op: string, what: string, s: string): void {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) i++;
    else if (c >= 0xd800 && c <= 0xdfff) throw fail('E_ARGUMENT', `${op}: ${what} ${JSON.stringify(s)} contains a lone surrogate (not valid Unicode)`);
  }
}

const encoder = new TextEncoder();
function utf8(s: string): Uint8Array {
  return encoder.encode(s);
}

/** Byte-wise order of UTF-8 strings: Rust's String order, which the reference sorts names by. */
function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}
