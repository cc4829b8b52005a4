package bnlab.nn.keras;

import bnlab.nn.NormBase;
import bnlab.nn.Parameter;
import bnlab.tensor.Shape;
import bnlab.tensor.Tensor;
import java.util.Objects;

/**
 * Keras's {@code BatchNormalization} layer (Ioffe &amp; Szegedy 2015), a configuration of the same
 * normalization core as {@link bnlab.nn.BatchNorm1d} ({@link NormBase}): normalizes each feature
 * along {@code axis} (default −1, the last axis, so channels-last input (N, ..., C) such as the (N,
 * 126, 64) output of a Keras {@code Conv1D}) with statistics over all other axes, the input viewed
 * as (outer, C, inner) with outer the product of the axes before {@code axis} and inner of those
 * after it.
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
public final class BatchNormalization extends NormBase {
  /** Which batch variance the moving variance averages. */
  public enum MovingVariance {
    /** σ²·m/(m − 1), as PyTorch (default). */
    UNBIASED,
    /** σ², as Keras 3. */
    BIASED
  }

  private final int features;
  private final int axis;
  private final double momentum;
  private final double epsilon;
  private final boolean center;
  private final boolean scale;
  private final MovingVariance movingVariance;

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
   * @param epsilon added to the variance (1e-3)
   * @param center whether to learn β ({@code bias})
   * @param scale whether to learn γ ({@code weight})
   * @param movingVariance the batch variance the moving variance averages
   */
  public BatchNormalization(
      int features,
      int axis,
      double momentum,
      double epsilon,
      boolean center,
      boolean scale,
      MovingVariance movingVariance) {
    super(
        checked(features, axis, momentum, epsilon),
        features,
        epsilon,
        1.0 - momentum,
        scale,
        center,
        Objects.requireNonNull(movingVariance, "movingVariance") == MovingVariance.UNBIASED);
    this.features = features;
    this.axis = axis;
    this.momentum = momentum;
    this.epsilon = epsilon;
    this.center = center;
    this.scale = scale;
    this.movingVariance = movingVariance;
  }

  private static String checked(int features, int axis, double momentum, double epsilon) {
    String name = "BatchNormalization(" + features + ")";
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
    return name;
  }

  /** x (N, ..., C, ...) with {@code features} values on {@code axis} -&gt; y of the same shape. */
  @Override
  public Tensor forward(Tensor x) {
    int a = resolveAxis(x);
    int outer = 1;
    for (int d = 0; d < a; d++) {
      outer *= x.dim(d);
    }
    int inner = 1;
    for (int d = a + 1; d < x.rank(); d++) {
      inner *= x.dim(d);
    }
    if (isTraining() && (long) outer * inner <= 1) {
      throw new IllegalArgumentException(
          name()
              + ": Expected more than 1 value per channel when training, got input size "
              + Shape.str(x.shape()));
    }
    return normalize(x, outer, inner);
  }

  private String name() {
    return "BatchNormalization(" + features + ")";
  }

  private int resolveAxis(Tensor x) {
    int a = axis < 0 ? x.rank() + axis : axis;
    if (x.rank() < 2 || a <= 0 || a >= x.rank()) {
      throw new IllegalArgumentException(
          name()
              + ": axis "
              + axis
              + " is not a feature axis of input "
              + Shape.str(x.shape())
              + " (expected rank >= 2 with the batch on axis 0)");
    }
    if (x.dim(a) != features) {
      throw new IllegalArgumentException(
          name()
              + ": expected "
              + features
              + " features on axis "
              + axis
              + ", got input of shape "
              + Shape.str(x.shape()));
    }
    return a;
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
        features, axis, momentum, epsilon, center, scale);
  }
}
