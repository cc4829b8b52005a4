package bnlab.kernel;

/**
 * Element-wise optimizer updates over flat float arrays: the naive scalar reference. A vectorized
 * twin must keep these signatures and agree with them to a few ulps.
 *
 * <p>Scalars (learning rate, bias corrections) are computed by the caller in double and passed as
 * float, as PyTorch casts Python scalars to the tensor's float type. Every loop follows the order
 * of PyTorch's single-tensor CPU implementation ({@code torch.optim.sgd._single_tensor_sgd}, {@code
 * torch.optim.adam._single_tensor_adam}) without fused multiply-adds.
 */
public final class OptimKernels {
  private OptimKernels() {}

  /**
   * One SGD step on {@code n} elements: {@code d = g + weightDecay·p}; with momentum, {@code buf =
   * d} on the first step and {@code buf = momentum·buf + (1−dampening)·d} afterwards, then {@code d
   * = d + momentum·buf} (nesterov) or {@code d = buf}; finally {@code p = p − lr·d}.
   *
   * <p>p, g, buf: (n). {@code buf} is unused (may be null) when {@code momentum == 0}.
   */
  public static void sgdStep(
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

  /**
   * One Adam / AdamW step on {@code n} elements:
   *
   * <pre>
   * p = p·decay                                  (AdamW: decay = 1 − lr·weight_decay; Adam: 1)
   * d = g + l2·p                                 (Adam: l2 = weight_decay; AdamW: 0)
   * m = lerp(m, d, 1−β1)                         (= β1·m + (1−β1)·d)
   * v = β2·v + (1−β2)·d²
   * vMax = max(vMax, v); use vMax instead of v   (amsgrad only, vMax non-null)
   * p = p − stepSize·m / (sqrt(v)/bc2Sqrt + eps) (stepSize = lr/(1−β1^t), bc2Sqrt = sqrt(1−β2^t))
   * </pre>
   *
   * <p>p, g, m, v, vMax: (n); {@code vMax} is null without amsgrad.
   */
  public static void adamStep(
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
