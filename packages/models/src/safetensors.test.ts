import { getCore, scope, tensor, type Tensor } from '@eddy/autograd';
import { describe, expect, test } from 'vitest';
import { loadSafetensors, loadSafetensorsWithMetadata, MAX_HEADER_BYTES, MAX_TENSORS, saveSafetensors } from './safetensors.js';

const enc = new TextEncoder();

/** A file laid out by hand from the spec: u64 LE header length, the header bytes, the payload. */
function file(header: string, payload: Uint8Array = new Uint8Array(0), headerLength?: number): Uint8Array {
  const h = enc.encode(header);
  const out = new Uint8Array(8 + h.length + payload.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerLength ?? h.length), true);
  out.set(h, 8);
  out.set(payload, 8 + h.length);
  return out;
}

function le(kind: 'f32' | 'i32' | 'f64' | 'i64' | 'u16', values: number[]): Uint8Array {
  const size = { f32: 4, i32: 4, f64: 8, i64: 8, u16: 2 }[kind];
  const out = new Uint8Array(values.length * size);
  const v = new DataView(out.buffer);
  values.forEach((x, i) => {
    if (kind === 'f32') v.setFloat32(i * 4, x, true);
    else if (kind === 'i32') v.setInt32(i * 4, x, true);
    else if (kind === 'f64') v.setFloat64(i * 8, x, true);
    else if (kind === 'i64') v.setBigInt64(i * 8, BigInt(x), true);
    else v.setUint16(i * 2, x, true);
  });
  return out;
}

const throws = (fn: () => unknown, code: string, message: RegExp): void =>
  expect(fn).toThrow(expect.objectContaining({ code, message: expect.stringMatching(message) }));

function values(t: Tensor): number[] {
  return Array.from(t.toArray());
}

describe('saveSafetensors writes the Python library’s bytes', () => {
  // The expected byte arrays below are copied from the reference implementation's own unit tests
  // (huggingface/safetensors, safetensors/src/tensor.rs: test_serialization, test_empty,
  // test_serialization_forced_alignement): bytes written by the library itself.
  test('one F32 tensor "attn.0" [1, 2, 3] (test_serialization)', () => {
    const out = scope(() => saveSafetensors({ 'attn.0': tensor([0, 1, 2, 3, 4, 5], [1, 2, 3]) }));
    expect(Array.from(out)).toEqual([
      64, 0, 0, 0, 0, 0, 0, 0, 123, 34, 97, 116, 116, 110, 46, 48, 34, 58, 123, 34, 100, 116, 121, 112, 101, 34, 58, 34, 70, 51, 50, 34, 44, 34,
      115, 104, 97, 112, 101, 34, 58, 91, 49, 44, 50, 44, 51, 93, 44, 34, 100, 97, 116, 97, 95, 111, 102, 102, 115, 101, 116, 115, 34, 58, 91,
      48, 44, 50, 52, 93, 125, 125, 0, 0, 0, 0, 0, 0, 128, 63, 0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0, 160, 64,
    ]);
  });

  test('padding with spaces to a multiple of 8 (test_serialization_forced_alignement)', () => {
    const out = scope(() => saveSafetensors({ attn0: tensor([0, 1, 2, 3, 4, 5], [1, 1, 2, 3]) }));
    expect(Array.from(out)).toEqual([
      72, 0, 0, 0, 0, 0, 0, 0, 123, 34, 97, 116, 116, 110, 48, 34, 58, 123, 34, 100, 116, 121, 112, 101, 34, 58, 34, 70, 51, 50, 34, 44, 34, 115,
      104, 97, 112, 101, 34, 58, 91, 49, 44, 49, 44, 50, 44, 51, 93, 44, 34, 100, 97, 116, 97, 95, 111, 102, 102, 115, 101, 116, 115, 34, 58, 91,
      48, 44, 50, 52, 93, 125, 125, 32, 32, 32, 32, 32, 32, 32, 0, 0, 0, 0, 0, 0, 128, 63, 0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0, 160, 64,
    ]);
  });

  test('empty, with and without metadata (test_empty)', () => {
    expect(Array.from(saveSafetensors({}))).toEqual([8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32]);
    expect(Array.from(saveSafetensors({}, { framework: 'pt' }))).toEqual([
      40, 0, 0, 0, 0, 0, 0, 0, 123, 34, 95, 95, 109, 101, 116, 97, 100, 97, 116, 97, 95, 95, 34, 58, 123, 34, 102, 114, 97, 109, 101, 119, 111,
      114, 107, 34, 58, 34, 112, 116, 34, 125, 125, 32, 32, 32, 32, 32,
    ]);
  });

  test('a mixed dict laid out by hand from the spec: F32 before I32, then by name, metadata first', () => {
    const out = scope(() =>
      saveSafetensors(
        {
          c: tensor([7, -8], [2], { dtype: 'int32' }),
          b: tensor([1.5, -2], [2, 1]),
          a: tensor([0.25], []),
          'é': tensor([], [0, 3]),
        },
        { format: 'pt', b: 'x"y' },
      ),
    );
    const json =
      '{"__metadata__":{"b":"x\\"y","format":"pt"},' +
      '"a":{"dtype":"F32","shape":[],"data_offsets":[0,4]},' +
      '"b":{"dtype":"F32","shape":[2,1],"data_offsets":[4,12]},' +
      '"é":{"dtype":"F32","shape":[0,3],"data_offsets":[12,12]},' +
      '"c":{"dtype":"I32","shape":[2],"data_offsets":[12,20]}}';
    const header = enc.encode(json);
    const padded = Math.ceil(header.length / 8) * 8;
    const expected = new Uint8Array(8 + padded + 20);
    new DataView(expected.buffer).setBigUint64(0, BigInt(padded), true);
    expected.set(header, 8);
    expected.fill(32, 8 + header.length, 8 + padded);
    expected.set(le('f32', [0.25, 1.5, -2]), 8 + padded);
    expected.set(le('i32', [7, -8]), 8 + padded + 12);
    expect(padded % 8).toBe(0);
    expect(Array.from(out)).toEqual(Array.from(expected));
  });

  test('names sort by UTF-8 bytes (Rust String order), not UTF-16 units', () => {
    // U+FF21 sorts before U+1F600 in UTF-8 (EF… < F0…) but after it in UTF-16 (FF21 > D83D).
    const out = scope(() => saveSafetensors({ '😀': tensor([1]), 'Ａ': tensor([2]) }));
    const n = Number(new DataView(out.buffer).getBigUint64(0, true));
    const header = new TextDecoder().decode(out.subarray(8, 8 + n));
    expect(header.indexOf('Ａ')).toBeLessThan(header.indexOf('😀'));
  });
});

describe('loadSafetensors', () => {
  test('round trip keeps names, shapes, dtypes, metadata and exact values (NaN, ±Inf, −0, int32 extremes)', () => {
    scope(() => {
      const dict = {
        'encoder.weight_ih_l0': tensor([NaN, Infinity, -Infinity, -0, 1e-45, 3.4028234663852886e38], [2, 3]),
        ids: tensor([-2147483648, 2147483647, 0], [3], { dtype: 'int32' }),
        scalar: tensor(3.5, []),
        empty: tensor([], [2, 0]),
      } as Record<string, Tensor>;
      // A tensor named __proto__ must stay an ordinary entry, never become the prototype.
      Object.defineProperty(dict, '__proto__', { value: tensor([9], [1]), enumerable: true });
      const { tensors, metadata } = loadSafetensorsWithMetadata(saveSafetensors(dict, { step: '12' }));
      expect(metadata).toEqual({ step: '12' });
      expect(Object.keys(tensors).sort()).toEqual(Object.keys(dict).sort());
      for (const name of Object.keys(dict)) {
        expect(tensors[name].shape).toEqual(dict[name].shape);
        expect(tensors[name].dtype).toBe(dict[name].dtype);
        expect(values(tensors[name])).toEqual(values(dict[name]));
      }
      expect(Object.is(values(tensors['encoder.weight_ih_l0'])[3], -0)).toBe(true);
      expect(Object.getPrototypeOf(tensors)).toBe(Object.prototype);
      expect(loadSafetensorsWithMetadata(saveSafetensors({})).metadata).toBeNull();
    });
  });

  test('reads from a misaligned view into a larger buffer', () => {
    scope(() => {
      const bytes = saveSafetensors({ w: tensor([1, 2, 3]) });
      const big = new Uint8Array(bytes.length + 3);
      big.set(bytes, 3);
      expect(values(loadSafetensors(big.subarray(3))['w'])).toEqual([1, 2, 3]);
    });
  });

  test('accepts tensors in any offset order (older writers), and zero-size tensors', () => {
    scope(() => {
      const header = '{"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]},"z":{"dtype":"F32","shape":[0],"data_offsets":[0,0]},"a":{"dtype":"I32","shape":[1],"data_offsets":[0,4]}}';
      const t = loadSafetensors(file(header, new Uint8Array([...le('i32', [-3]), ...le('f32', [0.5])])));
      expect(values(t['a'])).toEqual([-3]);
      expect(values(t['b'])).toEqual([0.5]);
      expect(t['z'].shape).toEqual([0]);
    });
  });

  test('converts F16, BF16 and F64 to float32 and I64 to int32', () => {
    scope(() => {
      const half = [0x3c00, 0xc000, 0x7c00, 0xfc00, 0x0001, 0x7bff, 0x3555, 0x8000];
      const bf16 = [0x3f80, 0xc040, 0x7f80, 0x0001];
      const f64 = [0.1, -1e300, 1e-320, 2];
      const i64 = [-2147483648, 2147483647, -5, 0];
      const payload = new Uint8Array([...le('f64', f64), ...le('i64', i64), ...le('u16', half), ...le('u16', bf16)]);
      const header = JSON.stringify({
        d: { dtype: 'F64', shape: [4], data_offsets: [0, 32] },
        l: { dtype: 'I64', shape: [2, 2], data_offsets: [32, 64] },
        h: { dtype: 'F16', shape: [8], data_offsets: [64, 80] },
        b: { dtype: 'BF16', shape: [4], data_offsets: [80, 88] },
      });
      const t = loadSafetensors(file(header, payload));
      expect(values(t['h'])).toEqual([1, -2, Infinity, -Infinity, 2 ** -24, 65504, 0.333251953125, -0]);
      expect(Object.is(values(t['h'])[7], -0)).toBe(true);
      expect(values(t['b'])).toEqual([1, -3, Infinity, Math.fround(2 ** -133)]);
      expect(values(t['d'])).toEqual([Math.fround(0.1), -Infinity, 0, 2]);
      expect(t['l'].dtype).toBe('int32');
      expect(t['l'].shape).toEqual([2, 2]);
      expect(values(t['l'])).toEqual(i64);
    });
  });

  const ok = '{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}';
  const eight = new Uint8Array(8);
  const cases: Array<[string, () => Uint8Array, string, RegExp]> = [
    ['fewer than 8 bytes', () => new Uint8Array(7), 'E_FORMAT', /7 bytes, fewer than the 8/],
    ['header longer than the limit', () => file('{}', eight, MAX_HEADER_BYTES + 1), 'E_FORMAT', /exceeds the 100000000-byte limit/],
    ['header length past the end', () => file('{}', eight, 17), 'E_FORMAT', /header length 17 runs past the end of the 18-byte file/],
    ['header length near 2^64', () => { const b = file('{}'); new DataView(b.buffer).setBigUint64(0, 2n ** 64n - 1n, true); return b; }, 'E_FORMAT', /exceeds/],
    ['header not UTF-8', () => { const b = file('{"\u00e9":1}'); b[11] = 0xff; return b; }, 'E_FORMAT', /not valid UTF-8/],
    ['header not an object', () => file('[1]'), 'E_FORMAT', /must be a JSON object starting with "\{"/],
    ['header with leading space', () => file(' {}'), 'E_FORMAT', /starting with "\{"/],
    ['header not JSON', () => file('{"w":'), 'E_FORMAT', /not valid JSON/],
    ['code in the header is not run', () => file('{"w": (() => 1)()}'), 'E_FORMAT', /not valid JSON/],
    ['metadata not an object', () => file('{"__metadata__":[1]}'), 'E_FORMAT', /"__metadata__" must be an object of strings/],
    ['metadata value not a string', () => file('{"__metadata__":{"step":12}}'), 'E_FORMAT', /"step" must be a string, got 12/],
    ['entry not an object', () => file('{"w":3}'), 'E_FORMAT', /tensor "w": expected \{ dtype, shape, data_offsets \}/],
    ['entry with an unknown field', () => file('{"w":{"dtype":"F32","shape":[],"data_offsets":[0,4],"strides":[]}}', new Uint8Array(4)), 'E_FORMAT', /unknown field "strides"/],
    ['dtype not a string', () => file('{"w":{"dtype":4,"shape":[1],"data_offsets":[0,4]}}', new Uint8Array(4)), 'E_FORMAT', /dtype must be a string, got 4/],
    ['unknown dtype', () => file('{"w":{"dtype":"F128","shape":[1],"data_offsets":[0,16]}}', new Uint8Array(16)), 'E_DTYPE', /"F128" is not a safetensors dtype Eddy knows/],
    ['unsupported dtype U8', () => file('{"w":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}', new Uint8Array(1)), 'E_DTYPE', /"U8" is not supported/],
    ['unsupported dtype BOOL', () => file('{"w":{"dtype":"BOOL","shape":[1],"data_offsets":[0,1]}}', new Uint8Array(1)), 'E_DTYPE', /"BOOL" is not supported/],
    ['negative dimension', () => file('{"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,0]}}'), 'E_FORMAT', /shape must be an array of non-negative integers, got \[-1\]/],
    ['fractional dimension', () => file('{"w":{"dtype":"F32","shape":[1.5],"data_offsets":[0,6]}}', new Uint8Array(6)), 'E_FORMAT', /shape must be/],
    ['shape not an array', () => file('{"w":{"dtype":"F32","shape":"2","data_offsets":[0,8]}}', eight), 'E_FORMAT', /shape must be/],
    ['offsets of the wrong length', () => file('{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,4,8]}}', eight), 'E_FORMAT', /data_offsets must be \[begin, end\]/],
    ['offsets reversed', () => file('{"w":{"dtype":"F32","shape":[0],"data_offsets":[8,0]}}', eight), 'E_FORMAT', /data_offsets must be/],
    ['negative offset', () => file('{"w":{"dtype":"F32","shape":[2],"data_offsets":[-8,0]}}', eight), 'E_FORMAT', /data_offsets must be/],
    ['size not shape × dtype', () => file('{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}', eight), 'E_FORMAT', /hold 8 bytes but shape \[3\] of F32 needs 12/],
    ['shape product overflows', () => file('{"w":{"dtype":"F32","shape":[2147483647,2147483647,2147483647],"data_offsets":[0,8]}}', eight), 'E_FORMAT', /overflows/],
    ['offsets past the payload', () => file('{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}', eight), 'E_FORMAT', /tensor "w" \(data_offsets \[0, 16\]\) lies outside the 8-byte payload/],
    ['overlapping tensors', () => file('{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}', eight), 'E_FORMAT', /tensor "b" .* overlaps the previous tensor, which ends at 8/],
    ['a gap between tensors', () => file('{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}', eight), 'E_FORMAT', /leaves a gap after byte 0/],
    ['bytes left after the last tensor', () => file(ok, new Uint8Array(12)), 'E_FORMAT', /end at byte 8 but the payload has 12 bytes/],
    ['I64 outside int32', () => file('{"w":{"dtype":"I64","shape":[2],"data_offsets":[0,16]}}', le('i64', [1, 2147483648])), 'E_DTYPE', /I64 value 2147483648 at index 1 does not fit int32/],
  ];
  test.each(cases)('rejects %s', (_name, make, code, fragment) => {
    throws(() => scope(() => loadSafetensors(make())), code, fragment);
  });

  test('a valid file of the same layout loads (the cases above fail for their stated reason)', () => {
    expect(scope(() => values(loadSafetensors(file(ok, le('f32', [1, 2])))['w']))).toEqual([1, 2]);
  });

  test('rejects what is not bytes', () => {
    throws(() => loadSafetensors('{}' as unknown as Uint8Array), 'E_ARGUMENT', /Uint8Array, got "\{\}"/);
  });
});

describe('saveSafetensors rejects', () => {
  test('a non-tensor entry, a tensor named __metadata__, bad metadata, lone surrogates', () => {
    scope(() => {
      throws(() => saveSafetensors({ w: [1, 2] as unknown as Tensor }), 'E_ARGUMENT', /entry "w" must be a Tensor/);
      throws(() => saveSafetensors({ __metadata__: tensor([1]) }), 'E_ARGUMENT', /reserved/);
      throws(() => saveSafetensors({}, { step: 12 as unknown as string }), 'E_ARGUMENT', /metadata value "step" must be a string/);
      throws(() => saveSafetensors({ 'a\ud800': tensor([1]) }), 'E_ARGUMENT', /lone surrogate/);
      throws(() => saveSafetensors(null as unknown as Record<string, Tensor>), 'E_ARGUMENT', /dict must be an object/);
    });
  });

  test('a disposed tensor', () => {
    const t = tensor([1]);
    t.dispose();
    throws(() => saveSafetensors({ t }), 'E_SCOPE', /scope/);
  });
});

// Each case below was found by mutating files as a hostile user would (issue 16) and failed before
// the fix: a generic TypeError/RangeError, minutes of work, gigabytes, or wasm memory left behind.
describe('loadSafetensors on hostile files', () => {
  const crafted = '{"constructor":{"name":{"toString":1}}}'; // describe() once read constructor.name

  test('a crafted constructor.name is a typed error (no TypeError from describing it)', () => {
    throws(() => loadSafetensors(file(`{"__metadata__":{"k":${crafted}}}`)), 'E_FORMAT', /nests deeper than 3 levels/);
    throws(() => loadSafetensors(file(`{"w":{"dtype":${crafted},"shape":[],"data_offsets":[0,0]}}`)), 'E_FORMAT', /nests deeper than 3 levels/);
    throws(() => loadSafetensors(file('{"__metadata__":{"k":{"constructor":1}}}')), 'E_FORMAT', /"k" must be a string, got Object/);
  });

  test('arrays nested thousands deep are refused before parsing (no stack overflow)', () => {
    const deep = '['.repeat(3000) + ']'.repeat(3000);
    throws(() => loadSafetensors(file(`{"w":{"dtype":"F32","shape":${deep},"data_offsets":[0,0]}}`)), 'E_FORMAT', /nests deeper than 3 levels/);
  });

  test('a header of a million "[" is refused by a scan, not handed to JSON.parse', () => {
    throws(() => loadSafetensors(file(`{"w":${'['.repeat(1_000_000)}`)), 'E_FORMAT', /nests deeper than 3 levels/);
  });

  test(`more than MAX_TENSORS (${MAX_TENSORS}) entries are refused before any is read`, () => {
    const entries = Array.from({ length: MAX_TENSORS + 1 }, (_, i) => `"t${i}":{"dtype":"F32","shape":[0],"data_offsets":[0,0]}`);
    throws(() => loadSafetensors(file(`{${entries.join(',')}}`)), 'E_FORMAT', new RegExp(`more than ${MAX_TENSORS} tensors`));
  });

  test('a second tensor that fails a shape check leaves no wasm memory behind', () => {
    const header = '{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[4294967296,0],"data_offsets":[8,8]}}';
    const before = getCore().arena.used;
    for (let i = 0; i < 3; i++) throws(() => loadSafetensors(file(header, le('f32', [1, 2]))), 'E_FORMAT', /dimension 4294967296 .* at most 2147483647/);
    expect(getCore().arena.used).toBe(before);
  });

  test('dtypes are looked up as own keys: "constructor" or "toString" is not a dtype', () => {
    for (const dtype of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      throws(() => loadSafetensors(file(`{"w":{"dtype":"${dtype}","shape":[],"data_offsets":[0,0]}}`)), 'E_DTYPE', /is not a safetensors dtype Eddy knows/);
    }
  });

  test('"__proto__" and "constructor" are ordinary tensor names and metadata keys', () => {
    const header = '{"__metadata__":{"__proto__":"x"},"__proto__":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"constructor":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}';
    scope(() => {
      const { tensors, metadata } = loadSafetensorsWithMetadata(file(header, le('f32', [1, 2])));
      expect(Object.keys(tensors)).toEqual(['__proto__', 'constructor']);
      expect(values(tensors['__proto__'])).toEqual([1]);
      expect(Object.getOwnPropertyDescriptor(metadata, '__proto__')?.value).toBe('x');
    });
  });
});
