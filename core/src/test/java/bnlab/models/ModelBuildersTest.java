package bnlab.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import bnlab.nn.Module;
import bnlab.nn.Parameter;
import bnlab.tensor.Rng;
import bnlab.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ModelBuildersTest {
  private static Tensor images(int n, int c, int hw) {
    Tensor x = Tensor.zeros(n, c, hw, hw);
    new Rng(3).fillUniform(x, 0f, 1f);
    return x;
  }

  @Test
  void netWithoutNormIsTheArticleNet() {
    Module a = ArticleNet.plain();
    Module b = ArticleNets.withNorm(3, 32, 10, Norm.NONE);
    a.resetParameters(new Rng(44));
    b.resetParameters(new Rng(44));
    assertEquals(a.namedParameters().keySet(), b.namedParameters().keySet());
    assertEquals(62006, b.parameterCount());
    Tensor x = images(4, 3, 32);
    assertArrayEquals(a.forward(x).toArray(), b.forward(x).toArray());
  }

  @Test
  void netBnHasBatchNormBeforeEachHiddenRelu() {
    Module m = ArticleNets.withNorm(3, 32, 10, Norm.BATCH);
    // 2 * (6 + 16 + 120 + 84) gammas and betas on top of Net's 62,006
    assertEquals(62006 + 2 * (6 + 16 + 120 + 84), m.parameterCount());
    assertEquals(
        List.of(
            "conv1", "bn1", "relu1", "pool1", "conv2", "bn2", "relu2", "pool2", "flatten", "fc1",
            "bn3", "relu3", "fc2", "bn4", "relu4", "fc3"),
        new ArrayList<>(m.children().keySet()));
    assertArrayEquals(new int[] {4, 10}, m.forward(images(4, 3, 32)).shape());
    assertArrayEquals(
        new int[] {2, 10},
        ArticleNets.withNorm(1, 28, 10, Norm.BATCH).forward(images(2, 1, 28)).shape());
  }

  @Test
  void asPublishedHasUnusedBnAndComputesNet() {
    Module pub = ArticleNets.asPublished(3, 32, 10);
    Module net = ArticleNets.withNorm(3, 32, 10, Norm.NONE);
    pub.resetParameters(new Rng(44));
    net.resetParameters(new Rng(44));
    assertTrue(pub.namedParameters().containsKey("bn1.weight"));
    assertTrue(pub.namedBuffers().containsKey("bn4.running_var"));
    Tensor x = images(4, 3, 32);
    assertArrayEquals(net.forward(x).toArray(), pub.forward(x).toArray());
    for (var e : net.namedParameters().entrySet()) {
      assertArrayEquals(
          e.getValue().data().toArray(), pub.namedParameters().get(e.getKey()).data().toArray());
    }
  }

  @Test
  void vggHasNineWeightLayers() {
    for (Activation act : Activation.values()) {
      for (Norm norm : Norm.values()) {
        Module m = Vgg.build(3, 32, 10, norm, act);
        long weights =
            m.namedParameters().values().stream()
                .filter(p -> p.role() == Parameter.Role.WEIGHT)
                .count();
        assertEquals(9, weights, norm + " " + act);
        assertArrayEquals(new int[] {2, 10}, m.forward(images(2, 3, 32)).shape());
      }
    }
    assertTrue(Vgg.build(3, 32, 10, Norm.BATCH, Activation.SIGMOID).children().containsKey("bn8"));
    assertTrue(
        Vgg.build(3, 32, 10, Norm.BATCH, Activation.SIGMOID).children().containsKey("sigmoid8"));
    assertArrayEquals(
        new int[] {2, 10},
        Vgg.build(1, 28, 10, Norm.NONE, Activation.RELU).forward(images(2, 1, 28)).shape());
  }
}
