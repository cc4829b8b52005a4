package bnlab.nn;

import bnlab.tensor.Rng;
import bnlab.tensor.Tensor;

/**
 * Batch Normalization over (N, C) or (N, C, L) input, PyTorch's {@code nn.BatchNorm1d} (Ioffe &amp;
 * Szegedy 2015, "Batch Normalization: Accelerating Deep Network Training by Reducing Internal
 * Covariate Shift", Alg. 1).
 *
 * <p><b>Training</b> ({@link #train()}): per channel c, over the m = N·L values of the batch,
 *
 * <pre>
 * μ = (1/m) Σ x          σ² = (1/m) Σ (x − μ)²      (biased, as torch.var(unbiased=False))
 * x̂ = (x − μ) / √(σ² + eps)
 * y = γ·x̂ + β
 * running_mean ← (1 − momentum)·running_mean + momentum·μ
 * running_var  ← (1 − momentum)·running_var  + momentum·σ²·m/(m − 1)   (unbiased)
 * num_batches_tracked += 1
 * </pre>
 *
 * With {@code momentum == null} the factor is 1/num_batches_tracked, an exact cumulative average of
 * the batch statistics. <b>Eval</b> ({@link #eval()}): y = γ·(x − running_mean)/√(running_var +
 * eps) + β, nothing is updated. With {@code trackRunningStats = false} there are no buffers and
 * batch statistics are used in both modes.
 *
 * <p><b>Momentum convention.</b> PyTorch's momentum is the weight of the <em>new</em> batch
 * statistic (default 0.1); Keras's {@code momentum} is the <em>decay</em> of the old value (default
 * 0.99). They are related by PyTorch momentum = 1 − Keras momentum; see {@link
 * bnlab.nn.keras.BatchNormalization}.
 *
 * <p><b>State</b> (PyTorch names): parameters {@code weight} (γ, ones) and {@code bias} (β, zeros)
 * when {@code affine}, both {@link Parameter.Role#NORM}; buffers {@code running_mean} (zeros) and
 * {@code running_var} (ones) and counter {@code num_batches_tracked} (0) when {@code
 * trackRunningStats}. {@link #resetParameters} resets all of them, as PyTorch's {@code
 * reset_parameters()} does.
 *
 * <p><b>Errors.</b> Training with one value per channel (N·L = 1) throws "Expected more than 1
 * value per channel when training, got input size (1, C)" and changes nothing. Input of another
 * rank or channel count is rejected with a message naming the layer and numFeatures. A training
 * batch whose statistics are not finite (NaN or infinity in the input) throws before the running
 * statistics are touched, so one bad batch cannot poison them; in eval mode, or without running
 * statistics, non-finite values simply propagate to the output as in PyTorch.
 *
 * <p>Statistics are computed in double with two passes, so inputs with a large mean and a tiny
 * spread (e.g. 1000 ± 0.01) are normalized to float accuracy.
 */
public final class BatchNorm1d extends Module {
  private final BatchNormCore core;

  /** BatchNorm1d(numFeatures) with eps 1e-5, momentum 0.1, affine, tracking running statistics. */
  public BatchNorm1d(int numFeatures) {
    this(numFeatures, 1e-5, 0.1, true, true);
  }

  /**
   * BatchNorm1d with PyTorch's options.
   *
   * @param numFeatures C, the number of channels (dim 1 of the input)
   * @param eps added to the variance for numerical stability (PyTorch 1e-5, Keras 1e-3)
   * @param momentum weight of the new batch statistic in the running averages (0.1); {@code null}
   *     for the cumulative moving average with factor 1/num_batches_tracked
   * @param affine whether to learn γ ({@code weight}) and β ({@code bias})
   * @param trackRunningStats whether to keep running_mean, running_var and num_batches_tracked and
   *     use them in eval mode; if false, batch statistics are used in both modes
   */
  public BatchNorm1d(
      int numFeatures, double eps, Double momentum, boolean affine, boolean trackRunningStats) {
    core =
        new BatchNormCore(
            this, "BatchNorm1d", numFeatures, eps, momentum, affine, trackRunningStats);
  }

  /** x (N, C) or (N, C, L) -&gt; y of the same shape. */
  @Override
  public Tensor forward(Tensor x) {
    return core.forward(x, 2, 3);
  }

  @Override
  public Tensor backward(Tensor dY) {
    return core.backward(dY);
  }

  @Override
  protected void initParameters(Rng rng) {
    core.reset();
  }

  /** Number of channels C. */
  public int numFeatures() {
    return core.numFeatures();
  }

  /** The eps added to the variance. */
  public double eps() {
    return core.eps();
  }

  /** PyTorch momentum (weight of the new statistic), or null for the cumulative average. */
  public Double momentum() {
    return core.momentum();
  }

  /** Whether γ and β exist. */
  public boolean affine() {
    return core.affine();
  }

  /** Whether running statistics are kept. */
  public boolean trackRunningStats() {
    return core.trackRunningStats();
  }

  @Override
  public String toString() {
    return core.describe();
  }
}
