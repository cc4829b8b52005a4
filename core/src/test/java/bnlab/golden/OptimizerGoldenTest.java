package bnlab.golden;

import bnlab.nn.Parameter;
import bnlab.optim.Adam;
import bnlab.optim.AdamW;
import bnlab.optim.Optimizer;
import bnlab.optim.SGD;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * bnlab's SGD, Adam and AdamW against the golden files: five steps of torch.optim's documented
 * update (momentum buffer started from the first gradient, dampening, nesterov, L2 vs decoupled
 * weight decay, bias correction), evaluated with libtorch float32 tensor ops. The gradient of each
 * step is given; the parameter after every step must match.
 */
class OptimizerGoldenTest {
  /** Elementwise updates: a handful of float32 roundings per step, compounding over 5 steps. */
  private static final double TOL = Golden.tolerance(16);

  @ParameterizedTest
  @ValueSource(strings = {"sgd_plain", "sgd_momentum", "sgd_dampening_wd", "sgd_nesterov_wd"})
  void sgdMatchesTorchOptimSgd(String file) {
    Golden g = Golden.load(file);
    Parameter p = new Parameter(g.tensor("param_0"), Parameter.Role.WEIGHT);
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
    Parameter p = new Parameter(g.tensor("param_0"), Parameter.Role.WEIGHT);
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

  private static void run(Golden g, Parameter p, Optimizer opt) {
    for (int k = 1; k <= g.intAttr("steps"); k++) {
      opt.zeroGrad();
      p.grad().copyFrom(g.tensor("grad_" + k));
      opt.step();
      g.assertClose("param_" + k, p.data(), TOL);
    }
  }
}
