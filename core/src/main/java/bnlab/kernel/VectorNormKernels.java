package bnlab.kernel;

/**
 * The Vector API normalization kernels: statistics per channel ({@code groupSize == 1}: BatchNorm
 * and its variants, InstanceNorm) go to {@link VectorBatchNorm}, per sample and group ({@code
 * blockSize == 1}: GroupNorm, LayerNorm) to {@link VectorGroupNorm}; any other layout (no layer has
 * one) to the scalar twin.
 */
final class VectorNormKernels implements NormKernels {
  private final NormKernels naive = new ScalarNormKernels();

  private static boolean perChannel(NormLayout v) {
    return v.groupSize() == 1;
  }

  /**
   * Per-sample statistics over runs of at least two 512-bit vectors (2·{@link Reduction#P} values,
   * whatever this machine's width, so the choice does not change results across CPUs): shorter runs
   * (GroupNorm on (N, C) features with a few channels per group) are faster element by element, so
   * every kernel of such a layout, x̂ included, is the scalar twin's.
   */
  private static boolean perSample(NormLayout v) {
    return v.blockSize() == 1 && v.count() >= 2L * Reduction.P;
  }

  @Override
  public void moments(float[] x, NormLayout v, NormStats st) {
    if (perChannel(v)) {
      VectorBatchNorm.moments(x, v, st);
    } else if (perSample(v)) {
      VectorGroupNorm.moments(x, v, st);
    } else {
      naive.moments(x, v, st);
    }
  }

  @Override
  public boolean fusesRelu(NormLayout v) {
    return perChannel(v);
  }

  private void fusable(boolean relu, NormLayout v) {
    if (relu && !fusesRelu(v)) {
      throw new IllegalArgumentException("no fused ReLU for this layout (see fusesRelu): " + v);
    }
  }

  @Override
  public void normalize(
      float[] x,
      NormLayout v,
      NormStats st,
      float[] gamma,
      float[] beta,
      float[] y,
      float[] xhat,
      boolean relu) {
    fusable(relu, v);
    if (perChannel(v)) {
      VectorBatchNorm.normalize(x, v, st, gamma, beta, y, xhat, relu);
    } else if (perSample(v)) {
      VectorGroupNorm.normalize(x, v, st, gamma, beta, y, xhat);
    } else {
      naive.normalize(x, v, st, gamma, beta, y, xhat);
    }
  }

  @Override
  public void normalizeInPlace(
      float[] y,
      NormLayout v,
      NormStats st,
      float[] gamma,
      float[] beta,
      int t0,
      int t1,
      int j0,
      int j1,
      boolean relu) {
    NormKernels.checkInPlace(v);
    int c = v.c();
    int s = v.s();
    for (int j = j0; j < j1; j++) {
      VectorBatchNorm.normalize(y, t0 * c * s, t1 - t0, c, s, j, st, j, gamma, beta, y, null, relu);
    }
  }

  @Override
  public void momentsNormalize(
      float[] x,
      NormLayout v,
      double eps,
      NormStats st,
      float[] gamma,
      float[] beta,
      float[] y,
      float[] xhat,
      boolean relu) {
    fusable(relu, v);
    if (perChannel(v)) {
      VectorBatchNorm.momentsNormalize(x, v, eps, st, gamma, beta, y, xhat, relu);
    } else if (perSample(v)) {
      VectorGroupNorm.momentsNormalize(x, v, eps, st, gamma, beta, y, xhat);
    } else {
      naive.momentsNormalize(x, v, eps, st, gamma, beta, y, xhat);
    }
  }

  @Override
  public boolean recomputesXhat(NormLayout v) {
    if (perChannel(v)) {
      return v.s() > 1;
    }
    return perSample(v);
  }

  @Override
  public void sums(
      float[] dy,
      float[] src,
      boolean fromInput,
      NormLayout v,
      NormStats st,
      float[] gamma,
      float[] dGamma,
      float[] dBeta) {
    if (perChannel(v)) {
      VectorBatchNorm.sums(dy, src, fromInput, v, st, gamma, dGamma, dBeta);
    } else if (perSample(v)) {
      VectorGroupNorm.sums(dy, src, fromInput, v, st, gamma, dGamma, dBeta);
    } else {
      naive.sums(dy, src, fromInput, v, st, gamma, dGamma, dBeta);
    }
  }

  @Override
  public void apply(
      float[] dy,
      float[] src,
      boolean fromInput,
      NormLayout v,
      NormStats st,
      float[] gamma,
      float[] dx) {
    if (perChannel(v)) {
      VectorBatchNorm.apply(dy, src, fromInput, v, st, gamma, dx);
    } else if (perSample(v)) {
      VectorGroupNorm.apply(dy, src, fromInput, v, st, gamma, dx);
    } else {
      naive.apply(dy, src, fromInput, v, st, gamma, dx);
    }
  }

  @Override
  public void backward(
      boolean train,
      float[] dy,
      float[] relu,
      float[] src,
      boolean fromInput,
      NormLayout v,
      NormStats st,
      float[] gamma,
      float[] dx,
      float[] dGamma,
      float[] dBeta) {
    fusable(relu != null, v);
    if (perChannel(v)) {
      VectorBatchNorm.backward(train, dy, relu, src, fromInput, v, st, gamma, dx, dGamma, dBeta);
    } else if (perSample(v)) {
      VectorGroupNorm.backward(train, dy, src, fromInput, v, st, gamma, dx, dGamma, dBeta);
    } else {
      naive.backward(train, dy, src, fromInput, v, st, gamma, dx, dGamma, dBeta);
    }
  }
}
