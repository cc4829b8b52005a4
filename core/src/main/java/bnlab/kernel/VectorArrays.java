package bnlab.kernel;

import static bnlab.kernel.VectorGemm.L;
import static bnlab.kernel.VectorGemm.S;

import jdk.incubator.vector.FloatVector;

/** Small array passes shared by the vector convolution plans: runs added with vectors. */
final class VectorArrays {
  private VectorArrays() {}

  /** y[o..o+len) += b. */
  static void addScalar(float[] y, int o, int len, float b) {
    FloatVector bv = FloatVector.broadcast(S, b);
    int i = 0;
    for (int bound = S.loopBound(len); i < bound; i += L) {
      FloatVector.fromArray(S, y, o + i).add(bv).intoArray(y, o + i);
    }
    for (; i < len; i++) {
      y[o + i] += b;
    }
  }

  /** dst[d..d+len) += src[s..s+len). */
  static void addInto(float[] src, int s, float[] dst, int d, int len) {
    int i = 0;
    for (int bound = S.loopBound(len); i < bound; i += L) {
      FloatVector.fromArray(S, dst, d + i)
          .add(FloatVector.fromArray(S, src, s + i))
          .intoArray(dst, d + i);
    }
    for (; i < len; i++) {
      dst[d + i] += src[s + i];
    }
  }

  /** dst (cols, rows) += transpose of src (rows, cols) at s. */
  static void addTransposed(float[] src, int s, int rows, int cols, float[] dst) {
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        dst[c * rows + r] += src[s + r * cols + c];
      }
    }
  }

  /** dst (cols, rows) at d = transpose of src (rows, cols) at s. */
  static void transpose(float[] src, int s, int rows, int cols, float[] dst, int d) {
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        dst[d + c * rows + r] = src[s + r * cols + c];
      }
    }
  }
}
