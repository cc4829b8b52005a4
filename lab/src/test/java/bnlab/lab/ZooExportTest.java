package bnlab.lab;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import bnlab.experiment.ModelZoo;
import bnlab.nn.Module;
import bnlab.onnx.OnnxExport;
import bnlab.onnx.OnnxModel;
import bnlab.tensor.Rng;
import bnlab.tensor.Tensor;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every model of the zoo ({@code bnlab models}), exported as ONNX and run by ONNX Runtime 1.29.0,
 * gives bnlab's eval-mode logits to 1e-5 (relative to max(1, |logit|)) at batch 1 and 37; models
 * with BatchNorm also after folding (Sequential ones: Fold.convBn does not fold the ResNets). A
 * model added to the zoo without an exporter fails here.
 */
class ZooExportTest {
  static Stream<String> zoo() {
    return ModelZoo.names().stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("zoo")
  void onnxRuntimeGivesBnlabsLogits(String name) {
    int[] shape = {3, 32, 32};
    Module built = ModelZoo.get(name).factory().build(shape, 10, 44);
    perturb(built, 45);
    built.eval();
    Module model = ExportCommand.exportable(name, built, shape, 10);
    boolean hasBatchNorm =
        model.namedModules().values().stream()
            .anyMatch(m -> m.getClass().getSimpleName().startsWith("BatchNorm"));
    // Fold.convBn folds Sequential models; the ResNets are refused with --fold-bn (one line).
    boolean foldable = hasBatchNorm && model instanceof bnlab.nn.Sequential;
    for (boolean fold : foldable ? new boolean[] {false, true} : new boolean[] {false}) {
      OnnxModel onnx =
          OnnxExport.export(model, shape, OnnxExport.Options.defaults().withFoldBatchNorm(fold));
      if (fold) {
        assertFalse(onnx.operators().contains("BatchNormalization"), onnx.operators().toString());
      }
      for (int batch : new int[] {1, 37}) {
        Tensor x = Tensor.zeros(batch, 3, 32, 32);
        new Rng(batch).fillUniform(x, 0f, 1f);
        Tensor expected = built.forward(x).copy();
        compare(name + (fold ? " folded" : "") + " batch " + batch, expected, run(onnx, x));
      }
    }
  }

  // Running statistics and affine parameters away from their initial 0/1, as after training.
  static void perturb(Module model, long seed) {
    Rng rng = new Rng(seed);
    model
        .namedBuffers()
        .forEach(
            (k, t) -> {
              boolean var = k.endsWith("running_var");
              rng.fillUniform(t, var ? 0.5f : -0.5f, var ? 2f : 0.5f);
            });
    model
        .namedParameters()
        .forEach(
            (k, p) -> {
              for (int i = 0; p.data().rank() == 1 && i < p.data().size(); i++) {
                p.data().data()[i] += rng.uniform(-0.2f, 0.2f);
              }
            });
  }

  private static Tensor run(OnnxModel onnx, Tensor x) {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    long[] shape = Arrays.stream(x.shape()).asLongStream().toArray();
    try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
      o.setIntraOpNumThreads(1);
      try (OrtSession s = env.createSession(onnx.bytes(), o);
          OnnxTensor in =
              OnnxTensor.createTensor(env, FloatBuffer.wrap(x.data(), 0, x.size()), shape);
          OrtSession.Result r = s.run(Map.of(onnx.input().name(), in))) {
        OnnxTensor out = (OnnxTensor) r.get(0);
        FloatBuffer fb = out.getFloatBuffer();
        float[] v = new float[fb.remaining()];
        fb.get(v);
        return Tensor.wrap(
            v, Arrays.stream(out.getInfo().getShape()).mapToInt(d -> (int) d).toArray());
      }
    } catch (OrtException e) {
      throw new AssertionError("ONNX Runtime: " + e.getMessage(), e);
    }
  }

  private static void compare(String what, Tensor expected, Tensor actual) {
    assertArrayEquals(expected.shape(), actual.shape(), what);
    StringBuilder first = new StringBuilder();
    int bad = 0;
    for (int i = 0; i < expected.size(); i++) {
      double e = expected.data()[i];
      double a = actual.data()[i];
      if (!(Math.abs(a - e) <= 1e-5 * Math.max(1, Math.abs(e))) && bad++ < 5) {
        first.append(String.format("%n  [%d] bnlab %.8g, onnxruntime %.8g", i, e, a));
      }
    }
    if (bad > 0) {
      fail(what + ": " + bad + " logits differ by more than 1e-5" + first);
    }
  }
}
