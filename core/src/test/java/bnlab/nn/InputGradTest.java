package bnlab.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import bnlab.models.ArticleNet;
import bnlab.tensor.Rng;
import bnlab.tensor.Tensor;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** requiresInputGrad(false): no dX, and exactly the same parameter gradients. */
class InputGradTest {
  @Test
  void layersSkipInputGradientButKeepParameterGradients() {
    check(() -> new Conv2d(3, 5, 3, 2, 1, true), 2, 3, 7, 6);
    check(() -> new Conv1d(2, 4, 3), 3, 2, 9);
    check(() -> new Linear(7, 5), 4, 7);
    check(ArticleNet::plain, 3, 3, 32, 32);
    check(ArticleNet::withBatchNorm, 2, 3, 32, 32);
  }

  @Test
  void sequentialPassesTheFlagToItsFirstLayerNowOrWhenAdded() {
    Sequential before = ArticleNet.plain();
    assertTrue(before.get("conv1").requiresInputGrad());
    before.requiresInputGrad(false);
    assertFalse(before.get("conv1").requiresInputGrad());
    assertTrue(before.get("conv2").requiresInputGrad());
    Sequential after = new Sequential().requiresInputGrad(false);
    after.add("fc", new Linear(3, 2)).add("relu", new ReLU());
    assertFalse(after.get("fc").requiresInputGrad());
    assertTrue(after.get("relu").requiresInputGrad());
    before.requiresInputGrad(true);
    assertTrue(before.get("conv1").requiresInputGrad());
  }

  private static void check(Supplier<Module> make, int... shape) {
    Module full = make.get();
    Module skip = make.get().requiresInputGrad(false);
    full.resetParameters(new Rng(3));
    skip.resetParameters(new Rng(3));
    Rng rng = new Rng(4);
    Tensor x = random(rng, shape);
    Tensor yFull = full.forward(x);
    Tensor dY = random(rng, yFull.shape());
    Tensor yCopy = Tensor.of(yFull.toArray(), yFull.shape());
    assertArrayEquals(yCopy.toArray(), skip.forward(x).toArray(), 0f, "forward " + full);
    assertNotNull(full.backward(dY), "dX with the default " + full);
    assertNull(skip.backward(dY), "no dX when not required " + full);
    Map<String, Parameter> want = full.namedParameters();
    Map<String, Parameter> got = skip.namedParameters();
    for (var e : want.entrySet()) {
      assertArrayEquals(
          e.getValue().grad().toArray(),
          got.get(e.getKey()).grad().toArray(),
          0f,
          () -> e.getKey() + " grad of " + full);
    }
  }

  private static Tensor random(Rng rng, int... shape) {
    Tensor t = Tensor.zeros(shape);
    float[] d = t.data();
    for (int i = 0; i < t.size(); i++) {
      d[i] = rng.uniform(-1f, 1f);
    }
    return t;
  }
}
