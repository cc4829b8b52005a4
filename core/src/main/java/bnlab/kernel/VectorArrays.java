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

  /**
   * dst[d..d+len) = src[s..s+len) for ranges that do not overlap: whole vectors, and the last
   * vector ending at len over the ones before it (the same values written twice), or a {@code
   * System.arraycopy} for a run shorter than a vector. For the short rows of the direct
   * convolution's padded copies, where an arraycopy per row cost more than the copy: one thread,
   * 512 bits, resnet20's 16-channel 32×32 image padded 3.1 → 2.1 µs; with AVX2 a 32-channel 16×16
   * one 4.2 → 2.5. A scalar tail instead of the overlapping vector lost to the arraycopy on the
   * article's rows of 28 and 10 floats (0.80 → 1.46 µs per image's rows of dY).
   */
  static void copy(float[] src, int s, float[] dst, int d, int len) {
    if (len < L) {
      System.arraycopy(src, s, dst, d, len);
      return;
    }
    int i = 0;
    for (; i + L <= len; i += L) {
      FloatVector.fromArray(S, src, s + i).intoArray(dst, d + i);
    }
    if (i < len) {
      FloatVector.fromArray(S, src, s + len - L).intoArray(dst, d + len - L);
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

  /**
   * From this many rows (dst's stride, in floats) {@link #transpose} and {@link #addTransposed} go
   * in blocks of {@link #BLOCK_ROWS} rows. Row by row, each source row writes one float into every
   * column's line of dst, lines rows·4 bytes apart: at 128 rows (512 bytes) a row's 128 columns
   * fall in 8 of L1's 64 sets and evict one another before the next row writes to them again.
   * Winograd's U at 128→128 (16 planes of 128×128, AMD Zen 3, one thread) took 2.43 ns per element
   * so, 0.66 in blocks; 64×576 0.81 → 0.60; at 64×64 and smaller both ran at 0.57–0.65, and 16 rows
   * of 1,024 columns lost in blocks (0.86 → 1.51). Every element is copied (or added) once either
   * way, so the order changes no value.
   */
  static final int BLOCKED_ROWS_MIN = 64;

  /** Rows per block: each column's run of them fills one 64-byte line of dst. */
  private static final int BLOCK_ROWS = 16;

  /** dst (cols, rows) += transpose of src (rows, cols) at s. */
  static void addTransposed(float[] src, int s, int rows, int cols, float[] dst) {
    int r0 = 0;
    if (rows >= BLOCKED_ROWS_MIN) {
      for (; r0 + BLOCK_ROWS <= rows; r0 += BLOCK_ROWS) {
        for (int c = 0; c < cols; c++) {
          int o = c * rows + r0;
          int i = s + r0 * cols + c;
          for (int r = 0; r < BLOCK_ROWS; r++) {
            dst[o + r] += src[i + r * cols];
          }
        }
      }
    }
    for (int r = r0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        dst[c * rows + r] += src[s + r * cols + c];
      }
    }
  }

  /** dst (cols, rows) at d = transpose of src (rows, cols) at s. */
  static void transpose(float[] src, int s, int rows, int cols, float[] dst, int d) {
    int r0 = 0;
    if (rows >= BLOCKED_ROWS_MIN) {
      for (; r0 + BLOCK_ROWS <= rows; r0 += BLOCK_ROWS) {
        for (int c = 0; c < cols; c++) {
          int o = d + c * rows + r0;
          int i = s + r0 * cols + c;
          for (int r = 0; r < BLOCK_ROWS; r++) {
            dst[o + r] = src[i + r * cols];
          }
        }
      }
    }
    for (int r = r0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        dst[d + c * rows + r] = src[s + r * cols + c];
      }
    }
  }
}
