package bnlab.io;

import bnlab.tensor.Shape;
import bnlab.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One tensor of a safetensors file: dtype, shape and its little-endian bytes (row-major). The shape
 * may be empty for a scalar, as PyTorch stores {@code num_batches_tracked}.
 */
public final class StoredTensor {
  private final DType dtype;
  private final int[] shape;
  private final byte[] bytes;

  /**
   * A tensor over {@code bytes} (not copied), which must hold exactly the elements of {@code
   * shape}.
   */
  public StoredTensor(DType dtype, int[] shape, byte[] bytes) {
    long n = (long) Shape.size(shape) * dtype.byteSize();
    if (bytes.length != n) {
      throw new IllegalArgumentException(
          dtype + " " + Shape.str(shape) + " needs " + n + " bytes, got " + bytes.length);
    }
    this.dtype = dtype;
    this.shape = shape.clone();
    this.bytes = bytes;
  }

  /** The elements of {@code t} as F32 with its shape. */
  public static StoredTensor f32(Tensor t) {
    ByteBuffer b = ByteBuffer.allocate(t.size() * 4).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(t.data(), 0, t.size());
    return new StoredTensor(DType.F32, t.shape(), b.array());
  }

  /** An I64 scalar (shape []), as PyTorch stores integer counters. */
  public static StoredTensor i64(long value) {
    ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(value);
    return new StoredTensor(DType.I64, new int[0], b.array());
  }

  /** The element type. */
  public DType dtype() {
    return dtype;
  }

  /** A copy of the shape; empty for a scalar. */
  public int[] shape() {
    return shape.clone();
  }

  /** Number of elements (1 for a scalar). */
  public int size() {
    return Shape.size(shape);
  }

  /** A copy of the raw little-endian bytes. */
  public byte[] bytes() {
    return bytes.clone();
  }

  int byteLength() {
    return bytes.length;
  }

  byte[] rawBytes() {
    return bytes;
  }

  /** The values of an F32 tensor as a new tensor of its shape. */
  public Tensor toTensor() {
    requireDType(DType.F32);
    float[] f = new float[size()];
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(f);
    return Tensor.wrap(f, shape);
  }

  /** The values of an I64 tensor. */
  public long[] toLongs() {
    requireDType(DType.I64);
    long[] out = new long[size()];
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(out);
    return out;
  }

  private void requireDType(DType want) {
    if (dtype != want) {
      throw new IllegalStateException("tensor has dtype " + dtype + ", not " + want);
    }
  }

  @Override
  public String toString() {
    return dtype + Shape.str(shape);
  }
}
