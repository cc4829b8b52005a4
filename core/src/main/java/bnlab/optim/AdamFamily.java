package bnlab.optim;

import bnlab.kernel.AdamTensors;
import bnlab.kernel.KernelProvider;
import bnlab.kernel.OptimKernels;
import bnlab.nn.Parameter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Adam and AdamW: one update rule, weight decay either added to the gradient or decoupled. */
abstract sealed class AdamFamily extends BaseOptimizer permits Adam, AdamW {
  private static final OptimKernels OPTIM = KernelProvider.get().optim();
  private final double beta1;
  private final double beta2;
  private final double eps;
  private final boolean amsgrad;
  private final boolean decoupled;
  private final AdamTensors batch;

  AdamFamily(
      String type,
      List<ParamGroup> groups,
      double lr,
      double beta1,
      double beta2,
      double eps,
      double weightDecay,
      boolean amsgrad,
      boolean decoupled) {
    super(
        type,
        groups,
        lr,
        weightDecay,
        amsgrad
            ? new String[] {"exp_avg", "exp_avg_sq", "max_exp_avg_sq"}
            : new String[] {"exp_avg", "exp_avg_sq"});
    checkBeta(0, beta1);
    checkBeta(1, beta2);
    ParamGroup.check("eps", eps);
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.eps = eps;
    this.amsgrad = amsgrad;
    this.decoupled = decoupled;
    this.batch = new AdamTensors(params.length);
  }

  private static void checkBeta(int index, double beta) {
    if (!(beta >= 0 && beta < 1)) {
      throw new IllegalArgumentException(
          "invalid beta parameter at index " + index + ": " + beta + " (must be in [0, 1))");
    }
  }

  @Override
  public final void step() {
    batch.clear();
    for (int i = 0; i < params.length; i++) {
      Parameter p = params[i];
      if (!p.requiresGrad()) {
        continue;
      }
      ParamGroup g = paramGroups().get(groupOf[i]);
      long t = ++steps[i];
      double lr = g.lr();
      double wd = g.weightDecay();
      // Bias corrections in double, as PyTorch computes them on Python floats.
      double bc1 = 1 - Math.pow(beta1, t);
      double bc2Sqrt = Math.sqrt(1 - Math.pow(beta2, t));
      batch.add(
          p.data().data(),
          p.grad().data(),
          slots[0][i],
          slots[1][i],
          amsgrad ? slots[2][i] : null,
          p.size(),
          decoupled && wd != 0 ? (float) (1 - lr * wd) : 1f,
          decoupled ? 0f : (float) wd,
          (float) -(lr / bc1),
          (float) bc2Sqrt);
    }
    // All tensors in one kernel call: the small ones share the threads too.
    OPTIM.adamStep(batch, (float) (1 - beta1), (float) beta2, (float) (1 - beta2), (float) eps);
  }

  @Override
  final Map<String, Double> settings() {
    Map<String, Double> s = new LinkedHashMap<>();
    s.put("betas.0", beta1);
    s.put("betas.1", beta2);
    s.put("eps", eps);
    s.put("amsgrad", bool(amsgrad));
    return s;
  }
}
