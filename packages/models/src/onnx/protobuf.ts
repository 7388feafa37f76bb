// A minimal protocol-buffers writer: the wire format only (varints, length-delimited fields),
// enough to serialise the ONNX messages of onnx-proto.ts. No reader, no schema, no reflection:
// every message is written by a function that knows its field numbers.

const encoder = new TextEncoder();

/** Wire types (protobuf encoding spec): 0 varint, 2 length-delimited. */
const VARINT = 0;
const LENGTH_DELIMITED = 2;

/**
 * One message being written: fields are appended in order as byte chunks, and `finish()` joins
 * them. Nested messages are finished first and embedded as bytes (their length must be known).
 */
export class ProtoWriter {
  private readonly chunks: Uint8Array[] = [];
  private length = 0;

  /** An int32/int64/enum/bool field; negative values take ten bytes (two's complement), as protobuf says. */
  int(field: number, value: number | bigint): this {
    this.tag(field, VARINT);
    return this.push(varint(value));
  }

  /** A string field, UTF-8 encoded. */
  string(field: number, value: string): this {
    return this.bytes(field, encoder.encode(value));
  }

  /** A bytes field (also how a finished nested message is embedded). */
  bytes(field: number, value: Uint8Array): this {
    this.tag(field, LENGTH_DELIMITED);
    this.push(varint(value.length));
    return this.push(value);
  }

  /** A nested message field, written by `write` into a fresh writer. */
  message(field: number, write: (w: ProtoWriter) => void): this {
    const inner = new ProtoWriter();
    write(inner);
    return this.bytes(field, inner.finish());
  }

  /** A packed repeated int64 field (one length-delimited run of varints). */
  packedInts(field: number, values: readonly number[]): this {
    const inner = new ProtoWriter();
    for (const v of values) inner.push(varint(v));
    return this.bytes(field, inner.finish());
  }

  /** The message's bytes. */
  finish(): Uint8Array {
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }

  private tag(field: number, wireType: number): void {
    this.push(varint((field << 3) | wireType));
  }

  private push(bytes: Uint8Array): this {
    this.chunks.push(bytes);
    this.length += bytes.length;
    return this;
  }
}

/** Base-128 varint of an integer; negative numbers as their 64-bit two's complement. */
export function varint(value: number | bigint): Uint8Array {
  let v = BigInt.asUintN(64, BigInt(value));
  const out: number[] = [];
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return Uint8Array.from(out);
}
