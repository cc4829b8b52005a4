package bnlab.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import bnlab.models.Norm;
import bnlab.nn.Module;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Zoo entries name their normalization and their baseline. */
class ModelZooTest {
  @Test
  void theBaselinesTheReportPairsWith() {
    assertEquals("net", ModelZoo.get("net-bn").baseline());
    assertEquals("net", ModelZoo.get("net-gbn").baseline());
    assertEquals("net", ModelZoo.get("net-published-bn").baseline());
    assertEquals("vgg-sigmoid", ModelZoo.get("vgg-bn-sigmoid").baseline());
    assertEquals("vgg", ModelZoo.get("vgg-gn").baseline());
    assertNull(ModelZoo.get("net").baseline());
    assertNull(ModelZoo.get("vgg-sigmoid").baseline());
    assertEquals(Norm.NONE, ModelZoo.get("net-published-bn").norm(), "its BN layers never run");
    assertEquals(Norm.RENORM, ModelZoo.get("net-brn").norm());
  }

  @Test
  void everyNormalizedModelHasAPlainBaselineOfTheSameNetwork() {
    for (ModelZoo.Entry e : ModelZoo.entries().values()) {
      if (e.baseline() == null) {
        assertEquals(Norm.NONE, e.norm(), e.name() + " normalizes but has no baseline");
        continue;
      }
      ModelZoo.Entry b = ModelZoo.get(e.baseline());
      assertEquals(Norm.NONE, b.norm(), e.name() + "'s baseline " + b.name());
      assertNull(b.baseline(), b.name());
      // the same network: every layer of the baseline is in the model (which adds norm layers)
      Set<String> layers = layerNames(e.factory().build(new int[] {3, 32, 32}, 10, 1));
      Set<String> base = layerNames(b.factory().build(new int[] {3, 32, 32}, 10, 1));
      assertTrue(
          layers.containsAll(base), e.name() + " " + layers + " vs " + b.name() + " " + base);
    }
  }

  private static Set<String> layerNames(Module m) {
    return m.namedModules().keySet();
  }

  @Test
  void entriesAreChecked() {
    assertThrows(
        IllegalArgumentException.class,
        () -> new ModelZoo.Entry("x", Norm.BATCH, "x", "", (s, c, seed) -> null));
    assertThrows(
        IllegalArgumentException.class,
        () -> new ModelZoo.Entry("x", Norm.BATCH, "Not A Name", "", (s, c, seed) -> null));
    UserError e = assertThrows(UserError.class, () -> ModelZoo.get("resnet-1000"));
    // Other tests in this JVM may register models of their own; the built-in ones must be named.
    assertTrue(
        e.getMessage().contains("known models: ")
            && e.getMessage().contains(" mlp-sigmoid, net, net-bn, "),
        e.getMessage());
  }
}
