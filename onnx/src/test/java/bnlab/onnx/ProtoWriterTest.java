package bnlab.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;

/** The wire format against encodings worked out by hand from the protobuf encoding guide. */
class ProtoWriterTest {
  private static byte[] bytes(int... b) {
    byte[] out = new byte[b.length];
    for (int i = 0; i < b.length; i++) {
      out[i] = (byte) b[i];
    }
    return out;
  }

  @Test
  void varints() {
    // field 1, value 150: key 0x08, then 150 = 0b1_0010110 -> 0x96 0x01 (the guide's example)
    assertArrayEquals(bytes(0x08, 0x96, 0x01), new ProtoWriter().varint(1, 150).toByteArray());
    // field 20 (AttributeProto.type), value 7: key 20 << 3 = 160 -> 0xA0 0x01
    assertArrayEquals(bytes(0xA0, 0x01, 0x07), new ProtoWriter().varint(20, 7).toByteArray());
    // -1 as int64: ten bytes, nine 0xFF and a final 0x01
    assertArrayEquals(
        bytes(0x18, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01),
        new ProtoWriter().varint(3, -1).toByteArray());
  }

  @Test
  void lengthDelimitedAndFloats() {
    // field 2, "testing": key 0x12, length 7, the bytes
    assertArrayEquals(
        bytes(0x12, 0x07, 't', 'e', 's', 't', 'i', 'n', 'g'),
        new ProtoWriter().string(2, "testing").toByteArray());
    // field 3 holding a message with field 1 = 150: 0x1A, length 3, 08 96 01
    assertArrayEquals(
        bytes(0x1A, 0x03, 0x08, 0x96, 0x01),
        new ProtoWriter().message(3, new ProtoWriter().varint(1, 150)).toByteArray());
    // field 2 float 1.0f = 0x3F800000, wire type 5: key 0x15, little-endian bits
    assertArrayEquals(
        bytes(0x15, 0x00, 0x00, 0x80, 0x3F), new ProtoWriter().float32(2, 1f).toByteArray());
  }
}
