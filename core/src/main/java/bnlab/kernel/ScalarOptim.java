package bnlab.kernel;

/**
 * The naive element-wise optimizer updates, one loop per step in the order of PyTorch's
 * single-tensor CPU implementation, without fused multiply-adds: the reference for {@link
 * VectorOptim}. The formulas are on {@link OptimKernels}.
 */
final class ScalarOptim implements OptimKernels {
  // p, g, buf (n): see OptimKernels.sgdStep
  @Override
  public void sgdStep(
      float[] p,
      float[] g,
      float[] buf,
      int n,
      float negLr,
      float weightDecay,
      float momentum,
      float oneMinusDampening,
      boolean nesterov,
      boolean firstStep) {
    for (int i = 0; i < n; i++) {
      float d = weightDecay != 0f ? g[i] + weightDecay * p[i] : g[i];
      if (momentum != 0f) {
        // PyTorch clones the gradient into a fresh buffer on the first step: no dampening there.
        float b = firstStep ? d : buf[i] * momentum + oneMinusDampening * d;
        buf[i] = b;
        d = nesterov ? d + momentum * b : b;
      }
      p[i] = p[i] + negLr * d;
    }
  }

  // p, g, m, v, vMax (n): see OptimKernels.adamStep
  @Override
  public void adamStep(
      float[] p,
      float[] g,
      float[] m,
      float[] v,
      float[] vMax,
      int n,
      float decay,
      float l2,
      float oneMinusBeta1,
      float beta2,
      float oneMinusBeta2,
      float negStepSize,
      float bc2Sqrt,
      float eps) {
    // torch.lerp switches formula at weight 0.5 to stay accurate near both ends.
    boolean lerpLow = oneMinusBeta1 < 0.5f;
    float beta1 = 1f - oneMinusBeta1;
    for (int i = 0; i < n; i++) {
      float pi = decay != 1f ? p[i] * decay : p[i];
      float d = l2 != 0f ? g[i] + l2 * pi : g[i];
      float mi = m[i];
      mi = lerpLow ? mi + oneMinusBeta1 * (d - mi) : d - (d - mi) * beta1;
      m[i] = mi;
      float vi = v[i] * beta2 + oneMinusBeta2 * d * d;
      v[i] = vi;
      if (vMax != null) {
        vi = Math.max(vMax[i], vi);
        vMax[i] = vi;
      }
      float denom = (float) Math.sqrt(vi) / bc2Sqrt + eps;
      p[i] = pi + negStepSize * mi / denom;
    }
  }
}
