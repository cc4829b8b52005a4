package bnlab.optim;

import java.util.List;

/**
 * A first-order optimizer with PyTorch's contract.
 *
 * <ul>
 *   <li>{@link #step()} reads the gradients accumulated in {@link bnlab.nn.Parameter#grad()} by
 *       backward and updates the values in place; it never clears the gradients.
 *   <li>{@link #zeroGrad()} sets every gradient of its parameters to zero, as PyTorch's {@code
 *       zero_grad(set_to_none=False)}. (bnlab's gradients are arrays that are never "None", so a
 *       step after zeroGrad without a backward still applies weight decay and momentum.)
 *   <li>Parameters with {@code requiresGrad() == false} are skipped by step: no update, no state,
 *       their step count stays put.
 *   <li>Each parameter keeps its own step count ({@code state.i.step}), used for Adam's bias
 *       correction and for SGD's first momentum step.
 * </ul>
 *
 * <p>{@link #state()} and {@link #loadState} snapshot and restore everything a resumed run needs
 * (buffers, step counts, learning rates), so that training continues bit for bit; {@code
 * bnlab.io.Checkpoint} stores them next to the model.
 */
public interface Optimizer {
  /** Sets the gradients of all parameters of all groups to zero. */
  void zeroGrad();

  /** Performs one update from the accumulated gradients. */
  void step();

  /**
   * The optimizer's own parameter groups, in order. Their learning rate and weight decay may be
   * changed between steps (schedulers, sweeps); the lists of parameters are fixed.
   */
  List<ParamGroup> paramGroups();

  /** The learning rate of group 0 (the only one unless groups were given). */
  default double lr() {
    return paramGroups().get(0).lr();
  }

  /** Sets the learning rate of every group. */
  default void setLr(double lr) {
    for (ParamGroup g : paramGroups()) {
      g.lr(lr);
    }
  }

  /** A deep copy of the state, named as PyTorch's flattened {@code state_dict}. */
  OptimizerState state();

  /**
   * Restores a state taken from an optimizer of the same type, settings and parameter shapes.
   * Everything is validated before anything is copied: on an exception this optimizer is unchanged.
   *
   * @throws IllegalArgumentException naming the first entries that do not match and the fix
   */
  void loadState(OptimizerState state);
}
