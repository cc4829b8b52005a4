package bnlab.reference.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import bnlab.models.Activation;
import bnlab.models.ArticleNets;
import bnlab.models.Norm;
import bnlab.models.Vgg;
import bnlab.nn.CrossEntropyLoss;
import bnlab.nn.Module;
import bnlab.nn.Parameter;
import bnlab.tensor.Rng;
import bnlab.tensor.Tensor;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The libtorch benchmark runs the models bnlab runs: with bnlab's initial weights copied in by
 * state-dict name, the libtorch twin gives bnlab's logits in training mode, its loss and every
 * parameter gradient, and its logits in eval mode after the running statistics moved.
 *
 * <p>Batch 16: at batch 4 the BatchNorm1d layers of vgg-bn (statistics of 4 values) amplify float32
 * rounding in backward to 1e-4 of the largest gradient; at 16 both sides agree to ~1e-5.
 */
class TwinModelsTest {
  private static final int N = 16;
  private static NDManager manager;

  @BeforeAll
  static void start() {
    Engine.getEngine("PyTorch");
    JniUtils.setNumThreads(1);
    manager = NDManager.newBaseManager(Device.cpu(), "PyTorch");
  }

  @AfterAll
  static void stop() {
    manager.close();
  }

  static Module bnlabModel(String name) {
    Module m =
        switch (name) {
          case "net" -> ArticleNets.withNorm(3, 32, 10, Norm.NONE);
          case "net-bn" -> ArticleNets.withNorm(3, 32, 10, Norm.BATCH);
          case "vgg" -> Vgg.build(3, 32, 10, Norm.NONE, Activation.RELU);
          case "vgg-bn" -> Vgg.build(3, 32, 10, Norm.BATCH, Activation.RELU);
          default -> throw new IllegalArgumentException(name);
        };
    m.resetParameters(new Rng(7));
    return m;
  }

  @ParameterizedTest
  @ValueSource(strings = {"net", "net-bn", "vgg", "vgg-bn"})
  void sameLogitsLossAndGradientsAsBnlab(String name) {
    Module ours = bnlabModel(name);
    Map<String, float[]> state = new LinkedHashMap<>();
    ours.namedParameters().forEach((k, p) -> state.put(k, p.data().data().clone()));
    ours.namedBuffers().forEach((k, b) -> state.put(k, b.data().clone()));
    Set<String> used = new HashSet<>();
    try (NDManager m = manager.newSubManager()) {
      Params p =
          new Params(
              m,
              (n, shape, bound) -> {
                float[] v = state.get(n);
                if (v == null) {
                  fail(
                      "libtorch twin has "
                          + n
                          + ", bnlab's "
                          + name
                          + " has not: "
                          + state.keySet());
                }
                used.add(n);
                return v.clone();
              });
      TorchModule twin = TorchModels.build(name, p);
      assertEquals(state.keySet(), used, "state names of bnlab's " + name + " not in the twin");

      Tensor x = Tensor.zeros(N, 3, 32, 32);
      new Rng(3).fillUniform(x, -1f, 1f);
      int[] labels = new int[N];
      long[] tlabels = new long[N];
      for (int i = 0; i < N; i++) {
        labels[i] = (i * 7 + 1) % 10;
        tlabels[i] = labels[i];
      }
      PtNDArray tx = (PtNDArray) m.create(x.data(), new Shape(N, 3, 32, 32));
      PtNDArray ty = (PtNDArray) m.create(tlabels, new Shape(N, 1));

      ours.train();
      Tensor logits = ours.forward(x).copy();
      CrossEntropyLoss ce = new CrossEntropyLoss();
      float loss = ce.forward(logits, labels);
      ours.zeroGrad();
      ours.backward(ce.backward());
      try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
        PtNDArray tl = twin.forward(tx, true);
        PtNDArray tLoss = TorchTrainer.crossEntropy(tl, ty);
        gc.backward(tLoss);
        assertClose(name + " train logits", logits.data(), tl.toFloatArray(), 2e-4);
        assertClose(name + " loss", new float[] {loss}, tLoss.toFloatArray(), 2e-5);
      }
      // A gradient that is zero in exact arithmetic (the bias of a convolution followed by BN) is
      // rounding noise on both sides: compare every gradient at the scale of the largest one.
      double scale = 0;
      for (Parameter q : ours.namedParameters().values()) {
        scale = Math.max(scale, maxAbs(q.grad().data()));
      }
      for (Map.Entry<String, Parameter> e : ours.namedParameters().entrySet()) {
        float[] g = p.parameters().get(e.getKey()).getGradient().toFloatArray();
        assertClose(name + " grad " + e.getKey(), e.getValue().grad().data(), g, 1e-4, scale);
      }

      ours.eval();
      float[] eval = ours.forward(x).data().clone();
      try (NDManager s = m.newSubManager()) {
        s.tempAttachAll(tx);
        assertClose(name + " eval logits", eval, twin.forward(tx, false).toFloatArray(), 2e-4);
      }
    }
  }

  static double maxAbs(float[] a) {
    double m = 0;
    for (float v : a) {
      m = Math.max(m, Math.abs(v));
    }
    return m;
  }

  /** |a − b| ≤ tol · max|a| everywhere; the message shows the first differing values. */
  static void assertClose(String what, float[] expected, float[] actual, double tol) {
    assertClose(what, expected, actual, tol, maxAbs(expected));
  }

  /** |a − b| ≤ tol · scale everywhere; the message shows the first differing values. */
  static void assertClose(String what, float[] expected, float[] actual, double tol, double scale) {
    assertEquals(expected.length, actual.length, what + ": length");
    double bound = tol * Math.max(scale, 1e-12);
    StringBuilder diffs = new StringBuilder();
    int bad = 0;
    for (int i = 0; i < expected.length; i++) {
      if (!(Math.abs(expected[i] - actual[i]) <= bound)) {
        if (bad++ < 5) {
          diffs.append(String.format(" [%d] bnlab %.7g libtorch %.7g;", i, expected[i], actual[i]));
        }
      }
    }
    assertTrue(bad == 0, what + ": " + bad + " values differ by more than " + bound + ":" + diffs);
  }
}
