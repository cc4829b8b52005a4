package bnlab.experiment;

import java.io.Serializable;

/**
 * The optimizer of a run, by name in {@link Optimizers}: {@code adam}, {@code sgd} or {@code adamw}
 * with PyTorch's defaults apart from these settings.
 *
 * @param name the optimizer ({@code --optimizer})
 * @param lr the learning rate, positive and finite
 * @param momentum SGD's momentum in [0, 1), or null for the lab's default (0.9 for {@code sgd});
 *     optimizers without a momentum refuse a non-null value
 */
public record OptimizerConfig(String name, double lr, Double momentum) implements Serializable {
  /** Checks the values; a bad one is a {@link UserError} naming it. */
  public OptimizerConfig {
    Optimizers.check(name);
    if (!(lr > 0) || Double.isInfinite(lr)) {
      throw new UserError("--lr must be a positive number, got " + lr);
    }
    if (momentum != null && !(momentum >= 0 && momentum < 1)) {
      throw new UserError("--momentum must be in [0, 1), got " + momentum);
    }
  }

  /** {@code name} with learning rate {@code lr} and its default momentum. */
  public static OptimizerConfig of(String name, double lr) {
    return new OptimizerConfig(name, lr, null);
  }
}
