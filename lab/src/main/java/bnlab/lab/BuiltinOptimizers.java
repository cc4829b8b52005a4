package bnlab.lab;

import bnlab.optim.Adam;
import bnlab.optim.AdamW;
import bnlab.optim.Optimizer;
import bnlab.optim.OptimizerState;
import bnlab.optim.SGD;
import bnlab.tensor.Tensor;
import bnlab.train.Optim;
import java.util.Map;

/** adam, sgd (momentum 0.9) and adamw from bnlab.optim with PyTorch's other defaults. */
final class BuiltinOptimizers {
  private BuiltinOptimizers() {}

  static void register() {
    Optimizers.register("adam", (m, lr) -> adapt(new Adam(m.parameters(), lr)));
    Optimizers.register("sgd", (m, lr) -> adapt(new SGD(m.parameters(), lr, 0.9)));
    Optimizers.register("adamw", (m, lr) -> adapt(new AdamW(m.parameters(), lr)));
  }

  static Optim adapt(Optimizer o) {
    return new Optim() {
      @Override
      public void step() {
        o.step();
      }

      @Override
      public Map<String, Tensor> tensors() {
        return o.state().tensors();
      }

      @Override
      public Map<String, Long> counters() {
        return o.state().counters();
      }

      @Override
      public void load(Map<String, Tensor> tensors, Map<String, Long> counters) {
        OptimizerState now = o.state();
        o.loadState(new OptimizerState(now.type(), tensors, counters, now.hyperParameters()));
      }
    };
  }
}
