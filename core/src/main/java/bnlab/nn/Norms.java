package bnlab.nn;

import bnlab.tensor.Shape;
import bnlab.tensor.Tensor;

/** Argument checks and reprs shared by the normalization layers. */
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

  /** A BatchNorm variant's configuration (running statistics always kept), checked. */
  static NormCore.Config runningConfig(
      String repr, int numFeatures, double eps, Double momentum, boolean affine) {
    if (numFeatures <= 0) {
      throw new IllegalArgumentException(repr + ": numFeatures must be positive");
    }
    checkEps(repr, eps);
    checkMomentum(repr, momentum);
    return NormCore.Config.torch(repr, new int[] {numFeatures}, eps, momentum, affine, true);
  }

  /** InstanceNorm's configuration with PyTorch's repr, checked. */
  static NormCore.Config instanceConfig(
      String kind,
      int numFeatures,
      double eps,
      Double momentum,
      boolean affine,
      boolean trackRunningStats) {
    String repr =
        String.format(
            "%s(%d, eps=%s, momentum=%s, affine=%s, track_running_stats=%s)",
            kind,
            numFeatures,
            pythonFloat(eps),
            momentum == null ? "None" : pythonFloat(momentum),
            affine ? "True" : "False",
            trackRunningStats ? "True" : "False");
    if (numFeatures <= 0) {
      throw new IllegalArgumentException(repr + ": numFeatures must be positive");
    }
    checkEps(repr, eps);
    checkMomentum(repr, momentum);
    return NormCore.Config.torch(
        repr, new int[] {numFeatures}, eps, momentum, affine, trackRunningStats);
  }

  /** Checks x is (N, C, *) of rank 2 to 5. */
  static void checkChannelsFirst(String who, Tensor x, int c) {
    if (x.rank() < 2 || x.rank() > 5 || x.dim(1) != c) {
      throw new IllegalArgumentException(
          who + ": expected input (N, " + c + ", *) of rank 2 to 5, got " + Shape.str(x.shape()));
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
