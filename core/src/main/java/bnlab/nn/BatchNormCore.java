package bnlab.nn;

import bnlab.kernel.KernelProvider;
import bnlab.kernel.NormKernels;
import bnlab.tensor.Shape;
import bnlab.tensor.Tensor;

/**
 * State and train/eval logic shared by {@link BatchNorm1d}, {@link BatchNorm2d} and {@link
 * BatchNorm3d}, which only differ in the input ranks they accept. Registers PyTorch's state names
 * on its owner and drives {@link BatchNormKernel} over the (N, C, S) view of the input.
 */
final class BatchNormCore {
  private static final NormKernels K = KernelProvider.get().norm();
  private final Module owner;
  private final String name;
  private final int numFeatures;
  private final double eps;
  private final Double momentum;
  private final Parameter weight;
  private final Parameter bias;
  private final Tensor runningMean;
  private final Tensor runningVar;
  private final Counter numBatchesTracked;
  private final double[] mean;
  private final double[] var;
  private final double[] invstd;
  private Tensor out;
  private Tensor xhat;

  /** The last forward's input, for x̂ when an eval-mode forward did not store it. */
  private Tensor input;

  private boolean xhatStored;

  /** Whether backward recomputes x̂ from the input (see K.recomputesXhat). */
  private boolean fromInput;

  private Tensor dX;
  private int n;
  private int s;
  private boolean batchStats;
  private boolean ready;
  private boolean frozen;

  BatchNormCore(
      Module owner,
      String kind,
      int numFeatures,
      double eps,
      Double momentum,
      boolean affine,
      boolean trackRunningStats) {
    this.name = kind + "(" + numFeatures + ")";
    if (numFeatures <= 0) {
      throw new IllegalArgumentException(name + ": numFeatures must be positive");
    }
    if (!(eps > 0) || Double.isInfinite(eps)) {
      throw new IllegalArgumentException(name + ": eps must be positive and finite, got " + eps);
    }
    if (momentum != null && !(momentum >= 0 && momentum <= 1)) {
      throw new IllegalArgumentException(
          name + ": momentum must be in [0, 1] or null (cumulative average), got " + momentum);
    }
    this.owner = owner;
    this.numFeatures = numFeatures;
    this.eps = eps;
    this.momentum = momentum;
    this.weight = affine ? newParameter(owner, "weight") : null;
    this.bias = affine ? newParameter(owner, "bias") : null;
    this.runningMean = trackRunningStats ? owner.registerBuffer("running_mean", vec()) : null;
    this.runningVar = trackRunningStats ? owner.registerBuffer("running_var", vec()) : null;
    this.numBatchesTracked =
        trackRunningStats ? owner.registerCounter("num_batches_tracked", new Counter()) : null;
    this.mean = new double[numFeatures];
    this.var = new double[numFeatures];
    this.invstd = new double[numFeatures];
    reset();
  }

  private Parameter newParameter(Module owner, String pname) {
    return owner.registerParameter(pname, new Parameter(vec(), Parameter.Role.NORM));
  }

  private Tensor vec() {
    return Tensor.zeros(numFeatures);
  }

  /** PyTorch's reset_parameters: γ = 1, β = 0, running_mean = 0, running_var = 1, count 0. */
  void reset() {
    if (weight != null) {
      weight.data().fill(1f);
      bias.data().fill(0f);
    }
    if (runningMean != null) {
      runningMean.fill(0f);
      runningVar.fill(1f);
      numBatchesTracked.set(0);
    }
  }

  /** Python's float repr for the usual cases: 1e-05, 0.1. */
  private static String pythonFloat(double v) {
    String s = Double.toString(v);
    int e = s.indexOf('E');
    if (e < 0) {
      return s;
    }
    String mantissa = s.substring(0, e).replaceAll("\\.0$", "");
    int exp = Integer.parseInt(s.substring(e + 1));
    return String.format("%se%s%02d", mantissa, exp < 0 ? "-" : "+", Math.abs(exp));
  }

  /** PyTorch's repr, e.g. BatchNorm2d(16, eps=1e-05, momentum=0.1, affine=True, ...). */
  String describe() {
    return String.format(
        "%s, eps=%s, momentum=%s, affine=%s, track_running_stats=%s)",
        name.substring(0, name.length() - 1),
        pythonFloat(eps),
        momentum == null ? "None" : pythonFloat(momentum),
        affine() ? "True" : "False",
        trackRunningStats() ? "True" : "False");
  }

  int numFeatures() {
    return numFeatures;
  }

  double eps() {
    return eps;
  }

  Double momentum() {
    return momentum;
  }

  boolean affine() {
    return weight != null;
  }

  boolean trackRunningStats() {
    return runningMean != null;
  }

  /**
   * Checks rank (in [minRank, maxRank]) and channels at dim 1 as PyTorch does, then runs forward
   * over the (N, C, S) view with S the product of the dims after the channel dim.
   */
  Tensor forward(Tensor x, int minRank, int maxRank) {
    if (x.rank() < minRank || x.rank() > maxRank) {
      String expected = minRank == maxRank ? minRank + "D" : minRank + "D or " + maxRank + "D";
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
    checkChannels(x);
    int spatial = 1;
    for (int d = 2; d < x.rank(); d++) {
      spatial *= x.dim(d);
    }
    return forwardView(x, x.dim(0), spatial);
  }

  private void checkChannels(Tensor x) {
    if (x.dim(1) != numFeatures) {
      throw new IllegalArgumentException(
          name
              + ": expected input with numFeatures = "
              + numFeatures
              + " channels at dim 1, got input of shape "
              + Shape.str(x.shape()));
    }
  }

  private Tensor forwardView(Tensor x, int batch, int spatial) {
    ready = false;
    boolean training = owner.isTraining();
    long m = (long) batch * spatial;
    if (training && m <= 1) {
      throw new IllegalArgumentException(
          name
              + ": Expected more than 1 value per channel when training, got input size "
              + Shape.str(x.shape())
              + " (use a larger batch, or eval() mode)");
    }
    n = batch;
    s = spatial;
    batchStats = (training && !frozen) || runningMean == null;
    out = Tensor.ensureLike(out, x);
    // x̂ is needed only by backward, which recomputes it from the input where the kernels can;
    // elsewhere it is stored in training and, in eval mode (usually inference), computed only if
    // backward asks for it. Not writing it saves a pass over memory the size of the input.
    input = x;
    fromInput = K.recomputesXhat(s);
    xhatStored = training && !fromInput;
    if (xhatStored) {
      xhat = Tensor.ensureLike(xhat, x);
    }
    float[] xh = xhatStored ? xhat.data() : null;
    if (batchStats) {
      K.meanVarNormalize(
          x.data(),
          n,
          numFeatures,
          s,
          eps,
          mean,
          var,
          invstd,
          data(weight),
          data(bias),
          out.data(),
          xh);
      if (training && runningMean != null) {
        // Throws before the running statistics change (the output is then not to be used).
        checkFinite();
        updateRunning(m);
      }
    } else {
      float[] rm = runningMean.data();
      float[] rv = runningVar.data();
      for (int j = 0; j < numFeatures; j++) {
        mean[j] = rm[j];
        var[j] = rv[j];
      }
      K.invStd(var, eps, numFeatures, invstd);
      K.normalize(
          x.data(), n, numFeatures, s, mean, invstd, data(weight), data(bias), out.data(), xh);
    }
    ready = true;
    return out;
  }

  private void checkFinite() {
    for (int j = 0; j < numFeatures; j++) {
      if (!Double.isFinite(mean[j]) || !Double.isFinite(var[j])) {
        throw new NonFiniteException(
            name
                + ": input contains NaN or infinity in channel "
                + j
                + " while training; running statistics were left unchanged (check the previous"
                + " layer's output or lower the learning rate)");
      }
    }
  }

  private void updateRunning(long m) {
    long count = numBatchesTracked.increment();
    double factor = momentum == null ? 1.0 / count : momentum;
    K.updateRunning(runningMean.data(), runningVar.data(), mean, var, numFeatures, m, factor, true);
  }

  /**
   * Freezes (or with false unfreezes) the layer: γ and β stop learning (requiresGrad false, no
   * gradient accumulated) and, in both modes, the running statistics normalize and are not updated.
   */
  void setFrozen(boolean value) {
    if (value && runningMean == null) {
      throw new IllegalStateException(
          name
              + ": cannot freeze a layer built with trackRunningStats = false (it has no running"
              + " statistics to normalize with)");
    }
    frozen = value;
    if (weight != null) {
      weight.requiresGrad(!value);
      bias.requiresGrad(!value);
    }
  }

  boolean frozen() {
    return frozen;
  }

  Tensor backward(Tensor dY) {
    if (!ready || !dY.sameShape(out)) {
      throw new IllegalStateException(
          name
              + ".backward: expected dY of the last forward's output shape "
              + (ready ? Shape.str(out.shape()) : "(no forward yet)")
              + ", got "
              + Shape.str(dY.shape()));
    }
    dX = Tensor.ensureLike(dX, dY);
    float[] g = data(weight);
    float[] dGamma = weight == null || !weight.requiresGrad() ? null : weight.grad().data();
    float[] dBeta = bias == null || !bias.requiresGrad() ? null : bias.grad().data();
    if (fromInput) {
      float[] xs = input.data();
      if (batchStats) {
        K.backwardTrainFromInput(
            dY.data(), xs, mean, n, numFeatures, s, invstd, g, dX.data(), dGamma, dBeta);
      } else {
        K.backwardFrozenFromInput(
            dY.data(), xs, mean, n, numFeatures, s, invstd, g, dX.data(), dGamma, dBeta);
      }
      return dX;
    }
    if (!xhatStored) {
      // x̂ = (x − μ)·invstd: the normalization with γ = 1 and β = 0, which round it the same way.
      xhat = Tensor.ensureLike(xhat, input);
      K.normalize(input.data(), n, numFeatures, s, mean, invstd, null, null, xhat.data(), null);
      xhatStored = true;
    }
    if (batchStats) {
      K.backwardTrain(
          dY.data(), xhat.data(), n, numFeatures, s, invstd, g, dX.data(), dGamma, dBeta);
    } else {
      K.backwardFrozen(
          dY.data(), xhat.data(), n, numFeatures, s, invstd, g, dX.data(), dGamma, dBeta);
    }
    return dX;
  }

  private static float[] data(Parameter p) {
    return p == null ? null : p.data().data();
  }
}
