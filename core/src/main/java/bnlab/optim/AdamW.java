package bnlab.optim;

import bnlab.nn.Parameter;
import java.util.Collection;
import java.util.List;

/**
 * AdamW, PyTorch's {@code torch.optim.AdamW} exactly: Adam with decoupled weight decay, applied to
 * the parameter before the Adam update instead of being added to the gradient.
 *
 * <pre>
 * p = p·(1 − lr·weight_decay)
 * then Adam's update with weight_decay 0 (see {@link Adam})
 * </pre>
 *
 * <p>Defaults as PyTorch: lr 1e-3, betas (0.9, 0.999), eps 1e-8, <b>weight decay 0.01</b>, amsgrad
 * false. State as {@link Adam}. Loshchilov &amp; Hutter, "Decoupled Weight Decay Regularization",
 * ICLR 2019.
 */
public final class AdamW extends AdamFamily {
  /** AdamW with PyTorch's defaults over {@code params}. */
  public AdamW(Collection<Parameter> params) {
    this(params, 1e-3);
  }

  /** AdamW with learning rate {@code lr} and the other defaults (weight decay 0.01). */
  public AdamW(Collection<Parameter> params, double lr) {
    this(single(params), lr, 0.9, 0.999, 1e-8, 0.01, false);
  }

  /** AdamW over {@code params} with every option, in PyTorch's order (betas = beta1, beta2). */
  public AdamW(
      Collection<Parameter> params,
      double lr,
      double beta1,
      double beta2,
      double eps,
      double weightDecay,
      boolean amsgrad) {
    this(single(params), lr, beta1, beta2, eps, weightDecay, amsgrad);
  }

  /** AdamW over parameter groups; a group's own lr or weight decay overrides the arguments. */
  public AdamW(
      List<ParamGroup> groups,
      double lr,
      double beta1,
      double beta2,
      double eps,
      double weightDecay,
      boolean amsgrad) {
    super("AdamW", groups, lr, beta1, beta2, eps, weightDecay, amsgrad, true);
  }
}
