package bnlab.train;

import bnlab.nn.Counter;
import bnlab.nn.Module;
import bnlab.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * A copy of a model's parameters, float buffers and counters, restorable in place. Probes take one
 * before they run extra forward/backward passes and restore it afterwards, so BN running statistics
 * and weights are exactly as training left them.
 */
final class ModelState {
  private final List<Tensor> live = new ArrayList<>();
  private final List<float[]> saved = new ArrayList<>();
  private final List<Counter> counters = new ArrayList<>();
  private final List<Long> counts = new ArrayList<>();

  ModelState(Module model) {
    model.namedParameters().values().forEach(p -> live.add(p.data()));
    live.addAll(model.namedBuffers().values());
    for (Tensor t : live) {
      saved.add(new float[t.size()]);
    }
    counters.addAll(model.namedCounters().values());
  }

  /** Copies the current values in. */
  void save() {
    for (int i = 0; i < live.size(); i++) {
      System.arraycopy(live.get(i).data(), 0, saved.get(i), 0, saved.get(i).length);
    }
    counts.clear();
    counters.forEach(c -> counts.add(c.get()));
  }

  /** Puts the saved values back. */
  void restore() {
    for (int i = 0; i < live.size(); i++) {
      System.arraycopy(saved.get(i), 0, live.get(i).data(), 0, saved.get(i).length);
    }
    for (int i = 0; i < counters.size(); i++) {
      counters.get(i).set(counts.get(i));
    }
  }
}
