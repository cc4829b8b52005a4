package bnlab.onnx;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** A TensorProto initializer: a named constant with its dims and little-endian raw data. */
record Initializer(String name, long[] dims, int dataType, byte[] raw) {
  /** TensorProto.DataType FLOAT. */
  static final int FLOAT = 1;

  /** TensorProto.DataType INT64. */
  static final int INT64 = 7;

  static Initializer floats(String name, float[] values, int offset, int count, long[] dims) {
    ByteBuffer b = ByteBuffer.allocate(4 * count).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(values, offset, count);
    return new Initializer(name, dims, FLOAT, b.array());
  }

  static Initializer longs(String name, long[] values) {
    ByteBuffer b = ByteBuffer.allocate(8 * values.length).order(ByteOrder.LITTLE_ENDIAN);
    b.asLongBuffer().put(values);
    return new Initializer(name, new long[] {values.length}, INT64, b.array());
  }

  // TensorProto: dims = 1, data_type = 2, name = 8, raw_data = 9.
  ProtoWriter proto() {
    ProtoWriter p = new ProtoWriter();
    for (long d : dims) {
      p.varint(1, d);
    }
    return p.varint(2, dataType).string(8, name).bytes(9, raw);
  }
}
