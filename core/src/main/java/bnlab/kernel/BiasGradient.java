package bnlab.kernel;

/**
 * {@link ConvKernels#biasGrad}'s argument checks and its scalar form, the order written out with
 * scalars ({@link VectorBiasGradient} is its vector twin, with the same bits).
 */
final class BiasGradient {
  /** Each thread's {@link Reduction#P} partials: no allocation per call. */
  static final ThreadLocal<float[]> LANES = ThreadLocal.withInitial(() -> new float[Reduction.P]);

  private BiasGradient() {}

  /** The arguments' shapes, checked before any write. */
  static void check(float[] dy, int n, int k, int l, float[] dBias, int c0, int c1) {
    checkDy("biasGrad", dy, n, k, l);
    if (c0 < 0 || c1 > k || c0 > c1 || dBias.length < k) {
      throw new IllegalArgumentException(
          "biasGrad: channels ["
              + c0
              + ", "
              + c1
              + ") of "
              + k
              + " with a bias gradient of "
              + dBias.length);
    }
  }

  /** {@link ConvKernels#biasRowSums}'s arguments, checked before any write. */
  static void checkRows(float[] dy, int n, int k, int l, int i0, int i1, float[] rows) {
    checkDy("biasRowSums", dy, n, k, l);
    if (i0 < 0 || i1 > n || i0 > i1 || (long) n * k > rows.length) {
      throw new IllegalArgumentException(
          "biasRowSums: images ["
              + i0
              + ", "
              + i1
              + ") of "
              + n
              + " with "
              + rows.length
              + " row sums for "
              + k
              + " channels");
    }
  }

  private static void checkDy(String what, float[] dy, int n, int k, int l) {
    if (n < 0 || k < 0 || l < 1 || (long) n * k * l > dy.length) {
      throw new IllegalArgumentException(
          what
              + ": dY of "
              + dy.length
              + " floats does not hold ("
              + n
              + ", "
              + k
              + ", "
              + l
              + ")");
    }
  }

  static void scalar(float[] dy, int n, int k, int l, float[] dBias, int c0, int c1) {
    check(dy, n, k, l, dBias, c0, c1);
    float[] partial = LANES.get();
    for (int c = c0; c < c1; c++) {
      double sum = 0;
      for (int i = 0; i < n; i++) {
        sum += row(dy, (i * k + c) * l, l, partial);
      }
      dBias[c] += (float) sum;
    }
  }

  static void scalarRows(float[] dy, int n, int k, int l, int i0, int i1, float[] rows) {
    checkRows(dy, n, k, l, i0, i1, rows);
    float[] partial = LANES.get();
    for (int r = i0 * k; r < i1 * k; r++) {
      rows[r] = row(dy, r * l, l, partial);
    }
  }

  /**
   * dBias[c] += the rows' sums of every image in order, added in double from zero and rounded to
   * float: with rows from {@link ConvKernels#biasRowSums}, the bits of {@link
   * ConvKernels#biasGrad}.
   */
  static void addRows(float[] rows, int n, int k, float[] dBias) {
    if ((long) n * k > rows.length || dBias.length < k) {
      throw new IllegalArgumentException(
          "addRowSums: "
              + rows.length
              + " row sums for ("
              + n
              + ", "
              + k
              + ") and a bias gradient of "
              + dBias.length);
    }
    for (int c = 0; c < k; c++) {
      double sum = 0;
      for (int i = 0; i < n; i++) {
        sum += rows[i * k + c];
      }
      dBias[c] += (float) sum;
    }
  }

  private static float row(float[] dy, int off, int l, float[] partial) {
    int body = Reduction.body(l);
    java.util.Arrays.fill(partial, 0f);
    for (int j = 0; j < body; j++) {
      partial[j % Reduction.P] += dy[off + j];
    }
    float tail = 0f;
    for (int j = body; j < l; j++) {
      tail += dy[off + j];
    }
    return Reduction.tree(partial, 0) + tail;
  }
}
