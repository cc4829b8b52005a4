package bnlab.nn;

import bnlab.kernel.ConvEpilogue;
import bnlab.kernel.KernelProvider;
import bnlab.kernel.NormKernels;
import bnlab.kernel.NormLayout;
import bnlab.kernel.NormStats;
import bnlab.kernel.PoolActivationKernels;
import bnlab.tensor.Shape;
import bnlab.tensor.Tensor;
import java.util.Arrays;

/**
 * The normalization family's one implementation of state and train/eval logic: BatchNorm1d/2d/3d,
 * SyncBatchNorm, GhostBatchNorm, BatchRenorm, GroupNorm, LayerNorm, InstanceNorm1d/2d and the Keras
 * BatchNormalization are each this core plus a view of their input and a {@link Statistics}. The
 * formulas are {@link NormKernels}' (naive loops in {@code ScalarNormKernels}).
 *
 * <p>The input is viewed as (outer, C, inner): BatchNorm's (N, C, H·W), a channels-last (N·L, C,
 * 1), LayerNorm's (rows, M, 1). One training step, BatchNorm2d's:
 *
 * <pre>
 * forward   layout = statistics.layout(N, C, S)          one statistic per channel
 *           μ, σ² (kernel) → statistics.combine → x̂ = (x − μ)/√(σ² + eps), y = γ·x̂ + β (kernel)
 *           running ← (1 − f)·running + f·(μ, σ²·m/(m − 1))        (updateRunning below)
 * backward  Σ dx̂, Σ dx̂·x̂ (kernel) → statistics.combineSums → dx (kernel); dγ += Σ dy·x̂, dβ += Σ dy
 * </pre>
 *
 * Eval mode (and a frozen layer in either mode) normalizes with the running statistics instead and
 * updates nothing; without running statistics batch statistics are used in both modes.
 */
final class NormCore {
  private static final NormKernels K = KernelProvider.get().norm();
  private static final PoolActivationKernels ACT = KernelProvider.get().poolActivation();

  /**
   * A layer's configuration. {@code shape} is the shape of γ and β (C, or LayerNorm's normalized
   * shape); {@code momentum} is PyTorch's factor, null for the cumulative average; {@code unbiased}
   * whether the running variance averages σ²·m/(m − 1) (PyTorch) or σ² (Keras 3); {@code keras}
   * whether messages speak of features and moving statistics.
   */
  record Config(
      String name,
      int[] shape,
      double eps,
      Double momentum,
      boolean scale,
      boolean center,
      boolean trackRunningStats,
      boolean unbiased,
      boolean keras) {

    /** PyTorch's arguments: γ and β together, unbiased running variance. */
    static Config torch(
        String name, int[] shape, double eps, Double momentum, boolean affine, boolean track) {
      return new Config(name, shape, eps, momentum, affine, affine, track, true, false);
    }

    /** The same configuration under another name. */
    Config named(String other) {
      return new Config(
          other, shape, eps, momentum, scale, center, trackRunningStats, unbiased, keras);
    }
  }

  private final Module owner;
  private final Config config;
  private final int features;
  private final Parameter weight;
  private final Parameter bias;
  private final Tensor runningMean;
  private final Tensor runningVar;
  private final Counter numBatchesTracked;
  private final Statistics statistics;
  private boolean frozen;

  private final NormStats st = new NormStats();
  private final float[] sumDyXhat;
  private final float[] sumDy;
  private NormLayout batchLayout;
  private NormLayout runningLayout;
  private NormLayout layout;
  private float[] gamma;
  private float[] beta;
  private Tensor input;
  private Tensor out;
  private Tensor xhat;
  private Tensor dX;
  private boolean xhatStored;
  private boolean fromInput;
  private boolean batchStats;
  private boolean combined;
  private boolean empty;
  private boolean ready;

  /** The last forward rectified its output (a ReLU after the normalization). */
  private boolean relu;

  /** ... in the kernels' pass ({@link NormKernels#fusesRelu}) rather than a pass of its own. */
  private boolean reluInKernel;

  private Tensor reluGrad;

  /**
   * Set when the last forward ran in a convolution's epilogue ({@link #convOutput}): the
   * convolution and its input, from which backward recomputes this layer's input.
   */
  private Conv2d convBefore;

  private Tensor convInput;

  /** Normalizes a convolution's output in place while it is in cache (see {@link #convOutput}). */
  private final ConvEpilogue convEpilogue =
      (y, t0, t1, k0, k1) -> K.normalizeInPlace(y, layout, st, gamma, beta, t0, t1, k0, k1, relu);

  /** Registers γ, β, running statistics and counter (PyTorch's names) on {@code owner}. */
  NormCore(Module owner, Config config, Statistics statistics) {
    this.owner = owner;
    this.config = config;
    this.statistics = statistics;
    this.features = Shape.size(config.shape());
    this.weight = config.scale() ? parameter(owner, "weight", config.shape()) : null;
    this.bias = config.center() ? parameter(owner, "bias", config.shape()) : null;
    boolean track = config.trackRunningStats();
    this.runningMean = track ? owner.registerBuffer("running_mean", Tensor.zeros(features)) : null;
    this.runningVar = track ? owner.registerBuffer("running_var", Tensor.zeros(features)) : null;
    this.numBatchesTracked =
        track ? owner.registerCounter("num_batches_tracked", new Counter()) : null;
    sumDyXhat = new float[features];
    sumDy = new float[features];
    reset();
  }

  /**
   * A core on {@code owner} that shares {@code from}'s state: the same Parameter, buffer and
   * counter objects under the same names (so an optimizer built before keeps working), the same
   * configuration and freeze, and other statistics.
   */
  NormCore(Module owner, String name, NormCore from, Statistics statistics) {
    this.owner = owner;
    this.config = from.config.named(name);
    this.statistics = statistics;
    this.features = from.features;
    this.weight = from.weight == null ? null : owner.registerParameter("weight", from.weight);
    this.bias = from.bias == null ? null : owner.registerParameter("bias", from.bias);
    this.runningMean =
        from.runningMean == null ? null : owner.registerBuffer("running_mean", from.runningMean);
    this.runningVar =
        from.runningVar == null ? null : owner.registerBuffer("running_var", from.runningVar);
    this.numBatchesTracked =
        from.numBatchesTracked == null
            ? null
            : owner.registerCounter("num_batches_tracked", from.numBatchesTracked);
    this.frozen = from.frozen;
    sumDyXhat = new float[features];
    sumDy = new float[features];
  }

  private static Parameter parameter(Module owner, String name, int[] shape) {
    return owner.registerParameter(name, new Parameter(Tensor.zeros(shape), Parameter.Role.NORM));
  }

  /** PyTorch's reset_parameters: γ = 1, β = 0, running_mean = 0, running_var = 1, count 0. */
  void reset() {
    if (weight != null) {
      weight.data().fill(1f);
    }
    if (bias != null) {
      bias.data().fill(0f);
    }
    if (runningMean != null) {
      runningMean.fill(0f);
      runningVar.fill(1f);
      numBatchesTracked.set(0);
    }
  }

  Config config() {
    return config;
  }

  /** The layer's short name for messages, e.g. {@code BatchNorm2d(16)}. */
  String name() {
    return config.name();
  }

  boolean trackRunningStats() {
    return runningMean != null;
  }

  boolean frozen() {
    return frozen;
  }

  /**
   * Freezes (or with false unfreezes) the layer: γ and β stop learning (requiresGrad false, no
   * gradient accumulated) and, in both modes, the running statistics normalize and are not updated.
   */
  void setFrozen(boolean value) {
    if (value && runningMean == null) {
      throw new IllegalStateException(
          name()
              + ": cannot freeze a layer built with trackRunningStats = false (it has no running"
              + " statistics to normalize with)");
    }
    frozen = value;
    for (Parameter p : new Parameter[] {weight, bias}) {
      if (p != null) {
        p.requiresGrad(!value);
      }
    }
  }

  /** This step's per-slot statistics and sums (for the {@link Statistics} seams). */
  NormStats stats() {
    return st;
  }

  /** This step's layout. */
  NormLayout layout() {
    return layout;
  }

  /** The input being normalized (for messages). */
  Tensor input() {
    return input;
  }

  Tensor runningMean() {
    return runningMean;
  }

  Tensor runningVar() {
    return runningVar;
  }

  /** Completed training steps (num_batches_tracked before this step's update). */
  long step() {
    return numBatchesTracked.get();
  }

  float[] weight() {
    return weight == null ? null : weight.data().data();
  }

  float[] bias() {
    return bias == null ? null : bias.data().data();
  }

  /** For {@link Statistics#combine}: normalize this step with these γ, β instead of the layer's. */
  void normalizeWith(float[] gamma, float[] beta) {
    this.gamma = gamma;
    this.beta = beta;
  }

  /** x viewed as (outer, C, inner) -&gt; y of the same shape. */
  Tensor forward(Tensor x, int outer, int inner) {
    return forward(x, outer, inner, false);
  }

  /**
   * {@link #forward}, with {@code relu} followed by a ReLU: y = relu(γ·x̂ + β), in the
   * normalization's pass where the kernels take it, and the next {@link #backward} then takes dY of
   * the rectified output. The bits are those of the layer followed by {@link ReLU}, either way.
   */
  Tensor forward(Tensor x, int outer, int inner, boolean relu) {
    ready = false;
    convBefore = null;
    convInput = null;
    this.relu = relu;
    reluInKernel = false;
    input = x;
    out = Tensor.ensureLike(out, x);
    empty = x.size() == 0;
    if (empty) {
      ready = true;
      return out;
    }
    boolean training = owner.isTraining();
    batchStats = (training && !frozen) || runningMean == null;
    combined = batchStats && training && !statistics.local();
    layout = batchStats ? batchLayout(outer, inner) : runningLayout(outer, inner);
    st.ensure(layout.slots());
    st.count(layout.count());
    gamma = weight();
    beta = bias();
    // x̂ is needed only by backward, which recomputes it from the input where the kernels can;
    // elsewhere it is stored in training and, in eval mode (usually inference), computed only if
    // backward asks for it. Not writing it saves a pass over memory the size of the input.
    fromInput = K.recomputesXhat(layout);
    xhatStored = training && !fromInput;
    if (xhatStored) {
      xhat = Tensor.ensureLike(xhat, x);
    }
    float[] xh = xhatStored ? xhat.data() : null;
    boolean fused = relu && !combined && K.fusesRelu(layout);
    reluInKernel = fused;
    if (!batchStats) {
      runningStats();
      K.normalize(x.data(), layout, st, gamma, beta, out.data(), xh, fused);
    } else if (!combined) {
      K.momentsNormalize(x.data(), layout, config.eps(), st, gamma, beta, out.data(), xh, fused);
    } else {
      K.moments(x.data(), layout, st);
      statistics.combine(this);
      for (int r = 0; r < layout.slots(); r++) {
        st.invstd()[r] = 1.0 / Math.sqrt(st.var()[r] + config.eps());
      }
      K.normalize(x.data(), layout, st, gamma, beta, out.data(), xh);
    }
    if (relu && !fused) {
      ACT.relu(out.data(), out.data(), out.size());
    }
    if (batchStats && training && runningMean != null) {
      // Throws before the running statistics change (the output is then not to be used).
      checkFinite();
      updateRunning();
    }
    ready = true;
    return out;
  }

  // The running statistics as this step's mean and invstd.
  private void runningStats() {
    float[] rm = runningMean.data();
    float[] rv = runningVar.data();
    for (int j = 0; j < features; j++) {
      st.mean()[j] = rm[j];
      st.invstd()[j] = 1.0 / Math.sqrt(rv[j] + config.eps());
    }
  }

  /**
   * The first half of a forward that runs in the pass of the convolution {@code conv} before this
   * layer (and the ReLU after it, with {@code relu}): in eval mode with running statistics, the
   * normalization of conv's output (n, C, p, q) is prepared and the output tensor returned, for
   * conv to compute into with {@link #convEpilogue()} and then call {@link #convDone}. The bits are
   * those of conv's forward followed by {@link #forward}. Returns null, changing nothing, where the
   * normalization cannot be done that way: in training, without running statistics, for an empty
   * batch, or where the kernels do not normalize in place (one value per channel and image).
   */
  Tensor convOutput(Conv2d conv, Tensor x, int n, int p, int q, boolean relu) {
    if (owner.isTraining() || runningMean == null || n == 0 || p * q < 2) {
      return null;
    }
    NormLayout v = runningLayout(n, p * q);
    if (!NormKernels.normalizesInPlace(v) || (relu && !K.fusesRelu(v))) {
      return null;
    }
    ready = false;
    convBefore = conv;
    convInput = x;
    input = null;
    this.relu = relu;
    reluInKernel = relu;
    empty = false;
    batchStats = false;
    combined = false;
    layout = v;
    st.ensure(v.slots());
    st.count(v.count());
    gamma = weight();
    beta = bias();
    fromInput = K.recomputesXhat(v);
    xhatStored = false;
    runningStats();
    out = Tensor.ensure(out, n, features, p, q);
    return out;
  }

  /** What the convolution applies to its output after {@link #convOutput}. */
  ConvEpilogue convEpilogue() {
    return convEpilogue;
  }

  /** Whether the last forward ran in a convolution's pass (until a backward computes it again). */
  boolean ranInConv() {
    return convBefore != null;
  }

  /** The convolution after {@link #convOutput} has written the output. */
  void convDone() {
    ready = true;
  }

  private NormLayout batchLayout(int n, int s) {
    if (batchLayout == null || !sameView(batchLayout, n, s)) {
      batchLayout = statistics.layout(this, n, features, s);
    }
    return batchLayout;
  }

  private NormLayout runningLayout(int n, int s) {
    if (runningLayout == null || !sameView(runningLayout, n, s)) {
      runningLayout = NormLayout.perChannel(n, features, s);
    }
    return runningLayout;
  }

  private static boolean sameView(NormLayout v, int n, int s) {
    return v.n() == n && v.s() == s;
  }

  private void checkFinite() {
    for (int r = 0; r < layout.slots(); r++) {
      if (!Double.isFinite(st.mean()[r]) || !Double.isFinite(st.var()[r])) {
        throw new NonFiniteException(
            name()
                + ": input contains NaN or infinity in "
                + (config.keras() ? "feature " : "channel ")
                + r % features
                + " while training; "
                + (config.keras() ? "moving" : "running")
                + " statistics were left unchanged (check the previous layer's output or lower the"
                + " learning rate)");
      }
    }
  }

  /**
   * PyTorch's update with factor f = momentum, or 1/num_batches_tracked for momentum null (the
   * exact cumulative average): running_mean ← (1 − f)·running_mean + f·μ and running_var ← (1 −
   * f)·running_var + f·σ²·m/(m − 1), the batch variance made unbiased with m values per statistic
   * (Keras 3: σ² as it is). Layouts with several statistics per channel (virtual batches,
   * instances) enter with their average.
   */
  private void updateRunning() {
    if (layout.groupSize() != 1) {
      throw new IllegalStateException(name() + ": running statistics need one per channel");
    }
    long count = numBatchesTracked.increment();
    double f = config.momentum() == null ? 1.0 / count : config.momentum();
    long m = st.count();
    double bessel = config.unbiased() ? (double) m / (m - 1) : 1.0;
    int blocks = layout.blocks();
    float[] rm = runningMean.data();
    float[] rv = runningVar.data();
    for (int j = 0; j < features; j++) {
      double mean = st.mean()[j];
      double var = st.var()[j];
      if (blocks > 1) {
        for (int b = 1; b < blocks; b++) {
          mean += st.mean()[b * features + j];
          var += st.var()[b * features + j];
        }
        mean /= blocks;
        var /= blocks;
      }
      rm[j] = (float) ((1 - f) * rm[j] + f * mean);
      rv[j] = (float) ((1 - f) * rv[j] + f * var * bessel);
    }
  }

  /** dY of the last forward's output shape -&gt; dX; accumulates the gradients of γ and β. */
  Tensor backward(Tensor dY) {
    if (!ready || !dY.sameShape(out)) {
      throw new IllegalStateException(
          name()
              + ".backward: expected dY of the last forward's output shape "
              + (ready ? Shape.str(out.shape()) : "(no forward yet)")
              + ", got "
              + Shape.str(dY.shape()));
    }
    if (convBefore != null) {
      // This layer's input was never stored: the convolution computes it again (its eval plan is
      // deterministic) and the layer normalizes it as forward would have, over the same output.
      Conv2d conv = convBefore;
      Tensor x = convInput;
      forward(conv.forward(x), layout.n(), layout.s(), relu);
    }
    dX = Tensor.ensureLike(dX, dY);
    if (empty) {
      return dX;
    }
    if (relu && !reluInKernel) {
      reluGrad = Tensor.ensureLike(reluGrad, dY);
      ACT.reluBackward(out.data(), dY.data(), reluGrad.data(), dY.size());
      dY = reluGrad;
    }
    float[] reluOut = reluInKernel ? out.data() : null;
    if (!xhatStored && !fromInput) {
      // x̂ = (x − μ)·invstd: the normalization with γ = 1 and β = 0, which round it the same way.
      xhat = Tensor.ensureLike(xhat, input);
      K.normalize(input.data(), layout, st, null, null, xhat.data(), null);
      xhatStored = true;
    }
    float[] src = fromInput ? input.data() : xhat.data();
    float[] dGamma = grad(weight);
    float[] dBeta = grad(bias);
    if (!combined) {
      K.backward(
          batchStats,
          dY.data(),
          reluOut,
          src,
          fromInput,
          layout,
          st,
          gamma,
          dX.data(),
          dGamma,
          dBeta);
      return dX;
    }
    // Through the seams: the per-channel sums go to the statistics, which make the gradients of
    // γ and β from them (BatchRenorm's r and d enter there).
    Arrays.fill(sumDyXhat, 0f);
    Arrays.fill(sumDy, 0f);
    K.sums(dY.data(), src, fromInput, layout, st, gamma, sumDyXhat, sumDy);
    statistics.combineSums(this);
    K.apply(dY.data(), src, fromInput, layout, st, gamma, dX.data());
    statistics.gradients(this, sumDyXhat, sumDy, dGamma, dBeta);
    return dX;
  }

  /** The gradient array, or null when there is no parameter or it is frozen. */
  private static float[] grad(Parameter p) {
    return p == null || !p.requiresGrad() ? null : p.grad().data();
  }
}
