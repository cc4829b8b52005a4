package bnlab.experiment;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.io.Serializable;

/**
 * The optimizer of a run, by name in {@link Optimizers}: {@code adam}, {@code sgd} or {@code adamw}
 * with PyTorch's defaults apart from these settings.
 *
 * @param name the optimizer ({@code --optimizer})
 * @param lr the learning rate, positive and finite
 * @param momentum SGD's momentum in [0, 1), or null for the lab's default (0.9 for {@code sgd});
 *     optimizers without a momentum refuse a non-null value
 * @param weightDecay PyTorch's {@code weight_decay} on every parameter (L2 added to the gradient
 *     for SGD and Adam, decoupled for AdamW), at least 0; null for the optimizer's default (0, and
 *     0.01 for AdamW). Left out of the JSON when null, so configurations written before it existed
 *     still match.
 */
public record OptimizerConfig(
    String name,
    double lr,
    Double momentum,
    @JsonInclude(JsonInclude.Include.NON_NULL) Double weightDecay)
    implements Serializable {
  /** Checks the values; a bad one is a {@link UserError} naming it. */
  public OptimizerConfig {
    Optimizers.check(name);
    if (!(lr > 0) || Double.isInfinite(lr)) {
      throw new UserError("--lr must be a positive number, got " + lr);
    }
    if (momentum != null && !(momentum >= 0 && momentum < 1)) {
      throw new UserError("--momentum must be in [0, 1), got " + momentum);
    }
    if (weightDecay != null && !(weightDecay >= 0 && weightDecay < 1)) {
      throw new UserError("--weight-decay must be in [0, 1), got " + weightDecay);
    }
  }

  /** {@code name} with {@code lr}, {@code momentum} and the optimizer's default weight decay. */
  public OptimizerConfig(String name, double lr, Double momentum) {
    this(name, lr, momentum, null);
  }

  /** {@code name} with learning rate {@code lr} and its default momentum and weight decay. */
  public static OptimizerConfig of(String name, double lr) {
    return new OptimizerConfig(name, lr, null, null);
  }

  /** This optimizer with weight decay {@code wd} (null: the optimizer's default). */
  public OptimizerConfig withWeightDecay(Double wd) {
    return new OptimizerConfig(name, lr, momentum, wd);
  }
}
