package bnlab.golden;

import bnlab.nn.Parameter;
import bnlab.optim.Adam;
import bnlab.optim.AdamW;
import bnlab.optim.Optimizer;
import bnlab.optim.OptimizerState;
import bnlab.optim.SGD;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * bnlab's SGD, Adam and AdamW against the golden files, the one suite for these files: five steps
 * of torch.optim's documented update (momentum buffer started from the first gradient, dampening,
 * nesterov, L2 vs decoupled weight decay, bias correction), evaluated with libtorch float32 tensor
 * ops. The gradient of each step is given; the parameter after every step, and Adam's moments where
 * the file has them, must match.
 */
class OptimizerGoldenTest {
  /**
   * Element-wise updates, no sum (n = 0 in {@link Golden}'s rule): a handful of float32 roundings
   * per step over 5 steps. Measured: SGD is bit-identical; Adam differs by at most 1 ulp, because
   * the generator composes m/denom·stepSize while bnlab follows addcdiv's stepSize·m/denom.
   */
  private static final double TOL = Golden.tolerance(0);

  @ParameterizedTest
  @ValueSource(strings = {"sgd_plain", "sgd_momentum", "sgd_dampening_wd", "sgd_nesterov_wd"})
  void sgdMatchesTorchOptimSgd(String file) {
    Golden g = Golden.load(file);
    Parameter p = start(g);
    SGD sgd =
        new SGD(
            List.of(p),
            g.doubleAttr("lr"),
            g.doubleAttr("momentum"),
            g.doubleAttr("dampening"),
            g.doubleAttr("weight_decay"),
            g.boolAttr("nesterov"));
    run(g, p, sgd);
  }

  @ParameterizedTest
  @ValueSource(strings = {"adam", "adam_l2", "adamw"})
  void adamMatchesTorchOptimAdamAndAdamW(String file) {
    Golden g = Golden.load(file);
    Parameter p = start(g);
    double lr = g.doubleAttr("lr");
    double b1 = g.doubleAttr("beta1");
    double b2 = g.doubleAttr("beta2");
    double eps = g.doubleAttr("eps");
    double wd = g.doubleAttr("weight_decay");
    Optimizer opt =
        g.boolAttr("decoupled_weight_decay")
            ? new AdamW(List.of(p), lr, b1, b2, eps, wd, false)
            : new Adam(List.of(p), lr, b1, b2, eps, wd, false);
    run(g, p, opt);
  }

  private static Parameter start(Golden g) {
    return new Parameter(g.tensor("param_0").copy(), Parameter.Role.WEIGHT);
  }

  private static void run(Golden g, Parameter p, Optimizer opt) {
    for (int k = 1; k <= g.intAttr("steps"); k++) {
      opt.zeroGrad();
      p.grad().copyFrom(g.tensor("grad_" + k));
      opt.step();
      g.assertClose("param_" + k, p.data(), TOL);
      if (g.has("exp_avg_" + k)) {
        OptimizerState s = opt.state();
        g.assertClose("exp_avg_" + k, s.tensors().get("state.0.exp_avg"), TOL);
        g.assertClose("exp_avg_sq_" + k, s.tensors().get("state.0.exp_avg_sq"), TOL);
      }
    }
  }
}
