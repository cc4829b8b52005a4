package bnlab.kernel;

/**
 * The optimizer concern of a {@link KernelProvider}: element-wise SGD and Adam/AdamW updates over
 * flat float arrays. The vector implementation performs the same float operations in the same order
 * per element as the scalar one (no fused multiply-add), so the two are bit-identical.
 *
 * <p>Scalars (learning rate, bias corrections) are computed by the caller in double and passed as
 * float, as PyTorch casts Python scalars to the tensor's float type. Every loop follows the order
 * of PyTorch's single-tensor CPU implementation ({@code torch.optim.sgd._single_tensor_sgd}, {@code
 * torch.optim.adam._single_tensor_adam}).
 */
public interface OptimKernels {
  /**
   * One SGD step on {@code n} elements: {@code d = g + weightDecay·p}; with momentum, {@code buf =
   * d} on the first step and {@code buf = momentum·buf + (1−dampening)·d} afterwards, then {@code d
   * = d + momentum·buf} (nesterov) or {@code d = buf}; finally {@code p = p − lr·d}.
   *
   * <p>p, g, buf: (n). {@code buf} is unused (may be null) when {@code momentum == 0}.
   */
  void sgdStep(
      float[] p,
      float[] g,
      float[] buf,
      int n,
      float negLr,
      float weightDecay,
      float momentum,
      float oneMinusDampening,
      boolean nesterov,
      boolean firstStep);

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
  void adamStep(
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
      float eps);

  /**
   * {@link #adamStep(float[], float[], float[], float[], float[], int, float, float, float, float,
   * float, float, float, float)} on every tensor of {@code t} with the settings they share. Each
   * element's update is independent of the others, so how the kernel splits the work (here: one
   * tensor after another) cannot change a bit.
   */
  default void adamStep(
      AdamTensors t, float oneMinusBeta1, float beta2, float oneMinusBeta2, float eps) {
    for (int k = 0; k < t.count; k++) {
      adamStep(
          t.p[k],
          t.g[k],
          t.m[k],
          t.v[k],
          t.vMax[k],
          t.n[k],
          t.decay[k],
          t.l2[k],
          oneMinusBeta1,
          beta2,
          oneMinusBeta2,
          t.negStepSize[k],
          t.bc2Sqrt[k],
          eps);
    }
  }
}
