package bnlab.experiment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import bnlab.models.Norm;
import bnlab.nn.Module;
import bnlab.nn.Parameter;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The studies' zoo entries: Ioffe &amp; Szegedy's MLP and the zero-γ ResNets. */
class StudyZooTest {
  static Module build(String name, int... shape) {
    return ModelZoo.get(name).factory().build(shape, 10, 44);
  }

  @Test
  void theMlpsStartFromTheSameSmallGaussianWeights() {
    Module plain = build("mlp-sigmoid", 1, 28, 28);
    Module bn = build("mlp-bn-sigmoid", 1, 28, 28);
    assertEquals(Norm.NONE, ModelZoo.get("mlp-sigmoid").norm());
    assertEquals(Norm.BATCH, ModelZoo.get("mlp-bn-sigmoid").norm());
    assertEquals("mlp-sigmoid", ModelZoo.get("mlp-bn-sigmoid").baseline());
    Map<String, Parameter> p = plain.namedParameters();
    Map<String, Parameter> b = bn.namedParameters();
    for (String fc : new String[] {"fc1", "fc2", "fc3", "fc4"}) {
      // the same seed gives both networks the same linear layers, so only BN differs
      assertArrayEquals(
          p.get(fc + ".weight").data().data(), b.get(fc + ".weight").data().data(), fc);
      assertEquals(0f, p.get(fc + ".bias").data().data()[0]);
    }
    float[] w = p.get("fc1.weight").data().data();
    double sq = 0;
    for (float v : w) {
      sq += (double) v * v;
    }
    // 78,400 draws of N(0, 0.1²): the root mean square is 0.1 within 1 %
    assertEquals(0.1, Math.sqrt(sq / w.length), 1e-3);
    // CIFAR-10's shape works too (3·32·32 inputs)
    Module cifar = build("mlp-sigmoid", 3, 32, 32);
    assertEquals(3 * 32 * 32 * 100, cifar.namedParameters().get("fc1.weight").size());
  }

  @Test
  void zeroGammaResNetsZeroEachBlocksLastGammaOnly() {
    for (int depth : new int[] {20, 56}) {
      Module zero = build("resnet" + depth + "-zero-gamma", 3, 32, 32);
      Module bn = build("resnet" + depth, 3, 32, 32);
      assertEquals(
          "resnet" + depth + "-nobn", ModelZoo.get("resnet" + depth + "-zero-gamma").baseline());
      int zeroed = 0;
      for (var e : bn.namedParameters().entrySet()) {
        float[] want = e.getValue().data().data().clone();
        if (e.getKey().matches("layer\\d\\.\\d+\\.bn2\\.weight")) {
          java.util.Arrays.fill(want, 0f);
          zeroed++;
        }
        assertArrayEquals(want, zero.namedParameters().get(e.getKey()).data().data(), e.getKey());
      }
      assertEquals(3 * (depth - 2) / 6, zeroed, "one per block");
    }
  }
}
