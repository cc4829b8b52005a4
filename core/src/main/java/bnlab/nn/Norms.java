package bnlab.nn;

import bnlab.tensor.Shape;
import bnlab.tensor.Tensor;

/** Validation and small helpers shared by the normalization layers. */
final class Norms {
  private Norms() {}

  static void checkEps(String who, double eps) {
    if (!(eps > 0) || Double.isInfinite(eps)) {
      throw new IllegalArgumentException(who + ": eps must be positive and finite, got " + eps);
    }
  }

  static void checkMomentum(String who, Double momentum) {
    if (momentum != null && !(momentum >= 0 && momentum <= 1)) {
      throw new IllegalArgumentException(
          who + ": momentum must be in [0, 1] or null (cumulative average), got " + momentum);
    }
  }

  /** A NORM parameter of {@code size} elements registered on {@code owner}. */
  static Parameter parameter(Module owner, String name, int... shape) {
    return owner.registerParameter(name, new Parameter(Tensor.zeros(shape), Parameter.Role.NORM));
  }

  static float[] data(Parameter p) {
    return p == null ? null : p.data().data();
  }

  /** The gradient array, or null when there is no parameter or it is frozen. */
  static float[] grad(Parameter p) {
    return p == null || !p.requiresGrad() ? null : p.grad().data();
  }

  static void checkBackward(String who, boolean ready, Tensor out, Tensor dY) {
    if (!ready || !dY.sameShape(out)) {
      throw new IllegalStateException(
          who
              + ".backward: expected dY of the last forward's output shape "
              + (ready ? Shape.str(out.shape()) : "(no forward yet)")
              + ", got "
              + Shape.str(dY.shape()));
    }
  }

  /** Python's float repr for the usual cases: 1e-05, 0.1. */
  static String pythonFloat(double v) {
    String str = Double.toString(v);
    int e = str.indexOf('E');
    if (e < 0) {
      return str;
    }
    String mantissa = str.substring(0, e).replaceAll("\\.0$", "");
    int exp = Integer.parseInt(str.substring(e + 1));
    return String.format("%se%s%02d", mantissa, exp < 0 ? "-" : "+", Math.abs(exp));
  }
}
