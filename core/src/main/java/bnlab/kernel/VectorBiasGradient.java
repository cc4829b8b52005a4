package bnlab.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vector kernel of {@link ConvKernels#biasGrad}: each row of dY summed along its positions in
 * {@link Reduction}'s order (partial p in lane p mod L of accumulator p / L, so every width adds
 * the same values in the same order as {@link BiasGradient#scalar}), the rows' sums added in
 * double.
 *
 * <p>The form before, one chain of double additions per channel over every element (four channels
 * side by side), waited out an addition's latency per element: 2.3% of vgg's training step and 2.6%
 * of the article's Net's at batch 128 (one thread). Here a row of L values takes about L / P
 * dependent vector additions.
 */
final class VectorBiasGradient {
  private static final VectorSpecies<Float> S = VectorGemm.S;
  private static final int L = VectorGemm.L;

  private VectorBiasGradient() {}

  static void sums(float[] dy, int n, int k, int l, float[] dBias, int c0, int c1) {
    BiasGradient.check(dy, n, k, l, dBias, c0, c1);
    float[] lanes = BiasGradient.LANES.get();
    for (int c = c0; c < c1; c++) {
      double sum = 0;
      for (int i = 0; i < n; i++) {
        sum += row(dy, (i * k + c) * l, l, lanes);
      }
      dBias[c] += (float) sum;
    }
  }

  static void rowSums(float[] dy, int n, int k, int l, int i0, int i1, float[] rows) {
    BiasGradient.checkRows(dy, n, k, l, i0, i1, rows);
    float[] lanes = BiasGradient.LANES.get();
    for (int r = i0 * k; r < i1 * k; r++) {
      rows[r] = row(dy, r * l, l, lanes);
    }
  }

  /** One row dY[off, off + l) summed in {@link Reduction}'s order. */
  private static float row(float[] dy, int off, int l, float[] lanes) {
    // No vector is passed to a method (C2 would box it where it does not inline the callee).
    FloatVector a0 = FloatVector.zero(S);
    FloatVector a1 = a0;
    FloatVector a2 = a0;
    FloatVector a3 = a0;
    int body = Reduction.body(l);
    for (int j = 0; j < body; j += Reduction.P) {
      a0 = a0.add(FloatVector.fromArray(S, dy, off + j));
      if (L <= 8) {
        a1 = a1.add(FloatVector.fromArray(S, dy, off + j + L));
      }
      if (L == 4) {
        a2 = a2.add(FloatVector.fromArray(S, dy, off + j + 8));
        a3 = a3.add(FloatVector.fromArray(S, dy, off + j + 12));
      }
    }
    a0.intoArray(lanes, 0);
    if (L <= 8) {
      a1.intoArray(lanes, L);
    }
    if (L == 4) {
      a2.intoArray(lanes, 8);
      a3.intoArray(lanes, 12);
    }
    float tail = 0f;
    for (int j = body; j < l; j++) {
      tail += dy[off + j];
    }
    return Reduction.tree(lanes, 0) + tail;
  }
}
