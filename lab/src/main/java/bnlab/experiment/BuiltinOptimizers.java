package bnlab.experiment;

import bnlab.optim.Adam;
import bnlab.optim.AdamW;
import bnlab.optim.SGD;

/**
 * adam, sgd (momentum 0.9 unless configured) and adamw from bnlab.optim with PyTorch's other
 * defaults.
 */
final class BuiltinOptimizers {
  /** The lab's SGD momentum when a configuration names none. */
  static final double SGD_MOMENTUM = 0.9;

  private BuiltinOptimizers() {}

  static void register() {
    Optimizers.register("adam", (m, c) -> new Adam(m.parameters(), noMomentum(c).lr()));
    Optimizers.register(
        "sgd",
        (m, c) ->
            new SGD(m.parameters(), c.lr(), c.momentum() == null ? SGD_MOMENTUM : c.momentum()));
    Optimizers.register("adamw", (m, c) -> new AdamW(m.parameters(), noMomentum(c).lr()));
  }

  private static OptimizerConfig noMomentum(OptimizerConfig c) {
    if (c.momentum() != null) {
      throw new UserError(
          "optimizer " + c.name() + " has no momentum setting (its betas are PyTorch's defaults)");
    }
    return c;
  }
}
