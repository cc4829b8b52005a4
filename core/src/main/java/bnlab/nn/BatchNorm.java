package bnlab.nn;

import bnlab.tensor.Shape;
import bnlab.tensor.Tensor;

/**
 * Batch Normalization (Ioffe &amp; Szegedy 2015, "Batch Normalization: Accelerating Deep Network
 * Training by Reducing Internal Covariate Shift", Alg. 1), PyTorch's {@code _BatchNorm}: the base
 * of {@link BatchNorm1d}, {@link BatchNorm2d}, {@link BatchNorm3d}, which differ only in the input
 * ranks they accept, and of {@link SyncBatchNorm}, which differs in where its statistics come from.
 *
 * <p><b>Shapes.</b> x (N, C, *) with C = numFeatures at dim 1 → y of the same shape; per channel c
 * the statistics run over the m = N·∏* values of the batch (N for (N, C) input, N·H·W for images).
 *
 * <p><b>Training</b> ({@link #train()}), per channel:
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
 * and backward, with dx̂ = dy·γ: dx = 1/(m·√(σ² + eps))·(m·dx̂ − Σ dx̂ − x̂·Σ dx̂·x̂), dγ += Σ
 * dy·x̂, dβ += Σ dy. With {@code momentum == null} the factor is 1/num_batches_tracked, an exact
 * cumulative average of the batch statistics.
 *
 * <p><b>Eval</b> ({@link #eval()}): y = γ·(x − running_mean)/√(running_var + eps) + β, nothing is
 * updated, and backward treats the statistics as constants. With {@code trackRunningStats = false}
 * there are no buffers and batch statistics are used in both modes. {@link #freeze()} makes
 * training mode behave as eval mode.
 *
 * <p><b>Momentum conventions.</b> PyTorch's momentum is the weight of the <em>new</em> batch
 * statistic (default 0.1); Keras's {@code momentum} is the <em>decay</em> of the old value (default
 * 0.99), so PyTorch momentum = 1 − Keras momentum; Keras's epsilon default is 1e-3, PyTorch's 1e-5
 * (see {@link bnlab.nn.keras.BatchNormalization}).
 *
 * <p><b>State</b> (PyTorch names): parameters {@code weight} (γ, ones) and {@code bias} (β, zeros)
 * when {@code affine}, both {@link Parameter.Role#NORM}; buffers {@code running_mean} (zeros) and
 * {@code running_var} (ones) and counter {@code num_batches_tracked} (0) when {@code
 * trackRunningStats}. {@link #resetParameters} resets all of them, as PyTorch's {@code
 * reset_parameters()} does. Defaults: eps 1e-5, momentum 0.1, affine and tracking on.
 *
 * <p><b>Errors.</b> Training with one value per channel (m = 1) throws "Expected more than 1 value
 * per channel when training, got input size (1, C)" and changes nothing. Input of another rank or
 * channel count is rejected with a message naming the layer and numFeatures. A training batch whose
 * statistics are not finite (NaN or infinity in the input) throws {@link NonFiniteException} before
 * the running statistics are touched; in eval mode, or without running statistics, non-finite
 * values simply propagate to the output as in PyTorch.
 *
 * <p><b>Numerics.</b> Statistics are computed in double with two passes (or groups merged with Chan
 * et al.'s update), so inputs with a large mean and a tiny spread (e.g. 1000 ± 0.01) are normalized
 * to float accuracy.
 */
public abstract sealed class BatchNorm extends NormBase
    permits BatchNorm1d, BatchNorm2d, BatchNorm3d, SyncBatchNorm {
  private final int minRank;
  private final int maxRank;

  BatchNorm(
      String kind,
      int minRank,
      int maxRank,
      int numFeatures,
      double eps,
      Double momentum,
      boolean affine,
      boolean trackRunningStats,
      Statistics statistics) {
    super(
        NormCore.Config.torch(
            checked(kind + "(" + numFeatures + ")", numFeatures, eps, momentum),
            new int[] {numFeatures},
            eps,
            momentum,
            affine,
            trackRunningStats),
        statistics);
    this.minRank = minRank;
    this.maxRank = maxRank;
  }

  /** A layer sharing {@code from}'s state (see {@link SyncBatchNorm#convert}). */
  BatchNorm(String kind, int minRank, int maxRank, BatchNorm from, Statistics statistics) {
    super(kind + "(" + from.numFeatures() + ")", from, statistics);
    this.minRank = minRank;
    this.maxRank = maxRank;
  }

  private static String checked(String name, int numFeatures, double eps, Double momentum) {
    if (numFeatures <= 0) {
      throw new IllegalArgumentException(name + ": numFeatures must be positive");
    }
    Norms.checkEps(name, eps);
    Norms.checkMomentum(name, momentum);
    return name;
  }

  /** x (N, C, *) of an accepted rank -&gt; y of the same shape. */
  @Override
  public Tensor forward(Tensor x) {
    return forward(x, false);
  }

  /**
   * relu(forward(x)) with the ReLU in the normalization's pass where the kernels take it (see
   * {@link NormBase#normalizeRelu}), for a block that follows this layer with a {@link ReLU}
   * ({@link BasicBlock}, a ResNet's stem): the bits of forward then {@link ReLU#forward}, one pass
   * over memory fewer. The next {@link #backward} takes dY of the rectified output (the bits of
   * {@link ReLU#backward} then backward).
   */
  public Tensor forwardRelu(Tensor x) {
    return forward(x, true);
  }

  /**
   * {@code conv} then this layer (then a ReLU, with {@code relu}): in eval mode with running
   * statistics the normalization (and the ReLU) runs in the convolution's pass, on each image's
   * output while it is in cache, instead of in passes of its own over memory; elsewhere the layers
   * run one after the other. Either way the bits of {@code conv.forward}, {@link #forward} and
   * {@link ReLU#forward}, and the next {@link #backward} takes dY of this output as usual (after a
   * fused forward it first computes conv's output again, which backward needs). For a container
   * that holds the three in this order ({@link Sequential}, {@link BasicBlock}); conv's own {@code
   * backward} follows this layer's.
   */
  public Tensor forwardAfter(Conv2d conv, Tensor x, boolean relu) {
    if (follows(conv) && !isTraining()) {
      Tensor y = conv.forwardNormalized(x, core, relu, null);
      if (y != null) {
        return y;
      }
    }
    return forward(conv.forward(x), relu);
  }

  /**
   * pool.forward({@link #forwardAfter forwardAfter(conv, x, true)}) with the pooling in the
   * convolution's pass too where it can be (eval mode with running statistics, 2×2 windows with
   * stride 2): the same bits, and each layer's backward as usual (pool's, this layer's, conv's).
   */
  public Tensor forwardAfter(Conv2d conv, Tensor x, MaxPool2d pool) {
    if (follows(conv) && !isTraining() && conv.poolsInPass(x, pool)) {
      Tensor y = conv.forwardNormalized(x, core, true, pool);
      if (y != null) {
        return y;
      }
    }
    return pool.forward(forwardAfter(conv, x, true));
  }

  /** Whether this layer takes {@code layer}'s output: a Conv2d with numFeatures channels. */
  boolean follows(Module layer) {
    return layer instanceof Conv2d c
        && c.outChannels() == numFeatures()
        && minRank <= 4
        && 4 <= maxRank;
  }

  private Tensor forward(Tensor x, boolean relu) {
    String name = core.name();
    if (x.rank() < minRank || x.rank() > maxRank) {
      String expected = minRank == maxRank ? minRank + "D" : minRank + "D or " + maxRank + "D";
      if (maxRank == Integer.MAX_VALUE) {
        expected = "at least " + minRank + "D";
      }
      throw new IllegalArgumentException(
          name
              + ": expected "
              + expected
              + " input (got "
              + x.rank()
              + "D input of shape "
              + Shape.str(x.shape())
              + ")");
    }
    if (x.dim(1) != numFeatures()) {
      throw new IllegalArgumentException(
          name
              + ": expected input with numFeatures = "
              + numFeatures()
              + " channels at dim 1, got input of shape "
              + Shape.str(x.shape()));
    }
    int spatial = 1;
    for (int d = 2; d < x.rank(); d++) {
      spatial *= x.dim(d);
    }
    if (isTraining() && tooFewValues((long) x.dim(0) * spatial)) {
      throw new IllegalArgumentException(
          name
              + ": Expected more than 1 value per channel when training, got input size "
              + Shape.str(x.shape())
              + " (use a larger batch, or eval() mode)");
    }
    return relu ? normalizeRelu(x, x.dim(0), spatial) : normalize(x, x.dim(0), spatial);
  }

  /** Whether m values per channel are too few to train on (m ≤ 1). */
  boolean tooFewValues(long m) {
    return m <= 1;
  }

  /** Number of channels C. */
  public int numFeatures() {
    return core.config().shape()[0];
  }

  /** The eps added to the variance. */
  public double eps() {
    return core.config().eps();
  }

  /** PyTorch momentum (weight of the new statistic), or null for the cumulative average. */
  public Double momentum() {
    return core.config().momentum();
  }

  /** Whether γ and β exist. */
  public boolean affine() {
    return core.config().scale();
  }

  /** Whether running statistics are kept. */
  public boolean trackRunningStats() {
    return core.trackRunningStats();
  }

  /**
   * Freezes this layer for fine-tuning: γ and β get requiresGrad false and no gradient, the running
   * statistics are no longer updated, and they normalize the input <em>even in training mode</em>,
   * so a later {@code model.train()} does not bring batch statistics back (the trap of PyTorch's
   * {@code bn.eval()} + {@code requires_grad_(False)} recipe). Backward then treats the statistics
   * as constants. Needs trackRunningStats. Returns this.
   */
  public BatchNorm freeze() {
    core.setFrozen(true);
    return this;
  }

  /** Undoes {@link #freeze()}: γ, β learn again and training mode uses batch statistics. */
  public BatchNorm unfreeze() {
    core.setFrozen(false);
    return this;
  }

  /** Whether {@link #freeze()} is in effect. */
  public boolean isFrozen() {
    return core.frozen();
  }

  /** PyTorch's repr, e.g. BatchNorm2d(16, eps=1e-05, momentum=0.1, affine=True, ...). */
  @Override
  public String toString() {
    String name = core.name();
    return String.format(
        "%s, eps=%s, momentum=%s, affine=%s, track_running_stats=%s)",
        name.substring(0, name.length() - 1),
        Norms.pythonFloat(eps()),
        momentum() == null ? "None" : Norms.pythonFloat(momentum()),
        affine() ? "True" : "False",
        trackRunningStats() ? "True" : "False");
  }
}
