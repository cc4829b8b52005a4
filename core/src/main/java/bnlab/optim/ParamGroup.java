package bnlab.optim;

import bnlab.nn.Parameter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;

/**
 * Parameters that share a learning rate and a weight decay, as one entry of PyTorch's {@code
 * param_groups}.
 *
 * <p>A group built by the user may leave {@link #lr()} and {@link #weightDecay()} unset (NaN): the
 * optimizer fills them with its own defaults when it is constructed, and keeps its own copy of the
 * group. Schedulers and sweeps change the learning rate of a running optimizer through {@code
 * optimizer.paramGroups().get(i).lr(newLr)}.
 *
 * <pre>{@code
 * List<ParamGroup> groups = List.of(
 *     new ParamGroup(convWeights),                    // optimizer's lr and weight decay
 *     new ParamGroup(bnParams).weightDecay(0));       // no decay on BN's gamma and beta
 * }</pre>
 */
public final class ParamGroup {
  private final List<Parameter> params;
  private double lr = Double.NaN;
  private double weightDecay = Double.NaN;

  /** A group of {@code params} (copied) with learning rate and weight decay left to defaults. */
  public ParamGroup(Collection<Parameter> params) {
    this.params = Collections.unmodifiableList(new ArrayList<>(params));
  }

  /** The parameters, in order. */
  public List<Parameter> params() {
    return params;
  }

  /** The learning rate, or NaN if not set yet. */
  public double lr() {
    return lr;
  }

  /** Sets the learning rate (must be finite and non-negative); returns this. */
  public ParamGroup lr(double value) {
    this.lr = check("lr", value);
    return this;
  }

  /** The weight decay, or NaN if not set yet. */
  public double weightDecay() {
    return weightDecay;
  }

  /** Sets the weight decay (must be finite and non-negative); returns this. */
  public ParamGroup weightDecay(double value) {
    this.weightDecay = check("weight_decay", value);
    return this;
  }

  /** A copy owned by an optimizer, unset values replaced by the defaults. */
  ParamGroup resolved(double defaultLr, double defaultWeightDecay) {
    ParamGroup g = new ParamGroup(params);
    g.lr(Double.isNaN(lr) ? defaultLr : lr);
    g.weightDecay(Double.isNaN(weightDecay) ? defaultWeightDecay : weightDecay);
    return g;
  }

  static double check(String name, double value) {
    if (!(value >= 0) || Double.isInfinite(value)) {
      throw new IllegalArgumentException(
          "invalid " + name + " " + value + ": must be finite and >= 0");
    }
    return value;
  }

  @Override
  public String toString() {
    return "ParamGroup("
        + params.size()
        + " params, lr="
        + lr
        + ", weight_decay="
        + weightDecay
        + ")";
  }
}
