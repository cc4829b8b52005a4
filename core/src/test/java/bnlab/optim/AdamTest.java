package bnlab.optim;

import static bnlab.optim.OptimTestSupport.assertClose;
import static bnlab.optim.OptimTestSupport.param;
import static bnlab.optim.OptimTestSupport.randomGrad;
import static bnlab.optim.OptimTestSupport.setGrad;
import static bnlab.optim.OptimTestSupport.values;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import bnlab.nn.Parameter;
import bnlab.tensor.Rng;
import java.util.List;
import org.junit.jupiter.api.Test;

class AdamTest {
  /** Parameters ~1, float arithmetic, up to 8 steps. */
  private static final double TOL = 2e-6;

  @Test
  void firstStepHandComputed() {
    // p=1, g=0.5, lr=0.1: m=0.05, v=0.00025, m̂=0.5, v̂=0.25, p = 1 − 0.1·0.5/(0.5+1e-8)
    Parameter p = param(1.0, 1.0);
    setGrad(p, 0.5, -2.0);
    new Adam(List.of(p), 0.1).step();
    // The first Adam step moves each element by about lr·sign(g).
    assertClose(
        "p", new double[] {1 - 0.1 * 0.5 / (0.5 + 1e-8), 1 + 0.1 * 2 / (2 + 1e-8)}, p, 1e-7);
  }

  @Test
  void adamMatchesTheFormulaInDouble() {
    double[][] settings = { // lr, beta1, beta2, eps, weight decay, amsgrad
      {1e-3, 0.9, 0.999, 1e-8, 0, 0},
      {0.05, 0.9, 0.999, 1e-8, 0.1, 0},
      {0.01, 0.8, 0.99, 1e-6, 0, 1},
      {0.02, 0.3, 0.9, 1e-3, 0.05, 1},
    };
    for (double[] s : settings) {
      runAgainstReference(false, s);
    }
  }

  @Test
  void adamWMatchesTheFormulaInDouble() {
    double[][] settings = {
      {1e-3, 0.9, 0.999, 1e-8, 0.01, 0},
      {0.05, 0.9, 0.999, 1e-8, 0.3, 0},
      {0.01, 0.8, 0.99, 1e-6, 0.1, 1},
    };
    for (double[] s : settings) {
      runAgainstReference(true, s);
    }
  }

  private static void runAgainstReference(boolean decoupled, double[] s) {
    String name = (decoupled ? "AdamW" : "Adam") + java.util.Arrays.toString(s);
    Rng rng = new Rng(11);
    Parameter p = param(0.3, -1.2, 2.0, 0.7, -0.05, 1.5);
    List<Parameter> ps = List.of(p);
    Optimizer opt =
        decoupled
            ? new AdamW(ps, s[0], s[1], s[2], s[3], s[4], s[5] == 1)
            : new Adam(ps, s[0], s[1], s[2], s[3], s[4], s[5] == 1);
    double[] ref = values(p);
    int n = ref.length;
    double[] m = new double[n];
    double[] v = new double[n];
    double[] vMax = new double[n];
    for (int t = 1; t <= 8; t++) {
      // Shrinking gradients make v fall, so amsgrad's maximum matters.
      double[] g = randomGrad(p, rng);
      double scale = 1.0 / t;
      for (int i = 0; i < n; i++) {
        p.grad().data()[i] = (float) (g[i] * scale);
        g[i] = p.grad().data()[i];
      }
      opt.step();
      for (int i = 0; i < n; i++) {
        if (decoupled) {
          ref[i] *= 1 - s[0] * s[4];
        }
        double d = decoupled ? g[i] : g[i] + s[4] * ref[i];
        m[i] = s[1] * m[i] + (1 - s[1]) * d;
        v[i] = s[2] * v[i] + (1 - s[2]) * d * d;
        vMax[i] = Math.max(vMax[i], v[i]);
        double mHat = m[i] / (1 - Math.pow(s[1], t));
        double vHat = (s[5] == 1 ? vMax[i] : v[i]) / (1 - Math.pow(s[2], t));
        ref[i] -= s[0] * mHat / (Math.sqrt(vHat) + s[3]);
      }
      assertClose(name + " step " + t, ref, p, TOL);
    }
  }

  @Test
  void adamWDefaultsAreThoseOfPyTorch() {
    Parameter p = param(1.0);
    AdamW opt = new AdamW(List.of(p));
    assertEquals(1e-3, opt.lr());
    assertEquals(0.01, opt.paramGroups().get(0).weightDecay());
    assertEquals(0.9, opt.state().hyperParameters().get("betas.0"));
    assertEquals(0.999, opt.state().hyperParameters().get("betas.1"));
    assertEquals(1e-8, opt.state().hyperParameters().get("eps"));
    Adam adam = new Adam(List.of(param(1.0)));
    assertEquals(0.0, adam.paramGroups().get(0).weightDecay());
  }

  @Test
  void adamWDecayIsDecoupledFromTheGradient() {
    // With g = 0: Adam's L2 makes d = wd·p and moves p by ~lr; AdamW only shrinks p by lr·wd.
    Parameter a = param(2.0);
    Parameter w = param(2.0);
    new Adam(List.of(a), 0.1, 0.9, 0.999, 1e-8, 0.5, false).step();
    new AdamW(List.of(w), 0.1, 0.9, 0.999, 1e-8, 0.5, false).step();
    assertClose("Adam", new double[] {2.0 - 0.1 * 1.0 / (1.0 + 1e-8)}, a, 1e-7);
    assertClose("AdamW", new double[] {2.0 * (1 - 0.05)}, w, 1e-7);
  }

  @Test
  void rejectsInvalidSettingsLikePyTorch() {
    List<Parameter> ps = List.of(param(1.0));
    assertThrows(IllegalArgumentException.class, () -> new Adam(ps, -1e-3));
    assertThrows(
        IllegalArgumentException.class, () -> new Adam(ps, 1e-3, 1.0, 0.999, 1e-8, 0, false));
    assertThrows(
        IllegalArgumentException.class, () -> new Adam(ps, 1e-3, 0.9, -0.1, 1e-8, 0, false));
    assertThrows(
        IllegalArgumentException.class, () -> new Adam(ps, 1e-3, 0.9, 0.999, -1, 0, false));
    assertThrows(
        IllegalArgumentException.class, () -> new AdamW(ps, 1e-3, 0.9, 0.999, 1e-8, -1, false));
  }
}
