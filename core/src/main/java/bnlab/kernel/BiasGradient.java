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
    if (n < 0 || k < 0 || l < 1 || (long) n * k * l > dy.length) {
      throw new IllegalArgumentException(
          "biasGrad: dY of "
              + dy.length
              + " floats does not hold ("
              + n
              + ", "
              + k
              + ", "
              + l
              + ")");
    }
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

  static void scalar(float[] dy, int n, int k, int l, float[] dBias, int c0, int c1) {
    check(dy, n, k, l, dBias, c0, c1);
    float[] partial = LANES.get();
    int body = Reduction.body(l);
    for (int c = c0; c < c1; c++) {
      double sum = 0;
      for (int i = 0; i < n; i++) {
        int off = (i * k + c) * l;
        java.util.Arrays.fill(partial, 0f);
        for (int j = 0; j < body; j++) {
          partial[j % Reduction.P] += dy[off + j];
        }
        float tail = 0f;
        for (int j = body; j < l; j++) {
          tail += dy[off + j];
        }
        sum += Reduction.tree(partial, 0) + tail;
      }
      dBias[c] += (float) sum;
    }
  }
}
