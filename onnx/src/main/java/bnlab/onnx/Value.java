package bnlab.onnx;

import java.util.Arrays;

/**
 * A tensor flowing through the graph being built: its ONNX name and its shape, with -1 for the
 * dynamic batch dimension N (dim 0). A value may feed any number of nodes, e.g. both branches of a
 * residual block.
 */
public record Value(String name, int[] shape) {
  /** A value called {@code name} of the given shape (copied). */
  public Value {
    shape = shape.clone();
  }

  /** A copy of the shape. */
  @Override
  public int[] shape() {
    return shape.clone();
  }

  /** The number of dimensions. */
  public int rank() {
    return shape.length;
  }

  /** Dimension {@code i} (-1 for the batch dimension). */
  public int dim(int i) {
    return shape[i];
  }

  /** The product of the dimensions after the batch dimension. */
  public int itemSize() {
    int n = 1;
    for (int i = 1; i < shape.length; i++) {
      n *= shape[i];
    }
    return n;
  }

  /** The shape as PyTorch prints it, with N for the batch: {@code (N, 3, 32, 32)}. */
  public String shapeString() {
    StringBuilder sb = new StringBuilder("(");
    for (int i = 0; i < shape.length; i++) {
      sb.append(i == 0 ? "" : ", ").append(shape[i] < 0 ? "N" : Integer.toString(shape[i]));
    }
    return sb.append(')').toString();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Value v && v.name.equals(name) && Arrays.equals(v.shape, shape);
  }

  @Override
  public int hashCode() {
    return name.hashCode() * 31 + Arrays.hashCode(shape);
  }

  @Override
  public String toString() {
    return name + shapeString();
  }
}
