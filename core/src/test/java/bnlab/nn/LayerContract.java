package bnlab.nn;

import bnlab.tensor.Rng;
import bnlab.tensor.Shape;
import bnlab.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The module contract every layer must keep, checked in one place (in the spirit of Keras' layer
 * tests): output shape; parameter, buffer and counter names (in order) and the number of learnable
 * elements; gradients shaped like their parameters; dX shaped like x; the input left untouched;
 * output and dX tensors reused from step to step (no allocation per step); train()/eval() reaching
 * every sub-module; eval-mode forward deterministic; and a state copy round trip: a second instance
 * initialised from another seed, given the first one's parameters, buffers and counters by name (as
 * a checkpoint load would), computes bit-identical eval outputs.
 *
 * <pre>{@code
 * LayerContract.of(() -> new Conv2d(3, 6, 5), Tensor.zeros(2, 3, 8, 8))
 *     .outputShape(2, 6, 4, 4)
 *     .parameters("weight", "bias")
 *     .parameterCount(6 * 3 * 25 + 6)
 *     .check();
 * }</pre>
 */
public final class LayerContract {
  private final Supplier<? extends Module> factory;
  private final Tensor x;
  private int[] outputShape;
  private List<String> parameters = List.of();
  private List<String> buffers = List.of();
  private List<String> counters = List.of();
  private long parameterCount = -1;

  private LayerContract(Supplier<? extends Module> factory, Tensor x) {
    this.factory = factory;
    this.x = x;
  }

  /** A contract check of modules made by {@code factory}, fed with {@code x}. */
  public static LayerContract of(Supplier<? extends Module> factory, Tensor x) {
    return new LayerContract(factory, x);
  }

  /** Expected output shape for x. */
  public LayerContract outputShape(int... shape) {
    outputShape = shape.clone();
    return this;
  }

  /** Expected parameter names, in registration order (default none). */
  public LayerContract parameters(String... names) {
    parameters = List.of(names);
    return this;
  }

  /** Expected float buffer names (default none). */
  public LayerContract buffers(String... names) {
    buffers = List.of(names);
    return this;
  }

  /** Expected counter names (default none). */
  public LayerContract counters(String... names) {
    counters = List.of(names);
    return this;
  }

  /** Expected number of learnable elements. */
  public LayerContract parameterCount(long n) {
    parameterCount = n;
    return this;
  }

  /** Runs every check; throws AssertionError with what differs. */
  public void check() {
    Module m = factory.get();
    checkNames(m);
    Tensor xCopy = x.copy();
    Tensor y = m.train().forward(x);
    if (outputShape != null && !y.hasShape(outputShape)) {
      fail("output shape " + Shape.str(y.shape()) + ", expected " + Shape.str(outputShape));
    }
    if (!Arrays.equals(x.toArray(), xCopy.toArray())) {
      fail("forward modified its input");
    }
    Tensor dY = Tensor.zeros(y.shape()).fill(1f);
    Tensor dX = m.backward(dY);
    if (!dX.hasShape(x.shape())) {
      fail("dX shape " + Shape.str(dX.shape()) + ", input " + Shape.str(x.shape()));
    }
    m.namedParameters()
        .forEach(
            (n, p) -> {
              if (!p.grad().hasShape(p.data().shape())) {
                fail(n + ".grad shape " + Shape.str(p.grad().shape()));
              }
            });
    checkReuse(m, dY);
    checkModes(m);
    checkEvalDeterministic(m);
    checkRoundTrip();
  }

  private void checkNames(Module m) {
    expectNames("parameters", parameters, m.namedParameters());
    expectNames("buffers", buffers, m.namedBuffers());
    expectNames("counters", counters, m.namedCounters());
    if (parameterCount >= 0 && m.parameterCount() != parameterCount) {
      fail("parameterCount " + m.parameterCount() + ", expected " + parameterCount);
    }
  }

  private static void expectNames(String what, List<String> expected, Map<String, ?> actual) {
    List<String> names = new ArrayList<>(actual.keySet());
    if (!names.equals(expected)) {
      fail(what + " " + names + ", expected " + expected);
    }
  }

  // The steady state allocates nothing: same-shaped steps return the same tensors.
  private void checkReuse(Module m, Tensor dY) {
    Tensor y1 = m.forward(x);
    Tensor dX1 = m.backward(dY);
    Tensor y2 = m.forward(x);
    Tensor dX2 = m.backward(dY);
    if (y1 != y2 || dX1 != dX2) {
      fail("forward/backward must reuse their output tensors (Tensor.ensure), not allocate");
    }
    m.zeroGrad();
  }

  private static void checkModes(Module m) {
    m.eval();
    m.namedModules()
        .forEach(
            (n, sub) -> {
              if (sub.isTraining()) {
                fail("eval() did not reach '" + n + "'");
              }
            });
    m.train();
    m.namedModules()
        .forEach(
            (n, sub) -> {
              if (!sub.isTraining()) {
                fail("train() did not reach '" + n + "'");
              }
            });
  }

  private void checkEvalDeterministic(Module m) {
    m.eval();
    float[] a = m.forward(x).toArray();
    float[] b = m.forward(x).toArray();
    if (!Arrays.equals(a, b)) {
      fail("two eval forwards of one input differ");
    }
    m.train();
  }

  private void checkRoundTrip() {
    Module a = factory.get();
    a.resetParameters(new Rng(11));
    a.train().forward(x); // moves running statistics and counters away from their initial values
    Module b = factory.get();
    b.resetParameters(new Rng(12));
    copyState(a, b);
    float[] ya = a.eval().forward(x).toArray();
    float[] yb = b.eval().forward(x).toArray();
    if (!Arrays.equals(ya, yb)) {
      fail("state copy round trip: outputs differ, e.g. " + firstDiff(ya, yb));
    }
  }

  /** Copies parameters, buffers and counters from {@code from} to {@code to} by name. */
  public static void copyState(Module from, Module to) {
    Map<String, Parameter> tp = to.namedParameters();
    from.namedParameters().forEach((n, p) -> tp.get(n).data().copyFrom(p.data()));
    Map<String, Tensor> tb = to.namedBuffers();
    from.namedBuffers().forEach((n, t) -> tb.get(n).copyFrom(t));
    Map<String, Counter> tc = to.namedCounters();
    from.namedCounters().forEach((n, c) -> tc.get(n).set(c.get()));
  }

  private static String firstDiff(float[] a, float[] b) {
    for (int i = 0; i < a.length; i++) {
      if (Float.compare(a[i], b[i]) != 0) {
        return "entry " + i + ": " + a[i] + " vs " + b[i];
      }
    }
    return "lengths " + a.length + " vs " + b.length;
  }

  private static void fail(String msg) {
    throw new AssertionError(msg);
  }
}
