package bnlab.nn;

import static bnlab.nn.BatchNormReference.gaussian;

import bnlab.tensor.Rng;
import bnlab.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Finite-difference checks (L summed in double, see {@link GradCheck}) of dX, dγ and dβ through the
 * batch statistics in training, through fixed running statistics in eval, and without running
 * statistics.
 */
class BatchNormGradTest {

  /** Random γ, β so the check does not pass by symmetry of γ = 1, β = 0. */
  private static <M extends Module> M randomAffine(M bn, long seed) {
    Rng rng = new Rng(seed);
    Parameter w = bn.namedParameters().get("weight");
    if (w != null) {
      rng.fillUniform(w.data(), 0.5f, 1.5f);
      rng.fillUniform(bn.namedParameters().get("bias").data(), -0.5f, 0.5f);
    }
    return bn;
  }

  private static void check(Module bn, int... shape) {
    Tensor x = gaussian(new Rng(shape.length * 31L + shape[1]), 0.3, 1.2, shape);
    GradCheck.Report r = GradCheck.of(bn, x).check();
    if (r.checked() == 0) {
      throw new AssertionError("nothing checked");
    }
  }

  @Test
  void batchNorm1dFeaturesTrainAffine() {
    check(randomAffine(new BatchNorm1d(5), 1).train(), 6, 5);
  }

  @Test
  void batchNorm1dFeaturesTrainNoAffine() {
    check(new BatchNorm1d(5, 1e-5, 0.1, false, true).train(), 6, 5);
  }

  @Test
  void batchNorm1dSequenceTrainAffineAndNoAffine() {
    check(randomAffine(new BatchNorm1d(3), 2).train(), 3, 3, 4);
    check(new BatchNorm1d(3, 1e-5, 0.1, false, true).train(), 3, 3, 4);
  }

  @Test
  void batchNorm2dTrainAffineAndNoAffine() {
    check(randomAffine(new BatchNorm2d(3), 3).train(), 2, 3, 3, 3);
    check(new BatchNorm2d(3, 1e-5, 0.1, false, true).train(), 2, 3, 3, 3);
  }

  @Test
  void batchNorm3dTrainAffineAndNoAffine() {
    check(randomAffine(new BatchNorm3d(2), 4).train(), 2, 2, 2, 2, 3);
    check(new BatchNorm3d(2, 1e-5, null, false, true).train(), 2, 2, 2, 2, 3);
  }

  @Test
  void evalModeWithRunningStatistics() {
    Rng rng = new Rng(5);
    BatchNorm1d bn1 = randomAffine(new BatchNorm1d(4), 6);
    BatchNorm2d bn2 = randomAffine(new BatchNorm2d(3), 7);
    for (int t = 0; t < 3; t++) {
      bn1.forward(gaussian(rng, 1, 2, 5, 4, 3));
      bn2.forward(gaussian(rng, -1, 0.5, 2, 3, 2, 2));
    }
    check(bn1.eval(), 5, 4, 3);
    check(bn2.eval(), 2, 3, 2, 2);
    check(new BatchNorm2d(3, 1e-5, 0.1, false, true).eval(), 2, 3, 2, 2);
  }

  @Test
  void noRunningStatisticsUsesBatchStatisticsInEvalBackwardToo() {
    check(randomAffine(new BatchNorm2d(2, 1e-5, 0.1, true, false), 8).eval(), 3, 2, 2, 2);
  }
}
