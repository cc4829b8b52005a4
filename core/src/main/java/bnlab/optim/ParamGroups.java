package bnlab.optim;

import bnlab.nn.Module;
import bnlab.nn.Parameter;
import java.util.ArrayList;
import java.util.List;

/**
 * Ready-made parameter groupings.
 *
 * <p>The common recipe "weight decay on conv/linear weights only, none on biases and on BN's γ and
 * β" is one line:
 *
 * <pre>{@code
 * Optimizer opt = new SGD(ParamGroups.decayExceptNormAndBias(model, 5e-4), 0.1, 0.9, 0, 0, true);
 * }</pre>
 */
public final class ParamGroups {
  private ParamGroups() {}

  /**
   * Two groups, always in this order so that group indices are stable: group 0 holds the parameters
   * with {@link Parameter.Role#WEIGHT} and weight decay {@code weightDecay}; group 1 holds the
   * {@link Parameter.Role#BIAS} and {@link Parameter.Role#NORM} parameters with weight decay 0.
   * Either group may be empty. Learning rates are left to the optimizer.
   */
  public static List<ParamGroup> decayExceptNormAndBias(Module model, double weightDecay) {
    List<Parameter> decay = new ArrayList<>();
    List<Parameter> noDecay = new ArrayList<>();
    for (Parameter p : model.parameters()) {
      (p.role() == Parameter.Role.WEIGHT ? decay : noDecay).add(p);
    }
    return List.of(
        new ParamGroup(decay).weightDecay(weightDecay), new ParamGroup(noDecay).weightDecay(0));
  }
}
