package bnlab.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.fail;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import bnlab.nn.Module;
import bnlab.tensor.Rng;
import bnlab.tensor.Tensor;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Map;

/** Runs exported graphs in ONNX Runtime and compares them with bnlab's forward. */
final class Ort {
  private Ort() {}

  /** The output of {@code model} (ONNX bytes) for {@code x}, as a tensor of the output's shape. */
  static Tensor run(byte[] model, String inputName, Tensor x) {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    long[] shape = Arrays.stream(x.shape()).asLongStream().toArray();
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.setIntraOpNumThreads(1);
      try (OrtSession session = env.createSession(model, options);
          OnnxTensor in =
              OnnxTensor.createTensor(env, FloatBuffer.wrap(x.data(), 0, x.size()), shape);
          OrtSession.Result r = session.run(Map.of(inputName, in))) {
        OnnxTensor out = (OnnxTensor) r.get(0);
        FloatBuffer fb = out.getFloatBuffer();
        float[] values = new float[fb.remaining()];
        fb.get(values);
        int[] dims = Arrays.stream(out.getInfo().getShape()).mapToInt(d -> (int) d).toArray();
        return Tensor.wrap(values, dims);
      }
    } catch (OrtException e) {
      throw new AssertionError("ONNX Runtime: " + e.getMessage(), e);
    }
  }

  /**
   * Exports {@code model} (in eval mode), runs it in ONNX Runtime on {@code batch} inputs drawn
   * U(0, 1) and asserts that the outputs equal bnlab's to {@code tol}·max(1, |bnlab|).
   */
  static void assertMatches(
      String what, Module model, int[] itemShape, OnnxExport.Options options, int batch) {
    OnnxModel onnx = OnnxExport.export(model, itemShape, options);
    int[] shape = new int[itemShape.length + 1];
    shape[0] = batch;
    System.arraycopy(itemShape, 0, shape, 1, itemShape.length);
    Tensor x = Tensor.zeros(shape);
    new Rng(batch * 31L + 7).fillUniform(x, 0f, 1f);
    Tensor expected = model.forward(x).copy();
    Tensor actual = run(onnx.bytes(), options.inputName(), x);
    assertClose(what + " batch " + batch, expected, actual, 1e-5);
  }

  /** Asserts equal shapes and |a − e| ≤ tol·max(1, |e|), printing the first differences. */
  static void assertClose(String what, Tensor expected, Tensor actual, double tol) {
    assertArrayEquals(expected.shape(), actual.shape(), what + ": output shape");
    StringBuilder diffs = new StringBuilder();
    int bad = 0;
    double worst = 0;
    for (int i = 0; i < expected.size(); i++) {
      double e = expected.data()[i];
      double a = actual.data()[i];
      double err = Math.abs(a - e) / Math.max(1, Math.abs(e));
      worst = Math.max(worst, Double.isNaN(err) ? Double.POSITIVE_INFINITY : err);
      if (!(err <= tol) && bad++ < 5) {
        diffs.append(String.format("%n  [%d] bnlab %.8g, onnxruntime %.8g", i, e, a));
      }
    }
    if (bad > 0) {
      fail(
          what
              + ": "
              + bad
              + " values differ by more than "
              + tol
              + " (worst "
              + worst
              + ")"
              + diffs);
    }
  }

  /**
   * Gives every normalization state a value far from its initial one, so that a graph that ignored
   * running statistics or affine parameters would show: running means U(−0.5, 0.5), running
   * variances U(0.5, 2), and every 1-d parameter (biases, γ, β) shifted by U(−0.2, 0.2).
   */
  static void perturb(Module model, long seed) {
    Rng rng = new Rng(seed);
    model
        .namedBuffers()
        .forEach(
            (k, t) ->
                rng.fillUniform(
                    t,
                    k.endsWith("running_var") ? 0.5f : -0.5f,
                    k.endsWith("running_var") ? 2f : 0.5f));
    model
        .namedParameters()
        .forEach(
            (k, p) -> {
              if (p.data().rank() == 1) {
                float[] d = p.data().data();
                for (int i = 0; i < p.data().size(); i++) {
                  d[i] += rng.uniform(-0.2f, 0.2f);
                }
              }
            });
  }
}
