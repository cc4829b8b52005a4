package bnlab.optim;

import static bnlab.optim.OptimTestSupport.assertClose;
import static bnlab.optim.OptimTestSupport.param;
import static bnlab.optim.OptimTestSupport.randomGrad;
import static bnlab.optim.OptimTestSupport.setGrad;
import static bnlab.optim.OptimTestSupport.values;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import bnlab.nn.Parameter;
import bnlab.tensor.Rng;
import java.util.List;
import org.junit.jupiter.api.Test;

class SGDTest {
  /** Float updates of values ~1 over a few steps: a few float ulps each. */
  private static final double TOL = 2e-6;

  @Test
  void plainStepIsParamMinusLrTimesGrad() {
    Parameter p = param(1.0, -2.0, 0.5);
    setGrad(p, 0.25, 1.0, -4.0);
    new SGD(List.of(p), 0.1).step();
    assertClose("p", new double[] {0.975, -2.1, 0.9}, p, 1e-7);
  }

  @Test
  void firstMomentumStepTakesTheGradientWithoutDampening() {
    // Hand-computed: p=1, g=2, lr=0.1, momentum 0.9, dampening 0.5.
    // step 1: buf = 2 (no dampening), p = 1 − 0.2 = 0.8
    // step 2: buf = 0.9·2 + 0.5·2 = 2.8, p = 0.8 − 0.28 = 0.52
    Parameter p = param(1.0);
    SGD opt = new SGD(List.of(p), 0.1, 0.9, 0.5, 0, false);
    setGrad(p, 2.0);
    opt.step();
    assertClose("after step 1", new double[] {0.8}, p, 1e-7);
    opt.step();
    assertClose("after step 2", new double[] {0.52}, p, 1e-7);
  }

  @Test
  void nesterovHandComputed() {
    // p=1, g=1, lr=0.1, momentum 0.5: step 1 buf=1, d=1+0.5=1.5, p=0.85;
    // step 2 (g=1): buf=0.5+1=1.5, d=1+0.75=1.75, p=0.85−0.175=0.675
    Parameter p = param(1.0);
    SGD opt = new SGD(List.of(p), 0.1, 0.5, 0, 0, true);
    setGrad(p, 1.0);
    opt.step();
    assertClose("after step 1", new double[] {0.85}, p, 1e-7);
    opt.step();
    assertClose("after step 2", new double[] {0.675}, p, 1e-7);
  }

  @Test
  void severalStepsMatchTheFormulaInDouble() {
    double[][] settings = { // lr, momentum, dampening, weight decay, nesterov
      {0.1, 0, 0, 0, 0},
      {0.05, 0.9, 0, 0, 0},
      {0.05, 0.9, 0.3, 0, 0},
      {0.02, 0.8, 0, 0.1, 1},
      {0.1, 0, 0, 0.01, 0},
      {0.03, 0.95, 0.1, 5e-4, 0},
    };
    for (double[] s : settings) {
      String name = "SGD" + java.util.Arrays.toString(s);
      Rng rng = new Rng(7);
      Parameter p = param(0.3, -1.2, 2.0, 0.7, -0.05);
      SGD opt = new SGD(List.of(p), s[0], s[1], s[2], s[3], s[4] == 1);
      double[] ref = values(p);
      double[] buf = new double[ref.length];
      for (int t = 0; t < 6; t++) {
        double[] g = randomGrad(p, rng);
        opt.step();
        for (int i = 0; i < ref.length; i++) {
          double d = g[i] + s[3] * ref[i];
          if (s[1] != 0) {
            buf[i] = t == 0 ? d : s[1] * buf[i] + (1 - s[2]) * d;
            d = s[4] == 1 ? d + s[1] * buf[i] : buf[i];
          }
          ref[i] -= s[0] * d;
        }
        assertClose(name + " step " + (t + 1), ref, p, TOL);
      }
    }
  }

  @Test
  void weightDecayWithZeroGradientShrinksTheWeights() {
    Parameter p = param(2.0, -4.0);
    new SGD(List.of(p), 0.1, 0, 0, 0.5, false).step();
    assertClose("p·(1 − lr·wd)", new double[] {1.9, -3.8}, p, 1e-7);
  }

  @Test
  void rejectsInvalidSettingsLikePyTorch() {
    List<Parameter> ps = List.of(param(1.0));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new SGD(ps, 0.1, 0, 0, 0, true));
    assertTrue(e.getMessage().contains("Nesterov"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new SGD(ps, 0.1, 0.9, 0.1, 0, true));
    assertThrows(IllegalArgumentException.class, () -> new SGD(ps, -0.1));
    assertThrows(IllegalArgumentException.class, () -> new SGD(ps, 0.1, -0.9));
    assertThrows(IllegalArgumentException.class, () -> new SGD(ps, 0.1, 0, 0, -1, false));
    assertThrows(IllegalArgumentException.class, () -> new SGD(List.<Parameter>of(), 0.1));
    Parameter p = ps.get(0);
    assertThrows(IllegalArgumentException.class, () -> new SGD(List.of(p, p), 0.1));
  }

  @Test
  void stepCountsPerParameterAndSkipsFrozenParameters() {
    Parameter a = param(1.0);
    Parameter frozen = param(1.0).requiresGrad(false);
    SGD opt = new SGD(List.of(a, frozen), 0.1, 0.9);
    setGrad(a, 1.0);
    setGrad(frozen, 1.0);
    opt.step();
    opt.step();
    assertEquals(1.0f, frozen.data().data()[0]);
    assertEquals(2L, opt.state().counters().get("state.0.step"));
    assertEquals(0L, opt.state().counters().get("state.1.step"));
    assertEquals(0f, opt.state().tensors().get("state.1.momentum_buffer").data()[0]);
  }
}
