// Fuzz target for loadSafetensors (see packages/text/src/test-fuzz.ts for the harness): files
// written by saveSafetensors or laid out by hand, then damaged as a hostile user would.
import type { Tensor } from '@eddy/autograd';
import fc from 'fast-check';
import { eddyErrorOf, type FuzzTarget } from '../../../text/src/test-fuzz.js';
import { loadSafetensorsWithMetadata, MAX_TENSORS } from '../safetensors.js';

const enc = new TextEncoder();
const DTYPE_SIZE: Record<string, number> = { F32: 4, I32: 4, F16: 2, BF16: 2, F64: 8, I64: 8, U8: 1, BOOL: 1 };

interface Entry {
  name: string;
  dtype: string;
  shape: number[];
}

/** A hand-laid file: the header of `entries` (in order, contiguous), payload bytes from `fill`. */
function layOut(entries: readonly Entry[], metadata: Record<string, string> | null, fill: number): { bytes: Uint8Array; header: string } {
  const parts: string[] = metadata === null ? [] : [`"__metadata__":${JSON.stringify(metadata)}`];
  let offset = 0;
  for (const e of entries) {
    const size = (DTYPE_SIZE[e.dtype] ?? 4) * e.shape.reduce((a, b) => a * b, 1);
    parts.push(`${JSON.stringify(e.name)}:{"dtype":"${e.dtype}","shape":[${e.shape.join(',')}],"data_offsets":[${offset},${offset + size}]}`);
    offset += size;
  }
  const header = `{${parts.join(',')}}`;
  // A payload declared past 64 KB (dimensions up to 2⁵³) is not written: such a file is short.
  const payload = new Uint8Array(offset <= 1 << 16 ? offset : 0);
  for (let i = 0; i < payload.length; i++) payload[i] = (i * 31 + fill) & 0xff;
  return { bytes: assemble(header, payload), header };
}

function assemble(header: string, payload: Uint8Array): Uint8Array {
  const h = enc.encode(header);
  const out = new Uint8Array(8 + h.length + payload.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true);
  out.set(h, 8);
  out.set(payload, 8 + h.length);
  return out;
}

const entry: fc.Arbitrary<Entry> = fc.record({
  name: fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('__proto__', 'constructor', 'toString', '__metadata__')),
  dtype: fc.oneof({ weight: 6, arbitrary: fc.constantFrom('F32', 'I32', 'F16', 'BF16', 'F64', 'I64') }, { weight: 1, arbitrary: fc.constantFrom('U8', 'BOOL', 'constructor', 'hasOwnProperty', 'F128') }),
  shape: fc.array(fc.oneof({ weight: 8, arbitrary: fc.nat(4) }, { weight: 1, arbitrary: fc.constantFrom(2 ** 31, 2 ** 32, 2 ** 53) }), { maxLength: 3 }),
});

/** Text spliced into a header: what broke readers before, and JSON's corner cases. */
const snippet = fc.oneof(
  fc.constantFrom('[', ']', '{', '}', ',', ':', '"', '\\', 'null', '-1', '1e400', '-0', '1.5', '"constructor"', '{"constructor":{"name":{"toString":1}}}', '\u0000', '\ud800'),
  fc.integer({ min: 4, max: 200_000 }).map((n) => '['.repeat(n)),
  fc.json({ maxDepth: 3 }),
);

/** How a file is damaged. */
const damage = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ kind: 'none' as const }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('flip' as const), flips: fc.array(fc.tuple(fc.nat(), fc.nat(255)), { minLength: 1, maxLength: 4 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('length' as const), length: fc.oneof(fc.nat(64), fc.constantFrom(2 ** 53, 100_000_001, 2 ** 64 - 1)) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('splice' as const), at: fc.nat(), text: snippet }) },
);

type Damage = typeof damage extends fc.Arbitrary<infer D> ? D : never;

function apply(file: { bytes: Uint8Array; header: string }, d: Damage): Uint8Array {
  const bytes = file.bytes.slice();
  switch (d.kind) {
    case 'none':
      return bytes;
    case 'flip':
      for (const [at, value] of d.flips) bytes[at % bytes.length] = value;
      return bytes;
    case 'truncate':
      return bytes.subarray(0, d.at % (bytes.length + 1));
    case 'length':
      new DataView(bytes.buffer).setBigUint64(0, BigInt(d.length), true);
      return bytes;
    case 'splice': {
      const at = d.at % (file.header.length + 1);
      return assemble(file.header.slice(0, at) + d.text + file.header.slice(at), bytes.subarray(8 + enc.encode(file.header).length));
    }
  }
}

interface Case {
  bytes: Uint8Array;
  /** The entries the file must load as, when it was not damaged and every entry is readable. */
  expected: Entry[] | null;
}

const READABLE = new Set(['F32', 'I32', 'F16', 'BF16', 'F64', 'I64']);

const laidOut: fc.Arbitrary<Case> = fc
  .record({ entries: fc.uniqueArray(entry, { maxLength: 5, selector: (e) => e.name }), metadata: fc.option(fc.dictionary(fc.string({ maxLength: 6 }), fc.string({ maxLength: 6 }), { maxKeys: 3 })), fill: fc.nat(255), damage })
  .map(({ entries, metadata, fill, damage: d }) => {
    const clean = d.kind === 'none' && entries.every((e) => READABLE.has(e.dtype) && e.name !== '__metadata__' && e.shape.every((x) => x < 2 ** 31) && e.dtype !== 'I64');
    return { bytes: apply(layOut(entries, metadata, fill), d), expected: clean ? entries : null };
  });

/** Many zero-size tensors, around the MAX_TENSORS bound. */
const many: fc.Arbitrary<Case> = fc.integer({ min: MAX_TENSORS - 2, max: MAX_TENSORS + 2 }).map((n) => ({
  bytes: layOut(Array.from({ length: n }, (_, i) => ({ name: `t${i}`, dtype: 'F32', shape: [0] })), null, 0).bytes,
  expected: null,
}));

function check(tensors: Record<string, Tensor>, expected: Entry[] | null): void {
  for (const [name, t] of Object.entries(tensors)) {
    if (t.size !== t.shape.reduce((a, b) => a * b, 1)) throw new Error(`tensor ${name}: size ${t.size} does not match shape [${t.shape}]`);
  }
  if (expected === null) return;
  const got = Object.keys(tensors).sort();
  const want = expected.map((e) => e.name).sort();
  if (JSON.stringify(got) !== JSON.stringify(want)) throw new Error(`loaded ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`);
  for (const e of expected) {
    const t = tensors[e.name];
    if (JSON.stringify(t.shape) !== JSON.stringify(e.shape)) throw new Error(`tensor ${e.name}: shape [${t.shape}], expected [${e.shape}]`);
    if (t.dtype !== (e.dtype === 'I32' || e.dtype === 'I64' ? 'int32' : 'float32')) throw new Error(`tensor ${e.name}: dtype ${t.dtype} for ${e.dtype}`);
  }
}

/** loadSafetensors on hand-laid files, damaged or not, and on files of about MAX_TENSORS entries. */
export const safetensorsTarget: FuzzTarget<Case> = {
  name: 'loadSafetensors',
  arbitrary: fc.oneof({ weight: 400, arbitrary: laidOut }, { weight: 1, arbitrary: many }),
  run: ({ bytes, expected }) => {
    const { tensors } = loadSafetensorsWithMetadata(bytes);
    try {
      check(tensors, expected);
    } finally {
      for (const t of Object.values(tensors)) t.dispose();
    }
  },
  typed: eddyErrorOf(['E_FORMAT', 'E_DTYPE']),
};
