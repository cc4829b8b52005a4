package bnlab.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import bnlab.nn.BatchNorm1d;
import bnlab.nn.GradCheck;
import bnlab.nn.Linear;
import bnlab.nn.Sequential;
import bnlab.nn.Sigmoid;
import bnlab.nn.Tensors;
import bnlab.tensor.Rng;
import bnlab.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Ioffe &amp; Szegedy's MLP: layers, parameter counts, the Gaussian initialisation, gradients. */
class MlpTest {
  @Test
  void layersAndParameterCountsOfThePapersNetwork() {
    Sequential plain = Mlp.ioffe(784, 10, Norm.NONE);
    Sequential bn = Mlp.ioffe(784, 10, Norm.BATCH);
    assertEquals(
        List.of("flatten", "fc1", "sigmoid1", "fc2", "sigmoid2", "fc3", "sigmoid3", "fc4"),
        List.copyOf(plain.children().keySet()));
    assertEquals(
        List.of(
            "flatten",
            "fc1",
            "bn1",
            "sigmoid1",
            "fc2",
            "bn2",
            "sigmoid2",
            "fc3",
            "bn3",
            "sigmoid3",
            "fc4"),
        List.copyOf(bn.children().keySet()));
    assertInstanceOf(BatchNorm1d.class, bn.get("bn3"));
    assertInstanceOf(Sigmoid.class, bn.get("sigmoid3"));
    // 784*100+100 + 2*(100*100+100) + 100*10+10; BN adds γ and β per hidden unit
    assertEquals(78_500 + 20_200 + 1_010, plain.parameterCount());
    assertEquals(99_710 + 3 * 200, bn.parameterCount());
    Tensor y = bn.forward(Tensors.uniform(1, 6, 1, 28, 28));
    assertEquals(List.of(6, 10), List.of(y.dim(0), y.dim(1)));
  }

  @Test
  void gaussianInitDrawsTheWeightsAndZeroesTheBiases() {
    Sequential m = Mlp.ioffe(784, 10, Norm.BATCH);
    m.resetParameters(new Rng(1));
    assertEquals(4, Mlp.gaussianInit(m, new Rng(2), 0.1));
    double sum = 0;
    double sq = 0;
    long n = 0;
    for (String fc : List.of("fc1", "fc2", "fc3", "fc4")) {
      Linear l = (Linear) m.get(fc);
      for (float w : l.weight().data().data()) {
        sum += w;
        sq += (double) w * w;
        n++;
      }
      for (float b : l.bias().data().data()) {
        assertEquals(0f, b, fc + " bias");
      }
    }
    double mean = sum / n;
    double sd = Math.sqrt(sq / n - mean * mean);
    // 99,700 draws of N(0, 0.01): the sample mean is within 4 standard errors (4 * 0.1 / √n) of 0
    // and the sample sd within 1 % of 0.1
    assertEquals(0, mean, 4 * 0.1 / Math.sqrt(n), "mean");
    assertEquals(0.1, sd, 1e-3, "sd");
    BatchNorm1d bn = (BatchNorm1d) m.get("bn1");
    assertEquals(1f, bn.namedParameters().get("weight").data().data()[7], "γ stays 1");
    Sequential again = Mlp.ioffe(784, 10, Norm.BATCH);
    Mlp.gaussianInit(again, new Rng(2), 0.1);
    assertEquals(
        ((Linear) m.get("fc3")).weight().data().data()[42],
        ((Linear) again.get("fc3")).weight().data().data()[42],
        "seeded");
    assertThrows(IllegalArgumentException.class, () -> Mlp.gaussianInit(m, new Rng(1), 0));
  }

  @Test
  void gradientsWithAndWithoutTrainModeBatchNorm() {
    for (Norm norm : new Norm[] {Norm.NONE, Norm.BATCH}) {
      Sequential m = Mlp.build(12, new int[] {5, 4, 3}, 3, norm, Activation.SIGMOID);
      m.resetParameters(new Rng(3));
      Mlp.gaussianInit(m, new Rng(4), 0.5);
      GradCheck.Report r = GradCheck.of(m, Tensors.uniform(5, 6, 12)).check();
      assertTrue(r.checked() > 0, norm + ": " + r);
    }
  }

  @Test
  void badSizesAreRefused() {
    assertThrows(
        IllegalArgumentException.class,
        () -> Mlp.build(0, new int[] {4}, 2, Norm.NONE, Activation.SIGMOID));
    assertThrows(
        IllegalArgumentException.class,
        () -> Mlp.build(4, new int[] {}, 2, Norm.NONE, Activation.SIGMOID));
    assertThrows(
        IllegalArgumentException.class,
        () -> Mlp.build(4, new int[] {3, 0}, 2, Norm.NONE, Activation.SIGMOID));
  }
}
