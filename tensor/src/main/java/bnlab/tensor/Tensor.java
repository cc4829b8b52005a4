package bnlab.tensor;

import java.util.Arrays;

/**
 * A dense float32 tensor: contiguous, row-major, shape fixed at creation.
 *
 * <p>The layouts bnlab uses are PyTorch's: (N,C) for features, (N,C,L) for sequences and (N,C,H,W)
 * for images. The backing array is exposed through {@link #data()} on purpose: kernels work on flat
 * arrays the way llm.c does, and layers reuse their output tensors from step to step instead of
 * allocating.
 *
 * <p>A tensor may be a view with a different shape over the same array ({@link #reshape}); the
 * array may be longer than {@link #size()} so that a buffer sized for a full batch can hold a
 * smaller last batch without reallocation ({@link #ensure}).
 */
public final class Tensor {
  private final float[] data;
  private final int[] shape;
  private final int size;

  private Tensor(float[] data, int[] shape) {
    this.shape = shape.clone();
    this.size = Shape.size(this.shape);
    if (data.length < size) {
      throw new IllegalArgumentException(
          "array of length " + data.length + " is too short for shape " + Shape.str(shape));
    }
    this.data = data;
  }

  /** A new tensor of zeros with the given shape. */
  public static Tensor zeros(int... shape) {
    return new Tensor(new float[Shape.size(shape)], shape);
  }

  /** A tensor of the given shape over {@code data} (not copied); its length must fit the shape. */
  public static Tensor wrap(float[] data, int... shape) {
    return new Tensor(data, shape);
  }

  /** A tensor holding a copy of {@code values} with the given shape; the sizes must agree. */
  public static Tensor of(float[] values, int... shape) {
    if (values.length != Shape.size(shape)) {
      throw new IllegalArgumentException(
          values.length + " values do not fill shape " + Shape.str(shape));
    }
    return new Tensor(values.clone(), shape);
  }

  /**
   * Returns {@code t} if it already has {@code shape}, a view over its array if that is long
   * enough, or a new tensor otherwise. Layers call this once per step for their outputs, so the
   * steady state allocates nothing.
   */
  public static Tensor ensure(Tensor t, int... shape) {
    if (t != null && Arrays.equals(t.shape, shape)) {
      return t;
    }
    int n = Shape.size(shape);
    if (t != null && t.data.length >= n) {
      return new Tensor(t.data, shape);
    }
    return new Tensor(new float[n], shape);
  }

  // The fixed-arity forms below let a layer's per-step call compare the shape without building a
  // varargs array (which the JIT cannot remove, as it escapes into the tensor on a change).

  /** {@link #ensure(Tensor, int...)} for one dimension, without allocating when it matches. */
  public static Tensor ensure(Tensor t, int d0) {
    return t != null && t.shape.length == 1 && t.shape[0] == d0 ? t : ensure(t, new int[] {d0});
  }

  /** {@link #ensure(Tensor, int...)} for two dimensions, without allocating when they match. */
  public static Tensor ensure(Tensor t, int d0, int d1) {
    return t != null && t.shape.length == 2 && t.shape[0] == d0 && t.shape[1] == d1
        ? t
        : ensure(t, new int[] {d0, d1});
  }

  /** {@link #ensure(Tensor, int...)} for three dimensions, without allocating when they match. */
  public static Tensor ensure(Tensor t, int d0, int d1, int d2) {
    return t != null
            && t.shape.length == 3
            && t.shape[0] == d0
            && t.shape[1] == d1
            && t.shape[2] == d2
        ? t
        : ensure(t, new int[] {d0, d1, d2});
  }

  /** {@link #ensure(Tensor, int...)} for four dimensions, without allocating when they match. */
  public static Tensor ensure(Tensor t, int d0, int d1, int d2, int d3) {
    return t != null
            && t.shape.length == 4
            && t.shape[0] == d0
            && t.shape[1] == d1
            && t.shape[2] == d2
            && t.shape[3] == d3
        ? t
        : ensure(t, new int[] {d0, d1, d2, d3});
  }

  /** {@link #ensure(Tensor, int...)} with {@code like}'s shape, without copying that shape. */
  public static Tensor ensureLike(Tensor t, Tensor like) {
    return t != null && t.sameShape(like) ? t : ensure(t, like.shape);
  }

  /** Whether this tensor has the same shape as {@code other} (no copy of either shape). */
  public boolean sameShape(Tensor other) {
    return Arrays.equals(shape, other.shape);
  }

  /** The backing array; only the first {@link #size()} elements belong to this tensor. */
  public float[] data() {
    return data;
  }

  /** A copy of the shape. */
  public int[] shape() {
    return shape.clone();
  }

  /** Size of dimension {@code i}; negative {@code i} counts from the end as in PyTorch. */
  public int dim(int i) {
    return shape[i < 0 ? shape.length + i : i];
  }

  /** Number of dimensions. */
  public int rank() {
    return shape.length;
  }

  /** Number of elements. */
  public int size() {
    return size;
  }

  /** Whether this tensor's shape equals {@code other}. */
  public boolean hasShape(int... other) {
    return Arrays.equals(shape, other);
  }

  /** A view with a new shape of the same size over the same array; -1 infers one dimension. */
  public Tensor reshape(int... newShape) {
    return new Tensor(data, Shape.infer(size, newShape));
  }

  /** Element at a multi-index (slow: for tests and examples, not kernels). */
  public float get(int... index) {
    return data[Shape.offset(shape, index)];
  }

  /** Sets the element at a multi-index (slow: for tests and examples, not kernels). */
  public void set(float value, int... index) {
    data[Shape.offset(shape, index)] = value;
  }

  /** Fills every element with {@code value}. */
  public Tensor fill(float value) {
    Arrays.fill(data, 0, size, value);
    return this;
  }

  /** A deep copy with its own array of exactly {@link #size()} elements. */
  public Tensor copy() {
    return new Tensor(Arrays.copyOf(data, size), shape);
  }

  /** Copies the elements of {@code src}, which must have the same size, into this tensor. */
  public Tensor copyFrom(Tensor src) {
    if (src.size != size) {
      throw new IllegalArgumentException(
          "cannot copy " + Shape.str(src.shape) + " into " + Shape.str(shape));
    }
    System.arraycopy(src.data, 0, data, 0, size);
    return this;
  }

  /** The elements as a new array of exactly {@link #size()} elements. */
  public float[] toArray() {
    return Arrays.copyOf(data, size);
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("Tensor").append(Shape.str(shape)).append(" [");
    int n = Math.min(size, 8);
    for (int i = 0; i < n; i++) {
      sb.append(i == 0 ? "" : ", ").append(data[i]);
    }
    return sb.append(size > n ? ", ...]" : "]").toString();
  }
}
