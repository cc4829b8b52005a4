package bnlab.nn;

import static bnlab.nn.BatchNormReference.assertClose;
import static bnlab.nn.BatchNormReference.gaussian;
import static bnlab.nn.NormGradTest.randomAffine;

import bnlab.tensor.Rng;
import bnlab.tensor.Tensor;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Equivalences that pin the family together: GroupNorm with 1 group is LayerNorm over (C, H, W),
 * with C groups InstanceNorm; GhostBatchNorm with one virtual batch and BatchRenorm with rmax = 1,
 * dmax = 0 are BatchNorm (outputs, gradients and running statistics over several steps).
 */
class NormEquivalenceTest {
  private static final double TOL = 2e-6;

  /** Runs forward + backward on both modules and compares output, dX and every state tensor. */
  private static void assertSameSteps(Module a, Module b, int steps, int... shape) {
    Rng rng = new Rng(99);
    for (int t = 0; t < steps; t++) {
      Tensor x = gaussian(rng, 0.5 * t, 1 + t, shape);
      Tensor dY = gaussian(rng, 0, 1, shape);
      assertClose("step " + t + " output", a.forward(x).toArray(), b.forward(x).toArray(), TOL);
      assertClose("step " + t + " dX", a.backward(dY).toArray(), b.backward(dY).toArray(), TOL);
    }
    compare("grad", grads(a), grads(b));
    compare("buffer", a.namedBuffers(), b.namedBuffers());
    a.namedCounters()
        .forEach(
            (n, c) -> {
              if (c.get() != b.namedCounters().get(n).get()) {
                throw new AssertionError(n + ": " + c.get() + " vs " + b.namedCounters().get(n));
              }
            });
  }

  private static Map<String, Tensor> grads(Module m) {
    Map<String, Tensor> out = new java.util.LinkedHashMap<>();
    m.namedParameters().forEach((n, p) -> out.put(n, p.grad()));
    return out;
  }

  private static void compare(String what, Map<String, Tensor> a, Map<String, Tensor> b) {
    if (!a.keySet().equals(b.keySet())) {
      throw new AssertionError(what + " names " + a.keySet() + " vs " + b.keySet());
    }
    a.forEach((n, t) -> assertClose(what + " " + n, t.toArray(), b.get(n).toArray(), TOL * 10));
  }

  @Test
  void groupNormWithOneGroupIsLayerNormOverChw() {
    assertSameSteps(
        new GroupNorm(1, 3, 1e-5, false),
        new LayerNorm(new int[] {3, 2, 4}, 1e-5, false),
        2,
        4,
        3,
        2,
        4);
  }

  @Test
  void groupNormWithChannelGroupsIsInstanceNorm() {
    GroupNorm gn = randomAffine(new GroupNorm(3, 3), 1);
    InstanceNorm2d in = new InstanceNorm2d(3, 1e-5, 0.1, true, false);
    LayerContract.copyState(gn, in);
    assertSameSteps(gn, in, 2, 2, 3, 3, 3);
    assertSameSteps(new GroupNorm(2, 2, 1e-5, false), new InstanceNorm1d(2), 2, 3, 2, 5);
  }

  @Test
  void ghostWithOneVirtualBatchIsBatchNorm() {
    GhostBatchNorm ghost = randomAffine(new GhostBatchNorm(3, 4), 2);
    BatchNorm2d bn = new BatchNorm2d(3);
    LayerContract.copyState(ghost, bn);
    assertSameSteps(ghost, bn, 3, 4, 3, 2, 2);
    assertSameSteps(ghost.eval(), bn.eval(), 1, 5, 3, 2, 2);
  }

  @Test
  void renormWithRmaxOneDmaxZeroIsBatchNorm() {
    BatchRenorm rn = new BatchRenorm(4, t -> 1.0, t -> 0.0, 1e-5, 0.1, true);
    randomAffine(rn, 3);
    BatchNorm1d bn = new BatchNorm1d(4);
    LayerContract.copyState(rn, bn);
    assertSameSteps(rn, bn, 3, 6, 4);
    assertSameSteps(rn.eval(), bn.eval(), 1, 6, 4);
    // the default (paper) schedule is plain BN for its first 5000 steps
    BatchRenorm paper = new BatchRenorm(2);
    assertSameSteps(paper, new BatchNorm2d(2), 3, 3, 2, 2, 2);
  }
}
