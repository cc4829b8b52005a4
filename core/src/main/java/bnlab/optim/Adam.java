package bnlab.optim;

import bnlab.nn.Parameter;
import java.util.Collection;
import java.util.List;

/**
 * Adam, PyTorch's {@code torch.optim.Adam} exactly, with weight decay as an L2 term added to the
 * gradient (for decoupled decay use {@link AdamW}).
 *
 * <pre>
 * t = t + 1                                 (per parameter)
 * d = g + weight_decay·p
 * m = β1·m + (1 − β1)·d
 * v = β2·v + (1 − β2)·d²
 * v̂max = max(v̂max, v), used instead of v    (amsgrad only)
 * p = p − lr/(1 − β1^t) · m / (sqrt(v)/sqrt(1 − β2^t) + eps)
 * </pre>
 *
 * <p>Defaults as PyTorch: lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight decay 0, amsgrad false.
 * State per parameter: {@code exp_avg} (m), {@code exp_avg_sq} (v), {@code max_exp_avg_sq}
 * (amsgrad) and {@code step} (t). Kingma &amp; Ba, "Adam: A Method for Stochastic Optimization",
 * ICLR 2015; AMSGrad: Reddi et al., "On the Convergence of Adam and Beyond", ICLR 2018.
 */
public final class Adam extends AdamFamily {
  /** Adam with PyTorch's defaults over {@code params}. */
  public Adam(Collection<Parameter> params) {
    this(params, 1e-3);
  }

  /** Adam with learning rate {@code lr} and the other defaults. */
  public Adam(Collection<Parameter> params, double lr) {
    this(single(params), lr, 0.9, 0.999, 1e-8, 0, false);
  }

  /** Adam over {@code params} with every option, in PyTorch's order (betas = beta1, beta2). */
  public Adam(
      Collection<Parameter> params,
      double lr,
      double beta1,
      double beta2,
      double eps,
      double weightDecay,
      boolean amsgrad) {
    this(single(params), lr, beta1, beta2, eps, weightDecay, amsgrad);
  }

  /** Adam over parameter groups; a group's own lr or weight decay overrides the arguments. */
  public Adam(
      List<ParamGroup> groups,
      double lr,
      double beta1,
      double beta2,
      double eps,
      double weightDecay,
      boolean amsgrad) {
    super("Adam", groups, lr, beta1, beta2, eps, weightDecay, amsgrad, false);
  }
}
