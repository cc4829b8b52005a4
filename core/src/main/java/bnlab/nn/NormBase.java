package bnlab.nn;

import bnlab.tensor.Rng;
import bnlab.tensor.Tensor;

/**
 * The base of the normalization layers, as PyTorch's {@code _NormBase}: γ ({@code weight}), β
 * ({@code bias}), the running statistics ({@code running_mean}, {@code running_var}, {@code
 * num_batches_tracked}) and the train/eval logic live here once, shared by {@link BatchNorm} and
 * its variants, GroupNorm, LayerNorm, InstanceNorm and the Keras-style {@link
 * bnlab.nn.keras.BatchNormalization}. A subclass checks its input and says how to view it as
 * (outer, C, inner); which statistics it normalizes with is fixed when it is built.
 *
 * <p>Outside this package a subclass can only build the Keras-style configuration (batch statistics
 * per feature, {@link #NormBase(String, int, double, double, boolean, boolean, boolean) protected
 * constructor}); it exists so that {@code bnlab.nn.keras} shares the implementation.
 */
public abstract class NormBase extends Module {
  final NormCore core;

  NormBase(NormCore.Config config, Statistics statistics) {
    core = new NormCore(this, config, statistics);
  }

  NormBase(String name, NormBase from, Statistics statistics) {
    core = new NormCore(this, name, from.core, statistics);
  }

  /**
   * Batch normalization of {@code features} features with running statistics, named as Keras does
   * in messages (features, moving statistics).
   *
   * @param name the layer's name in messages, e.g. {@code BatchNormalization(64)}
   * @param features C, the size of the normalized axis
   * @param eps added to the variance
   * @param momentum PyTorch's momentum: the weight of the new batch statistic (Keras: 1 − decay)
   * @param scale whether to learn γ ({@code weight})
   * @param center whether to learn β ({@code bias})
   * @param unbiased whether the running variance averages the unbiased batch variance (PyTorch) or
   *     the biased one (Keras 3)
   */
  protected NormBase(
      String name,
      int features,
      double eps,
      double momentum,
      boolean scale,
      boolean center,
      boolean unbiased) {
    this(
        new NormCore.Config(
            name, new int[] {features}, eps, momentum, scale, center, true, unbiased, true),
        Statistics.BATCH);
  }

  /**
   * Normalizes {@code x} viewed as (outer, C, inner): element (i, j, k) at (i·C + j)·inner + k. The
   * caller has checked the shape.
   */
  protected final Tensor normalize(Tensor x, int outer, int inner) {
    return core.forward(x, outer, inner);
  }

  /**
   * {@link #normalize} followed by a ReLU in the same pass where the kernels can, for a container
   * that runs this layer and then {@link ReLU} (the bits of the two, which the tests compare); the
   * next {@link #backward} then takes dY of the rectified output.
   */
  final Tensor normalizeRelu(Tensor x, int outer, int inner) {
    return core.forward(x, outer, inner, true);
  }

  /** dX for the last forward; adds into the gradients of γ and β. */
  @Override
  public final Tensor backward(Tensor dY) {
    return core.backward(dY);
  }

  /** PyTorch's reset_parameters: γ = 1, β = 0, running_mean = 0, running_var = 1, count 0. */
  @Override
  protected final void initParameters(Rng rng) {
    core.reset();
  }
}
