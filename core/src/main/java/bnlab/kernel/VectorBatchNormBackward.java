package bnlab.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The backward half of {@link VectorBatchNorm}, one channel j of one block of samples at a time
 * (the block's n rows of S values at element offset {@code off}, its statistics in slot r): the two
 * sums Σ dy, Σ dy·x̂ in one pass, the input gradient from them, and the constant-statistics
 * backward. x̂ is read stored or recomputed from the input with the float operations of {@link
 * VectorBatchNorm}'s normalize, so both give the same bits. With a ReLU fused after the
 * normalization, its output y comes along ({@code relu}, else null) and dy counts only where y &gt;
 * 0: the values reluBackward would have passed on, read in the same pass.
 */
final class VectorBatchNormBackward {
  private static final VectorSpecies<Float> F = VectorBatchNorm.F;
  private static final int L = VectorBatchNorm.L;
  private static final ThreadLocal<double[]> SUMS = ThreadLocal.withInitial(() -> new double[2]);

  private VectorBatchNormBackward() {}

  /**
   * Σ dy and Σ dy·x̂ of channel j, kept as A = γ·Σdy and B = γ·Σdy·x̂ in slot r, and added to dβ,
   * dγ.
   */
  static void sums(
      float[] dy,
      float[] relu,
      float[] src,
      boolean fromInput,
      int off,
      int n,
      int c,
      int s,
      int j,
      NormStats st,
      int r,
      float[] gamma,
      float[] dGamma,
      float[] dBeta) {
    double[] sums = SUMS.get();
    channelSums(dy, relu, src, fromInput, off, n, c, s, j, st, r, sums);
    double g = gamma == null ? 1.0 : gamma[j];
    st.sumDxhat()[r] = g * sums[0];
    st.sumDxhatXhat()[r] = g * sums[1];
    accumulate(dGamma, dBeta, j, sums[1], sums[0]);
  }

  // dx = is·(g·dy − A/m − x̂·B/m) for channel j, with x̂ = (src − a0 − b0)·sc (see channelSums)
  static void apply(
      float[] dy,
      float[] relu,
      float[] src,
      boolean fromInput,
      int off,
      int n,
      int c,
      int s,
      int j,
      NormStats st,
      int r,
      float[] gamma,
      float[] dx) {
    double m = st.count();
    double mean = st.mean()[r];
    double invstd = st.invstd()[r];
    float a0 = fromInput ? (float) mean : 0f;
    float b0 = fromInput ? (float) (mean - a0) : 0f;
    float sc = fromInput ? (float) invstd : 1f;
    FloatVector aV = FloatVector.broadcast(F, a0);
    FloatVector bV = FloatVector.broadcast(F, b0);
    FloatVector sV = FloatVector.broadcast(F, sc);
    double g = gamma == null ? 1.0 : gamma[j];
    float gisF = (float) (g * invstd);
    float aF = (float) (st.sumDxhat()[r] / m * invstd);
    float bqF = (float) (st.sumDxhatXhat()[r] / m * invstd);
    FloatVector gis = FloatVector.broadcast(F, gisF);
    FloatVector a = FloatVector.broadcast(F, aF);
    FloatVector bq = FloatVector.broadcast(F, bqF);
    for (int i = 0; i < n; i++) {
      int base = off + (i * c + j) * s;
      int k = 0;
      for (int bound = F.loopBound(s); k < bound; k += L) {
        FloatVector d = dyVector(dy, relu, base + k).mul(gis).sub(a);
        FloatVector h = FloatVector.fromArray(F, src, base + k).sub(aV).sub(bV).mul(sV);
        h.neg().fma(bq, d).intoArray(dx, base + k);
      }
      if (k < s && s >= L) {
        // Overlapping last vector (see normalize).
        k = s - L;
        FloatVector d = dyVector(dy, relu, base + k).mul(gis).sub(a);
        FloatVector h = FloatVector.fromArray(F, src, base + k).sub(aV).sub(bV).mul(sV);
        h.neg().fma(bq, d).intoArray(dx, base + k);
      } else {
        for (; k < s; k++) {
          float d = dyAt(dy, relu, base + k) * gisF - aF;
          float h = (src[base + k] - a0 - b0) * sc;
          dx[base + k] = Math.fma(-h, bqF, d);
        }
      }
    }
  }

  // Constant statistics: dx = dy·γ·invstd for channel j; dγ, dβ as in training.
  static void frozen(
      float[] dy,
      float[] relu,
      float[] src,
      boolean fromInput,
      int off,
      int n,
      int c,
      int s,
      int j,
      NormStats st,
      int r,
      float[] gamma,
      float[] dx,
      float[] dGamma,
      float[] dBeta) {
    float scale = (float) ((gamma == null ? 1.0 : gamma[j]) * st.invstd()[r]);
    double[] sums = SUMS.get();
    channelSums(dy, relu, src, fromInput, off, n, c, s, j, st, r, sums);
    for (int i = 0; i < n; i++) {
      int base = off + (i * c + j) * s;
      int k = 0;
      for (int bound = F.loopBound(s); k < bound; k += L) {
        dyVector(dy, relu, base + k).mul(scale).intoArray(dx, base + k);
      }
      if (k < s && s >= L) {
        k = s - L;
        dyVector(dy, relu, base + k).mul(scale).intoArray(dx, base + k);
      } else {
        for (; k < s; k++) {
          dx[base + k] = dyAt(dy, relu, base + k) * scale;
        }
      }
    }
    accumulate(dGamma, dBeta, j, sums[1], sums[0]);
  }

  /**
   * Σ dy and Σ dy·x̂ over channel j's n rows in one pass, into out[0] and out[1], with x̂ = (src −
   * a0 − b0)·sc: the stored x̂ itself (0, 0, 1: exact), or normalize's formula on x. The sums run
   * in {@link Reduction}'s order, the body's float partials folded into doubles after at most
   * {@link VectorBatchNorm#BLOCK} elements (not per row: for short rows, as 10×10 planes, a fold
   * per row would cost more than the sums).
   */
  static void channelSums(
      float[] dy,
      float[] relu,
      float[] src,
      boolean fromInput,
      int base,
      int n,
      int c,
      int s,
      int j,
      NormStats st,
      int r,
      double[] out) {
    float[] lanes = VectorBatchNorm.lanes();
    float a0 = fromInput ? (float) st.mean()[r] : 0f;
    float b0 = fromInput ? (float) (st.mean()[r] - a0) : 0f;
    float sc = fromInput ? (float) st.invstd()[r] : 1f;
    FloatVector aV = FloatVector.broadcast(F, a0);
    FloatVector bV = FloatVector.broadcast(F, b0);
    FloatVector sV = FloatVector.broadcast(F, sc);
    // Partial p of the P lives in lane p mod L of accumulator p / L (Reduction's order).
    FloatVector s0 = FloatVector.zero(F);
    FloatVector s1 = s0, s2 = s0, s3 = s0, d0 = s0, d1 = s0, d2 = s0, d3 = s0;
    int room = VectorBatchNorm.BLOCK;
    double sum = 0;
    double dot = 0;
    int body = Reduction.body(s);
    for (int i = 0; i < n; i++) {
      int off = base + (i * c + j) * s;
      for (int k = 0; k < body; ) {
        int end = Math.min(body, k + room);
        room -= end - k;
        for (; k < end; k += Reduction.P) {
          FloatVector g0 = dyVector(dy, relu, off + k);
          s0 = s0.add(g0);
          d0 = g0.fma(FloatVector.fromArray(F, src, off + k).sub(aV).sub(bV).mul(sV), d0);
          if (L <= 8) {
            FloatVector g1 = dyVector(dy, relu, off + k + L);
            s1 = s1.add(g1);
            d1 = g1.fma(FloatVector.fromArray(F, src, off + k + L).sub(aV).sub(bV).mul(sV), d1);
          }
          if (L == 4) {
            FloatVector g2 = dyVector(dy, relu, off + k + 8);
            FloatVector g3 = dyVector(dy, relu, off + k + 12);
            s2 = s2.add(g2);
            s3 = s3.add(g3);
            d2 = g2.fma(FloatVector.fromArray(F, src, off + k + 8).sub(aV).sub(bV).mul(sV), d2);
            d3 = g3.fma(FloatVector.fromArray(F, src, off + k + 12).sub(aV).sub(bV).mul(sV), d3);
          }
        }
        if (room == 0) {
          // The partials go to `lanes` here, not through a helper taking the four vectors: with
          // 128-bit vectors this method outgrows C2's NodeCountInliningCutoff, such a call was
          // not inlined and its vectors were boxed (9.9 MB per training step of Net+BN).
          s0.intoArray(lanes, 0);
          d0.intoArray(lanes, Reduction.P);
          if (L <= 8) {
            s1.intoArray(lanes, L);
            d1.intoArray(lanes, Reduction.P + L);
          }
          if (L == 4) {
            s2.intoArray(lanes, 8);
            s3.intoArray(lanes, 12);
            d2.intoArray(lanes, Reduction.P + 8);
            d3.intoArray(lanes, Reduction.P + 12);
          }
          sum += Reduction.tree(lanes, 0);
          dot += Reduction.tree(lanes, Reduction.P);
          s0 = FloatVector.zero(F);
          s1 = s2 = s3 = d0 = d1 = d2 = d3 = s0;
          room = VectorBatchNorm.BLOCK;
        }
      }
      for (int k = body; k < s; k++) {
        float d = dyAt(dy, relu, off + k);
        sum += d;
        dot += (double) d * ((src[off + k] - a0 - b0) * sc);
      }
    }
    // The last partials after the last row's tails, as the order of the double additions wants.
    s0.intoArray(lanes, 0);
    d0.intoArray(lanes, Reduction.P);
    if (L <= 8) {
      s1.intoArray(lanes, L);
      d1.intoArray(lanes, Reduction.P + L);
    }
    if (L == 4) {
      s2.intoArray(lanes, 8);
      s3.intoArray(lanes, 12);
      d2.intoArray(lanes, Reduction.P + 8);
      d3.intoArray(lanes, Reduction.P + 12);
    }
    out[0] = sum + Reduction.tree(lanes, 0);
    out[1] = dot + Reduction.tree(lanes, Reduction.P);
  }

  /**
   * dy at i, or with a fused ReLU (relu = its output y) dy where y &gt; 0 and +0 elsewhere: {@link
   * VectorPoolActivation}'s reluBackward, lane by lane.
   */
  private static FloatVector dyVector(float[] dy, float[] relu, int i) {
    FloatVector d = FloatVector.fromArray(F, dy, i);
    if (relu == null) {
      return d;
    }
    return FloatVector.zero(F)
        .blend(d, FloatVector.fromArray(F, relu, i).compare(VectorOperators.GT, 0f));
  }

  /** {@link #dyVector} for one element. */
  private static float dyAt(float[] dy, float[] relu, int i) {
    return relu == null ? dy[i] : ReluMask.pass(relu[i], dy[i]);
  }

  private static void accumulate(
      float[] dGamma, float[] dBeta, int j, double sumDyXhat, double sumDy) {
    if (dGamma != null) {
      dGamma[j] += (float) sumDyXhat;
    }
    if (dBeta != null) {
      dBeta[j] += (float) sumDy;
    }
  }
}
