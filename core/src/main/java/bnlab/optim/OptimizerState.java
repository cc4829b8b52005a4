package bnlab.optim;

import bnlab.tensor.Tensor;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A snapshot of an optimizer: PyTorch's {@code optimizer.state_dict()} flattened to names.
 *
 * <ul>
 *   <li>{@link #tensors()}: per-parameter buffers, {@code "state.<i>.<buffer>"} with {@code i} the
 *       parameter's index over all groups in order (PyTorch's numbering) and buffer {@code
 *       momentum_buffer}, {@code exp_avg}, {@code exp_avg_sq} or {@code max_exp_avg_sq}; each has
 *       its parameter's shape.
 *   <li>{@link #counters()}: {@code "state.<i>.step"}, the number of steps taken by parameter i.
 *   <li>{@link #hyperParameters()}: {@code "param_groups.<g>.lr"}, {@code
 *       "param_groups.<g>.weight_decay"}, {@code "param_groups.<g>.num_params"} and the
 *       optimizer-wide settings ({@code momentum}, {@code betas.0}, {@code eps}, {@code nesterov}
 *       as 0/1, ...).
 * </ul>
 *
 * <p>The maps are unmodifiable; the tensors are copies owned by the snapshot.
 */
public final class OptimizerState {
  private final String type;
  private final Map<String, Tensor> tensors;
  private final Map<String, Long> counters;
  private final Map<String, Double> hyperParameters;

  /** A snapshot of an optimizer of class {@code type} ("SGD", "Adam", "AdamW"); maps copied. */
  public OptimizerState(
      String type,
      Map<String, Tensor> tensors,
      Map<String, Long> counters,
      Map<String, Double> hyperParameters) {
    this.type = type;
    this.tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
    this.counters = Collections.unmodifiableMap(new LinkedHashMap<>(counters));
    this.hyperParameters = Collections.unmodifiableMap(new LinkedHashMap<>(hyperParameters));
  }

  /** The optimizer's simple class name. */
  public String type() {
    return type;
  }

  /** Per-parameter float buffers by name. */
  public Map<String, Tensor> tensors() {
    return tensors;
  }

  /** Per-parameter step counts by name. */
  public Map<String, Long> counters() {
    return counters;
  }

  /** Learning rates, weight decays and settings by name. */
  public Map<String, Double> hyperParameters() {
    return hyperParameters;
  }
}
