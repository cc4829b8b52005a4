package bnlab.train;

import bnlab.tensor.Tensor;
import java.util.Map;

/**
 * What the trainer needs from an optimizer: one update from the accumulated gradients, and a
 * snapshot of its state (named tensors and step counters) that a checkpoint saves and restores
 * exactly. bnlab.optim's optimizers are adapted to it in the lab.
 */
public interface Optim {
  /** Applies one update to the parameters from their gradients. */
  void step();

  /** A copy of the optimizer's float state by name (e.g. "state.0.exp_avg"). */
  Map<String, Tensor> tensors();

  /** A copy of the optimizer's integer state by name (e.g. "state.0.step"). */
  Map<String, Long> counters();

  /** Restores a state saved from {@link #tensors()} and {@link #counters()}. */
  void load(Map<String, Tensor> tensors, Map<String, Long> counters);
}
