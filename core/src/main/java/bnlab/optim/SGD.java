package bnlab.optim;

import bnlab.kernel.KernelProvider;
import bnlab.kernel.OptimKernels;
import bnlab.nn.Parameter;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Stochastic gradient descent with momentum, PyTorch's {@code torch.optim.SGD} exactly.
 *
 * <pre>
 * d = g + weight_decay·p
 * if momentum ≠ 0:
 *   buf = d                                   (first step of this parameter: no dampening)
 *   buf = momentum·buf + (1 − dampening)·d    (later steps)
 *   d = nesterov ? d + momentum·buf : buf
 * p = p − lr·d
 * </pre>
 *
 * <p>Defaults as PyTorch: momentum 0, dampening 0, weight decay 0, nesterov false; lr has no
 * default. Nesterov needs momentum &gt; 0 and dampening 0. State: {@code momentum_buffer} per
 * parameter when momentum ≠ 0. Nesterov momentum: Sutskever et al., "On the importance of
 * initialization and momentum in deep learning", ICML 2013.
 */
public final class SGD extends BaseOptimizer {
  private static final OptimKernels OPTIM = KernelProvider.get().optim();
  private final double momentum;
  private final double dampening;
  private final boolean nesterov;

  /** Plain SGD over {@code params} with learning rate {@code lr}. */
  public SGD(Collection<Parameter> params, double lr) {
    this(single(params), lr, 0, 0, 0, false);
  }

  /** SGD with momentum over {@code params}. */
  public SGD(Collection<Parameter> params, double lr, double momentum) {
    this(single(params), lr, momentum, 0, 0, false);
  }

  /** SGD over {@code params} with every option, in PyTorch's argument order. */
  public SGD(
      Collection<Parameter> params,
      double lr,
      double momentum,
      double dampening,
      double weightDecay,
      boolean nesterov) {
    this(single(params), lr, momentum, dampening, weightDecay, nesterov);
  }

  /**
   * SGD over parameter groups; a group's own lr or weight decay overrides {@code lr} and {@code
   * weightDecay}.
   */
  public SGD(
      List<ParamGroup> groups,
      double lr,
      double momentum,
      double dampening,
      double weightDecay,
      boolean nesterov) {
    super(
        "SGD",
        groups,
        lr,
        weightDecay,
        momentum != 0 ? new String[] {"momentum_buffer"} : new String[0]);
    ParamGroup.check("momentum", momentum);
    if (!Double.isFinite(dampening)) {
      throw new IllegalArgumentException("invalid dampening " + dampening + ": must be finite");
    }
    if (nesterov && (momentum <= 0 || dampening != 0)) {
      throw new IllegalArgumentException(
          "Nesterov momentum requires a momentum > 0 and zero dampening, got momentum "
              + momentum
              + ", dampening "
              + dampening);
    }
    this.momentum = momentum;
    this.dampening = dampening;
    this.nesterov = nesterov;
  }

  @Override
  public void step() {
    float m = (float) momentum;
    float oneMinusDampening = (float) (1 - dampening);
    for (int i = 0; i < params.length; i++) {
      Parameter p = params[i];
      if (!p.requiresGrad()) {
        continue;
      }
      ParamGroup g = paramGroups().get(groupOf[i]);
      float[] buf = slots.length > 0 ? slots[0][i] : null;
      OPTIM.sgdStep(
          p.data().data(),
          p.grad().data(),
          buf,
          p.size(),
          (float) -g.lr(),
          (float) g.weightDecay(),
          m,
          oneMinusDampening,
          nesterov,
          steps[i] == 0);
      steps[i]++;
    }
  }

  @Override
  Map<String, Double> settings() {
    Map<String, Double> s = new LinkedHashMap<>();
    s.put("momentum", momentum);
    s.put("dampening", dampening);
    s.put("nesterov", bool(nesterov));
    return s;
  }
}
