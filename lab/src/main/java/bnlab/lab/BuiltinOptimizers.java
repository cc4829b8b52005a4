package bnlab.lab;

import bnlab.optim.Adam;
import bnlab.optim.AdamW;
import bnlab.optim.SGD;

/** adam, sgd (momentum 0.9) and adamw from bnlab.optim with PyTorch's other defaults. */
final class BuiltinOptimizers {
  private BuiltinOptimizers() {}

  static void register() {
    Optimizers.register("adam", (m, lr) -> new Adam(m.parameters(), lr));
    Optimizers.register("sgd", (m, lr) -> new SGD(m.parameters(), lr, 0.9));
    Optimizers.register("adamw", (m, lr) -> new AdamW(m.parameters(), lr));
  }
}
