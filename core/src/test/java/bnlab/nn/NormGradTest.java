package bnlab.nn;

import static bnlab.nn.BatchNormReference.gaussian;

import bnlab.tensor.Rng;
import bnlab.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Finite-difference checks (see {@link GradCheck}) of dX, dγ and dβ for GroupNorm, LayerNorm,
 * InstanceNorm, GhostBatchNorm, BatchRenorm and frozen BatchNorm.
 */
class NormGradTest {

  /** Random γ, β so the check does not pass by symmetry of γ = 1, β = 0. */
  static <M extends Module> M randomAffine(M m, long seed) {
    Rng rng = new Rng(seed);
    Parameter w = m.namedParameters().get("weight");
    if (w != null) {
      rng.fillUniform(w.data(), 0.5f, 1.5f);
      rng.fillUniform(m.namedParameters().get("bias").data(), -0.5f, 0.5f);
    }
    return m;
  }

  private static void check(Module m, int... shape) {
    Tensor x = gaussian(new Rng(shape.length * 17L + shape[1]), 0.4, 1.3, shape);
    GradCheck.Report r = GradCheck.of(m, x).check();
    if (r.checked() == 0) {
      throw new AssertionError("nothing checked");
    }
  }

  @Test
  void groupNorm() {
    check(randomAffine(new GroupNorm(2, 4), 1), 3, 4, 2, 3);
    check(new GroupNorm(3, 3, 1e-5, false), 2, 3, 5);
    check(randomAffine(new GroupNorm(1, 4), 2), 2, 4);
  }

  @Test
  void layerNorm() {
    check(randomAffine(new LayerNorm(3, 2, 2), 3), 2, 3, 2, 2);
    check(randomAffine(new LayerNorm(5), 4), 4, 5);
    check(new LayerNorm(new int[] {6}, 1e-5, false), 2, 3, 6);
  }

  @Test
  void instanceNormTrainAndEval() {
    check(new InstanceNorm1d(3), 2, 3, 5);
    check(randomAffine(new InstanceNorm2d(2, 1e-5, 0.1, true, true), 5), 3, 2, 2, 3);
    InstanceNorm2d tracked = randomAffine(new InstanceNorm2d(2, 1e-5, 0.1, true, true), 6);
    tracked.forward(gaussian(new Rng(7), 1, 2, 3, 2, 3, 3));
    check(tracked.eval(), 3, 2, 3, 3);
  }

  @Test
  void ghostBatchNormTrainAndEval() {
    check(randomAffine(new GhostBatchNorm(3, 2), 8), 6, 3, 2, 2);
    check(randomAffine(new GhostBatchNorm(4, 3), 9), 6, 4);
    GhostBatchNorm g = randomAffine(new GhostBatchNorm(3, 2), 10);
    g.forward(gaussian(new Rng(11), 1, 2, 4, 3, 2));
    check(g.eval(), 4, 3, 2);
  }

  /**
   * The analytic gradient treats r and d as constants, which is the true gradient where the clips
   * are active (r, d locally constant): running statistics far from the batch's make them so.
   */
  @Test
  void batchRenormWithSaturatedCorrections() {
    BatchRenorm rn =
        randomAffine(
            new BatchRenorm(
                3,
                BatchRenorm.linear(0, 0, 1.5, 1.5),
                BatchRenorm.linear(0, 0, 0.5, 0.5),
                1e-5,
                0.1,
                true),
            12);
    rn.namedBuffers().get("running_mean").fill(10f);
    rn.namedBuffers().get("running_var").fill(100f);
    check(rn, 4, 3, 2, 2);
    double[] r = rn.lastR();
    double[] d = rn.lastD();
    for (int j = 0; j < 3; j++) {
      if (r[j] != 1 / 1.5 || d[j] != -0.5) {
        throw new AssertionError("corrections not saturated: r " + r[j] + ", d " + d[j]);
      }
    }
    check(rn.eval(), 4, 3, 2, 2);
  }

  /**
   * Frozen BN's dX goes through constant running statistics even in training mode. A frozen γ, β
   * get no gradient (checked in FreezeFoldTest), so they are switched back on here to check the
   * formula of their gradient too.
   */
  @Test
  void frozenBatchNormInTrainingMode() {
    BatchNorm2d bn = randomAffine(new BatchNorm2d(3), 13);
    bn.forward(gaussian(new Rng(14), 1, 2, 4, 3, 2, 2));
    bn.freeze();
    bn.namedParameters().values().forEach(p -> p.requiresGrad(true));
    check(bn.train(), 2, 3, 2, 2);
  }
}
