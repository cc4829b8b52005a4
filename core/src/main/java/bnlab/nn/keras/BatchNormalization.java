package bnlab.nn.keras;

import bnlab.kernel.BatchNormKernel;
import bnlab.nn.Counter;
import bnlab.nn.Module;
import bnlab.nn.NonFiniteException;
import bnlab.nn.Parameter;
import bnlab.tensor.Rng;
import bnlab.tensor.Shape;
import bnlab.tensor.Tensor;

/**
 * Keras's {@code BatchNormalization} layer (Ioffe &amp; Szegedy 2015) on the same kernel as {@link
 * bnlab.nn.BatchNorm1d}: normalizes each feature along {@code axis} (default −1, the last axis, so
 * channels-last input (N, ..., C) such as the (N, 126, 64) output of a Keras {@code Conv1D}) with
 * statistics over all other axes.
 *
 * <p>Defaults as Keras: {@code axis = -1}, {@code momentum = 0.99}, {@code epsilon = 1e-3}, {@code
 * center = true} (β), {@code scale = true} (γ). Training ({@link #train()}, Keras's {@code
 * training=True} / {@code fit}) normalizes with the batch mean and biased variance, y = γ·(x −
 * μ)/√(σ² + epsilon) + β, and updates the moving statistics; eval ({@link #eval()}, Keras's {@code
 * training=False} / {@code predict}) uses the moving statistics.
 *
 * <h2>Mapping to PyTorch</h2>
 *
 * <table>
 *   <caption>Keras argument or weight, and what it is here</caption>
 *   <tr><th>Keras</th><th>here / PyTorch</th></tr>
 *   <tr><td>momentum d (decay, 0.99): moving = d·moving + (1 − d)·batch</td>
 *       <td>PyTorch momentum = 1 − d (0.01): running = (1 − m)·running + m·batch</td></tr>
 *   <tr><td>epsilon (1e-3)</td><td>eps (PyTorch's default is 1e-5: pass it explicitly)</td></tr>
 *   <tr><td>gamma, beta</td><td>{@code weight}, {@code bias} ({@link Parameter.Role#NORM})</td></tr>
 *   <tr><td>moving_mean, moving_variance</td><td>{@code running_mean}, {@code running_var}</td></tr>
 *   <tr><td>—</td><td>{@code num_batches_tracked} (counts training batches)</td></tr>
 * </table>
 *
 * State uses PyTorch's names on purpose, so a checkpoint of this layer and of the equivalent
 * BatchNorm1d are interchangeable; a Keras weight file maps by the table above.
 *
 * <p><b>Moving variance.</b> Keras 3 stores the biased batch variance (÷m) in moving_variance;
 * PyTorch stores the unbiased one (÷(m − 1)). By default this layer follows PyTorch ({@link
 * MovingVariance#UNBIASED}), so {@code BatchNormalization(c)} trained on channels-last input equals
 * {@code BatchNorm1d(c, 1e-3, 0.01, true, true)} trained on the transposed input, statistics
 * included. {@link MovingVariance#BIASED} reproduces Keras 3.
 *
 * <p>Unlike Keras, training with one value per feature throws (as PyTorch does), since its variance
 * estimate is meaningless; a training batch with NaN or infinity throws before the moving
 * statistics change.
 */
public final class BatchNormalization extends Module {
  /** Which batch variance the moving variance averages. */
  public enum MovingVariance {
    /** σ²·m/(m − 1), as PyTorch (default). */
    UNBIASED,
    /** σ², as Keras 3. */
    BIASED
  }

  private final String name;
  private final int features;
  private final int axis;
  private final double momentum;
  private final double epsilon;
  private final MovingVariance movingVariance;
  private final Parameter gamma;
  private final Parameter beta;
  private final Tensor movingMean;
  private final Tensor movingVar;
  private final Counter batches;
  private final double[] mean;
  private final double[] var;
  private final double[] invstd;
  private Tensor out;
  private Tensor xhat;
  private Tensor dX;
  private int outer;
  private int inner;
  private boolean batchStats;
  private boolean ready;

  /** BatchNormalization over the last axis of size {@code features}, Keras defaults. */
  public BatchNormalization(int features) {
    this(features, -1, 0.99, 1e-3, true, true);
  }

  /** Keras's arguments; the moving variance is PyTorch's unbiased one. */
  public BatchNormalization(
      int features, int axis, double momentum, double epsilon, boolean center, boolean scale) {
    this(features, axis, momentum, epsilon, center, scale, MovingVariance.UNBIASED);
  }

  /**
   * Keras's arguments and the variance estimator of the moving variance.
   *
   * @param features size of the normalized axis (Keras infers it at build time; bnlab needs it to
   *     create the parameters before the optimizer sees them)
   * @param axis the feature axis, negative counts from the end; it must not be the batch axis 0
   * @param momentum Keras decay in [0, 1] of the moving statistics
   */
  public BatchNormalization(
      int features,
      int axis,
      double momentum,
      double epsilon,
      boolean center,
      boolean scale,
      MovingVariance movingVariance) {
    this.name = "BatchNormalization(" + features + ")";
    if (features <= 0) {
      throw new IllegalArgumentException(name + ": features must be positive");
    }
    if (axis == 0) {
      throw new IllegalArgumentException(name + ": axis 0 is the batch axis");
    }
    if (!(momentum >= 0 && momentum <= 1)) {
      throw new IllegalArgumentException(name + ": momentum must be in [0, 1], got " + momentum);
    }
    if (!(epsilon > 0) || Double.isInfinite(epsilon)) {
      throw new IllegalArgumentException(name + ": epsilon must be positive, got " + epsilon);
    }
    this.features = features;
    this.axis = axis;
    this.momentum = momentum;
    this.epsilon = epsilon;
    this.movingVariance = java.util.Objects.requireNonNull(movingVariance, "movingVariance");
    this.gamma = scale ? registerParameter("weight", newParameter()) : null;
    this.beta = center ? registerParameter("bias", newParameter()) : null;
    this.movingMean = registerBuffer("running_mean", Tensor.zeros(features));
    this.movingVar = registerBuffer("running_var", Tensor.zeros(features));
    this.batches = registerCounter("num_batches_tracked", new Counter());
    this.mean = new double[features];
    this.var = new double[features];
    this.invstd = new double[features];
    reset();
  }

  private Parameter newParameter() {
    return new Parameter(Tensor.zeros(features), Parameter.Role.NORM);
  }

  private void reset() {
    if (gamma != null) {
      gamma.data().fill(1f);
    }
    if (beta != null) {
      beta.data().fill(0f);
    }
    movingMean.fill(0f);
    movingVar.fill(1f);
    batches.set(0);
  }

  /** Resets γ = 1, β = 0 and the moving statistics (mean 0, variance 1), as Keras initializes. */
  @Override
  protected void initParameters(Rng rng) {
    reset();
  }

  /** x (N, ..., C, ...) with {@code features} values on {@code axis} -&gt; y of the same shape. */
  @Override
  public Tensor forward(Tensor x) {
    ready = false;
    int a = resolveAxis(x);
    outer = 1;
    for (int d = 0; d < a; d++) {
      outer *= x.dim(d);
    }
    inner = 1;
    for (int d = a + 1; d < x.rank(); d++) {
      inner *= x.dim(d);
    }
    long m = (long) outer * inner;
    if (isTraining() && m <= 1) {
      throw new IllegalArgumentException(
          name
              + ": Expected more than 1 value per channel when training, got input size "
              + Shape.str(x.shape()));
    }
    batchStats = isTraining();
    if (batchStats) {
      BatchNormKernel.meanVar(x.data(), outer, features, inner, mean, var);
      checkFinite();
      batches.increment();
      BatchNormKernel.updateRunning(
          movingMean.data(),
          movingVar.data(),
          mean,
          var,
          features,
          m,
          1.0 - momentum,
          movingVariance == MovingVariance.UNBIASED);
    } else {
      for (int j = 0; j < features; j++) {
        mean[j] = movingMean.data()[j];
        var[j] = movingVar.data()[j];
      }
    }
    BatchNormKernel.invStd(var, epsilon, features, invstd);
    out = Tensor.ensure(out, x.shape());
    xhat = Tensor.ensure(xhat, x.shape());
    BatchNormKernel.normalize(
        x.data(),
        outer,
        features,
        inner,
        mean,
        invstd,
        data(gamma),
        data(beta),
        out.data(),
        xhat.data());
    ready = true;
    return out;
  }

  private int resolveAxis(Tensor x) {
    int a = axis < 0 ? x.rank() + axis : axis;
    if (x.rank() < 2 || a <= 0 || a >= x.rank()) {
      throw new IllegalArgumentException(
          name
              + ": axis "
              + axis
              + " is not a feature axis of input "
              + Shape.str(x.shape())
              + " (expected rank >= 2 with the batch on axis 0)");
    }
    if (x.dim(a) != features) {
      throw new IllegalArgumentException(
          name
              + ": expected "
              + features
              + " features on axis "
              + axis
              + ", got input of shape "
              + Shape.str(x.shape()));
    }
    return a;
  }

  private void checkFinite() {
    for (int j = 0; j < features; j++) {
      if (!Double.isFinite(mean[j]) || !Double.isFinite(var[j])) {
        throw new NonFiniteException(
            name
                + ": input contains NaN or infinity in feature "
                + j
                + " while training; moving statistics were left unchanged (check the previous"
                + " layer's output or lower the learning rate)");
      }
    }
  }

  @Override
  public Tensor backward(Tensor dY) {
    if (!ready || !dY.hasShape(out.shape())) {
      throw new IllegalStateException(
          name
              + ".backward: expected dY of the last forward's output shape "
              + (ready ? Shape.str(out.shape()) : "(no forward yet)")
              + ", got "
              + Shape.str(dY.shape()));
    }
    dX = Tensor.ensure(dX, dY.shape());
    float[] dGamma = gamma == null ? null : gamma.grad().data();
    float[] dBeta = beta == null ? null : beta.grad().data();
    if (batchStats) {
      BatchNormKernel.backwardTrain(
          dY.data(),
          xhat.data(),
          outer,
          features,
          inner,
          invstd,
          data(gamma),
          dX.data(),
          dGamma,
          dBeta);
    } else {
      BatchNormKernel.backwardFrozen(
          dY.data(),
          xhat.data(),
          outer,
          features,
          inner,
          invstd,
          data(gamma),
          dX.data(),
          dGamma,
          dBeta);
    }
    return dX;
  }

  private static float[] data(Parameter p) {
    return p == null ? null : p.data().data();
  }

  /** Size of the normalized axis. */
  public int features() {
    return features;
  }

  /** The feature axis as given (negative counts from the end). */
  public int axis() {
    return axis;
  }

  /** Keras momentum: the decay of the moving statistics. */
  public double momentum() {
    return momentum;
  }

  /** The equivalent PyTorch momentum, 1 − {@link #momentum()}. */
  public double torchMomentum() {
    return 1.0 - momentum;
  }

  /** The epsilon added to the variance. */
  public double epsilon() {
    return epsilon;
  }

  /** Which variance the moving variance averages. */
  public MovingVariance movingVariance() {
    return movingVariance;
  }

  @Override
  public String toString() {
    return String.format(
        "BatchNormalization(features=%d, axis=%d, momentum=%s, epsilon=%s, center=%s, scale=%s)",
        features, axis, momentum, epsilon, beta != null, gamma != null);
  }
}
