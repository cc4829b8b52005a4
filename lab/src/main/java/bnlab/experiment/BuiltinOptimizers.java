package bnlab.experiment;

import bnlab.optim.Adam;
import bnlab.optim.AdamW;
import bnlab.optim.SGD;

/**
 * adam, sgd (momentum 0.9 unless configured) and adamw from bnlab.optim with PyTorch's other
 * defaults; a configured weight decay replaces the optimizer's default (0, AdamW's 0.01).
 */
final class BuiltinOptimizers {
  /** The lab's SGD momentum when a configuration names none. */
  static final double SGD_MOMENTUM = 0.9;

  /** torch.optim.AdamW's default weight decay. */
  private static final double ADAMW_WEIGHT_DECAY = 0.01;

  private BuiltinOptimizers() {}

  static void register() {
    Optimizers.register(
        "adam",
        (m, c) ->
            new Adam(m.parameters(), noMomentum(c).lr(), 0.9, 0.999, 1e-8, decay(c, 0), false));
    Optimizers.register(
        "sgd",
        (m, c) ->
            new SGD(
                m.parameters(),
                c.lr(),
                c.momentum() == null ? SGD_MOMENTUM : c.momentum(),
                0,
                decay(c, 0),
                false));
    Optimizers.register(
        "adamw",
        (m, c) ->
            new AdamW(
                m.parameters(),
                noMomentum(c).lr(),
                0.9,
                0.999,
                1e-8,
                decay(c, ADAMW_WEIGHT_DECAY),
                false));
  }

  private static double decay(OptimizerConfig c, double fallback) {
    return c.weightDecay() == null ? fallback : c.weightDecay();
  }

  private static OptimizerConfig noMomentum(OptimizerConfig c) {
    if (c.momentum() != null) {
      throw new UserError(
          "optimizer " + c.name() + " has no momentum setting (its betas are PyTorch's defaults)");
    }
    return c;
  }
}
