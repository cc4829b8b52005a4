package bnlab.optim;

import static org.junit.jupiter.api.Assertions.fail;

import bnlab.nn.Parameter;
import bnlab.tensor.Rng;
import bnlab.tensor.Tensor;

/** Parameters with chosen values and gradients, and comparisons that show the first difference. */
final class OptimTestSupport {
  private OptimTestSupport() {}

  static Parameter param(Parameter.Role role, double... values) {
    float[] f = new float[values.length];
    for (int i = 0; i < f.length; i++) {
      f[i] = (float) values[i];
    }
    return new Parameter(Tensor.of(f, f.length), role);
  }

  static Parameter param(double... values) {
    return param(Parameter.Role.WEIGHT, values);
  }

  /** Values of {@code p} as doubles (exactly the stored floats). */
  static double[] values(Parameter p) {
    double[] d = new double[p.size()];
    for (int i = 0; i < d.length; i++) {
      d[i] = p.data().data()[i];
    }
    return d;
  }

  /** Fills p's gradient with uniform values in [-1, 1); returns them as the doubles stored. */
  static double[] randomGrad(Parameter p, Rng rng) {
    double[] g = new double[p.size()];
    for (int i = 0; i < g.length; i++) {
      float v = rng.uniform(-1f, 1f);
      p.grad().data()[i] = v;
      g[i] = v;
    }
    return g;
  }

  static void setGrad(Parameter p, double... g) {
    for (int i = 0; i < g.length; i++) {
      p.grad().data()[i] = (float) g[i];
    }
  }

  /** |expected − actual| ≤ tol·max(1, |expected|) element-wise, else fails naming the index. */
  static void assertClose(String what, double[] expected, Parameter actual, double tol) {
    float[] a = actual.data().data();
    for (int i = 0; i < expected.length; i++) {
      double err = Math.abs(expected[i] - a[i]);
      if (!(err <= tol * Math.max(1, Math.abs(expected[i])))) {
        fail(
            what
                + ": first difference at ["
                + i
                + "]: expected "
                + expected[i]
                + ", got "
                + a[i]
                + " (error "
                + err
                + ", tolerance "
                + tol
                + ")");
      }
    }
  }

  static void assertBitwiseEqual(String what, float[] expected, float[] actual) {
    for (int i = 0; i < expected.length; i++) {
      if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(actual[i])) {
        fail(what + ": first difference at [" + i + "]: " + expected[i] + " vs " + actual[i]);
      }
    }
  }
}
