package bnlab.onnx;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The write half of the Protocol Buffers wire format, as much of it as ONNX's messages need.
 *
 * <p>Every field is a key, varint(field_number &lt;&lt; 3 | wire_type), followed by its value: wire
 * type 0 a base-128 varint (int32, int64, enums; negative numbers as their 64-bit two's complement,
 * ten bytes), type 2 a varint length and that many bytes (strings, bytes, nested messages), type 5
 * four little-endian bytes (float). Repeated fields are written one element per key, the proto2
 * default for onnx.proto (parsers also accept it for fields declared packed).
 */
final class ProtoWriter {
  private static final int VARINT = 0;
  private static final int LENGTH_DELIMITED = 2;
  private static final int FIXED32 = 5;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  /** An int32, int64 or enum field. */
  ProtoWriter varint(int field, long value) {
    key(field, VARINT);
    raw(value);
    return this;
  }

  /** A float field. */
  ProtoWriter float32(int field, float value) {
    key(field, FIXED32);
    int bits = Float.floatToRawIntBits(value);
    for (int i = 0; i < 4; i++) {
      out.write(bits >>> (8 * i));
    }
    return this;
  }

  /** A string field, UTF-8. */
  ProtoWriter string(int field, String value) {
    return bytes(field, value.getBytes(StandardCharsets.UTF_8));
  }

  /** A bytes field. */
  ProtoWriter bytes(int field, byte[] value) {
    key(field, LENGTH_DELIMITED);
    raw(value.length);
    out.writeBytes(value);
    return this;
  }

  /** A nested message field. */
  ProtoWriter message(int field, ProtoWriter message) {
    return bytes(field, message.toByteArray());
  }

  /** The bytes written so far. */
  byte[] toByteArray() {
    return out.toByteArray();
  }

  private void key(int field, int wireType) {
    raw(((long) field << 3) | wireType);
  }

  // Seven bits per byte, least significant first, the high bit set on all but the last byte.
  private void raw(long v) {
    while ((v & ~0x7FL) != 0) {
      out.write((int) ((v & 0x7F) | 0x80));
      v >>>= 7;
    }
    out.write((int) v);
  }
}
