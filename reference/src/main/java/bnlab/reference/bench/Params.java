package bnlab.reference.bench;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The named state of a libtorch model, created while its layers are built: trainable parameters
 * (autograd leaves) and buffers (BatchNorm's running statistics), under PyTorch's state-dict names
 * ({@code conv1.weight}, {@code layer1.0.bn1.running_var}). Initial values come from an {@link
 * Init}, so the benchmark can seed them and a test can copy bnlab's.
 */
final class Params {
  /** Initial values of one tensor. */
  @FunctionalInterface
  interface Init {
    /**
     * The row-major values of {@code name} with {@code shape}; {@code bound} is PyTorch's default
     * U(−bound, bound) = 1/√fan_in for weights and biases of convolutions and linear layers, and 0
     * for tensors with a fixed start (BatchNorm's γ = 1, β = 0 and running statistics).
     */
    float[] values(String name, long[] shape, float bound);
  }

  private final NDManager manager;
  private final Init init;
  private final Map<String, PtNDArray> parameters = new LinkedHashMap<>();
  private final Map<String, PtNDArray> buffers = new LinkedHashMap<>();

  Params(NDManager manager, Init init) {
    this.manager = manager;
    this.init = init;
  }

  /** A trainable tensor initialised U(−bound, bound) (or as {@link #constant} when bound is 0). */
  PtNDArray parameter(String name, float bound, long... shape) {
    PtNDArray p = create(name, bound, shape);
    p.setRequiresGradient(true);
    parameters.put(name, p);
    return p;
  }

  /** A buffer (no gradient), initialised by the init with bound 0. */
  PtNDArray buffer(String name, long... shape) {
    PtNDArray b = create(name, 0f, shape);
    buffers.put(name, b);
    return b;
  }

  private PtNDArray create(String name, float bound, long... shape) {
    if (parameters.containsKey(name) || buffers.containsKey(name)) {
      throw new IllegalStateException("duplicate state name " + name);
    }
    float[] v = init.values(name, shape, bound);
    long n = new Shape(shape).size();
    if (v.length != n) {
      throw new IllegalStateException(name + ": init gave " + v.length + " values for " + n);
    }
    return (PtNDArray) manager.create(v, new Shape(shape));
  }

  Map<String, PtNDArray> parameters() {
    return parameters;
  }

  Map<String, PtNDArray> buffers() {
    return buffers;
  }

  /**
   * The benchmark's initialisation: PyTorch's defaults in distribution (U(±1/√fan_in) for weights
   * and biases; γ = 1, β = 0, running mean 0, running variance 1), from a seeded generator.
   */
  static Init seeded(long seed) {
    java.util.SplittableRandom rng = new java.util.SplittableRandom(seed);
    return (name, shape, bound) -> {
      float[] v = new float[Math.toIntExact(new Shape(shape).size())];
      if (bound > 0) {
        for (int i = 0; i < v.length; i++) {
          v[i] = (float) ((2 * rng.nextDouble() - 1) * bound);
        }
      } else if (name.endsWith(".weight") || name.endsWith("running_var")) {
        java.util.Arrays.fill(v, 1f);
      }
      return v;
    };
  }
}
